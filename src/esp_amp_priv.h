/*
 * esp_amp_priv.h - internals shared by the core's modules (not installed).
 *
 *   - per-core library state, selected through the platform port so that
 *     two simulated cores may live in one address space;
 *   - failure recording (the seed's -1/NULL plus a reason);
 *   - the only accessors used on shared memory. Every load from the region
 *     goes through shm_ld*: one real load (never re-read by the compiler),
 *     so a value is validated and used as the same value.
 */
#ifndef ESP_AMP_PRIV_H
#define ESP_AMP_PRIV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_amp_env.h"
#include "esp_amp_err.h"
#include "esp_amp_platform.h"
#include "esp_amp_queue.h"
#include "esp_amp_sw_intr.h"

typedef struct {
    esp_amp_sw_intr_handler_t fn;
    void *arg;
    uint8_t id;
} esp_amp_sw_intr_slot_t;

typedef struct {
    esp_amp_err_t last_err;
    bool sw_intr_ready;
    uint8_t sw_intr_count;
    esp_amp_sw_intr_slot_t sw_intr[ESP_AMP_SW_INTR_HANDLERS];
    uint32_t heap_top;               /* main core: next free region offset */
    esp_amp_queue_t default_vq[2];   /* esp_amp_rpmsg_main_init/sub_init   */
} esp_amp_core_state_t;

esp_amp_core_state_t *esp_amp_core_state(void);

/* Record `err` as this core's last error; returns -1 for `return fail(..)`. */
static inline int esp_amp_fail(esp_amp_err_t err)
{
    esp_amp_core_state()->last_err = err;
    return -1;
}

/* Shared-memory accessors. The casts to _Atomic are the usual way to do
 * atomic access on a plain shared layout; sizes and alignment are equal. */
static inline uint32_t shm_ld32(const uint32_t *p)
{
    return atomic_load_explicit((_Atomic uint32_t *)(uintptr_t)p,
                                memory_order_relaxed);
}
static inline uint32_t shm_ld32_acq(const uint32_t *p)
{
    return atomic_load_explicit((_Atomic uint32_t *)(uintptr_t)p,
                                memory_order_acquire);
}
static inline void shm_st32(uint32_t *p, uint32_t v)
{
    atomic_store_explicit((_Atomic uint32_t *)p, v, memory_order_relaxed);
}
static inline void shm_st32_rel(uint32_t *p, uint32_t v)
{
    atomic_store_explicit((_Atomic uint32_t *)p, v, memory_order_release);
}
static inline uint16_t shm_ld16(const uint16_t *p)
{
    return atomic_load_explicit((_Atomic uint16_t *)(uintptr_t)p,
                                memory_order_relaxed);
}
static inline uint16_t shm_ld16_acq(const uint16_t *p)
{
    return atomic_load_explicit((_Atomic uint16_t *)(uintptr_t)p,
                                memory_order_acquire);
}
static inline void shm_st16(uint16_t *p, uint16_t v)
{
    atomic_store_explicit((_Atomic uint16_t *)p, v, memory_order_relaxed);
}
static inline void shm_st16_rel(uint16_t *p, uint16_t v)
{
    atomic_store_explicit((_Atomic uint16_t *)p, v, memory_order_release);
}

/* v rounded up to a multiple of `a` (a power of two); wraps to a smaller
 * value on overflow, which callers that can overflow check for. */
static inline uint32_t esp_amp_align_up(uint32_t v, uint32_t a)
{
    return (v + (a - 1u)) & ~(a - 1u);
}

/* Byte copy / fill for shared buffers (the core uses no libc). */
void esp_amp_copy(void *dst, const void *src, uint32_t n);
void esp_amp_zero(void *dst, uint32_t n);

#endif /* ESP_AMP_PRIV_H */
