/*
 * esp_amp_freertos_sim.h - run a FreeRTOS application as a simulated core
 * (the kernel's GCC/Posix port inside sim/).
 *
 * Model
 *   - The FreeRTOS core is a SIM_PROCESS core. Its entry calls
 *     esp_amp_freertos_sim_run(app_main, arg). app_main runs on a new
 *     thread: it creates tasks and calls vTaskStartScheduler(); when a task
 *     calls esp_amp_freertos_sim_end(rc), the scheduler ends and
 *     esp_amp_freertos_sim_run() returns rc.
 *   - The thread that called esp_amp_freertos_sim_run() stays the
 *     simulator's runner of the core (it receives the doorbell signal,
 *     SIM_DOORBELL_SIGNAL) and acts as the core's interrupt controller: it
 *     forwards each doorbell to the FreeRTOS "CPU" as a process-directed
 *     signal, ESP_AMP_FREERTOS_SIM_IRQ_SIGNAL.
 *   - The kernel's POSIX port leaves signals unblocked only on the thread of
 *     the running task, and only outside critical sections; every other
 *     thread (suspended tasks, the scheduler and tick threads, the
 *     controller) blocks them. So the forwarded signal is taken by the
 *     running task, at once or at the end of its critical section: that is
 *     an interrupt. Its handler runs with every signal blocked (the tick
 *     cannot preempt it), inside esp_amp_env_freertos_isr_enter/_exit
 *     (esp_amp_env_in_isr() is true), calls the library's doorbell handler,
 *     and switches to a task woken by it when it ends (portYIELD_FROM_ISR).
 *   - On that task's thread the simulator's thread-local core id is not
 *     set; the platform port's core id and shared-memory base are those of
 *     the process (captured by esp_amp_freertos_sim_run()).
 *   - Processes of the same executable that run a bare-metal-style core
 *     (no esp_amp_freertos_sim_run()) use the POSIX env port and the sim
 *     platform port unchanged: the library is built once with both env
 *     ports (renamed) and this file chooses per process.
 *
 * Rules
 *   - One FreeRTOS core per process, started with SIM_PROCESS.
 *   - Tasks must not call sim_wait_interrupt() (they block with FreeRTOS).
 *   - No stdio from ISR code; from tasks only with care (the POSIX port
 *     switches tasks inside libc): the examples print with write(2).
 */
#ifndef ESP_AMP_FREERTOS_SIM_H
#define ESP_AMP_FREERTOS_SIM_H

#include <signal.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ESP_AMP_FREERTOS_SIM_IRQ_SIGNAL
#define ESP_AMP_FREERTOS_SIM_IRQ_SIGNAL (SIGRTMIN + 2)
#endif

/* Call from the core's entry (sim_start_core(core, SIM_PROCESS, ...)).
 * Returns the value given to esp_amp_freertos_sim_end(), or app_main's
 * return value if it returns without starting the scheduler, or -1 (not
 * inside a core, called twice, no thread). */
int esp_amp_freertos_sim_run(int (*app_main)(void *arg), void *arg);

/* From a task: end the scheduler; esp_amp_freertos_sim_run() returns rc.
 * Does not return. */
void esp_amp_freertos_sim_end(int rc) __attribute__((noreturn));

/* Doorbell interrupts taken by the FreeRTOS core so far. */
uint64_t esp_amp_freertos_sim_irq_count(void);

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_FREERTOS_SIM_H */
