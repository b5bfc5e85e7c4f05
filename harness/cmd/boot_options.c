/* Parsing and checking `vmsweep boot` options; every error names its option. */
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"
#include "cmd/boot_options.h"
#include "util/error.h"
#include "util/knob.h"
#include "util/parse.h"

#define DEFAULT_TIMEOUT_NS (30ull * 1000000000ull)

void boot_usage(FILE *f)
{
	fprintf(f,
		"usage: vmsweep boot [options]\n"
		"Boots the built-in guest kernel on vmsweep's own KVM driver, runs its built-in\n"
		"workload (each CPU alternates computing and sleeping) and prints a summary.\n"
		"\n"
		"  --memory SIZE     guest RAM, 16M..64G, a multiple of 2M (default 128M)\n"
		"  --vcpus N         virtual CPUs, 1..64 (default 2), as 1 socket x N cores x 1 thread\n"
		"  --topology SHAPE  sockets=S,cores=C,threads=T (any of them, the rest 1) or SxCxT\n"
		"                    (2x2x1): S*C*T vCPUs (--vcpus, if given too, must agree), presented\n"
		"                    as hardware does: x2APIC IDs per package/core/thread and CPUID\n"
		"                    leaves 0x1, 0x4 (L3 per package), 0xB and 0x1F\n"
		"  --pin HOW         where the vCPU threads run on the host: none (default: where the\n"
		"                    host puts them), compact (a core's SMT siblings, then the next core,\n"
		"                    then the next package), scatter (one per package, then per core,\n"
		"                    round robin), io (compact on the CPUs that do not take the disks'\n"
		"                    interrupts, /proc/irq: a polling vCPU there shares its CPU with\n"
		"                    them and the I/O thread they wake), or a list of host CPUs, one\n"
		"                    per vCPU (0,2,4-5); only\n"
		"                    the CPUs this process may use. More vCPUs than those CPUs share them\n"
		"                    round robin: the run is reported overcommitted. The disks' I/O\n"
		"                    threads get the CPUs no vCPU has (anywhere if none is left).\n"
		"                    --json: placement (its io_cpus, disk_irq_cpus with io, and each\n"
		"                    CPU's steal)\n"
		"  --hz N            the guest's periodic tick, 0..5000; 0 = none (default 250)\n"
		"  --set KEY=VALUE   set a guest knob (repeatable, or KEY=V,KEY=V); see below\n"
		"  --timeout TIME    stop the guest after TIME (30s, 500ms, 2m; 0 = never; default 30s)\n"
		"  --seed N          the guest's random seed (default 1)\n"
		"  --kernel PATH     the guest ELF (default: guest/guest.elf of this tree)\n"
		"  --disk SPEC       a virtio-blk disk, /dev/vda first (repeatable, up to 8):\n"
		"                    PATH[,size=1G][,cache=none|writeback|unsafe][,engine=io_uring|sync]\n"
		"                    [,queues=N][,ro][,swap][,prefill]; a missing image is created sparse\n"
		"                    at size=; swap: the guest swaps to this disk (one per guest, not\n"
		"                    with ro, and fio jobs may not use it); prefill: write its holes once.\n"
		"                    A device model times every completion (docs/DISK_MODELS.md):\n"
		"                    [,rate=100M][,iops=N][,lat=8ms][,channels=N][,flush=T], or\n"
		"                    profile=hdd[,rpm=7200][,seek=8.5ms][,seek_min=1ms][,seek_max=T]\n"
		"                    [,rate=120M][,capacity=SIZE][,flush=T], or\n"
		"                    profile=ssd[,lat=100us][,channels=4][,rate=250M][,iops=N][,flush=1ms]\n"
		"                    A file system: fs=ext3: the guest mounts it at\n"
		"                    /mnt/vdX; a missing image gets mkfs.ext3 -b 4096, an existing one must be\n"
		"                    such a file system (its features are checked); ,mkfs=OPTIONS comes last\n"
		"                    and takes the rest of the spec, commas included, split at spaces for\n"
		"                    mkfs.ext3 (quote the whole --disk for the shell): mkfs=-J size=8 -I 128;\n"
		"                    fsck: e2fsck -fn the image after the run (boot --json disks[].fsck).\n"
		"                    log=PATH: record every write and flush the disk served in dm-log-writes's\n"
		"                    format, after the image as it was (docs/WRITE_LOG.md; vmsweep replay-log)\n"
		"  --job FILE        run an fio job file (workloads/README.md) instead of the built-in\n"
		"                    workload; stdout is then fio's JSON (--output-format=json)\n"
		"  --output-format F fio's JSON for --job: json (default) or json+ (with each\n"
		"                    latency's bins, for fio's tools such as fio_jsonplus_clat2csv)\n"
		"  --section NAME    run only the job section [NAME] of --job's file, with its\n"
		"                    [global] options, as fio's --section (repeatable)\n"
		"  --blk-poll-us N   the most a disk queue's host thread spins for the guest's next\n"
		"                    request before it sleeps; the window adapts below it (default 200)\n"
		"  --log PATH        write the guest console here (default vmsweep-console.log)\n"
		"  --console         also show the guest console live on stderr\n"
		"  --verbose         the guest prints a table of its tasks at boot\n"
		"  --no-prefault     do not pre-fault guest RAM (faster start, noisier first touches)\n"
		"  --hugepages       guest RAM from the host's huge pages (sysctl vm.nr_hugepages): large\n"
		"                    requests reach the host's disk in fewer segments, as host fio's\n"
		"                    with huge-page buffers (vmsweep baseline uses them when free)\n"
		"  --json            print the summary as JSON on stdout\n"
		"  --schedstat FILE  write the guest scheduler's counters at the end of the run to FILE\n"
		"                    in Linux's /proc/schedstat format, version 15 (docs/ARCHITECTURE.md)\n"
		"  --backend B       kvm (default: our KVM driver and guest kernel) or libvirt: the\n"
		"                    --job on a real Debian Linux guest under libvirt (QEMU; TCG where\n"
		"                    this host's KVM cannot run a stock kernel), its knobs as sysctls and\n"
		"                    mount options (linux-guest/README.md; `make linux-guest` first);\n"
		"                    stdout: the guest's fio JSON, stderr: a summary\n"
		"  --libvirt-uri U   the libvirtd to use (default: qemu:///system if one runs, else\n"
		"                    vmsweep starts its own for the run; VMSWEEP_LIBVIRT_URI too)\n"
		"  --dry-run         with --backend libvirt: print the domain XML, the run.conf and\n"
		"                    the job file the Linux guest would get, and boot nothing\n"
		"  -h, --help        this text\n"
		"\n"
		"Exit status: 0 guest done, 1 host error, 2 bad option, 3 guest panic, 4 triple\n"
		"fault, 5 KVM internal error or failed entry, 6 an exit vmsweep does not serve,\n"
		"7 timeout, 8 the guest broke the host<->guest protocol, 9 an fio job failed (an I/O\n"
		"error or a verify mismatch; its JSON says which), 130 interrupted (SIGINT, SIGTERM:\n"
		"the run is stopped cleanly and the console log kept).\n"
		"\n"
		"Guest knobs (--set):\n");
	knob_print_help(f);
}

