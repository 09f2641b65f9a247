/*
 * esp_amp_env_port.h (FreeRTOS in the simulator) - the FreeRTOS port's
 * header plus the simulator's interrupt entry.
 *
 * sim/sim.c delivers a doorbell by calling esp_amp_env_posix_interrupt()
 * (and asks esp_amp_env_posix_irq_masked/_irq_pending, calls
 * esp_amp_env_posix_reset): the POSIX env port's entry points. In a
 * FreeRTOS simulator build they are provided by esp_amp_freertos_sim.c,
 * which hands the doorbell to the FreeRTOS core (or, in a process that
 * runs a bare-metal-style core, to the POSIX env port). This directory
 * comes before ports/env/freertos/include on the include path.
 */
#ifndef ESP_AMP_ENV_PORT_SIM_SHIM_H
#define ESP_AMP_ENV_PORT_SIM_SHIM_H

#include "../../include/esp_amp_env_port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Same declarations as ports/env/posix/include/esp_amp_env_port.h. */
typedef void (*esp_amp_env_posix_isr_t)(void);
void esp_amp_env_posix_interrupt(esp_amp_env_posix_isr_t isr);
bool esp_amp_env_posix_irq_pending(void);
bool esp_amp_env_posix_irq_masked(void);
void esp_amp_env_posix_reset(void);

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_ENV_PORT_SIM_SHIM_H */
