/* The run's files for the Linux guest: see linux_boot_files.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpio.h"
#include "backend/linux_boot_files.h"
#include "backend/linux_knobs.h"
#include "cmd/baseline.h"
#include "util/error.h"

/* The job file for the guest's fio, and the run.conf that runs it. */
int linux_boot_files_make(const struct vm_config *vm, const struct vms_workload *wl, const char *source, char **conf,
			  size_t *conf_len, char **job, size_t *job_len, char *err, size_t errlen)
{
	struct baseline_disk disks[VMS_MAX_DISKS];
	struct baseline_fio fio = { .async_engine = "libaio", .in_guest = true, .seed = vm->seed };
	FILE *cf = open_memstream(conf, conf_len), *jf = open_memstream(job, job_len);
	int ret = 0;

	if (!cf || !jf) {
		ret = errorf(err, errlen, "out of memory");
		goto out;
	}
	for (unsigned d = 0; d < vm->nr_disks; d++)
		disks[d] = (struct baseline_disk){ .path = vm->disks[d].path, .size = disk_image_bytes(&vm->disks[d]),
						   .read_only = vm->disks[d].read_only };
	fputs("# vmsweep: the run's knobs as Linux takes them (linux-guest/README.md)\n", cf);
	if (linux_knobs_conf(vm, cf, err, errlen) ||
	    baseline_job_write(jf, wl, disks, vm->nr_disks, &fio, source ? source : "the run's job", err, errlen)) {
		ret = -1;
		goto out;
	}
	fputs("fio --output-format=json+ /vmsweep/job.fio\n", cf);
out:
	if (cf && fclose(cf))
		ret = ret ? ret : errorf(err, errlen, "out of memory");
	if (jf && fclose(jf))
		ret = ret ? ret : errorf(err, errlen, "out of memory");
	return ret;
}

/* The base initramfs, zero-padded to 4 bytes (the unpacker looks for the next archive's
 * header there), then a cpio of the run's files. */
int linux_initrd_make(const char *path, const char *base, const char *conf, size_t conf_len, const char *job,
		       size_t job_len, char *err, size_t errlen)
{
	FILE *in = fopen(base, "rb"), *out = in ? fopen(path, "wb") : NULL;
	char buf[1 << 16];
	size_t n, total = 0;
	int ret = 0;

	if (!in || !out) {
		ret = errorf(err, errlen, "%s: %s", in ? path : base, strerror(errno));
		goto out;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		fwrite(buf, 1, n, out);
		total += n;
	}
	static const char zeros[4];
	fwrite(zeros, 1, (4 - total % 4) % 4, out);
	if (ferror(in) || cpio_dir(out, "vmsweep") || cpio_file(out, "vmsweep/run.conf", conf, conf_len) ||
	    cpio_file(out, "vmsweep/job.fio", job, job_len) || cpio_end(out))
		ret = errorf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
out:
	if (in)
		fclose(in);
	if (out && fclose(out) && !ret)
		ret = errorf(err, errlen, "%s: %s", path, strerror(errno));
	return ret;
}

