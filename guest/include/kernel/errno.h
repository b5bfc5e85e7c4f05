/* The error numbers the kernel returns (include/uapi/asm-generic/errno-base.h). */
#ifndef KERNEL_ERRNO_H
#define KERNEL_ERRNO_H
#define ENOENT 2
#define EIO 5
#define EAGAIN 11
#define ENOMEM 12
#define EBUSY 16
#define EEXIST 17
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define EFBIG 27
#define ENOSPC 28
#define EROFS 30
#define ENAMETOOLONG 36
#define EOPNOTSUPP 95
#define EUCLEAN 117 /* EFSCORRUPTED: the file system's metadata is not sane */
#endif
