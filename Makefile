# vmsweep: host harness (harness/vmsweep) and built-in guest kernel (guest/guest.elf).
#   make          build both
#   make demo     install what is missing, build, run the main job
#   make check    install what is missing, build, run every test
#   make bench    the benchmarks, against the physical floor measured in the same run
#   make asan     the unit and integration tests again, the host built with ASan + UBSan
#   make deps     install the Debian packages the project needs
#   make linux-guest  the libvirt backend's Linux guest (Debian's kernel, our initramfs), in build/linux/

CC      ?= gcc
O       ?= -O2
Q       := @

# ---- host ----
HOST_CFLAGS := -std=gnu11 $(O) -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-D_GNU_SOURCE -Iinclude -Iharness -Ibuild/gen -MMD -MP
HOST_LIBS   := -lvirt -ljansson -luring -lsqlite3 -lgsl -lgslcblas -lz -lpthread -lm

# build/gen/version.h: the git commit (vmsweep --version, the manifest), rewritten only
# when it changes
$(shell sh ./scripts/version.sh)

HARNESS_MAIN := harness/main.c
# every .c under harness/ at any depth (vmm/virtio/, vmm/blk/, ...), sorted so the archive is reproducible
HARNESS_SRCS := $(filter-out $(HARNESS_MAIN),$(sort $(shell find harness -name '*.c')))
HARNESS_OBJS := $(HARNESS_SRCS:%.c=build/host/%.o)
HARNESS_LIB  := build/host/libvmsweep.a

# ---- guest ----
GUEST_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pie -fno-pic -fno-stack-protector \
	-fno-builtin-printf -mno-red-zone -mgeneral-regs-only -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -mcmodel=small -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
	-Iinclude -Iguest/include -MMD -MP
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,-T,guest/guest.ld -Wl,--build-id=sha1 \
	-Wl,-z,noexecstack -Wl,-z,max-page-size=4096
