/* printk: "[seconds.micros][Cn] message" into the console ring the host drains. */
#include <asm/tsc.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/results.h>
#include <lib/vsprintf.h>

static raw_spinlock_t console_lock;
static bool console_ready;

int vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	unsigned long flags;
	u64 ns = ktime_get_ns();
	int n = snprintf(buf, sizeof(buf), "[%5lu.%06lu][C%u] ", ns / NSEC_PER_SEC, ns % NSEC_PER_SEC / 1000,
			 smp_processor_id());
	int m = vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	size_t len = min((size_t)(n + m), sizeof(buf) - 1);

	if (!console_ready)
		return 0;
	local_irq_save(flags);
	raw_spin_lock(&console_lock);
	ring_write(console_ring, buf, len);
	raw_spin_unlock(&console_lock);
	local_irq_restore(flags);
	return (int)len;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

void console_init(void)
{
	spin_lock_init(&console_lock);
	console_ready = console_ring != NULL;
}
