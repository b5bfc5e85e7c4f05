/* The error numbers the kernel returns (include/uapi/asm-generic/errno-base.h). */
#ifndef KERNEL_ERRNO_H
#define KERNEL_ERRNO_H
#define EIO 5
#define EAGAIN 11
#define ENOMEM 12
#define EBUSY 16
#define EEXIST 17
#define EINVAL 22
#endif
