#!/usr/bin/env bash
# A private, real, single-node Slurm (slurmctld + slurmd + munged) on localhost, for the
# integration test of `vmsweep submit --slurm` (t_slurm). Everything lives under BASE:
# nothing in /etc is touched, no systemd. Why each setting: /work/shared/reference/slurm-notes.md.
#
#	slurm_local.sh start BASE         starts it; prints `export SLURM_CONF=BASE/slurm.conf`
#	slurm_local.sh stop BASE          cancels all jobs and stops the daemons (idempotent)
#	slurm_local.sh wait JOBID [SECS]  waits (SLURM_CONF set) until the job, every array
#	                                  task of it, has left the queue (default 60 s)
#
# start exits 77 (skip) when not root or when a program it needs is missing. Only the
# export line goes to stdout, so `eval "$(slurm_local.sh start "$B")"` works: the daemons
# get stdout/stderr of their own, else the command substitution would wait for them.
# SLURM_LOCAL_PORT_BASE (default 16817) is slurmctld's port; slurmd's are the next ones.
# SLURM_LOCAL_NODES=N (default 1) emulates N nodes, n1..nN, each a slurmd of its own with
# its share of the CPUs (at least one): what `vmsweep submit --nodes-per-task` needs.
# Sourced, it only defines slurm_local CMD ARGS..., which runs it as a command (its exit
# statuses and `set -u` stay its own): eval "$(slurm_local start "$B")".

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
	SLURM_LOCAL_SH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
	slurm_local() { bash "$SLURM_LOCAL_SH" "$@"; }
	return 0
fi
set -u

PORT=${SLURM_LOCAL_PORT_BASE:-16817}
NODES=${SLURM_LOCAL_NODES:-1}
START_TIMEOUT_MS=30000

