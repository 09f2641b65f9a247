/*
 * esp_amp_env_port.h (POSIX) - environment port for the Linux simulator.
 *
 * A simulated core is a thread (of its own process, or of a shared one);
 * its interrupt line is a signal whose handler calls
 * esp_amp_env_posix_interrupt(). Per-core library state is selected by
 * ESP_AMP_PORT_CORE_SLOT(), so ESP_AMP_CORE_LOCAL is empty.
 *
 * Interrupt masking is lazy: a critical section only counts its nesting in
 * a thread-local variable (no system call). An interrupt that arrives while
 * the count is non-zero, or while an ISR runs, is only recorded; it runs at
 * the outermost esp_amp_env_exit_critical(), or when the running ISR ends.
 * All state is per thread: a thread must not switch cores (sim_enter_core)
 * inside a critical section or an ISR.
 */
#ifndef ESP_AMP_ENV_PORT_H
#define ESP_AMP_ENV_PORT_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ESP_AMP_CORE_LOCAL

typedef void (*esp_amp_env_posix_isr_t)(void);

/* Raise an interrupt on the calling thread: runs isr now, in ISR context
 * (esp_amp_env_in_isr() true), unless the thread is in a critical section
 * or already in an ISR; then isr runs at the outermost exit_critical, or
 * right after the current ISR returns. Interrupts raised while isr runs
 * make it run again (one isr per thread: the last one given is run).
 * Async-signal-safe: meant to be called from a signal handler; may also be
 * called from ordinary code of the thread. Preserves errno. */
void esp_amp_env_posix_interrupt(esp_amp_env_posix_isr_t isr);

/* True if an interrupt is recorded and waiting for the critical section
 * (or the running ISR) to end. */
bool esp_amp_env_posix_irq_pending(void);

/* True inside a critical section or an ISR of the calling thread. */
bool esp_amp_env_posix_irq_masked(void);

/* TEST HOOK, for tests only (no library code calls it). fn(arg, true,
 * depth) is called on the calling thread right after each
 * esp_amp_env_enter_critical() raised the nesting to `depth`, and
 * fn(arg, false, depth) right before each esp_amp_env_exit_critical() lowers
 * it from `depth`: both inside the critical section, where the library does
 * its link check and ring operation. A test uses it to run something at
 * that instant - typically the other core, on another thread, which a
 * critical section never stops on a chip. Per thread; not re-entered
 * (critical sections inside fn are not reported); NULL removes it; a new
 * process core starts without one. */
typedef void (*esp_amp_env_posix_critical_hook_t)(void *arg, bool entering,
                                                  int depth);
void esp_amp_env_posix_set_critical_hook(esp_amp_env_posix_critical_hook_t fn,
                                         void *arg);

/* Forget the calling thread's nesting, ISR and pending state. For a freshly
 * forked child, which inherits the forking thread's state. */
void esp_amp_env_posix_reset(void);

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_ENV_PORT_H */
