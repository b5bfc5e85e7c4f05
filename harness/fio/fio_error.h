/* An fio job's error in words, as fio prints it: what, and where on which disk. */
#ifndef FIO_ERROR_H
#define FIO_ERROR_H
#include <stddef.h>
#include <vmsweep/abi.h>
#include <vmsweep/workload.h>

/* "verify: crc32c mismatch at /dev/vda offset 8192, length 4096 (...)" into buf; returns buf. */
const char *fio_error_describe(const struct vms_job *j, const struct vms_rec_fio_job *r, char *buf, size_t len);
#endif
