/*
 * esp_amp_platform_hp.c - platform port, HP core side (main core) of the
 * ESP32-C6 / ESP32-C5, under ESP-IDF and its FreeRTOS.
 *
 * Doorbell: the PMU's HP/LP software triggers.
 *   PMU_HP_LP_CPU_COMM_REG   bit 31 HP_TRIGGER_LP: write 1 to interrupt the LP
 *                            core; bit 30 LP_TRIGGER_HP: write 1 to interrupt
 *                            the HP core. Write-to-trigger fields (read as 0),
 *                            so a plain write of the one bit raises exactly
 *                            that doorbell; either core may write either bit.
 *   PMU_HP_INT_ENA_REG / _ST_REG / _CLR_REG, bit PMU_SW_INT (29): the HP
 *                            core's view of LP_TRIGGER_HP: enable, masked
 *                            status, write-1-to-clear.
 *   The PMU's HP interrupt reaches the CPU as source ETS_PMU_INTR_SOURCE,
 *   allocated with esp_intr_alloc at level CONFIG_ESP_AMP_DOORBELL_INTR_LEVEL
 *   (1..3: at or below the level FreeRTOS critical sections mask, so the
 *   library's critical sections keep the handler out).
 *
 * Handler order: read the status (the source may be raised by other PMU
 * events), clear the trigger, fence, then call the library's handler. A
 * ring that arrives while the handler runs sets the status again and the
 * interrupt is taken once more; clearing after the handler could lose it.
 *
 * Raising: fence first, so every earlier store to the shared region is
 * visible to the LP core before its interrupt can fire.
 */
#include <stddef.h>
#include <stdint.h>

#include "esp_amp_env.h"
#include "esp_amp_esp_lp.h"
#include "esp_amp_platform.h"

#include "esp_intr_alloc.h"
#include "esp_log.h"
#include "esp_rom_sys.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "heap_memory_layout.h"
#include "soc/interrupts.h"
#include "soc/pmu_reg.h"

#if CONFIG_ESP_AMP_DOORBELL_INTR_LEVEL < 1 || CONFIG_ESP_AMP_DOORBELL_INTR_LEVEL > 3
#error "CONFIG_ESP_AMP_DOORBELL_INTR_LEVEL: 1..3"
#endif

/* Keep the heap out of the shared region. */
SOC_RESERVE_MEMORY_REGION(ESP_AMP_ESP_SHM_START, ESP_AMP_ESP_SHM_END, esp_amp_shm);

static const char *TAG = "esp_amp";

static void (*volatile s_isr)(void);
static intr_handle_t s_intr;
static portMUX_TYPE s_ena_lock = portMUX_INITIALIZER_UNLOCKED;

int esp_amp_platform_core_id(void)
{
    return ESP_AMP_CORE_MAIN;
}

static void pmu_doorbell_isr(void *arg)
{
    (void)arg;
    if ((REG_READ(PMU_HP_INT_ST_REG) & PMU_SW_INT_ST) == 0) {
        return; /* another PMU event, not ours */
    }
    REG_WRITE(PMU_HP_INT_CLR_REG, PMU_SW_INT_CLR);
    esp_amp_esp_lp_fence();
    void (*isr)(void) = s_isr;
    if (isr != NULL) {
        esp_amp_env_freertos_isr_enter();
        isr();
        esp_amp_env_freertos_isr_exit();
    }
}

static void set_enabled(bool on)
{
    portENTER_CRITICAL(&s_ena_lock);
    if (on) {
        REG_SET_BIT(PMU_HP_INT_ENA_REG, PMU_SW_INT_ENA);
    } else {
        REG_CLR_BIT(PMU_HP_INT_ENA_REG, PMU_SW_INT_ENA);
    }
    portEXIT_CRITICAL(&s_ena_lock);
}

void esp_amp_platform_set_doorbell_handler(void (*isr)(void))
{
    if (isr == NULL) {
        set_enabled(false);
        s_isr = NULL;
        return;
    }
    s_isr = isr;
    if (s_intr == NULL) {
        /* Allocated on the calling core; not IRAM-safe: the library's code
         * lives in flash, so the doorbell waits while the flash is busy. */
        esp_err_t err = esp_intr_alloc(ETS_PMU_INTR_SOURCE,
                                       1 << CONFIG_ESP_AMP_DOORBELL_INTR_LEVEL,
                                       pmu_doorbell_isr, NULL, &s_intr);
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "doorbell: esp_intr_alloc(PMU) failed: %s", esp_err_to_name(err));
            s_isr = NULL;
            return;
        }
    }
    /* No clear here: a ring that came before the handler was installed is
     * still pending and is taken now (the handler only looks for work). */
    set_enabled(true);
}

uint32_t esp_amp_platform_get_time_ms(void)
{
    return (uint32_t)(esp_timer_get_time() / 1000);
}

void esp_amp_platform_delay_us(uint32_t us)
{
    esp_rom_delay_us(us);
}
