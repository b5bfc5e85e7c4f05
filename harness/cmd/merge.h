/* `vmsweep merge DIR` (merge.c): the shard stores of DIR joined into DIR/results.sqlite. */
#ifndef CMD_MERGE_H
#define CMD_MERGE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct merge_totals {
	size_t shards, refused; /* shard stores found; of them refused (another plan) */
	size_t added, duplicates; /* runs merged now; runs recorded twice (the first kept) */
	size_t runs, recorded, failed, missing; /* the merged store afterwards */
};

/* Merges every shard store under dir into dir's store (made from the first shard's plan
 * when missing), one line per shard to report (NULL: quiet). A refused shard is named in
 * err and the others are still merged: -1 then, with *totals filled; -1 too when dir's
 * store cannot be opened or written. */
int merge_dir(const char *dir, FILE *report, struct merge_totals *totals, char *err, size_t errlen);
#endif
