/*
 * esp_amp_platform_lp.c - platform port, LP core side (sub core) of the
 * ESP32-C6 / ESP32-C5: bare metal on ESP-IDF's LP-core runtime (its
 * start-up code, vector table and interrupt dispatch), with the env port
 * ports/env/baremetal (this file provides its interrupt hooks).
 *
 * Doorbell: the PMU's HP/LP software triggers (see esp_amp_platform_hp.c).
 *   PMU_HP_LP_CPU_COMM_REG   bit 30 LP_TRIGGER_HP raises the HP core's
 *                            doorbell, bit 31 HP_TRIGGER_LP this core's.
 *   PMU_LP_INT_ENA_REG / _ST_REG / _CLR_REG, bit PMU_HP_SW_TRIGGER_INT (31):
 *                            this core's view of HP_TRIGGER_LP: enable,
 *                            masked status, write-1-to-clear.
 *   All LP-core interrupts arrive on one CPU line (mie bit 30 on these
 *   chips); the runtime's dispatcher calls ulp_lp_core_lp_pmu_intr_handler,
 *   a weak symbol overridden here.
 * set_doorbell_handler enables the PMU source and the CPU line; the global
 * enable (mstatus.MIE) stays with the application: it calls
 * ulp_lp_core_intr_enable() once it is ready to take interrupts.
 *
 * Handler order: clear, fence, then the library's handler (a ring during
 * the handler is taken again). Raising: fence, then trigger.
 *
 * Time: the LP core's 64-bit cycle counter (mcycle/mcycleh) at the LP
 * core's clock: RC_FAST (about 16 MHz; not calibrated, so time is rough) or
 * the crystal (40 MHz, 48 MHz on chips with a 48 MHz crystal), by the
 * RTC fast clock source chosen in Kconfig.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_amp_env.h"
#include "esp_amp_esp_lp.h"
#include "esp_amp_platform.h"

#include "soc/pmu_reg.h"
#include "soc/soc_caps.h"
#include "ulp_lp_core_interrupts.h"
#include "ulp_lp_core_utils.h"

#if !SOC_LP_CORE_SINGLE_INTERRUPT_VECTOR
#error "esp-lp: the LP core is expected to have one interrupt line for every source"
#endif
#define LP_CPU_EXT_INTR_LINE (1u << 30)
#define MSTATUS_MIE_BIT 8u

#if CONFIG_RTC_FAST_CLK_SRC_XTAL
#if SOC_XTAL_SUPPORT_48M
#define LP_CPU_HZ 48000000u
#else
#define LP_CPU_HZ 40000000u
#endif
#else
#define LP_CPU_HZ 16000000u
#endif

static void (*volatile s_isr)(void);

int esp_amp_platform_core_id(void)
{
    return ESP_AMP_CORE_SUB;
}

void LP_CORE_ISR_ATTR ulp_lp_core_lp_pmu_intr_handler(void)
{
    if ((REG_READ(PMU_LP_INT_ST_REG) & PMU_HP_SW_TRIGGER_INT_ST) == 0) {
        return;
    }
    REG_WRITE(PMU_LP_INT_CLR_REG, PMU_HP_SW_TRIGGER_INT_CLR);
    esp_amp_esp_lp_fence();
    void (*isr)(void) = s_isr;
    if (isr != NULL) {
        bool was_in_isr = esp_amp_env_in_isr();
        esp_amp_port_set_in_isr(true);
        isr();
        esp_amp_port_set_in_isr(was_in_isr);
    }
}

void esp_amp_platform_set_doorbell_handler(void (*isr)(void))
{
    uint32_t st = esp_amp_port_irq_save();
    if (isr == NULL) {
        REG_CLR_BIT(PMU_LP_INT_ENA_REG, PMU_HP_SW_TRIGGER_INT_ENA);
        s_isr = NULL;
    } else {
        s_isr = isr;
        REG_SET_BIT(PMU_LP_INT_ENA_REG, PMU_HP_SW_TRIGGER_INT_ENA);
        __asm__ volatile("csrs mie, %0" : : "r"(LP_CPU_EXT_INTR_LINE) : "memory");
    }
    esp_amp_port_irq_restore(st);
}

static uint64_t cycles(void)
{
    uint32_t hi, lo, hi2;
    do {
        __asm__ volatile("csrr %0, mcycleh" : "=r"(hi));
        __asm__ volatile("csrr %0, mcycle" : "=r"(lo));
        __asm__ volatile("csrr %0, mcycleh" : "=r"(hi2));
    } while (hi != hi2);
    return ((uint64_t)hi << 32) | lo;
}

uint32_t esp_amp_platform_get_time_ms(void)
{
    return (uint32_t)(cycles() / (LP_CPU_HZ / 1000u));
}

void esp_amp_platform_delay_us(uint32_t us)
{
    ulp_lp_core_delay_us(us);
}

/* ---- hooks of ports/env/baremetal ------------------------------------- */

/* Clear mstatus.MIE, return whether it was set. csrrci is atomic: an
 * interrupt cannot slip in between the read and the clear. */
uint32_t esp_amp_port_irq_save(void)
{
    uint32_t prev;
    __asm__ volatile("csrrci %0, mstatus, %1" : "=r"(prev) : "i"(MSTATUS_MIE_BIT) : "memory");
    return prev & MSTATUS_MIE_BIT;
}

void esp_amp_port_irq_restore(uint32_t state)
{
    if (state & MSTATUS_MIE_BIT) {
        __asm__ volatile("csrsi mstatus, %0" : : "i"(MSTATUS_MIE_BIT) : "memory");
    }
}
