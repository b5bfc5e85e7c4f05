/*
 * One writer per results directory: DIR/run.lock held with flock for as long as the
 * process lives (the kernel drops it when the process dies, however it dies), with who
 * holds it written inside for the message the second writer gets.
 */
#ifndef VMSWEEP_UTIL_DIR_LOCK_H
#define VMSWEEP_UTIL_DIR_LOCK_H
#include <stddef.h>

#define DIR_LOCK_FILE "run.lock"

/* Takes the lock on dir: the fd to keep open (closing it releases), or -1 with err
 * naming the holder ("... is in use by vmsweep run, pid 1234 on host, since ...").
 * what describes this holder, e.g. the command line. */
int dir_lock_take(const char *dir, const char *what, char *err, size_t errlen);
void dir_lock_release(int fd);
#endif
