/*
 * Did a rerun reproduce the sweep? For each figure (a metric of the base's report) and
 * each point, the two 95 % intervals of the mean (Student's t over each one's runs):
 * reproduced when they overlap, the figure's error bars touching. (The rerun's mean inside
 * the original's interval would ask more of the rerun than of the original: its own mean
 * varies as much.) A point of fewer than 3 runs on either side has no interval worth the
 * name and is counted apart.
 */
#include <math.h>
#include <stdlib.h>

#include "compare/compare.h"
#include "report/stats.h"
#include "util/error.h"

int reproduce_write(struct compare *c, FILE *f, size_t *nr_not, char *err, size_t errlen)
{
	struct compare_sweep *a = &c->sweeps[0], *b = &c->sweeps[1];
	*nr_not = 0;
	fprintf(f, "# vmsweep rerun: %s against the original %s\n\nReproduced: the 95 %% intervals of the "
		   "original's and the rerun's means (Student's t over each one's done runs) overlap.\n\n",
		b->dir, a->dir);
	for (size_t m = 0; m < c->nr_metrics; m++) {
		size_t yes = 0, no = 0, unknown = 0;
		if (compare_values_read(a, c->metrics[m].name, err, errlen) ||
		    compare_values_read(b, c->metrics[m].name, err, errlen)) {
			compare_values_free(a);
			compare_values_free(b);
			return -1;
		}
		fprintf(f, "## %s\n\n| point | original mean [95 %% CI] | rerun mean [95 %% CI] | reproduced |\n"
			   "|---|---|---|---|\n",
			c->metrics[m].name);
		for (size_t row = 0; row < c->nr_rows; row++) {
			size_t pa = c->rows[row].point[0], pb = c->rows[row].point[1];
			struct sample_stats sa, sb;
			stats_compute(a->values[pa], a->nr_values[pa], &sa);
			if (pb == COMPARE_NONE)
				stats_compute(NULL, 0, &sb);
			else
				stats_compute(b->values[pb], b->nr_values[pb], &sb);
			const char *verdict;
			if (!sa.n || !sb.n) {
				verdict = "no runs to compare";
				unknown++;
			} else if (!stats_ci_meaningful(&sa) || !stats_ci_meaningful(&sb)) {
				verdict = "unknown (under 3 runs)";
				unknown++;
			} else if (sb.ci95_lo <= sa.ci95_hi && sa.ci95_lo <= sb.ci95_hi) {
				verdict = "yes";
				yes++;
			} else {
				verdict = "**no**";
				no++;
			}
			fprintf(f, "| %s | %.5g [%.5g, %.5g] | %.5g [%.5g, %.5g] | %s |\n", c->rows[row].label, sa.mean,
				sa.ci95_lo, sa.ci95_hi, sb.mean, sb.ci95_lo, sb.ci95_hi, verdict);
		}
		fprintf(f, "\nFigure %s: reproduced at %zu of %zu points%s", c->metrics[m].name, yes, yes + no + unknown,
			no ? "" : ".");
		if (no)
			fprintf(f, "; **not at %zu**.", no);
		if (unknown)
			fprintf(f, " (%zu without an interval to judge by.)", unknown);
		fputs("\n\n", f);
		*nr_not += no;
		compare_values_free(a);
		compare_values_free(b);
	}
	return ferror(f) ? errorf(err, errlen, "write error") : 0;
}
