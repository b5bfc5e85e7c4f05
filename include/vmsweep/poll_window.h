/*
 * An adaptive polling window, as cpuidle-haltpoll's (drivers/cpuidle/governors/
 * haltpoll.c, adjust_poll_limit) and KVM's halt polling adapt theirs: whoever waits
 * polls for up to the window, then sleeps; how long the wait really was (block_ns,
 * polled or slept through) moves the window for next time. A wait that the limit would
 * have covered but the window did not grows it (twice, at least a quarter of the
 * limit); a wait longer than the limit shrinks it (by half, to none below 1 us).
 * Shared by the guest's hybrid completions (guest/block/blk-poll.c) and the host's
 * virtio-blk queue threads (harness/vmm/blk/virtio_blk.c); tested by test_poll_window.
 */
#ifndef VMSWEEP_POLL_WINDOW_H
#define VMSWEEP_POLL_WINDOW_H
#include <stdint.h>

struct vms_poll_window {
	uint64_t ns; /* the window now */
	uint64_t limit_ns; /* the most it may be; 0: never poll */
};

static inline void vms_poll_window_init(struct vms_poll_window *w, uint64_t limit_ns)
{
	w->limit_ns = limit_ns;
	w->ns = limit_ns / 4; /* haltpoll's guest_halt_poll_grow_start is a quarter of its default limit */
}

static inline void vms_poll_window_adjust(struct vms_poll_window *w, uint64_t block_ns)
{
	uint64_t grow_start = w->limit_ns / 4;

	if (block_ns > w->ns && block_ns <= w->limit_ns) {
		uint64_t n = w->ns * 2 > grow_start ? w->ns * 2 : grow_start;
		w->ns = n < w->limit_ns ? n : w->limit_ns;
	} else if (block_ns > w->limit_ns) {
		w->ns /= 2;
		if (w->ns < 1000) /* a window shorter than one poll is none */
			w->ns = 0;
	}
}
#endif
