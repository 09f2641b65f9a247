/*
 * esp_amp_platform_port.h (none) - the library without a platform port.
 *
 * For a core whose firmware image holds the library for that core only (one
 * image per core, as on every chip): the application, or a board support
 * package, defines the esp_amp_platform_* functions of esp_amp_platform.h.
 */
#ifndef ESP_AMP_PLATFORM_PORT_H
#define ESP_AMP_PLATFORM_PORT_H

#define ESP_AMP_PORT_CORE_SLOTS 1
#define ESP_AMP_PORT_CORE_SLOT() 0

#endif /* ESP_AMP_PLATFORM_PORT_H */