GUEST_SRCS := $(wildcard guest/*/*.c guest/*/*/*.c guest/*/*/*.S)
GUEST_OBJS := $(patsubst %,build/guest/%.o,$(GUEST_SRCS))

# ---- tests and benchmarks ----
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=build/tests/%)
# helpers the unit tests share (tests/unit/*.c other than test_*.c), linked into each
TEST_HELPER_SRCS := $(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c))
TEST_HELPER_OBJS := $(TEST_HELPER_SRCS:tests/unit/%.c=build/testlib/%.o)
TEST_HELPER_LIB  := build/testlib/libtesthelpers.a
BENCH_MAINS := $(wildcard bench/*_bench.c)
BENCH_LIBSRCS := $(filter-out $(BENCH_MAINS),$(wildcard bench/*.c))
BENCH_BINS := $(BENCH_MAINS:bench/%.c=build/bench/%)

# ---- fuzz targets (libFuzzer, clang) over the parsers that read guest memory ----
FUZZ_CC    := clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Iinclude -Iharness -D_GNU_SOURCE
FUZZ_BINS  := build/fuzz/fuzz_virtq
FUZZ_SECONDS ?= 600

# ---- sanitizer build (make asan): the host and the unit tests with ASan and UBSan (float casts
# included), every finding fatal, in build-asan/. The binary is harness/vmsweep-asan, beside
# harness/vmsweep so that it finds ../guest/guest.elf as that does; the guest is freestanding
# and is not instrumented. Reports go to build-asan/logs/ (stderr is what the tests read).
ASAN_SAN    := -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_CFLAGS := $(HOST_CFLAGS) $(ASAN_SAN)
ASAN_OBJS   := $(HARNESS_SRCS:%.c=build-asan/host/%.o)
ASAN_LIB    := build-asan/host/libvmsweep.a
ASAN_BIN    := harness/vmsweep-asan
ASAN_UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build-asan/tests/%)
ASAN_HELPER_OBJS := $(TEST_HELPER_SRCS:tests/unit/%.c=build-asan/testlib/%.o)
ASAN_HELPER_LIB  := build-asan/testlib/libtesthelpers.a

.PHONY: all deps demo check unit integration bench fuzz asan clean crash
all: harness/vmsweep guest/guest.elf

harness/vmsweep: $(HARNESS_MAIN) $(HARNESS_LIB)
	$(Q)echo "  LD      $@"
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $(HARNESS_MAIN) $(HARNESS_LIB) $(HOST_LIBS)

$(HARNESS_LIB): $(HARNESS_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

build/host/%.o: %.c
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      $<"
	$(Q)$(CC) $(HOST_CFLAGS) -c -o $@ $<

guest/guest.elf: $(GUEST_OBJS) guest/guest.ld
	$(Q)echo "  LD      $@"
	$(Q)$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $(GUEST_OBJS) -lgcc

build/guest/%.c.o: %.c
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c -o $@ $<

build/guest/%.S.o: %.S
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  AS      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -D__ASSEMBLER__ -c -o $@ $<

build/tests/%: tests/unit/%.c $(TEST_HELPER_LIB) $(HARNESS_LIB)
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      $<"
	$(Q)$(CC) $(HOST_CFLAGS) -Wno-unused-parameter -o $@ $< $(TEST_HELPER_LIB) $(HARNESS_LIB) -lcmocka $(HOST_LIBS)

# Tests that build a guest file with a host shim find the guest's headers after the system's.
build/tests/test_sched_topology build/tests/test_sched_balance: HOST_CFLAGS += -idirafter guest/include
build-asan/tests/test_sched_topology build-asan/tests/test_sched_balance: ASAN_CFLAGS += -idirafter guest/include

$(TEST_HELPER_LIB): $(TEST_HELPER_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

build/testlib/%.o: tests/unit/%.c
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      $<"
	$(Q)$(CC) $(HOST_CFLAGS) -c -o $@ $<

build/bench/%: bench/%.c $(BENCH_LIBSRCS) $(HARNESS_LIB)
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      $<"
	$(Q)$(CC) $(HOST_CFLAGS) -Ibench -o $@ $< $(BENCH_LIBSRCS) $(HARNESS_LIB) $(HOST_LIBS)

build/fuzz/fuzz_virtq: tests/fuzz/fuzz_virtq.c harness/vmm/virtio/virtq.c harness/vmm/blk/virtio_blk_req.c \
		harness/util/error.c
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^

fuzz: deps $(FUZZ_BINS)
	$(Q)sh ./tests/fuzz/run.sh $(FUZZ_SECONDS)

$(ASAN_BIN): $(HARNESS_MAIN) $(ASAN_LIB)
	$(Q)echo "  LD      $@"
	$(Q)$(CC) $(ASAN_CFLAGS) -o $@ $(HARNESS_MAIN) $(ASAN_LIB) $(HOST_LIBS)

$(ASAN_LIB): $(ASAN_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

build-asan/host/%.o: %.c
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      $< (asan)"
	$(Q)$(CC) $(ASAN_CFLAGS) -c -o $@ $<

build-asan/tests/%: tests/unit/%.c $(ASAN_HELPER_LIB) $(ASAN_LIB)
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      $< (asan)"
	$(Q)$(CC) $(ASAN_CFLAGS) -Wno-unused-parameter -o $@ $< $(ASAN_HELPER_LIB) $(ASAN_LIB) -lcmocka $(HOST_LIBS)

$(ASAN_HELPER_LIB): $(ASAN_HELPER_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

build-asan/testlib/%.o: tests/unit/%.c
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      $< (asan)"
	$(Q)$(CC) $(ASAN_CFLAGS) -c -o $@ $<

deps:
	$(Q)sh ./scripts/deps.sh

demo: deps all
	$(Q)sh ./scripts/demo.sh

check: deps
	$(Q)$(MAKE) --no-print-directory all linux-guest $(UNIT_BINS) $(FUZZ_BINS)
	$(Q)sh ./tests/run-unit.sh $(UNIT_BINS)
	$(Q)bash ./scripts/mutants.sh -l >/dev/null || { bash ./scripts/mutants.sh -l | grep STALE; \
		echo "make check: mutations in tests/mutants/ no longer apply: update them"; exit 1; }
	$(Q)bash ./tests/integration/run.sh
	$(Q)sh ./tests/fuzz/run.sh 20

unit: all $(UNIT_BINS)
	$(Q)sh ./tests/run-unit.sh $(UNIT_BINS)

integration: all
	$(Q)bash ./tests/integration/run.sh

asan: deps
	$(Q)$(MAKE) --no-print-directory guest/guest.elf $(ASAN_BIN) $(ASAN_UNIT_BINS)
	$(Q)sh ./tests/asan-run.sh $(ASAN_BIN) $(ASAN_UNIT_BINS)

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(BENCH_BINS)
	$(Q)sh ./bench/run.sh

clean:
	rm -rf build build-asan harness/vmsweep harness/vmsweep-asan guest/guest.elf

-include $(shell find build build-asan -name '*.d' 2>/dev/null)

# The Linux guest of the libvirt backend (#18): the Debian kernel, a busybox initramfs with its
# init, and fio on a read-only disk, in build/linux/ (see linux-guest/README.md)
.PHONY: linux-guest
linux-guest: deps
	$(Q)sh ./linux-guest/build.sh build/linux

# The planted-bug check, outside make check (about 20 minutes): each mutation of
# tests/mutants/*.txt in a scratch copy of the tree, with the tests that must catch it.
.PHONY: mutants
mutants: deps
	$(Q)bash ./scripts/mutants.sh

# The model against Linux (#18): configs/fidelity*.ini (boot state and the journal, reclaim,
# writeback) on both backends, about 12 minutes under TCG, each with its report and its
# model / Linux tables (results/fidelity*-DATE/report.md)
.PHONY: fidelity
fidelity: all linux-guest
	$(Q)for c in fidelity fidelity-reclaim fidelity-writeback; do d=results/$$c-$$(date +%Y%m%d-%H%M%S); \
		./harness/vmsweep run configs/$$c.ini --out $$d && ./harness/vmsweep report $$d && \
		echo "fidelity: $$d/report.md" || exit 1; done

# ext3's crash consistency at many points per journal mode (#16): CRASH_POINTS each, the
# first CRASH_HOST_FSCK of them also recovered by the host's e2fsck
crash: deps all
	$(Q)for m in journal ordered writeback; do echo "data=$$m:"; \
		bash ./scripts/ext3_crash.sh --mode $$m --points $${CRASH_POINTS:-1000} --seed $${CRASH_SEED:-1} \
			--host-fsck $${CRASH_HOST_FSCK:-100} || exit 1; done
