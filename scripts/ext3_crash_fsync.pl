#!/usr/bin/perl
# What the fsyncs of a logged fio run promised, and whether a crash image keeps it
# (scripts/ext3_crash.sh). The guest's fio marks the write log when a file job's fsync
# returns (guest/workload/fio_mark.c, docs/WRITE_LOG.md):
#     fsync thread=T writes=N size=S file=PATH
# which promises: every write of job T numbered below N (fio's numberio, in the verify
# header of each 4 KiB block) is in PATH, or a later write of the same block, and PATH is
# at least S bytes long.
#
#   ext3_crash_fsync.pl scan LOG > PROMISES
#     the marks (index thread writes size file) and, from the run's writes in the log,
#     which block each numberio of each thread went to (a write that a later one
#     replaced in the page cache may never reach the disk; the last one before an fsync
#     always does, so the log has every block a promise needs).
#   ext3_crash_fsync.pl check PROMISES POINT DUMPDIR [VANISH...]
#     the image at a crash point whose entries go up to POINT (a completed flush: the
#     marks before it are fsyncs that had returned when it was issued), its files dumped
#     (debugfs) into DUMPDIR/PATH with '/' as '%'. VANISH: files the run unlinks after
#     their last fsync; past that mark, missing is allowed. Prints "promises P V": the
#     files with a returned fsync before POINT, those whose promise is broken; then
#     what broke.
# (perl-base is in every Debian.)
use strict;
use warnings;

my $BLOCK = 4096;
my $VERIFY_MAGIC = 0xacca;

sub scan
{
	my ($log) = @_;
	open(my $f, "<:raw", $log) or die "ext3_crash_fsync: $log: $!\n";
	read($f, my $super, 32) == 32 or die "ext3_crash_fsync: $log: no super\n";
	my ($magic_lo, $magic_hi, $version, $nr, $ss) = unpack("V V Q< Q< V", $super);
	die "ext3_crash_fsync: $log: not a write log\n" unless $magic_lo == 0x77736872 && $magic_hi == 0x6a7366;
	my $pos = $ss;
	my $base_seen = 0;
	for (my $i = 0; $i < $nr; $i++) {
		seek($f, $pos, 0) or die;
		read($f, my $hdr, $ss) == $ss or die "ext3_crash_fsync: $log: entry $i cut short\n";
		my ($sector, $nsec, $flags, $dlen) = unpack("Q< Q< Q< Q<", $hdr);
		$pos += $ss;
		if ($flags & 8) {
			my $text = substr($hdr, 32, $dlen);
			$base_seen = 1 if $text eq "vmsweep-base";
			if ($text =~ /^f(?:data)?sync thread=(\d+) writes=(\d+) size=(\d+) file=(.+)$/) {
				print "M $i $1 $2 $3 $4\n";
			}
		} elsif (($flags & ~2) == 0 && $nsec && $base_seen) {
			# the run's writes (not the base): every 4 KiB of them that carries a header
			my $len = $nsec * $ss;
			read($f, my $data, $len) == $len or die "ext3_crash_fsync: $log: entry ${i}'s data cut short\n";
			for (my $o = 0; $o + 40 <= $len; $o += $BLOCK) {
				my ($m) = unpack("v", substr($data, $o, 2));
				next unless $m == $VERIFY_MAGIC;
				my ($lo, $hi, $thr, $nio) = unpack("x16 V V x8 v v", substr($data, $o, 40));
				print "W $thr $nio ", $lo + $hi * 4294967296, "\n";
			}
		}
		$pos += $nsec * $ss unless $flags & 4; # a discard has no data
	}
}

# fio's numberio is 16 bits: the promise is checked within a run of fewer writes.
sub newer_or_same { my ($got, $want) = @_; return (($got - $want) & 0xffff) < 0x8000; }

sub check
{
	my ($promises, $point, $dir, @vanish) = @_;
	my (%last, %final, %writes);
	open(my $p, "<", $promises) or die "ext3_crash_fsync: $promises: $!\n";
	while (<$p>) {
		chomp;
		my @f = split / /, $_, 6; # a file's name may hold spaces
		if ($f[0] eq "M") {
			my ($i, $thr, $n, $size, $file) = @f[1 .. 5];
			die "ext3_crash_fsync: $file: $n writes: numberio (16 bits) no longer names them\n" if $n > 0x8000;
			$final{$file} = $i;
			$last{$file} = [$i, $thr, $n, $size] if $i < $point;
		} elsif ($f[0] eq "W") {
			push @{$writes{$f[1]}}, [$f[2], $f[3]];
		}
	}
	my %may_vanish = map { $_ => 1 } @vanish;
	my (@broken, $violations);
	for my $file (sort keys %last) {
		my ($i, $thr, $n, $size) = @{$last{$file}};
		(my $name = $file) =~ tr{/}{%};
		my $dump = "$dir/$name";
		my $before = @broken;
		if (!-e $dump) {
			push @broken, "$file: missing, though its fsync (entry $i) had returned"
				unless $may_vanish{$file} && $point > $final{$file};
			$violations++ if @broken > $before;
			next;
		}
		my $have = -s $dump;
		push @broken, "$file: $have bytes, its fsync (entry $i) returned at $size bytes" if $have < $size;
		# each block's last write before the fsync: the block must hold it, or a later one
		my %want;
		for my $w (@{$writes{$thr} || []}) {
			my ($nio, $off) = @$w;
			next unless $nio < $n;
			$want{$off} = $nio if !defined $want{$off} || $nio > $want{$off};
		}
		open(my $f, "<:raw", $dump) or die "ext3_crash_fsync: $dump: $!\n";
		my $bad = 0;
		for my $off (sort { $a <=> $b } keys %want) {
			my $b = "";
			seek($f, $off, 0) && read($f, $b, 40);
			my ($m) = length($b) == 40 ? unpack("v", $b) : (0);
			my ($lo, $hi, $t, $nio) = length($b) == 40 ? unpack("x16 V V x8 v v", $b) : (0, 0, 0, 0);
			next if $m == $VERIFY_MAGIC && $t == $thr && $lo + $hi * 4294967296 == $off &&
				newer_or_same($nio, $want{$off});
			push @broken, sprintf("%s: offset %d: %s, its fsync (entry %d) had returned with write %d there",
				$file, $off, $m == $VERIFY_MAGIC ? "write $nio of thread $t" : "no write of the job", $i,
				$want{$off}) if $bad++ < 3;
		}
		push @broken, "$file: ... " . ($bad - 3) . " more blocks" if $bad > 3;
		$violations++ if @broken > $before;
	}
	print "promises ", scalar(keys %last), " ", $violations // 0, "\n";
	print "$_\n" for @broken;
}

my $cmd = shift // "";
if ($cmd eq "scan" && @ARGV == 1) {
	scan(@ARGV);
} elsif ($cmd eq "check" && @ARGV >= 3) {
	check(@ARGV);
} else {
	print STDERR "usage: ext3_crash_fsync.pl scan LOG | check PROMISES POINT DUMPDIR [VANISH...]\n";
	exit 2;
}
