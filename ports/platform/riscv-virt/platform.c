/*
 * platform.c - esp_amp_platform.h for QEMU "virt" (two harts, M-mode).
 *
 *   shared region    the SHM_RAM range of ld/memmap.ld, the same physical
 *                    addresses in both images, outside both of them
 *   core id          mhartid: hart 0 = main core, hart 1 = sub core
 *   doorbell         the CLINT machine software interrupt (msip[hart]);
 *                    the trap handler clears our msip before calling the
 *                    handler, so a doorbell rung while it runs is taken
 *                    again afterwards (the library's pending bits in
 *                    shared memory say what it was for)
 *   time             CLINT mtime, 10 MHz
 *   critical section mstatus.MIE (the env port keeps the nesting count)
 *   in_isr           set around the doorbell handler through the env
 *                    port's esp_amp_port_set_in_isr()
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_amp_env.h"
#include "esp_amp_platform.h"
#include "rv_virt.h"
#include "rv_virt_csr.h"

/* Linker symbols from ld/memmap.ld: their addresses are the values. */
extern uint8_t __rv_shm_base[];
extern uint8_t __rv_shm_size[];

static void (*volatile s_doorbell_isr)(void);
static volatile uint32_t s_doorbell_count;

void *esp_amp_platform_shm_base(void)
{
    return __rv_shm_base;
}

uint32_t esp_amp_platform_shm_size(void)
{
    return (uint32_t)(uintptr_t)__rv_shm_size;
}

int esp_amp_platform_core_id(void)
{
    return rv_read_mhartid() == RV_MAIN_HART ? ESP_AMP_CORE_MAIN
                                             : ESP_AMP_CORE_SUB;
}

void esp_amp_platform_raise_doorbell(int core_id)
{
    uint32_t hart;
    if (core_id == ESP_AMP_CORE_MAIN) {
        hart = RV_MAIN_HART;
    } else if (core_id == ESP_AMP_CORE_SUB) {
        hart = RV_SUB_HART;
    } else {
        return;
    }
    rv_fence_all();   /* everything written to shared memory goes first */
    rv_mmio_w32(RV_CLINT_MSIP(hart), 1);
}

void esp_amp_platform_set_doorbell_handler(void (*isr)(void))
{
    if (isr == NULL) {
        RV_CSR_CLEAR(mie, RV_MIE_MSIE);
        s_doorbell_isr = NULL;
    } else {
        s_doorbell_isr = isr;
        RV_CSR_SET(mie, RV_MIE_MSIE);
    }
}

uint64_t rv_virt_mtime(void)
{
    uint32_t hi, lo;
    do {
        hi = rv_mmio_r32(RV_CLINT_MTIME + 4);
        lo = rv_mmio_r32(RV_CLINT_MTIME);
    } while (hi != rv_mmio_r32(RV_CLINT_MTIME + 4));
    return ((uint64_t)hi << 32) | lo;
}

uint32_t esp_amp_platform_get_time_ms(void)
{
    return (uint32_t)(rv_virt_mtime() / (RV_MTIME_HZ / 1000u));
}

void esp_amp_platform_delay_us(uint32_t us)
{
    uint64_t end = rv_virt_mtime() + (uint64_t)us * (RV_MTIME_HZ / 1000000u);
    while (rv_virt_mtime() < end) {
    }
}

uint32_t rv_virt_hartid(void)
{
    return rv_read_mhartid();
}

/* Hooks of ports/env/baremetal (which defines weak generic versions of
 * these two and esp_amp_port_set_in_isr, called by the trap handler). */

uint32_t esp_amp_port_irq_save(void)
{
    uint32_t old;
    __asm__ volatile("csrrci %0, mstatus, %1"
                     : "=r"(old)
                     : "i"(RV_MSTATUS_MIE)
                     : "memory");
    return old & RV_MSTATUS_MIE;
}

void esp_amp_port_irq_restore(uint32_t state)
{
    if (state & RV_MSTATUS_MIE) {
        __asm__ volatile("csrsi mstatus, %0" ::"i"(RV_MSTATUS_MIE) : "memory");
    }
}

static void timer_disarm(uint32_t hart)
{
    RV_CSR_CLEAR(mie, RV_MIE_MTIE);
    rv_mmio_w32(RV_CLINT_MTIMECMP(hart) + 4, 0xffffffffu);
    rv_mmio_w32(RV_CLINT_MTIMECMP(hart), 0xffffffffu);
}

static void timer_arm(uint32_t hart, uint64_t when)
{
    rv_mmio_w32(RV_CLINT_MTIMECMP(hart) + 4, 0xffffffffu);
    rv_mmio_w32(RV_CLINT_MTIMECMP(hart), (uint32_t)when);
    rv_mmio_w32(RV_CLINT_MTIMECMP(hart) + 4, (uint32_t)(when >> 32));
    RV_CSR_SET(mie, RV_MIE_MTIE);
}

bool rv_virt_wait(bool (*cond)(void *arg), void *arg, uint32_t timeout_us)
{
    uint32_t st = esp_amp_port_irq_save();
    if (cond == NULL || !cond(arg)) {
        /* The timer only wakes the WFI: it is disarmed again before
         * interrupts are re-enabled, so it never traps. */
        uint32_t hart = rv_read_mhartid();
        if (timeout_us != 0) {
            timer_arm(hart, rv_virt_mtime() +
                                (uint64_t)timeout_us * (RV_MTIME_HZ / 1000000u));
        }
        __asm__ volatile("wfi" ::: "memory");
        if (timeout_us != 0) {
            timer_disarm(hart);
        }
    }
    esp_amp_port_irq_restore(st);   /* a pending doorbell is taken here */
    return cond != NULL && cond(arg);
}

uint32_t rv_virt_doorbell_count(void)
{
    return s_doorbell_count;
}

/* Trap handler (called from start.S with interrupts disabled) ----------- */

static void put_hex(char *p, uint32_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = "0123456789abcdef"[v & 15u];
        v >>= 4;
    }
}

void rv_virt_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval);
void rv_virt_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval)
{
    if (mcause == (RV_MCAUSE_INTR | RV_IRQ_M_SOFT)) {
        rv_mmio_w32(RV_CLINT_MSIP(rv_read_mhartid()), 0);
        rv_fence_all();
        s_doorbell_count = s_doorbell_count + 1;
        void (*isr)(void) = s_doorbell_isr;
        bool was_in_isr = esp_amp_env_in_isr();
        esp_amp_port_set_in_isr(true);
        if (isr != NULL) {
            isr();
        }
        esp_amp_port_set_in_isr(was_in_isr);
        return;
    }
    if (mcause == (RV_MCAUSE_INTR | RV_IRQ_M_TIMER)) {
        timer_disarm(rv_read_mhartid());   /* not expected; harmless */
        return;
    }
    /* Anything else is a bug in the firmware: report and fail the run. */
    char msg[] = "\nFATAL hart ? trap mcause=XXXXXXXX mepc=XXXXXXXX mtval=XXXXXXXX\n";
    msg[12] = (char)('0' + (rv_read_mhartid() & 7u));
    put_hex(&msg[26], mcause);
    put_hex(&msg[40], mepc);
    put_hex(&msg[55], mtval);
    rv_virt_uart_raw_puts(msg);
    rv_virt_exit(0x7f);
}
