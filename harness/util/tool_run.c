/* See tool_run.h. posix_spawn rather than fork: the harness has threads by then. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"
#include "util/tool_run.h"

extern char **environ;

static int spawn(const char *file, char *const argv[], int fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	posix_spawn_file_actions_adddup2(&fa, fd, 2);
	/* The VMM blocks its vCPU kick signal and a background shell ignores SIGINT: the tool
	 * gets neither, so that Ctrl-C stops it as it stops the harness. */
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	int r = strchr(file, '/') ? posix_spawn(pid, file, &fa, &attr, argv, environ)
				  : posix_spawnp(pid, file, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return r;
}

/* Appends n bytes to the tail kept in out (outlen - 1 at most, the oldest dropped). */
static void tail_keep(char *out, size_t outlen, size_t *used, const char *buf, size_t n)
{
	size_t cap = outlen - 1;
	if (n >= cap) {
		memcpy(out, buf + n - cap, cap);
		*used = cap;
		return;
	}
	if (*used + n > cap) {
		size_t drop = *used + n - cap;
		memmove(out, out + drop, *used - drop);
		*used -= drop;
	}
	memcpy(out + *used, buf, n);
	*used += n;
}

int tool_run(char *const argv[], int *status, char *out, size_t outlen, bool tail, char *err, size_t errlen)
{
	static const char *const sbin[] = { "/usr/sbin/", "/sbin/" };
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return errorf(err, errlen, "pipe: %s", strerror(errno));
	int r = spawn(argv[0], argv, p[1], &pid);
	for (size_t i = 0; r == ENOENT && !strchr(argv[0], '/') && i < sizeof(sbin) / sizeof(sbin[0]); i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s%s", sbin[i], argv[0]);
		r = spawn(path, argv, p[1], &pid);
	}
	close(p[1]);
	if (r != 0) {
		close(p[0]);
		return errorf(err, errlen, "cannot run %s: %s%s", argv[0], strerror(r),
			      r == ENOENT ? " (make deps installs it)" : "");
	}
	size_t used = 0;
	char buf[4096];
	for (;;) {
		ssize_t n = read(p[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (outlen && tail) {
			tail_keep(out, outlen, &used, buf, (size_t)n);
		} else if (outlen && used < outlen - 1) {
			size_t k = (size_t)n < outlen - 1 - used ? (size_t)n : outlen - 1 - used;
			memcpy(out + used, buf, k);
			used += k;
		}
	}
	close(p[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	if (outlen) {
		while (used && out[used - 1] == '\n')
			used--;
		out[used] = '\0';
	}
	return 0;
}
