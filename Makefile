# vmsweep: host harness (harness/vmsweep) and built-in guest kernel (guest/guest.elf).
#   make          build both
#   make demo     install what is missing, build, run the main job
#   make check    install what is missing, build, run every test
#   make bench    the benchmarks, against the physical floor measured in the same run
#   make deps     install the Debian packages the project needs

CC      ?= gcc
O       ?= -O2
Q       := @

# ---- host ----
HOST_CFLAGS := -std=gnu11 $(O) -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-D_GNU_SOURCE -Iinclude -Iharness -Ibuild/gen -MMD -MP
HOST_LIBS   := -ljansson -luring -lsqlite3 -lgsl -lgslcblas -lpthread -lm

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

.PHONY: all deps demo check unit integration bench fuzz clean
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

deps:
	$(Q)sh ./scripts/deps.sh

demo: deps all
	$(Q)sh ./scripts/demo.sh

check: deps
	$(Q)$(MAKE) --no-print-directory all $(UNIT_BINS) $(FUZZ_BINS)
	$(Q)sh ./tests/run-unit.sh $(UNIT_BINS)
	$(Q)bash ./tests/integration/run.sh
	$(Q)sh ./tests/fuzz/run.sh 20

unit: all $(UNIT_BINS)
	$(Q)sh ./tests/run-unit.sh $(UNIT_BINS)

integration: all
	$(Q)bash ./tests/integration/run.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(BENCH_BINS)
	$(Q)sh ./bench/run.sh

clean:
	rm -rf build harness/vmsweep guest/guest.elf

-include $(shell find build -name '*.d' 2>/dev/null)

# The planted-bug check, outside make check (about 20 minutes): each mutation of
# tests/mutants/*.txt in a scratch copy of the tree, with the tests that must catch it.
.PHONY: mutants
mutants: deps
	$(Q)bash ./scripts/mutants.sh
