/*
 * esp_amp_platform_p4.c - platform port of the ESP32-P4: main core = HP
 * core 0, sub core = HP core 1, one ESP-IDF image under FreeRTOS SMP.
 *
 * Doorbell: the interrupt matrix's cross-core interrupts.
 *   HP_SYSTEM_CPU_INT_FROM_CPU_2_REG  bit 0: level of source
 *       ETS_FROM_CPU_INTR2_SOURCE, core 0's doorbell (main);
 *   HP_SYSTEM_CPU_INT_FROM_CPU_3_REG  bit 0: level of source
 *       ETS_FROM_CPU_INTR3_SOURCE, core 1's doorbell (sub).
 *   Write 1 to raise, 0 to clear; either core may write either register.
 *   (ESP-IDF keeps FROM_CPU_INTR0/1 for its own cross-core yield.)
 *   Each core allocates its source with esp_intr_alloc, which binds it to
 *   the calling core: set_doorbell_handler must run on the core it serves
 *   (a task pinned to that core).
 * Handler order: clear, fence, handler. Raising: fence, then raise.
 *
 * Shared region and caches
 *   The P4's HP memory (L2MEM, 0x4ff00000..0x4ffc0000) is reached through
 *   each core's L1 data cache (and the L2 cache). The core library does no
 *   cache maintenance, so the region is used through the L2MEM's
 *   non-cacheable alias: address + SOC_NON_CACHEABLE_OFFSET (0x40000000),
 *   e.g. 0x4ff9c000 -> 0x8ff9c000 (CACHE_LL_L2MEM_NON_CACHE_ADDR). Loads and
 *   stores there bypass both caches, so both cores see one copy.
 *   Placement (cached addresses):
 *       END   = SOC_DRAM_HIGH - CONFIG_CACHE_L2_CACHE_SIZE (top of the L2MEM
 *               left to the application; the L2 cache takes the rest)
 *       START = END - CONFIG_ESP_AMP_SHM_SIZE (rounded down to 64)
 *   removed from the heap with SOC_RESERVE_MEMORY_REGION. START must lie
 *   above the ROM's reserved area (SOC_DIRAM_ROM_RESERVE_HIGH); with a
 *   512 KB L2 cache there is no room and the build stops. Nothing accesses
 *   the range through the cached alias, so no dirty line can be written
 *   back over it.
 */
#include <stddef.h>
#include <stdint.h>

#include "esp_amp_env.h"
#include "esp_amp_platform.h"

#include "esp_cpu.h"
#include "esp_intr_alloc.h"
#include "esp_log.h"
#include "esp_rom_sys.h"
#include "esp_timer.h"
#include "hal/cache_ll.h"
#include "heap_memory_layout.h"
#include "sdkconfig.h"
#include "soc/hp_system_reg.h"
#include "soc/interrupts.h"
#include "soc/soc.h"

#if !defined(CONFIG_IDF_TARGET_ESP32P4)
#error "ports/platform/esp32p4 serves the ESP32-P4"
#endif
#if CONFIG_FREERTOS_UNICORE
#error "esp32p4 port: the sub core is HP core 1; disable CONFIG_FREERTOS_UNICORE"
#endif
#if CONFIG_ESP_AMP_DOORBELL_INTR_LEVEL < 1 || CONFIG_ESP_AMP_DOORBELL_INTR_LEVEL > 3
#error "CONFIG_ESP_AMP_DOORBELL_INTR_LEVEL: 1..3"
#endif

#define SHM_ALIGN 64u
#define SHM_END ((uintptr_t)SOC_DRAM_HIGH - (uintptr_t)CONFIG_CACHE_L2_CACHE_SIZE)
#define SHM_SIZE ((uint32_t)CONFIG_ESP_AMP_SHM_SIZE & ~(uint32_t)(SHM_ALIGN - 1u))
#define SHM_START (SHM_END - SHM_SIZE)

_Static_assert(SHM_SIZE >= 4096u, "CONFIG_ESP_AMP_SHM_SIZE: at least 4096 bytes");
_Static_assert(SHM_START >= SOC_DIRAM_ROM_RESERVE_HIGH,
               "shared region would overlap the ROM's area: smaller L2 cache or region");

SOC_RESERVE_MEMORY_REGION(SHM_START, SHM_END, esp_amp_shm);

static const char *TAG = "esp_amp";

/* Per core (index = ESP_AMP_CORE_MAIN / ESP_AMP_CORE_SUB). */
static const uint32_t s_reg[2] = {HP_SYSTEM_CPU_INT_FROM_CPU_2_REG,
                                  HP_SYSTEM_CPU_INT_FROM_CPU_3_REG};
static const int s_source[2] = {ETS_FROM_CPU_INTR2_SOURCE, ETS_FROM_CPU_INTR3_SOURCE};
static void (*volatile s_isr[2])(void);
static intr_handle_t s_intr[2];

static inline void fence_all(void)
{
    __asm__ volatile("fence iorw, iorw" : : : "memory");
}

void *esp_amp_platform_shm_base(void)
{
    return (void *)CACHE_LL_L2MEM_NON_CACHE_ADDR(SHM_START);
}

uint32_t esp_amp_platform_shm_size(void)
{
    return SHM_SIZE;
}

int esp_amp_platform_core_id(void)
{
    return esp_cpu_get_core_id() == 0 ? ESP_AMP_CORE_MAIN : ESP_AMP_CORE_SUB;
}

void esp_amp_platform_raise_doorbell(int core_id)
{
    fence_all();
    REG_WRITE(s_reg[core_id & 1], HP_SYSTEM_CPU_INT_FROM_CPU_2);
}

static void cross_core_isr(void *arg)
{
    int me = (int)(intptr_t)arg;
    REG_WRITE(s_reg[me], 0);
    fence_all();
    void (*isr)(void) = s_isr[me];
    if (isr != NULL) {
        esp_amp_env_freertos_isr_enter();
        isr();
        esp_amp_env_freertos_isr_exit();
    }
}

void esp_amp_platform_set_doorbell_handler(void (*isr)(void))
{
    int me = esp_amp_platform_core_id();
    if (isr == NULL) {
        s_isr[me] = NULL;
        if (s_intr[me] != NULL) {
            esp_intr_disable(s_intr[me]);
        }
        return;
    }
    s_isr[me] = isr;
    if (s_intr[me] == NULL) {
        esp_err_t err = esp_intr_alloc(s_source[me], 1 << CONFIG_ESP_AMP_DOORBELL_INTR_LEVEL,
                                       cross_core_isr, (void *)(intptr_t)me, &s_intr[me]);
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "doorbell: esp_intr_alloc failed: %s", esp_err_to_name(err));
            s_isr[me] = NULL;
        }
        return; /* allocated enabled */
    }
    esp_intr_enable(s_intr[me]);
}

uint32_t esp_amp_platform_get_time_ms(void)
{
    return (uint32_t)(esp_timer_get_time() / 1000);
}

void esp_amp_platform_delay_us(uint32_t us)
{
    esp_rom_delay_us(us);
}
