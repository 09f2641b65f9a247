# Entry points. Everything builds with CMake into build/ (host) or build-*/.
#   make demo        two simulated cores run the rpmsg_send_recv example
#   make test        every test: unit, stress, sanitizers, valgrind, fuzz,
#                    RISC-V target under QEMU, Cortex-M build, benchmark
#   make bench       the benchmark table (about 2 minutes)
#   make bench-target   instructions per message on the RISC-V target
#                    (rv32imac -Os images under QEMU -icount shift=0, seconds)
#   make size        RISC-V code size of the core, per layer and per option
#   make readme-tables  run size and bench, rewrite the README's figures
JOBS ?= $(shell nproc)
CONFIGURE = @cmake -S . -B $(1) -DCMAKE_BUILD_TYPE=$(2) >/dev/null

.PHONY: all build demo test bench bench-quick bench-target size readme-tables clean

all: build

build:
	@scripts/install-deps.sh build
	$(call CONFIGURE,build,RelWithDebInfo)
	@cmake --build build -j$(JOBS)

demo:
	@scripts/install-deps.sh build
	$(call CONFIGURE,build,RelWithDebInfo)
	@cmake --build build -j$(JOBS) --target rpmsg_send_recv >build/demo-build.log 2>&1 || \
	  { cat build/demo-build.log; exit 1; }
	./build/rpmsg_send_recv $(DEMO_ARGS)

test:
	@scripts/test-all.sh

bench bench-quick:
	@scripts/install-deps.sh test
	$(call CONFIGURE,build-release,Release)
	@cmake --build build-release -j$(JOBS) --target rpmsg_bench
	@cd build-release && ./bench/rpmsg_bench $(if $(filter bench,$@),--json bench.json $(BENCH_ARGS),--quick)

bench-target:
	@scripts/install-deps.sh target
	@cmake -S . -B build-riscv -DCMAKE_TOOLCHAIN_FILE=cmake/riscv32-toolchain.cmake \
	  -DESP_AMP_PLATFORM_PORT=riscv-virt >/dev/null
	@cmake --build build-riscv -j$(JOBS) --target bench_target_main bench_target_sub \
	  >build-riscv/bench-target-build.log 2>&1 || { cat build-riscv/bench-target-build.log; exit 1; }
	@bench/target/bench_target.py --build-dir build-riscv $(BENCH_TARGET_ARGS)

size:
	@scripts/install-deps.sh target
	@scripts/size-report.sh

readme-tables: bench
	@scripts/readme-tables.py

clean:
	rm -rf build build-*
