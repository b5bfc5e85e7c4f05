/* /dev/kvm: opened once per process, with the capabilities vmsweep relies on checked. */
#ifndef VMM_KVM_H
#define VMM_KVM_H
#include <linux/kvm.h>
#include <stddef.h>

struct kvm_host {
	int fd;
	int api_version;
	int vcpu_mmap_size;
	int max_vcpus;
	struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID */
};

/* Opens /dev/kvm (once; later calls return the same); NULL with err if KVM is unusable. */
const struct kvm_host *kvm_host_get(char *err, size_t errlen);
/* The KVM capabilities, as text for a manifest ("irqchip ioeventfd irqfd ..."). */
void kvm_host_describe(const struct kvm_host *k, char *buf, size_t len);
#endif
