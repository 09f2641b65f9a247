/*
 * esp_amp_platform.h - the platform port: what the core needs from the chip
 * (or from the simulator standing in for it).
 *
 * A port lives in ports/platform/<name>/ and provides:
 *   - esp_amp_platform_port.h on the include path, defining
 *       ESP_AMP_PORT_CORE_SLOTS   number of cores whose library state can live
 *                                 in one address space (1 on a chip: each core
 *                                 runs its own image; 2 in the simulator, where
 *                                 both cores may be threads of one process)
 *       ESP_AMP_PORT_CORE_SLOT()  index of the calling core's state, in
 *                                 [0, ESP_AMP_PORT_CORE_SLOTS)
 *   - the functions below.
 *
 * Memory ordering is not part of the port: the core uses C11 <stdatomic.h>.
 */
#ifndef ESP_AMP_PLATFORM_H
#define ESP_AMP_PLATFORM_H

#include <stdint.h>
#include "esp_amp_platform_port.h"

/* Optional: about how many looks at a ring (a few instructions each) one
 * doorbell interrupt costs here; the default of ESP_AMP_CONFIG_RX_LINGER. */
#ifndef ESP_AMP_PORT_RX_LINGER
#define ESP_AMP_PORT_RX_LINGER 64
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define ESP_AMP_CORE_MAIN 0
#define ESP_AMP_CORE_SUB 1

/* Start of the shared region in this core's address space (64-byte aligned). */
void *esp_amp_platform_shm_base(void);

/* Size of the shared region in bytes. */
uint32_t esp_amp_platform_shm_size(void);

/* ESP_AMP_CORE_MAIN or ESP_AMP_CORE_SUB: which core is calling. */
int esp_amp_platform_core_id(void);

/* Raise the doorbell (inter-core software interrupt) of core `core_id`.
 * Raising one's own doorbell is allowed: the handler runs once interrupts
 * are enabled (used to re-run deferred work). */
void esp_amp_platform_raise_doorbell(int core_id);

/* Install the function called, in ISR context, when this core's doorbell
 * rings, and enable the doorbell interrupt. NULL disables it. */
void esp_amp_platform_set_doorbell_handler(void (*isr)(void));

/* Monotonic milliseconds and a busy delay. */
uint32_t esp_amp_platform_get_time_ms(void);
void esp_amp_platform_delay_us(uint32_t us);

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_PLATFORM_H */
