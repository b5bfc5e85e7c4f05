/*
 * A newc ("070701") cpio archive, as the kernel's initramfs unpacker reads it: the run's
 * own files are such an archive appended to the Linux guest's initramfs (the kernel
 * unpacks concatenated archives in order, later files over earlier ones).
 */
#ifndef BACKEND_CPIO_H
#define BACKEND_CPIO_H
#include <stddef.h>
#include <stdio.h>

/* A directory entry (mode 0755) */
int cpio_dir(FILE *f, const char *name);
/* A regular file of len bytes (mode 0644) */
int cpio_file(FILE *f, const char *name, const void *data, size_t len);
/* The TRAILER!!! entry that ends an archive */
int cpio_end(FILE *f);
#endif
