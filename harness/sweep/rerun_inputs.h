/*
 * A sweep's inputs written back from its manifest alone (`vmsweep rerun`): the config's
 * text and each job file's text, laid out so that the config's relative job paths
 * ("../workloads/x.fio") still find them. Nothing is read from where the originals were.
 */
#ifndef VMSWEEP_SWEEP_RERUN_INPUTS_H
#define VMSWEEP_SWEEP_RERUN_INPUTS_H
#include <stddef.h>

#include "store/store.h"

/* Writes them under dir (created); the config's new path into cfg_path[len]. -1 with err
 * (a manifest without the config's text: made before texts were kept). */
int rerun_inputs_write(struct store *s, const char *dir, char *cfg_path, size_t len, char *err, size_t errlen);
#endif
