/* Opening /dev/kvm and checking what vmsweep needs of it. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/error.h"
#include "vmm/kvm.h"

static struct kvm_host host = { .fd = -1 };
static char open_error[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const struct {
	int cap;
	const char *name;
} needed_caps[] = {
	{ KVM_CAP_SPLIT_IRQCHIP, "split-irqchip" },	      { KVM_CAP_USER_MEMORY, "user-memory" },
	{ KVM_CAP_MP_STATE, "mp-state" },     { KVM_CAP_IMMEDIATE_EXIT, "immediate-exit" },
	{ KVM_CAP_GET_TSC_KHZ, "tsc-khz" },   { KVM_CAP_EXT_CPUID, "ext-cpuid" },
};

static const struct {
	int cap;
	const char *name;
} reported_caps[] = {
	{ KVM_CAP_IOEVENTFD, "ioeventfd" }, { KVM_CAP_IRQFD, "irqfd" },	      { KVM_CAP_X2APIC_API, "x2apic-api" },
	{ KVM_CAP_TSC_CONTROL, "tsc-control" }};

static int kvm_open_once_inner(void)
{
	host.fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (host.fd < 0)
		return errorf(open_error, sizeof(open_error), "/dev/kvm: %s%s", strerror(errno),
			      errno == ENOENT ? " (is KVM enabled on this host?)" :
			      errno == EACCES ? " (add yourself to the kvm group or run as root)" : "");
	host.api_version = ioctl(host.fd, KVM_GET_API_VERSION, 0);
	if (host.api_version != KVM_API_VERSION)
		return errorf(open_error, sizeof(open_error), "/dev/kvm: API version %d, vmsweep needs %d",
			      host.api_version, KVM_API_VERSION);
	for (size_t i = 0; i < sizeof(needed_caps) / sizeof(needed_caps[0]); i++)
		if (ioctl(host.fd, KVM_CHECK_EXTENSION, needed_caps[i].cap) <= 0)
			return errorf(open_error, sizeof(open_error), "/dev/kvm lacks KVM_CAP %s, which vmsweep needs",
				      needed_caps[i].name);
	host.vcpu_mmap_size = ioctl(host.fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	host.max_vcpus = ioctl(host.fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (host.max_vcpus <= 0)
		host.max_vcpus = ioctl(host.fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	for (unsigned n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(struct kvm_cpuid_entry2));
		if (!c)
			break;
		c->nent = n;
		if (ioctl(host.fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			host.cpuid = c;
			return 0;
		}
		free(c);
		if (errno != E2BIG)
			break;
	}
	return errorf(open_error, sizeof(open_error), "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
}

static void kvm_open_once(void)
{
	if (kvm_open_once_inner() != 0 && host.fd >= 0) {
		close(host.fd);
		host.fd = -1;
	}
}

const struct kvm_host *kvm_host_get(char *err, size_t errlen)
{
	pthread_once(&once, kvm_open_once);
	if (host.fd < 0) {
		errorf(err, errlen, "%s", open_error);
		return NULL;
	}
	return &host;
}

void kvm_host_describe(const struct kvm_host *k, char *buf, size_t len)
{
	size_t off = (size_t)snprintf(buf, len, "api=%d max_vcpus=%d", k->api_version, k->max_vcpus);
	for (size_t i = 0; i < sizeof(reported_caps) / sizeof(reported_caps[0]) && off < len; i++)
		if (ioctl(k->fd, KVM_CHECK_EXTENSION, reported_caps[i].cap) > 0)
			off += (size_t)snprintf(buf + off, len - off, " %s", reported_caps[i].name);
}
