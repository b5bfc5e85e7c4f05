/*
 * The host's floor for the guest's cross-CPU wake-up (bench/sched_bench.sh): the same
 * ping-pong as the guest's pingpong knob, between two host threads pinned to two host
 * CPUs. The first wakes the second and sleeps until it answers; the second answers and
 * sleeps until it is woken again. Both block in the kernel (futex FUTEX_WAIT and
 * FUTEX_WAKE on one shared word, or an eventfd each with --eventfd), never spin, as the
 * guest's tasks block on their wait queue and their idle vCPUs halt. A round trip is two
 * cross-CPU wake-ups. With --poll-us N each waiter first spins on the shared word for up
 * to N us before it blocks, as KVM's halt polling (halt_poll_ns, 200 us by default) keeps
 * a halted vCPU's thread spinning before it sleeps: then the round trip is the hardware's
 * (a cache line each way and the futex calls). Prints the mean nanoseconds per round trip of
 * one run of --rounds rounds (after a warm-up of a tenth of them) and the median round
 * trip (which a few rounds stolen by other host load do not move), as "key value" lines.
 *
 * usage: wake_floor_bench [--rounds N] [--cpus A,B] [--eventfd | --poll-us N]
 */

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/clock.h"

struct pp {
	_Atomic int turn; /* 1: the ponger's turn */
	long rounds;
	int use_eventfd, efd[2]; /* [0] wakes the ponger, [1] the pinger */
	uint64_t poll_ns;        /* spin this long for the turn before blocking */
	int cpu[2];
};

static void futex_wait(_Atomic int *w, int val)
{
	while (syscall(SYS_futex, (int *)w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0) < 0 && errno == EINTR)
		;
}

static void futex_wake(_Atomic int *w)
{
	syscall(SYS_futex, (int *)w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	int err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (err) {
		fprintf(stderr, "wake_floor_bench: pinning to CPU %d: %s\n", cpu, strerror(err));
		exit(1);
	}
}

static void efd_post(int fd)
{
	uint64_t one = 1;
	if (write(fd, &one, sizeof(one)) != sizeof(one)) {
		perror("wake_floor_bench: eventfd write");
		exit(1);
	}
}

static void efd_wait(int fd)
{
	uint64_t v;
	while (read(fd, &v, sizeof(v)) != sizeof(v))
		if (errno != EINTR) {
			perror("wake_floor_bench: eventfd read");
			exit(1);
		}
}

/* One side's half of a round: wait for my turn (mine = the value of turn that is mine). */
static void wait_turn(struct pp *p, int mine)
{
	if (p->use_eventfd) {
		efd_wait(p->efd[mine ? 0 : 1]);
		return;
	}
	if (p->poll_ns && p->turn != mine) {
		uint64_t end = clock_now_ns() + p->poll_ns;
		while (p->turn != mine && clock_now_ns() < end)
			__builtin_ia32_pause();
	}
	while (p->turn != mine)
			futex_wait(&p->turn, !mine);
}

static void give_turn(struct pp *p, int to)
{
	if (p->use_eventfd) {
		efd_post(p->efd[to ? 0 : 1]);
	} else {
		p->turn = to;
		futex_wake(&p->turn);
	}
}

static void *ponger(void *arg)
{
	struct pp *p = arg;

	pin(p->cpu[1]);
	for (long i = 0; i < p->rounds; i++) {
		wait_turn(p, 1);
		give_turn(p, 0);
	}
	return NULL;
}

/* rounds of ping-pong; seconds they took; each round's ns in rt[] if not NULL */
static double run(struct pp *p, long rounds, uint64_t *rt)
{
	pthread_t t;

	p->rounds = rounds;
	p->turn = 0;
	if (pthread_create(&t, NULL, ponger, p)) {
		fprintf(stderr, "wake_floor_bench: pthread_create failed\n");
		exit(1);
	}
	usleep(10000); /* the ponger on its CPU and asleep */
	double t0 = clock_now_s();
	uint64_t prev = clock_now_ns();
	for (long i = 0; i < rounds; i++) {
		give_turn(p, 1);
		wait_turn(p, 0);
		if (rt) {
			uint64_t now = clock_now_ns();
			rt[i] = now - prev;
			prev = now;
		}
	}
	double t1 = clock_now_s();
	pthread_join(t, NULL);
	return t1 - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct pp p = { .cpu = { 0, 1 } };
	long rounds = 5000;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--cpus") && i + 1 < argc) {
			if (sscanf(argv[++i], "%d,%d", &p.cpu[0], &p.cpu[1]) != 2)
				rounds = 0;
		} else if (!strcmp(argv[i], "--eventfd"))
			p.use_eventfd = 1;
		else if (!strcmp(argv[i], "--poll-us") && i + 1 < argc)
			p.poll_ns = strtoull(argv[++i], NULL, 0) * 1000;
		else {
			fprintf(stderr, "usage: %s [--rounds N] [--cpus A,B] [--eventfd | --poll-us N]\n", argv[0]);
			return 2;
		}
	}
	if (rounds < 1 || rounds > 100000000 || p.cpu[0] < 0 || p.cpu[1] < 0 || p.cpu[0] >= CPU_SETSIZE ||
	    p.cpu[1] >= CPU_SETSIZE || p.cpu[0] == p.cpu[1] || (p.use_eventfd && p.poll_ns) || p.poll_ns > 1000000000) {
		fprintf(stderr, "wake_floor_bench: bad --rounds, --cpus (two different CPUs) or --poll-us (up to 1 s, "
				"not with --eventfd)\n");
		return 2;
	}
	if (p.use_eventfd && ((p.efd[0] = eventfd(0, EFD_CLOEXEC)) < 0 || (p.efd[1] = eventfd(0, EFD_CLOEXEC)) < 0)) {
		perror("wake_floor_bench: eventfd");
		return 1;
	}
	pin(p.cpu[0]);
	uint64_t *rt = malloc((size_t)rounds * sizeof(*rt));
	if (!rt) {
		perror("wake_floor_bench: malloc");
		return 1;
	}
	run(&p, rounds / 10 ? rounds / 10 : 1, NULL); /* warm-up */
	double s = run(&p, rounds, rt);
	qsort(rt, (size_t)rounds, sizeof(*rt), cmp_u64);
	printf("host_roundtrip_ns %.0f\nhost_roundtrip_p50_ns %llu\n", s * 1e9 / (double)rounds,
	       (unsigned long long)rt[rounds / 2]);
	free(rt);
	return 0;
}
