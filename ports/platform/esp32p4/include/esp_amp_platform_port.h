/*
 * esp_amp_platform_port.h (esp32p4) - ESP32-P4: main core = HP core 0,
 * sub core = HP core 1, both in one ESP-IDF image (FreeRTOS SMP); a task
 * that uses the library is pinned to its core. Both cores' library state
 * lives in the one image, indexed by the calling core.
 */
#ifndef ESP_AMP_PLATFORM_PORT_H
#define ESP_AMP_PLATFORM_PORT_H

#ifdef __cplusplus
extern "C" {
#endif

int esp_amp_platform_core_id(void);

#define ESP_AMP_PORT_CORE_SLOTS 2
#define ESP_AMP_PORT_CORE_SLOT() ((unsigned)esp_amp_platform_core_id())

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_PLATFORM_PORT_H */