say() { echo "slurm_local: $*" >&2; }
now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# running PID NAME: PID is a live process running NAME. Where PID 1 reaps orphans late,
# a zombie still answers kill -0: state Z counts as gone.
running()
{
	local stat
	[[ $1 =~ ^[0-9]+$ ]] || return 1
	{ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -q -- "$2" || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}
pid_in() { { read -r REPLY <"$1"; } 2>/dev/null && echo "$REPLY"; }
# alive PIDFILE NAME: the pid in PIDFILE is a live process running NAME.
alive() { running "$(pid_in "$1")" "$2"; }

# wait_until DESC PIDFILE NAME CMD...: runs CMD every 0.1 s until it succeeds, the start-up
# deadline (wall clock) passes, or the daemon NAME has written PIDFILE and died already.
wait_until()
{
	local desc=$1 pidfile=$2 name=$3
	shift 3
	while ! "$@" >/dev/null 2>&1; do
		if [ -s "$pidfile" ] && ! alive "$pidfile" "$name"; then
			say "$name exited while waiting for $desc"
			return 1
		fi
		if [ "$(now_ms)" -ge "$DEADLINE" ]; then
			say "timed out after $((START_TIMEOUT_MS / 1000)) s waiting for $desc"
			return 1
		fi
		sleep 0.1
	done
}

# fail WHAT LOG: start-up failed; show why, undo what was started, exit 1.
fail()
{
	say "start failed: $1 did not come up"
	if [ -n "${2:-}" ] && [ -f "$2" ]; then
		say "last lines of $2:"
		tail -n 20 "$2" | sed 's/^/    /' >&2
	fi
	do_stop >/dev/null 2>&1
	exit 1
}

# The probes; `timeout` so that one stuck probe cannot eat the whole deadline.
munge_ok() { munge -n -S "$SOCK" | unmunge -S "$SOCK"; }
ctld_up() { timeout 2 scontrol ping | grep -q 'is UP'; }
node_idle() { [ "$(timeout 2 sinfo -h -N -o %T | sort -u)" = idle ]; }
# node_names: localhost for one node, n1..nN for several
node_names() { if [ "$NODES" -eq 1 ]; then echo localhost; else seq -f 'n%g' 1 "$NODES"; fi; }
# slurmd_alive: any slurmd of BASE is running
slurmd_alive()
{
	local f
	for f in "$B"/slurmd.*.pid; do
		alive "$f" slurmd && return 0
	done
	return 1
}

do_start()
{
	local p hw mem
	[ "$(id -u)" -eq 0 ] || { say "skip: must run as root (munged, slurmd)"; exit 77; }
	for p in munged mungekey munge unmunge slurmctld slurmd sbatch squeue scontrol scancel sinfo ip; do
		command -v "$p" >/dev/null || { say "skip: $p is not installed (apt-get install slurm-wlm munge)"; exit 77; }
	done
	mkdir -p "$B" || exit 1
	B=$(cd "$B" && pwd) || exit 1
	SOCK=$B/munge/munge.socket.2
	[[ $NODES =~ ^[1-9][0-9]?$ ]] || { say "SLURM_LOCAL_NODES=$NODES: expected 1..99"; exit 2; }
	if alive "$B/slurmctld.pid" slurmctld || slurmd_alive || alive "$B/munge/munged.pid" munged; then
		say "a Slurm of $B is already running: stop it first"
		exit 1
	fi
	# A DRAIN/INVAL node state and the clustername file survive restarts: start afresh.
	rm -rf "$B/state" "$B/spool" "$B/munge" "$B/log" "$B/slurm.conf" "$B/lo-added"
	# munged wants its socket's directory searchable by all, and no dir writable by others.
	mkdir -p "$B/state" "$B/spool" "$B/munge" "$B/log" && chmod 0755 "$B" "$B/munge" || exit 1
	DEADLINE=$(($(now_ms) + START_TIMEOUT_MS))

	mungekey --create --force --keyfile="$B/munge/munge.key" 2>"$B/log/mungekey.err" ||
		fail "mungekey" "$B/log/mungekey.err"
	munged --socket="$SOCK" --key-file="$B/munge/munge.key" --pid-file="$B/munge/munged.pid" \
		--seed-file="$B/munge/munged.seed" --log-file="$B/log/munged.log" --origin=127.0.0.1 \
		</dev/null >>"$B/log/munged.out" 2>&1 || fail "munged" "$B/log/munged.out"
	wait_until "a munge round trip" "$B/munge/munged.pid" munged munge_ok || fail "munged" "$B/log/munged.log"

	# glibc's AI_ADDRCONFIG ignores 127.0.0.1: with no other IPv4 address slurmctld fails
	# ("Address family not supported by protocol"). A second loopback address fixes it.
	if ! ip -4 -o addr show | awk '{ print $4 }' | grep -qv '^127\.0\.0\.1/'; then
		ip addr add 127.0.0.2/8 dev lo 2>"$B/log/ip.err" || fail "ip addr add 127.0.0.2/8 dev lo" "$B/log/ip.err"
		touch "$B/lo-added" # so that stop removes it again
	fi

	# The node as slurmd -C sees it (CPUs, Boards, SocketsPerBoard, ...), under our name,
	# with RealMemory below what it reports (slurmd drains a node that has less).
	hw=$(slurmd -C 2>/dev/null | head -n 1)
	[[ $hw =~ RealMemory=([0-9]+) ]] || { say "start failed: cannot parse slurmd -C: $hw"; do_stop >/dev/null 2>&1; exit 1; }
	mem=$((BASH_REMATCH[1] * 9 / 10))
	hw=$(echo "$hw" | tr ' ' '\n' | grep -v -e '^NodeName=' -e '^RealMemory=' | tr '\n' ' ')
	local nodes="" names i=0 cpus=1 n
	if [ "$NODES" -gt 1 ]; then
		# several slurmd on one host: each its own port, and CPUs alone (a share of them)
		[[ $hw =~ CPUs=([0-9]+) ]] && cpus=$((BASH_REMATCH[1] / NODES))
		hw="CPUs=$((cpus > 0 ? cpus : 1)) "
		mem=$((mem / NODES))
	fi
	for n in $(node_names); do
		i=$((i + 1))
		nodes+="NodeName=$n NodeHostname=localhost NodeAddr=127.0.0.1 Port=$((PORT + i)) ${hw}RealMemory=$mem State=UNKNOWN"$'\n'
	done
	names=$(node_names | paste -sd,)
	cat >"$B/slurm.conf" <<EOF
# Written by tests/integration/slurm_local.sh: a private single-node cluster.
ClusterName=vmsweep
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$PORT
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCK
StateSaveLocation=$B/state
SlurmdSpoolDir=$B/spool/%n
SlurmctldPidFile=$B/slurmctld.pid
SlurmdPidFile=$B/slurmd.%n.pid
SlurmctldLogFile=$B/log/slurmctld.log
SlurmdLogFile=$B/log/slurmd.%n.log
# No cgroups: cgroup plugins without a cgroup.conf make every launch fail, silently.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
MailProg=/bin/true
# One task per CPU (select/linear would run one task per node at a time).
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# Schedule at once rather than in waves seconds apart.
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
# Cancel a job whose dependency can never be satisfied (afterok on a failed or cancelled
# task) instead of leaving it pending forever. Since Slurm 20.11 this is read here only:
# in SchedulerParameters 22.05 ignores it without a word.
DependencyParameters=kill_invalid_depend
SlurmdParameters=config_overrides
ReturnToService=2
${nodes}PartitionName=debug Nodes=$names Default=YES MaxTime=INFINITE State=UP
EOF
	export SLURM_CONF=$B/slurm.conf

	slurmctld -f "$SLURM_CONF" </dev/null >>"$B/log/slurmctld.out" 2>&1 || fail "slurmctld" "$B/log/slurmctld.out"
	wait_until "scontrol ping to say UP" "$B/slurmctld.pid" slurmctld ctld_up || fail "slurmctld" "$B/log/slurmctld.log"
	# slurmd only now: one that finds no slurmctld yet registers 1 s later.
	# -N: the node's name is given, which avoids 10 s of look-up retries of the hostname.
	for n in $(node_names); do
		slurmd -f "$SLURM_CONF" -N "$n" </dev/null >>"$B/log/slurmd.out" 2>&1 || fail "slurmd" "$B/log/slurmd.out"
	done
	n=$(node_names | tail -n 1)
	wait_until "the nodes to be idle" "$B/slurmd.$n.pid" slurmd node_idle || {
		say "node states: $(sinfo -h -N -o '%N %T %E' 2>&1 | tr '\n' ';')"
		fail "slurmd" "$B/log/slurmd.$n.log"
	}
	echo "export SLURM_CONF=$SLURM_CONF"
}

# stop_daemon PIDFILE NAME: SIGTERM, up to ~5 s for it to go, then SIGKILL. By the pid,
# not the file: slurmd removes its pid file first and may linger a while after.
stop_daemon()
{
	local pid i
	pid=$(pid_in "$1")
	running "$pid" "$2" || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		running "$pid" "$2" || return 0
		sleep 0.1
	done
	say "$2 ($pid) ignored SIGTERM for 5 s: SIGKILL"
	kill -KILL "$pid" 2>/dev/null
	sleep 0.1
}

# The slurmstepd processes of this cluster (they outlive slurmd): their command
# line names no path, but their environment holds our SLURM_CONF.
stepds()
{
	local p
	for p in $(pgrep -x slurmstepd); do
		{ tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null | grep -qxF "SLURM_CONF=$B/slurm.conf" && echo "$p"
	done
}

do_stop()
{
	local ids i p
	[ -d "$B" ] || return 0
	B=$(cd "$B" && pwd) || return 0
	if alive "$B/slurmctld.pid" slurmctld && [ -f "$B/slurm.conf" ]; then
		export SLURM_CONF=$B/slurm.conf
		ids=$(timeout 5 squeue -h -o %A 2>/dev/null | sort -u)
		# shellcheck disable=SC2086 # one argument per job id
		[ -z "$ids" ] || timeout 5 scancel $ids 2>/dev/null
		# Up to 5 s for the jobs to leave the queue (COMPLETING too) and their slurmstepd
		# to go: a slurmd stopped while it still reports a job's end to slurmctld
		# lingers for a minute or two retrying, without its pid file.
		for ((i = 0; i < 50; i++)); do
			[ -z "$(timeout 2 squeue -h -o %A 2>/dev/null)" ] && [ -z "$(stepds)" ] && break
			sleep 0.1
		done
	fi
	for p in "$B"/slurmd.*.pid; do
		[ -e "$p" ] && stop_daemon "$p" slurmd
	done
	stop_daemon "$B/slurmctld.pid" slurmctld
	stop_daemon "$B/munge/munged.pid" munged
	for p in $(stepds); do
		say "slurmstepd $p survived: SIGKILL to it and its tasks"
		pkill -KILL -P "$p" 2>/dev/null
		kill -KILL "$p" 2>/dev/null
	done
	if [ -f "$B/lo-added" ]; then
		ip addr del 127.0.0.2/8 dev lo 2>/dev/null
		rm -f "$B/lo-added"
	fi
	return 0
}

do_wait()
{
	local job=$1 secs=${2:-60} out err deadline
	[ -n "${SLURM_CONF:-}" ] || { say "wait: SLURM_CONF is not set"; return 2; }
	deadline=$(($(now_ms) + secs * 1000))
	while :; do
		# squeue lists unfinished jobs and tasks only; a job already purged from
		# slurmctld's memory (MinJobAge) is an error "Invalid job id specified".
		out=$(squeue -h -r --jobs="$job" -o '%i %T' 2>&1)
		err=$?
		[ "$err" -eq 0 ] && [ -z "$out" ] && return 0
		[[ $out == *"Invalid job id"* ]] && return 0
		if [ "$(now_ms)" -ge "$deadline" ]; then
			say "wait: job $job still in the queue after $secs s:"
			echo "    ${out//$'\n'/$'\n'    }" >&2
			return 1
		fi
		sleep 0.2
	done
}

B=${2:-}
case "${1:-} ${2:+x}" in
"start x") do_start ;;
"stop x") do_stop ;;
"wait x") do_wait "$2" "${3:-60}" ;;
*)
	echo "usage: $0 start BASE | stop BASE | wait JOBID [TIMEOUT_S]" >&2
	exit 2
	;;
esac
