/*
 * The batch scripts `vmsweep submit --slurm` writes into DIR/slurm/ and submits, kept
 * for inspection and for submitting by hand (sbatch DIR/slurm/sweep.sbatch). Paths are
 * absolute: the tasks run on other nodes, which see DIR, the config and this build at
 * the same paths (a shared file system).
 */
#include <stdio.h>

#include "cmd/shard_dirs.h"
#include "cmd/submit.h"

/* A path in single quotes for sh. */
static void sh_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

/* A path in an #SBATCH line, where sbatch expands %-patterns: % written as %%. */
static void sbatch_path(FILE *f, const char *s)
{
	for (; *s; s++)
		fputs(*s == '%' ? "%%" : (char[]){ *s, 0 }, f);
}

static void common_lines(FILE *f, const struct submit_script *s)
{
	if (s->partition)
		fprintf(f, "#SBATCH --partition=%s\n", s->partition);
	for (size_t i = 0; i < s->nr_extra; i++)
		fprintf(f, "#SBATCH %s\n", s->extra[i]);
}

void submit_script_array(FILE *f, const struct submit_script *s)
{
	unsigned k = s->nodes_per_task, shards = s->nr_tasks * k;
	fprintf(f, "#!/bin/sh\n"
		   "# vmsweep sweep %s as a Slurm job array, written by `vmsweep submit --slurm`.\n"
		   "# Array task T runs shard%s of %u (vmsweep run --shard I/%u) into %s/%s/<I>:\n"
		   "# its own store, which `vmsweep merge` joins with the others. Submitting it again\n"
		   "# for some tasks (sbatch --array=2,5 ...) finishes what they left: a shard's store\n"
		   "# keeps what was recorded. vmsweep submit --resume does that for the missing ones.\n",
		s->name, k > 1 ? "s T*K .. T*K+K-1 (K nodes per task)" : " T", shards, shards, s->dir, SHARDS_SUBDIR);
	fprintf(f, "#SBATCH --job-name=vmsweep-%s\n", s->name);
	if (s->max_parallel)
		fprintf(f, "#SBATCH --array=0-%u%%%u\n", s->nr_tasks - 1, s->max_parallel);
	else
		fprintf(f, "#SBATCH --array=0-%u\n", s->nr_tasks - 1);
	fprintf(f, "#SBATCH --nodes=%u\n#SBATCH --ntasks-per-node=1\n#SBATCH --cpus-per-task=%u\n", k, s->cpus_per_task);
	if (s->mem_mb)
		fprintf(f, "#SBATCH --mem=%lluM\n", s->mem_mb);
	if (s->time)
		fprintf(f, "#SBATCH --time=%s\n", s->time);
	fputs("#SBATCH --output=", f);
	sbatch_path(f, s->dir);
	fprintf(f, "/%s/logs/%%A_%%a.out\n", SLURM_SUBDIR);
	common_lines(f, s);
	fputs("set -eu\n", f);
	/* where submit ran, whatever directory sbatch was run from: relative disk paths of the
	 * config are relative to it */
	if (s->chdir) {
		fputs("cd ", f);
		sh_quote(f, s->chdir);
		fputc('\n', f);
	}
	/* failed runs are results (recorded with their cause): the task still succeeded */
	if (k == 1) {
		fputs("shard=$SLURM_ARRAY_TASK_ID\nexec ", f);
		sh_quote(f, s->vmsweep);
		fprintf(f, " run --shard \"$shard/%u\" --jobs %u --plan-digest %s --check-node --allow-failed --out ", shards,
			s->jobs,
			s->digest);
		sh_quote(f, s->dir);
		fprintf(f, "\"/%s/$shard\" ", SHARDS_SUBDIR);
		sh_quote(f, s->config);
		fputc('\n', f);
		return;
	}
	/* one shard per node of the task: srun starts one sh per node, SLURM_PROCID 0..K-1 */
	/* srun does not take --cpus-per-task from sbatch since Slurm 22.05: given again */
	fprintf(f, "exec srun --nodes=%u --ntasks=%u --ntasks-per-node=1 --cpus-per-task=%u sh -c 'shard=$(("
		   "SLURM_ARRAY_TASK_ID * %u + SLURM_PROCID)); exec \"$0\" run --shard \"$shard/%u\" --jobs %u"
		   " --plan-digest %s --check-node --allow-failed --out \"$1/%s/$shard\" \"$2\"' ",
		k, k, s->cpus_per_task, k, shards, s->jobs, s->digest, SHARDS_SUBDIR);
	sh_quote(f, s->vmsweep);
	fputc(' ', f);
	sh_quote(f, s->dir);
	fputc(' ', f);
	sh_quote(f, s->config);
	fputc('\n', f);
}

void submit_script_report(FILE *f, const struct submit_script *s)
{
	fprintf(f, "#!/bin/sh\n"
		   "# vmsweep sweep %s: once every array task succeeded (afterok), the shards merged\n"
		   "# into %s/results.sqlite and the report written beside it.\n",
		s->name, s->dir);
	fprintf(f, "#SBATCH --job-name=vmsweep-%s-report\n#SBATCH --nodes=1\n#SBATCH --ntasks=1\n"
		   "#SBATCH --cpus-per-task=1\n#SBATCH --output=",
		s->name);
	sbatch_path(f, s->dir);
	fprintf(f, "/%s/logs/report-%%j.out\n", SLURM_SUBDIR);
	common_lines(f, s);
	fputs("set -eu\n", f);
	sh_quote(f, s->vmsweep);
	fputs(" merge ", f);
	sh_quote(f, s->dir);
	fputs("\nexec ", f);
	sh_quote(f, s->vmsweep);
	fputs(" report ", f);
	sh_quote(f, s->dir);
	fputc('\n', f);
}
