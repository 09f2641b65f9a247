/*
 * esp_amp_env_posix.c - critical sections and ISR context for the simulator.
 *
 * Model (per thread = per running simulated core):
 *   s_irq_off      nesting depth of esp_amp_env_enter_critical()
 *   s_in_isr       1 while the ISR runs
 *   s_irq_pending  1 when an interrupt arrived and its ISR has not run yet
 *   s_pending_isr  the function to run for it
 *   s_hook         test hook called inside every critical section, at its
 *                  entry and before its exit (tests only; see
 *                  esp_amp_env_posix_set_critical_hook in the port header)
 * The signal handler (sim/sim.c) calls esp_amp_env_posix_interrupt(). If the
 * thread is inside a critical section or an ISR, that only records the
 * interrupt; otherwise it runs the ISR at once. The outermost exit_critical
 * runs a recorded interrupt, the ISR loop runs interrupts recorded while it
 * ran. So a critical section masks the ISR exactly like disabling
 * interrupts on an MCU, without a system call (no sigprocmask).
 *
 * The handler runs on the same thread as the code it interrupts, so the
 * variables are thread-local lock-free atomics accessed relaxed, and
 * atomic_signal_fence() keeps the compiler from moving the critical
 * section's memory accesses (or these flags) across the counter updates.
 * Read-modify-writes of the counter need no atomic RMW: an ISR that
 * interrupts one leaves the counter as it found it.
 */
#include "esp_amp_env.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

static _Thread_local atomic_int s_irq_off;
static _Thread_local atomic_int s_in_isr;
static _Thread_local atomic_int s_irq_pending;
static _Thread_local _Atomic(esp_amp_env_posix_isr_t) s_pending_isr;
/* Test hook (esp_amp_env_posix_set_critical_hook): per thread. */
static _Thread_local esp_amp_env_posix_critical_hook_t s_hook;
static _Thread_local void *s_hook_arg;
static _Thread_local int s_in_hook;

static void call_hook(bool entering, int depth)
{
    if (s_hook != NULL && !s_in_hook) {
        s_in_hook = 1;
        s_hook(s_hook_arg, entering, depth);
        s_in_hook = 0;
    }
}

#define LOAD(v) atomic_load_explicit(&(v), memory_order_relaxed)
#define STORE(v, x) atomic_store_explicit(&(v), (x), memory_order_relaxed)
#define FENCE() atomic_signal_fence(memory_order_seq_cst)

/* Run recorded interrupts in ISR context until none is left. Called with
 * s_irq_off == 0 and s_in_isr == 0. */
static void run_pending(void)
{
    do {
        STORE(s_in_isr, 1);
        FENCE();
        while (LOAD(s_irq_pending)) {
            STORE(s_irq_pending, 0);
            FENCE();
            esp_amp_env_posix_isr_t isr = LOAD(s_pending_isr);
            if (isr != NULL) {
                isr();
            }
            FENCE();
        }
        STORE(s_in_isr, 0);
        FENCE();
        /* An interrupt that came after the loop test but before s_in_isr
         * was cleared was only recorded: take it now. */
    } while (LOAD(s_irq_pending) && LOAD(s_irq_off) == 0);
}

void esp_amp_env_enter_critical(void)
{
    int n = LOAD(s_irq_off) + 1;
    STORE(s_irq_off, n);
    FENCE();
    if (s_hook != NULL) {
        call_hook(true, n);
        FENCE();
    }
}

void esp_amp_env_exit_critical(void)
{
    FENCE();
    int n = LOAD(s_irq_off);
    if (n <= 0) {
        return; /* unbalanced exit: ignored */
    }
    if (s_hook != NULL) {
        call_hook(false, n);
        FENCE();
    }
    STORE(s_irq_off, n - 1);
    FENCE();
    if (n == 1 && LOAD(s_irq_pending) && !LOAD(s_in_isr)) {
        run_pending();
    }
}

bool esp_amp_env_in_isr(void)
{
    return LOAD(s_in_isr) != 0;
}

void esp_amp_env_posix_interrupt(esp_amp_env_posix_isr_t isr)
{
    int saved_errno = errno;
    STORE(s_pending_isr, isr);
    FENCE();
    STORE(s_irq_pending, 1);
    FENCE();
    if (LOAD(s_irq_off) == 0 && !LOAD(s_in_isr)) {
        run_pending();
    }
    errno = saved_errno;
}

bool esp_amp_env_posix_irq_pending(void)
{
    return LOAD(s_irq_pending) != 0;
}

bool esp_amp_env_posix_irq_masked(void)
{
    return LOAD(s_irq_off) != 0 || LOAD(s_in_isr) != 0;
}

void esp_amp_env_posix_set_critical_hook(esp_amp_env_posix_critical_hook_t fn,
                                         void *arg)
{
    s_hook = NULL;
    FENCE();
    s_hook_arg = arg;
    FENCE();
    s_hook = fn;
}

void esp_amp_env_posix_reset(void)
{
    s_hook = NULL;
    s_hook_arg = NULL;
    s_in_hook = 0;
    STORE(s_irq_off, 0);
    STORE(s_in_isr, 0);
    STORE(s_irq_pending, 0);
    STORE(s_pending_isr, (esp_amp_env_posix_isr_t)NULL);
    FENCE();
}
