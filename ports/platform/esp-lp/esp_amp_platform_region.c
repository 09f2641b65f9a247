/*
 * esp_amp_platform_region.c - what both sides of the ESP32-C6 / ESP32-C5
 * port share: the region at its fixed place (esp_amp_esp_lp.h) and raising
 * a doorbell through PMU_HP_LP_CPU_COMM_REG (bit 31 HP_TRIGGER_LP rings
 * the LP core, bit 30 LP_TRIGGER_HP the HP core; either core may write
 * either bit). Fence first: the shared writes before the ring are visible
 * to the core it wakes.
 */
#include <stdint.h>

#include "esp_amp_esp_lp.h"
#include "esp_amp_platform.h"

#include "soc/pmu_reg.h"

void *esp_amp_platform_shm_base(void)
{
    return (void *)ESP_AMP_ESP_SHM_START;
}

uint32_t esp_amp_platform_shm_size(void)
{
    return ESP_AMP_ESP_SHM_SIZE;
}

void esp_amp_platform_raise_doorbell(int core_id)
{
    esp_amp_esp_lp_fence();
    REG_WRITE(PMU_HP_LP_CPU_COMM_REG,
              core_id == ESP_AMP_CORE_SUB ? PMU_HP_TRIGGER_LP : PMU_LP_TRIGGER_HP);
}
