# Entry points. Everything builds with CMake into build/ (host) or build-*/.
#   make demo        two simulated cores run the rpmsg_send_recv example
#   make test        every test: unit, stress, sanitizers, valgrind, fuzz,
#                    RISC-V target under QEMU, benchmark smoke run
#   make bench       the benchmark table (about 2 minutes)
#   make size        RISC-V code size of the core, per layer
JOBS ?= $(shell nproc)

.PHONY: all build demo test bench bench-quick size clean

all: build

build:
	@scripts/install-deps.sh build
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build -j$(JOBS)

demo: build
	./build/rpmsg_send_recv $(DEMO_ARGS)

test:
	@scripts/test-all.sh

bench:
	@scripts/install-deps.sh test
	@cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build-release -j$(JOBS)
	@cd build-release && ./bench/rpmsg_bench --json bench.json $(BENCH_ARGS)

bench-quick:
	@cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build-release -j$(JOBS)
	@cd build-release && ./bench/rpmsg_bench --quick

size:
	@scripts/size-report.sh

clean:
	rm -rf build build-*
