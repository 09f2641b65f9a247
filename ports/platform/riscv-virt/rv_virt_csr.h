/*
 * rv_virt_csr.h - CSR and MMIO helpers (private to the port).
 */
#ifndef RV_VIRT_CSR_H
#define RV_VIRT_CSR_H

#include <stdint.h>
#include "rv_virt_hw.h"

#define RV_CSR_READ(name, var) __asm__ volatile("csrr %0, " #name : "=r"(var))
#define RV_CSR_SET(name, bits) __asm__ volatile("csrs " #name ", %0" ::"r"(bits) : "memory")
#define RV_CSR_CLEAR(name, bits) __asm__ volatile("csrc " #name ", %0" ::"r"(bits) : "memory")

static inline uint32_t rv_read_mhartid(void)
{
    uint32_t v;
    RV_CSR_READ(mhartid, v);
    return v;
}

/* Order all earlier memory accesses before later device accesses and the
 * other way round (shared-memory writes before a doorbell write). */
static inline void rv_fence_all(void)
{
    __asm__ volatile("fence iorw, iorw" ::: "memory");
}

static inline void rv_mmio_w32(uint32_t addr, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)addr = v;
}
static inline uint32_t rv_mmio_r32(uint32_t addr)
{
    return *(volatile uint32_t *)(uintptr_t)addr;
}
static inline void rv_mmio_w8(uint32_t addr, uint8_t v)
{
    *(volatile uint8_t *)(uintptr_t)addr = v;
}
static inline uint8_t rv_mmio_r8(uint32_t addr)
{
    return *(volatile uint8_t *)(uintptr_t)addr;
}

/* Print without taking the UART lock (for fatal traps). */
void rv_virt_uart_raw_puts(const char *s);

#endif /* RV_VIRT_CSR_H */
