/*
 * esp_amp_platform_port.h - riscv-virt platform port (QEMU "virt", two
 * harts, one firmware image per hart).
 *
 * Each core runs its own separately linked image with its own copy of the
 * library, so an image holds the state of exactly one core.
 */
#ifndef ESP_AMP_PLATFORM_PORT_H
#define ESP_AMP_PLATFORM_PORT_H

#define ESP_AMP_PORT_CORE_SLOTS 1
#define ESP_AMP_PORT_CORE_SLOT() 0

#endif /* ESP_AMP_PLATFORM_PORT_H */
