/*
 * esp_amp_env_baremetal.c - critical sections and ISR context on bare metal.
 *
 * One core, one image: the nesting counter and the saved interrupt state
 * are plain statics. They are only touched with interrupts disabled (after
 * esp_amp_port_irq_save(), before esp_amp_port_irq_restore()), and an ISR
 * that enters and exits a critical section leaves them as it found them.
 * The outermost exit restores the state saved by the outermost enter, so
 * entering from an ISR (interrupts already off) keeps them off.
 * Needs no libc: only the compiler's own <stdatomic.h> (for the compiler
 * barrier atomic_signal_fence) and <stdbool.h>/<stdint.h>.
 */
#include "esp_amp_env.h"

#include <stdatomic.h>

static uint32_t s_nest;
static uint32_t s_saved_state;
static volatile bool s_in_isr;

/* Defaults for the cores this port knows; weak, so that a platform may
 * override them. On any other architecture there is no default: a platform
 * that does not provide both hooks fails to link instead of running with
 * interrupts that a critical section does not mask. */
#if defined(__riscv)
__attribute__((weak)) uint32_t esp_amp_port_irq_save(void)
{
    unsigned long prev;
    /* csrrci: read mstatus, clear MIE (bit 3), machine mode. */
    __asm__ volatile("csrrci %0, mstatus, 8" : "=r"(prev) : : "memory");
    return (uint32_t)(prev & 8u);
}

__attribute__((weak)) void esp_amp_port_irq_restore(uint32_t state)
{
    if (state & 8u) {
        __asm__ volatile("csrsi mstatus, 8" : : : "memory");
    }
}
#elif defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
__attribute__((weak)) uint32_t esp_amp_port_irq_save(void)
{
    uint32_t primask;
    /* PRIMASK bit 0 set = interrupts masked; mask them, return the old. */
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask) : : "memory");
    return primask;
}

__attribute__((weak)) void esp_amp_port_irq_restore(uint32_t state)
{
    if ((state & 1u) == 0) {
        __asm__ volatile("cpsie i" : : : "memory");
    }
}
#endif

void esp_amp_env_enter_critical(void)
{
    uint32_t state = esp_amp_port_irq_save();
    atomic_signal_fence(memory_order_seq_cst);
    if (s_nest == 0) {
        s_saved_state = state;
    }
    s_nest++;
    atomic_signal_fence(memory_order_seq_cst);
}

void esp_amp_env_exit_critical(void)
{
    atomic_signal_fence(memory_order_seq_cst);
    if (s_nest == 0) {
        return; /* unbalanced exit: ignored */
    }
    if (--s_nest == 0) {
        uint32_t state = s_saved_state;
        atomic_signal_fence(memory_order_seq_cst);
        esp_amp_port_irq_restore(state);
    }
}

bool esp_amp_env_in_isr(void)
{
    return s_in_isr;
}

void esp_amp_port_set_in_isr(bool in_isr)
{
    s_in_isr = in_isr;
}
