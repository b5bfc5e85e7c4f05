/* Running the host's fio for `vmsweep baseline`: no shell, output captured, a stop passed on. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/baseline.h"
#include "util/error.h"
#include "util/meminfo.h"

extern char **environ;

static void capture_append(struct capture *c, const char *p, size_t n)
{
	if (c->oom)
		return;
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 65536;
		while (cap < c->len + n + 1)
			cap *= 2;
		char *b = realloc(c->buf, cap);
		if (!b) {
			c->oom = true;
			return;
		}
		c->buf = b;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, p, n);
	c->len += n;
	c->buf[c->len] = '\0';
}

static volatile sig_atomic_t child_pid, stop_signal;

int baseline_stop_signal(void)
{
	return stop_signal;
}

/* A Ctrl-C reaches fio through the terminal; a kill of vmsweep alone is passed on. */
void baseline_on_stop_signal(int sig)
{
	stop_signal = sig;
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

static void pipe_drain(int fd[2], struct capture *out, struct capture *errc)
{
	struct pollfd pf[2] = { { .fd = fd[0], .events = POLLIN }, { .fd = fd[1], .events = POLLIN } };
	struct capture *cap[2] = { out, errc };
	char buf[16384];
	int open_fds = 2;

	while (open_fds) {
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !pf[i].revents)
				continue;
			ssize_t n = read(pf[i].fd, buf, sizeof(buf));
			if (n > 0) {
				capture_append(cap[i], buf, (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				close(pf[i].fd);
				pf[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
}

/* Runs argv (no shell), stdout and stderr captured; *status as waitpid gives it. */
int command_run(char *const argv[], struct capture *out, struct capture *errc, int *status, char *err,
		       size_t errlen)
{
	int po[2], pe[2], rd[2];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t dfl;
	pid_t pid;

	if (pipe2(po, O_CLOEXEC) != 0)
		return errorf(err, errlen, "pipe: %s", strerror(errno));
	if (pipe2(pe, O_CLOEXEC) != 0) {
		errorf(err, errlen, "pipe: %s", strerror(errno));
		close(po[0]);
		close(po[1]);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	/* a shell starting vmsweep in the background leaves SIGINT ignored: fio must see it */
	posix_spawnattr_init(&attr);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	int r = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(po[1]);
	close(pe[1]);
	if (r != 0) {
		close(po[0]);
		close(pe[0]);
		return errorf(err, errlen, "cannot run %s: %s", argv[0], strerror(r));
	}
	child_pid = pid;
	if (stop_signal)
		kill(pid, stop_signal);
	rd[0] = po[0];
	rd[1] = pe[0];
	pipe_drain(rd, out, errc);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	child_pid = 0;
	if (out->oom || errc->oom)
		return errorf(err, errlen, "out of memory reading %s's output", argv[0]);
	return 0;
}

/* io_uring if this fio has it and the kernel allows it (kernel.io_uring_disabled). */
const char *fio_async_engine_pick(const char *fio, char *err, size_t errlen)
{
	char *argv[] = { (char *)fio, "--enghelp", NULL };
	struct capture out = { 0 }, errc = { 0 };
	const char *engine = NULL;
	int status = 0;

	if (command_run(argv, &out, &errc, &status, err, errlen) == 0) {
		bool uring = false;
		char *save = NULL, *line = out.buf ? strtok_r(out.buf, "\n", &save) : NULL;
		for (; line; line = strtok_r(NULL, "\n", &save))
			uring |= strcmp(line + strspn(line, " \t"), "io_uring") == 0;
		FILE *sys = fopen("/proc/sys/kernel/io_uring_disabled", "r");
		int disabled = 0;
		if (sys) {
			if (fscanf(sys, "%d", &disabled) != 1)
				disabled = 0;
			fclose(sys);
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			while (errc.len && (errc.buf[errc.len - 1] == '\n' || errc.buf[errc.len - 1] == ' '))
				errc.buf[--errc.len] = '\0';
			errorf(err, errlen, "--enghelp failed: %.300s", errc.len ? errc.buf : "no message");
		} else {
			engine = uring && !disabled ? "io_uring" : "libaio";
			if (strcmp(engine, "io_uring"))
				fprintf(stderr, "vmsweep baseline: %s: using libaio for the async jobs\n",
					uring ? "io_uring is disabled (kernel.io_uring_disabled)" : "this fio has no io_uring");
		}
	}
	free(out.buf);
	free(errc.buf);
	return engine;
}

bool baseline_huge_buffers_fit(const struct vms_workload *wl, unsigned long *need)
{
	uint64_t huge = meminfo_value("Hugepagesize") * 1024, free_pages = meminfo_value("HugePages_Free");

	*need = 0;
	for (uint32_t i = 0; huge && i < wl->nr_jobs; i++) {
		const struct vms_job *j = &wl->jobs[i];
		if (!vms_job_on_disk(j))
			continue;
		uint64_t bs = j->bs[0] > j->bs[1] ? j->bs[0] : j->bs[1]; /* with bssplit=, its largest */
		/* fio's buffer: iodepth x max_bs, plus a page to align it, in whole huge pages */
		*need += (unsigned long)(((uint64_t)j->iodepth * bs + 4096 + huge - 1) / huge);
	}
	return huge && *need && *need <= free_pages;
}
