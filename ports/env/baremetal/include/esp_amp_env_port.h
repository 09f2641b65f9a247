/*
 * esp_amp_env_port.h (bare metal) - environment port for a core without an
 * OS. Each core runs its own image, so library state is plain static data
 * (ESP_AMP_CORE_LOCAL is empty; the platform sets ESP_AMP_PORT_CORE_SLOTS 1).
 *
 * A critical section disables interrupts through two platform hooks and
 * nests with a counter: the state returned by the outermost
 * esp_amp_port_irq_save() is given back to esp_amp_port_irq_restore() at
 * the outermost exit. esp_amp_env_in_isr() reads a flag kept by the
 * platform's trap handler through esp_amp_port_set_in_isr().
 */
#ifndef ESP_AMP_ENV_PORT_H
#define ESP_AMP_ENV_PORT_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ESP_AMP_CORE_LOCAL

/*
 * Platform hooks, called by the env port. A platform defines both, or
 * uses the weak defaults of esp_amp_env_baremetal.c where there are some.
 *
 * esp_amp_port_irq_save(): disable the interrupts of this core (at least
 *   the doorbell) and return an opaque state describing whether they were
 *   enabled before. Must act as a compiler memory barrier.
 * esp_amp_port_irq_restore(state): re-enable the interrupts if `state`
 *   (from esp_amp_port_irq_save) says they were enabled. Compiler barrier.
 *
 * Weak defaults: on RISC-V (machine mode), clear / restore mstatus.MIE; on
 * Arm Cortex-M, PRIMASK (cpsid / cpsie). Elsewhere there is none: an image
 * whose platform does not define both fails to link.
 */
uint32_t esp_amp_port_irq_save(void);
void esp_amp_port_irq_restore(uint32_t state);

/*
 * Called by the platform's trap handler: esp_amp_port_set_in_isr(true)
 * before it calls the doorbell handler (or any ISR), and with the previous
 * value of esp_amp_env_in_isr() after it (false unless traps nest).
 * Defined by this port (not weak).
 */
void esp_amp_port_set_in_isr(bool in_isr);

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_ENV_PORT_H */
