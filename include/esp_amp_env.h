/*
 * esp_amp_env.h - the environment port: what the core needs from the
 * execution environment (bare metal, FreeRTOS, POSIX simulator).
 *
 * A port lives in ports/env/<name>/ and provides:
 *   - esp_amp_env_port.h on the include path, defining
 *       ESP_AMP_CORE_LOCAL   storage qualifier for per-core library state
 *                            (empty on a chip; may be _Thread_local on a host)
 *   - the three functions below.
 *
 * Rules a port must keep:
 *   - esp_amp_env_enter_critical/exit_critical nest: interrupts (the doorbell
 *     at least) stay masked until the outermost exit. They are callable from
 *     task and from ISR context.
 *   - esp_amp_env_in_isr() is true only while the doorbell handler (or any
 *     other ISR) runs on this core.
 */
#ifndef ESP_AMP_ENV_H
#define ESP_AMP_ENV_H

#include <stdbool.h>
#include "esp_amp_env_port.h"

#ifdef __cplusplus
extern "C" {
#endif

void esp_amp_env_enter_critical(void);
void esp_amp_env_exit_critical(void);
bool esp_amp_env_in_isr(void);

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_ENV_H */
