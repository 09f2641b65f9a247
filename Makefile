# Entry points (README.md), built with CMake in build/ or build-*/: build, demo, test, bench,
# bench-quick, bench-target (the RISC-V target under QEMU), size, readme-tables, clean.
JOBS ?= $(shell nproc)
CONFIGURE = @cmake -S . -B $(1) $(2) >/dev/null
# $(call BUILD_QUIET,DIR,TARGETS,LOG): the output shown only on failure
BUILD_QUIET = @cmake --build $(1) -j$(JOBS) --target $(2) >$(1)/$(3) 2>&1 || { cat $(1)/$(3); exit 1; }
.PHONY: all build demo test bench bench-quick bench-target size readme-tables clean
all: build
build demo:
	@scripts/install-deps.sh build
	$(call CONFIGURE,build,-DCMAKE_BUILD_TYPE=RelWithDebInfo)
	$(if $(filter demo,$@),$(call BUILD_QUIET,build,rpmsg_send_recv,demo-build.log),@cmake --build build -j$(JOBS))
	$(if $(filter demo,$@),./build/rpmsg_send_recv $(DEMO_ARGS))
test:
	@scripts/test-all.sh
bench bench-quick:
	@scripts/install-deps.sh test
	$(call CONFIGURE,build-release,-DCMAKE_BUILD_TYPE=Release)
	@cmake --build build-release -j$(JOBS) --target rpmsg_bench
	@cd build-release && ./bench/rpmsg_bench $(if $(filter bench,$@),--json bench.json $(BENCH_ARGS),--quick)
# BENCH_TARGET_CFLAGS (e.g. -msave-restore): images compiled with these flags too, in build-riscv-flags/.
BT_DIR = build-riscv$(if $(BENCH_TARGET_CFLAGS),-flags)
bench-target:
	@scripts/install-deps.sh target
	$(call CONFIGURE,$(BT_DIR),-DCMAKE_TOOLCHAIN_FILE=cmake/riscv32-toolchain.cmake -DESP_AMP_PLATFORM_PORT=riscv-virt \
	  $(if $(BENCH_TARGET_CFLAGS),-DCMAKE_BUILD_TYPE=Release "-DCMAKE_C_FLAGS_RELEASE=-Os $(BENCH_TARGET_CFLAGS)"))
	$(call BUILD_QUIET,$(BT_DIR),bench_target_main bench_target_sub,bench-target-build.log)
	@bench/target/bench_target.py --build-dir $(BT_DIR) $(BENCH_TARGET_ARGS)
size:
	@scripts/install-deps.sh target
	@scripts/size-report.sh
readme-tables: bench
	@scripts/readme-tables.py
clean:
	rm -rf build build-*
