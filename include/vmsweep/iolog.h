/*
 * The samples behind fio's log files (write_lat_log, write_bw_log, write_iops_log):
 * what the guest's fio jobs send in the samples ring (record FIO_LOG,
 * guest/workload/fio_log.c), and the host turns into fio's NAME_lat.N.log,
 * NAME_clat.N.log, NAME_slat.N.log, NAME_bw.N.log and NAME_iops.N.log
 * (harness/records/iolog*.c). Times are milliseconds since the job's start after its
 * ramp_time, fio's epoch.
 */
#ifndef VMSWEEP_IOLOG_H
#define VMSWEEP_IOLOG_H
#include <stdint.h>

/* What a FIO_LOG record's entries are. */
enum vms_fio_log_rec {
	VMS_FIO_LOG_IO = 1, /* struct vms_fio_log_io: one per I/O (log_avg_msec=0) */
	VMS_FIO_LOG_AVG = 2, /* struct vms_fio_log_avg: one per log_avg_msec window */
	VMS_FIO_LOG_END = 3, /* no entries: the job's samples are all sent (dropped: those the guest lost) */
};

/* The log an averaged entry belongs to. */
enum vms_fio_log_type { VMS_FIO_LOG_LAT, VMS_FIO_LOG_CLAT, VMS_FIO_LOG_SLAT, VMS_FIO_LOG_BW, VMS_FIO_LOG_IOPS,
			VMS_FIO_LOG_TYPES };

#define VMS_FIO_LOG_DIR_WRITE (1u << 31) /* in bs_dir: the I/O was a write (else a read) */

/* One I/O: a line in each of the job's logs. */
struct vms_fio_log_io {
	uint64_t offset; /* bytes into the disk */
	uint64_t clat_ns; /* submission to completion (fio's clat); lat is slat + clat */
	uint32_t slat_ns; /* the I/O's preparation to its submission (fio's slat) */
	uint32_t time_ms; /* its completion */
	uint32_t issue_ms; /* its submission: the time of its slat line */
	uint32_t bs_dir; /* bytes, | VMS_FIO_LOG_DIR_WRITE */
};

/* One window's value for one log and direction: a mean latency in ns (lat, clat, slat),
 * KiB/s (bw) or I/Os per second (iops). */
struct vms_fio_log_avg {
	uint64_t value;
	uint32_t time_ms;
	uint8_t type; /* enum vms_fio_log_type */
	uint8_t dir; /* 0 read, 1 write */
	uint16_t pad;
};

struct vms_rec_fio_log {
	uint32_t job; /* index into the workload's jobs */
	uint32_t kind; /* enum vms_fio_log_rec */
	uint32_t nr; /* entries after this header */
	uint32_t dropped; /* VMS_FIO_LOG_END: entries the guest could not keep */
};
#endif
