/* Ctrl-C and kill: the signals that ask a command to stop cleanly, keeping what it measured. */
#ifndef UTIL_SIGNALS_H
#define UTIL_SIGNALS_H
#include <signal.h>

struct stop_signals {
	struct sigaction sigint, sigterm; /* the actions before stop_signals_catch */
};

/* SIGINT and SIGTERM call handler (without SA_RESTART: a blocking call returns EINTR).
 * saved, if not NULL, keeps the previous actions for stop_signals_restore. */
void stop_signals_catch(void (*handler)(int), struct stop_signals *saved);
void stop_signals_restore(const struct stop_signals *saved);
#endif