enum { OPT_MEMORY = 256, OPT_VCPUS, OPT_HZ, OPT_SET, OPT_TIMEOUT, OPT_SEED, OPT_KERNEL, OPT_LOG, OPT_CONSOLE,
       OPT_VERBOSE, OPT_NO_PREFAULT, OPT_JSON, OPT_DISK, OPT_JOB, OPT_BLK_POLL, OPT_OUTPUT_FORMAT, OPT_SECTION,
       OPT_HUGEPAGES, OPT_TOPOLOGY, OPT_PIN, OPT_SCHEDSTAT, OPT_BACKEND, OPT_LIBVIRT_URI, OPT_DRY_RUN };

static const struct option boot_long_options[] = {
	{ "memory", required_argument, NULL, OPT_MEMORY }, { "vcpus", required_argument, NULL, OPT_VCPUS },
	{ "hz", required_argument, NULL, OPT_HZ },	   { "set", required_argument, NULL, OPT_SET },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT }, { "seed", required_argument, NULL, OPT_SEED },
	{ "kernel", required_argument, NULL, OPT_KERNEL }, { "log", required_argument, NULL, OPT_LOG },
	{ "console", no_argument, NULL, OPT_CONSOLE },	   { "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "no-prefault", no_argument, NULL, OPT_NO_PREFAULT }, { "json", no_argument, NULL, OPT_JSON },
	{ "disk", required_argument, NULL, OPT_DISK },	   { "job", required_argument, NULL, OPT_JOB },
	{ "blk-poll-us", required_argument, NULL, OPT_BLK_POLL }, { "output-format", required_argument, NULL, OPT_OUTPUT_FORMAT },
	{ "section", required_argument, NULL, OPT_SECTION }, { "hugepages", no_argument, NULL, OPT_HUGEPAGES },
	{ "topology", required_argument, NULL, OPT_TOPOLOGY }, { "pin", required_argument, NULL, OPT_PIN },
	{ "schedstat", required_argument, NULL, OPT_SCHEDSTAT }, { "backend", required_argument, NULL, OPT_BACKEND },
	{ "libvirt-uri", required_argument, NULL, OPT_LIBVIRT_URI }, { "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "help", no_argument, NULL, 'h' },		   { NULL, 0, NULL, 0 },
};

static int parse_memory(const char *arg, uint64_t *out, char *err, size_t errlen)
{
	char why[200];
	if (parse_size(arg, out, why, sizeof(why)) != 0)
		return errorf(err, errlen, "--memory %s: %s", arg, why);
	if (*out < VMS_MIN_MEM || *out > VMS_MAX_MEM)
		return errorf(err, errlen, "--memory %s: out of range 16M..64G", arg);
	if (*out % VMS_MEM_ALIGN)
		return errorf(err, errlen, "--memory %s: must be a multiple of 2M (guest RAM is mapped in 2 MiB pages)", arg);
	return 0;
}

static int parse_option(int opt, const char *arg, struct boot_options *o, char *err, size_t errlen)
{
	char why[300];
	int64_t v;

	switch (opt) {
	case OPT_MEMORY:
		return parse_memory(arg, &o->vm.mem_size, err, errlen);
	case OPT_VCPUS:
		if (parse_int_range(arg, 1, VMS_MAX_CPUS, &v, why, sizeof(why)) != 0)
			goto bad;
		o->vm.nr_cpus = (unsigned)v;
		o->vcpus_given = true;
		return 0;
	case OPT_TOPOLOGY:
		if (cpu_topology_parse(arg, &o->vm.topo, why, sizeof(why)) != 0)
			return errorf(err, errlen, "--topology %s: %s", arg, why);
		return 0;
	case OPT_BACKEND: {
		int b = backend_parse(arg);
		if (b < 0)
			return errorf(err, errlen, "--backend %s: kvm (our own guest kernel) or libvirt (Linux, through libvirt)", arg);
		o->vm.backend = (unsigned)b;
		return 0;
	}
	case OPT_LIBVIRT_URI:
		o->libvirt_uri = arg;
		return 0;
	case OPT_DRY_RUN:
		o->dry_run = true;
		return 0;
	case OPT_PIN:
		if (vm_pin_parse(arg, &o->vm.pin, why, sizeof(why)) != 0)
			return errorf(err, errlen, "--pin %s: %s", arg, why);
		o->pin_text = arg;
		return 0;
	case OPT_HZ:
		/* KVM clamps the LAPIC timer period to 200 us (min_timer_period_us): 5000 Hz at most. */
		if (parse_int_range(arg, 0, 5000, &v, why, sizeof(why)) != 0)
			goto bad;
		o->vm.hz = (unsigned)v;
		return 0;
	case OPT_SET:
		return knob_set(o->vm.knobs, arg, err, errlen);
	case OPT_TIMEOUT:
		if (parse_duration_ns(arg, &o->vm.timeout_ns, why, sizeof(why)) != 0)
			goto bad;
		return 0;
	case OPT_SEED:
		if (parse_int_range(arg, 0, INT64_MAX, &v, why, sizeof(why)) != 0)
			goto bad;
		o->vm.seed = (uint64_t)v;
		return 0;
	case OPT_KERNEL:
		o->vm.kernel_path = arg;
		return 0;
	case OPT_LOG:
		o->log_path = arg;
		return 0;
	case OPT_CONSOLE:
		o->console = true;
		return 0;
	case OPT_VERBOSE:
		o->vm.verbose = true;
		return 0;
	case OPT_NO_PREFAULT:
		o->vm.prefault = false;
		return 0;
	case OPT_HUGEPAGES:
		o->vm.hugepages = true;
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_DISK:
		if (o->vm.nr_disks >= VMS_MAX_DISKS)
			return errorf(err, errlen, "--disk %s: at most %d disks", arg, VMS_MAX_DISKS);
		if (disk_config_parse(arg, &o->vm.disks[o->vm.nr_disks++], err, errlen))
			return -1;
		return disk_configs_check(o->vm.disks, o->vm.nr_disks, err, errlen);
	case OPT_JOB:
		o->job_path = arg;
		return 0;
	case OPT_OUTPUT_FORMAT:
		if (!strcmp(arg, "json+"))
			o->json_plus = true;
		else if (strcmp(arg, "json"))
			return errorf(err, errlen,
				      "--output-format %s: json or json+ (fio's normal and terse formats are not vmsweep's)",
				      arg);
		return 0;
	case OPT_SECTION:
		if (o->nr_sections >= VMS_WL_MAX_JOBS)
			return errorf(err, errlen, "--section %s: at most %d sections", arg, VMS_WL_MAX_JOBS);
		o->sections[o->nr_sections++] = arg;
		return 0;
	case OPT_SCHEDSTAT:
		o->schedstat_path = arg;
		return 0;
	case OPT_BLK_POLL:
		if (parse_int_range(arg, 0, 1000000, &v, why, sizeof(why)) != 0)
			goto bad;
		o->vm.blk_poll_ns = (uint64_t)v * 1000;
		return 0;
	}
	return errorf(err, errlen, "internal: option %d", opt);
bad:
	for (const struct option *lo = boot_long_options; lo->name; lo++)
		if (lo->val == opt)
			errorf(err, errlen, "--%s: %s", lo->name, why);
	return -1;
}

/* --pin against the vCPUs and this process's host CPUs, as a bad option (vm_run checks again). */
static int pin_check(struct boot_options *o, char *err, size_t errlen)
{
	struct host_cpus *h;
	int host_cpu[VMS_MAX_CPUS];
	bool over;
	char why[512];
	if (o->vm.pin.mode == VM_PIN_NONE)
		return 0;
	if (!(h = malloc(sizeof(*h))))
		return errorf(err, errlen, "out of memory");
	int r = host_cpus_read(h, NULL, NULL, why, sizeof(why)) != 0 ||
			placement_plan(h, &o->vm.pin, o->vm.nr_cpus, NULL, host_cpu, &over, why, sizeof(why)) != 0
		? errorf(err, errlen, "--pin %s: %s", o->pin_text, why)
		: 0;
	free(h);
	return r;
}

int boot_options_parse(int argc, char **argv, struct boot_options *o, FILE *out, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	vm_config_init(&o->vm);
	o->vm.timeout_ns = DEFAULT_TIMEOUT_NS;
	o->log_path = "vmsweep-console.log";

	optind = 0; /* reset getopt: tests parse more than once */
	opterr = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, "+:h", boot_long_options, NULL)) != -1) {
		if (opt == 'h') {
			boot_usage(out);
			return 1;
		}
		if (opt == ':')
			return errorf(err, errlen, "option '%s' needs a value (see vmsweep boot --help)", argv[optind - 1]);
		if (opt == '?') {
			/* glibc sets optopt to the val of a long option that took a value it must not */
			if (optopt >= OPT_MEMORY)
				errorf(err, errlen, "option '%s' takes no value (see vmsweep boot --help)", argv[optind - 1]);
			else if (optopt)
				errorf(err, errlen, "unknown option '-%c' (see vmsweep boot --help)", optopt);
			else
				errorf(err, errlen, "unknown option '%s' (see vmsweep boot --help)", argv[optind - 1]);
			return -1;
		}
		if (parse_option(opt, optarg, o, err, errlen) != 0)
			return -1;
	}
	if (optind < argc)
		return errorf(err, errlen, "unexpected argument '%s' (see vmsweep boot --help)", argv[optind]);
	if (o->vm.topo.sockets) {
		unsigned n = cpu_topology_nr_cpus(&o->vm.topo);
		if (o->vcpus_given && n != o->vm.nr_cpus)
			return errorf(err, errlen, "--topology %ux%ux%u is %u vCPUs and --vcpus %u says otherwise: give one of "
				      "them, or the same number", o->vm.topo.sockets, o->vm.topo.cores, o->vm.topo.threads, n,
				      o->vm.nr_cpus);
		o->vm.nr_cpus = n;
	}
	if (pin_check(o, err, errlen) != 0)
		return -1;
	if (o->nr_sections && !o->job_path)
		return errorf(err, errlen, "--section %s: it picks sections of a job file: give --job FILE", o->sections[0]);
	if ((o->dry_run || o->libvirt_uri) && o->vm.backend != BACKEND_LIBVIRT)
		return errorf(err, errlen, "%s: only with --backend libvirt", o->dry_run ? "--dry-run" : "--libvirt-uri");
	if (o->vm.backend == BACKEND_LIBVIRT && (o->json || o->schedstat_path))
		return errorf(err, errlen, "%s: not with --backend libvirt (its run's metrics are in a sweep's store; "
			      "stdout has the guest's fio JSON)", o->json ? "--json" : "--schedstat");
	if (!o->vm.kernel_path)
		o->vm.kernel_path = vm_default_kernel_path(o->kernel_buf, sizeof(o->kernel_buf));
	if (o->vm.hz == 0 && !o->job_path && o->vm.knobs[VMS_KNOB_sleep_ms] && o->vm.knobs[VMS_KNOB_duration_ms])
		return errorf(err, errlen, "--hz 0 (no tick) cannot run a workload that sleeps: set sleep_ms=0 or duration_ms=0");
	return 0;
}
