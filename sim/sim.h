/*
 * sim.h - a two-core chip simulated on Linux.
 *
 * One shared-memory region (memfd + mmap) stands for the chip's shared RAM.
 * A simulated core is a thread of execution with an interrupt line:
 *   - it runs as a forked process (SIM_PROCESS) or a thread (SIM_THREAD);
 *   - it maps the region at its own address (never the peer's);
 *   - its doorbell is a signal (SIM_DOORBELL_SIGNAL); the signal handler is
 *     the core's ISR and calls the handler installed through
 *     esp_amp_platform_set_doorbell_handler();
 *   - esp_amp_env_enter_critical() masks that ISR, nestably: a doorbell that
 *     arrives inside a critical section (or inside the ISR) is remembered and
 *     its ISR runs at the outermost exit, as on an MCU with interrupts off.
 *
 * Cores can also be driven from one thread without concurrency (for
 * deterministic tests and fuzzers): sim_enter_core() makes the calling
 * thread act as that core; doorbells for a core nobody runs stay pending
 * until a thread enters that core (sim_enter_core runs them) .
 *
 * Typical use:
 *     sim_init(1 << 20);
 *     sim_start_core(ESP_AMP_CORE_MAIN, SIM_PROCESS, main_fn, NULL);
 *     sim_start_core(ESP_AMP_CORE_SUB,  SIM_PROCESS, sub_fn,  NULL);
 *     sim_join_core(ESP_AMP_CORE_MAIN, &rc_main);
 *     sim_join_core(ESP_AMP_CORE_SUB,  &rc_sub);
 *     sim_deinit();
 */
#ifndef SIM_H
#define SIM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIM_DOORBELL_SIGNAL SIGUSR2

typedef enum { SIM_THREAD = 0, SIM_PROCESS = 1 } sim_mode_t;

/* Entry point of a simulated core; its return value is the exit code. */
typedef int (*sim_core_entry_t)(void *arg);

/* Create the shared region (zero-filled, `shm_size` bytes, rounded up to a
 * page). Call once before any core starts. 0 or -1. */
int sim_init(uint32_t shm_size);

/* Unmap everything; all started cores must have been joined. */
void sim_deinit(void);

/* Start core `core` (ESP_AMP_CORE_MAIN or _SUB) running entry(arg). Inside,
 * the core has its own mapping of the region and its own library state.
 * A SIM_PROCESS core is killed (SIGKILL) when the thread that started it
 * ends, so no core outlives a killed or crashed test. 0 or -1 (already
 * running, bad id). */
int sim_start_core(int core, sim_mode_t mode, sim_core_entry_t entry,
                   void *arg);

/* Wait for core `core` to end. *exit_code (if not NULL) gets entry's return
 * value, or 128 + signal number if the process was killed. 0 or -1. */
int sim_join_core(int core, int *exit_code);

/* Kill a core started as SIM_PROCESS (SIGKILL) and reap it; its doorbell is
 * dropped from then on. It can be started again with sim_start_core().
 * -1 for a thread core or a core not running. */
int sim_kill_core(int core);

/* Make the calling thread act as `core` (its mapping, its library state,
 * its doorbell); runs the core's pending doorbell ISR, if any, before
 * returning. For single-threaded drivers of both cores. 0 or -1. */
int sim_enter_core(int core);

/* Inside a core: the core the caller acts as, or -1. */
int sim_current_core(void);

/* Inside a core: sleep until a doorbell ISR has run on this core or
 * timeout_us elapsed (0 = no timeout). Returns true if an ISR ran. It
 * returns at once if an ISR ran since the previous call (or since the core
 * started), so "check a flag, then wait" loses no wake-up. */
bool sim_wait_interrupt(uint32_t timeout_us);

/* Inside a core: this core's mapping of the region. */
void *sim_shm_base(void);
uint32_t sim_shm_size(void);

/* Number of doorbell ISRs run on this core so far (for tests). */
uint64_t sim_isr_count(void);

#ifdef __cplusplus
}
#endif
#endif /* SIM_H */
