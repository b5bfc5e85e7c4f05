#include <stddef.h>

#include "util/signals.h"

void stop_signals_catch(void (*handler)(int), struct stop_signals *saved)
{
	struct sigaction sa = { .sa_handler = handler };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, saved ? &saved->sigint : NULL);
	sigaction(SIGTERM, &sa, saved ? &saved->sigterm : NULL);
}

void stop_signals_restore(const struct stop_signals *saved)
{
	sigaction(SIGINT, &saved->sigint, NULL);
	sigaction(SIGTERM, &saved->sigterm, NULL);
}
