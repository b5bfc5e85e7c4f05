/* The bare KVM life cycle that bench compares vmsweep's boot against. */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "floor.h"
#include "util/clock.h"

double floor_lifecycle(uint64_t mem_size)
{
	static int kvm = -1;
	static long run_size;
	double t0 = clock_now_s(), t = -1;

	if (kvm < 0) {
		kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
		if (kvm < 0)
			return -1;
		run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	}
	t0 = clock_now_s();
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	uint8_t *mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm < 0 || mem == MAP_FAILED)
		return -1;
	struct kvm_userspace_memory_region r = { .slot = 0, .memory_size = mem_size, .userspace_addr = (uint64_t)mem };
	int vcpu = -1;
	struct kvm_run *run = MAP_FAILED;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) < 0 || (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0 ||
	    (run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0)) == MAP_FAILED)
		goto out;
	mem[0x1000] = 0xf4; /* hlt */
	struct kvm_sregs s;
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 2 };
	if (ioctl(vcpu, KVM_GET_SREGS, &s) < 0)
		goto out;
	s.cs.base = 0;
	s.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &s) < 0 || ioctl(vcpu, KVM_SET_REGS, &regs) < 0 || ioctl(vcpu, KVM_RUN, 0) < 0 ||
	    run->exit_reason != KVM_EXIT_HLT)
		goto out;
	t = 0;
out:
	if (run != MAP_FAILED)
		munmap(run, (size_t)run_size);
	if (vcpu >= 0)
		close(vcpu);
	close(vm);
	munmap(mem, mem_size);
	return t < 0 ? -1 : clock_now_s() - t0;
}
