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

__attribute__((weak)) uint32_t esp_amp_port_irq_save(void)
{
#if defined(__riscv)
    unsigned long prev;
    /* csrrci: read mstatus, clear MIE (bit 3). */
    __asm__ volatile("csrrci %0, mstatus, 8" : "=r"(prev) : : "memory");
    return (uint32_t)(prev & 8u);
#else
    return 0;
#endif
}

__attribute__((weak)) void esp_amp_port_irq_restore(uint32_t state)
{
#if defined(__riscv)
    if (state & 8u) {
        __asm__ volatile("csrsi mstatus, 8" : : : "memory");
    }
#else
    (void)state;
#endif
}

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
