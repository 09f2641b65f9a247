/*
 * memsizes.c - not built into any program: bench/CMakeLists.txt compiles it
 * to assembly with the RISC-V cross compiler (rv32imac, ilp32) at configure
 * time and reads the sizes of the public structures on the 32-bit target.
 */
#include "esp_amp_queue.h"
#include "esp_amp_rpmsg.h"
#ifdef BENCH_WITH_PRIV
#include "esp_amp_priv.h"
const unsigned bench_sz_core = sizeof(esp_amp_core_state_t);
#endif

const unsigned bench_sz_dev = sizeof(esp_amp_rpmsg_dev_t);
const unsigned bench_sz_queue = sizeof(esp_amp_queue_t);
const unsigned bench_sz_ept = sizeof(esp_amp_rpmsg_ept_t);
