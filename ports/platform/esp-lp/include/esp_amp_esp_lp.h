/*
 * esp_amp_esp_lp.h - facts both images of an ESP32-C6 / ESP32-C5 pair
 * agree on: where the shared region is, and the ordering helper of the
 * doorbell.
 *
 * Shared region
 *   HP SRAM, at the same address for both cores (the LP core reaches HP
 *   SRAM at its HP address). It ends where the memory the application may
 *   use ends: below the ROM's start-up stack,
 *       END   = (SOC_ROM_STACK_START - SOC_ROM_STACK_SIZE) rounded down to 64
 *       START = END - CONFIG_ESP_AMP_SHM_SIZE (rounded down to 64)
 *   ESP32-C6: SOC_ROM_STACK_START 0x4087e610, size 0x2000: END 0x4087c600.
 *   ESP32-C5: SOC_ROM_STACK_START 0x4085e5a0, size 0x2000: END 0x4085c580.
 *   Above END lies the ROM's stack and data, which the HP core still uses
 *   while it boots (and which ESP-IDF gives to the heap only after start-up),
 *   so a sub core that survived an HP reset cannot scribble over the HP
 *   core's start-up stack. The HP image removes [START, END) from its heap
 *   with SOC_RESERVE_MEMORY_REGION (esp_amp_platform_hp.c); the linker keeps
 *   static data at the bottom of SRAM, far below it.
 *   Not in LP (RTC) RAM: the core uses atomic read-modify-write on the
 *   region's pending words, and atomic instructions on LP RAM are not
 *   dependable between the two cores.
 *
 * Ordering (esp_amp_esp_lp_fence)
 *   Both cores are in-order RV32IMAC harts without data caches on HP SRAM,
 *   but stores can still be buffered. Before raising the peer's doorbell,
 *   every earlier store to the region must be visible to the peer; after
 *   clearing one's own doorbell, the clear must take effect before the
 *   region is read (or a ring raised in between could be cleared unseen).
 *   `fence iorw, iorw` orders memory and device accesses both ways.
 */
#ifndef ESP_AMP_ESP_LP_H
#define ESP_AMP_ESP_LP_H

#include <stdint.h>

#include "sdkconfig.h"
#include "soc/soc.h"

#if !defined(CONFIG_IDF_TARGET_ESP32C6) && !defined(CONFIG_IDF_TARGET_ESP32C5)
#error "ports/platform/esp-lp serves the ESP32-C6 and the ESP32-C5"
#endif

#ifndef CONFIG_ESP_AMP_SHM_SIZE
#error "CONFIG_ESP_AMP_SHM_SIZE is not set: build with the esp_amp_rpmsg component's Kconfig"
#endif

#define ESP_AMP_ESP_SHM_ALIGN 64u
#define ESP_AMP_ESP_SHM_END \
    ((uintptr_t)(SOC_ROM_STACK_START - SOC_ROM_STACK_SIZE) & ~(uintptr_t)(ESP_AMP_ESP_SHM_ALIGN - 1u))
#define ESP_AMP_ESP_SHM_SIZE \
    ((uint32_t)CONFIG_ESP_AMP_SHM_SIZE & ~(uint32_t)(ESP_AMP_ESP_SHM_ALIGN - 1u))
#define ESP_AMP_ESP_SHM_START (ESP_AMP_ESP_SHM_END - ESP_AMP_ESP_SHM_SIZE)

_Static_assert(ESP_AMP_ESP_SHM_SIZE >= 4096u, "CONFIG_ESP_AMP_SHM_SIZE: at least 4096 bytes");

static inline void esp_amp_esp_lp_fence(void)
{
    __asm__ volatile("fence iorw, iorw" : : : "memory");
}

#endif /* ESP_AMP_ESP_LP_H */
