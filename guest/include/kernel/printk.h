/* printk to the console ring, with a timestamp and the CPU, as CONFIG_PRINTK_CALLER. */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H
#include <kernel/types.h>

int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list ap);
void console_init(void);
#define pr_info(...) printk(__VA_ARGS__)
#define pr_warn(...) printk(__VA_ARGS__)
#define pr_err(...) printk(__VA_ARGS__)
#endif
