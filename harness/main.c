/* vmsweep: the command. Each command lives in harness/cmd/; this finds it in the table. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/build_info.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: vmsweep COMMAND [options]\n"
		   "A hypervisor-based benchmarking harness: boots minimal guests on its own KVM\n"
		   "driver and measures the guest kernel's memory management and writeback.\n"
		   "\n"
		   "commands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-9s %s\n", c->name, c->help);
	fprintf(f, "  %-9s %s\n", "help", "this text; `vmsweep COMMAND --help` for a command's options");
	fprintf(f, "  %-9s %s\n", "--version", "the git commit it was built from (-dirty: with uncommitted changes)");
	fprintf(f, "\n"
		   "Exit status: 0 success, 1 host error, 2 bad usage; `vmsweep boot --help` lists\n"
		   "the statuses of a guest run.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "help") || !strcmp(name, "--help") || !strcmp(name, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		char id[41];
		build_id_self(id);
		printf("vmsweep %s (build id %s)\n", build_version(), id);
		return 0;
	}
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(name, c->name))
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "vmsweep: unknown command '%s' (see vmsweep --help)\n", name);
	return EXIT_USAGE;
}
