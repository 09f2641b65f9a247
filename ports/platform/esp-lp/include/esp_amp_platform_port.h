/*
 * esp_amp_platform_port.h (esp-lp) - ESP32-C6 / ESP32-C5: main core = the
 * HP core (ESP-IDF, FreeRTOS), sub core = the LP core (bare metal, on
 * ESP-IDF's LP-core runtime). Each core runs its own image, so each holds
 * one copy of the library state.
 */
#ifndef ESP_AMP_PLATFORM_PORT_H
#define ESP_AMP_PLATFORM_PORT_H

#define ESP_AMP_PORT_CORE_SLOTS 1
#define ESP_AMP_PORT_CORE_SLOT() 0

#endif /* ESP_AMP_PLATFORM_PORT_H */
