/*
 * The Linux guest the libvirt backend boots (`make linux-guest`, linux-guest/): Debian's
 * kernel, the base initramfs (busybox, modules, init) and the read-only tools disk (fio
 * and its libraries), found beside this harness's build (build/linux/) or in
 * $VMSWEEP_LINUX_DIR; and the domain type the host can run it with.
 */
#ifndef BACKEND_LINUX_IMAGE_H
#define BACKEND_LINUX_IMAGE_H
#include <limits.h>
#include <stddef.h>

struct linux_image {
	char dir[PATH_MAX];
	char kernel[PATH_MAX + 16], initramfs[PATH_MAX + 32], tools[PATH_MAX + 16];
	char version[64]; /* the kernel's release (build/linux/VERSION) */
	const char *emulator; /* qemu-system-x86_64 */
	const char *cmdline;
};

/* -1 with err naming what is missing and how to make it. */
int linux_image_find(struct linux_image *im, char *err, size_t errlen);

/*
 * "kvm" where the host's KVM can run a stock kernel, else "qemu" (TCG), why in why:
 * this project's machines have PVM (kvm_pvm: no VMX/SVM), whose guests' CPL-0 code is
 * emulated. VMSWEEP_LIBVIRT_TYPE=kvm|qemu overrides it. Decided once per process; why
 * may be NULL.
 */
const char *linux_domain_type(char *why, size_t len);
#endif
