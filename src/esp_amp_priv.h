/*
 * esp_amp_priv.h - internals shared by the core's modules (not installed).
 *
 *   - per-core library state, selected through the platform port so that
 *     two simulated cores may live in one address space;
 *   - errors: internal functions return an esp_amp_err_t (0 = success);
 *     only the public calls record it as the last error (esp_amp_fail);
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

#include "esp_amp_config.h"
#include "esp_amp_env.h"
#include "esp_amp_err.h"
#include "esp_amp_platform.h"
#include "esp_amp_queue.h"
#include "esp_amp_shm.h"
#include "esp_amp_sw_intr.h"

/* A one- or two-instruction helper (an accessor): built into every
 * caller, whatever the optimisation. */
#if defined(__GNUC__)
#define ESP_AMP_ACCESS static inline __attribute__((always_inline))
#else
#define ESP_AMP_ACCESS static inline
#endif

typedef struct {
    esp_amp_sw_intr_handler_t fn;
    void *arg;
    uint32_t bit;                    /* 1u << source; 0: the slot is free  */
} esp_amp_sw_intr_slot_t;

typedef struct {
    const uint32_t *session_word;    /* the region header's session        */
    esp_amp_err_t last_err;
    bool sw_intr_ready;
    /* main core, once it has allocated a block: check the region header
     * and registry, rewrite them if damaged (esp_amp_sys_info.c) */
    bool (*repair)(void);
    esp_amp_sw_intr_slot_t sw_intr[ESP_AMP_CONFIG_SW_INTR_HANDLERS];
#if ESP_AMP_CONFIG_MAIN_CORE
    struct {                         /* the region header as formatted     */
        esp_amp_shm_header_t h;
        esp_amp_shm_sys_info_entry_t e[ESP_AMP_CONFIG_SYS_INFO_SLOTS];
    } shadow;
#endif
    esp_amp_queue_t default_vq[2];   /* esp_amp_rpmsg_main_init/sub_init   */
} esp_amp_core_state_t;

extern esp_amp_core_state_t esp_amp_core_states[ESP_AMP_PORT_CORE_SLOTS];

ESP_AMP_ACCESS esp_amp_core_state_t *esp_amp_core_state(void)
{
    return &esp_amp_core_states[ESP_AMP_PORT_CORE_SLOT()];
}

/* Record `err` as this core's last error; returns -1 for `return fail(..)`. */
static inline int esp_amp_fail(esp_amp_err_t err)
{
    esp_amp_core_state()->last_err = err;
    return -1;
}
/* The same for calls that return a pointer. */
static inline void *esp_amp_fail_null(esp_amp_err_t err)
{
    esp_amp_core_state()->last_err = err;
    return NULL;
}

/* A helper of the hot path with several callers: built into each caller
 * (and specialised for its constant arguments) when the compiler
 * optimises for speed, one shared copy when it optimises for size or not
 * at all (-O0, as in the coverage build: one copy, one set of branches). */
#if defined(__GNUC__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#define ESP_AMP_HOT static inline __attribute__((always_inline))
#else
#define ESP_AMP_HOT static
#endif
/* A helper built into each of its callers in every optimised build: where
 * the copies (specialised for their constant arguments) cost fewer bytes
 * than the calls and their register saves (measured with lean-core and
 * make size). At -O0 one shared copy, as for ESP_AMP_HOT. */
#if defined(__GNUC__) && defined(__OPTIMIZE__)
#define ESP_AMP_INLINE static inline __attribute__((always_inline))
#else
#define ESP_AMP_INLINE static
#endif
/* The full path behind an inline fast path: kept out of line, so that the
 * fast path needs no stack frame. */
#if defined(__GNUC__)
#define ESP_AMP_SLOW static __attribute__((noinline))
#else
#define ESP_AMP_SLOW static
#endif

/* Shared-memory accessors, built into every caller (each is one
 * instruction or two on the targets). The casts to _Atomic are the usual way to do
 * atomic access on a plain shared layout; sizes and alignment are equal. */
ESP_AMP_ACCESS uint32_t shm_ld32(const uint32_t *p)
{
    return atomic_load_explicit((_Atomic uint32_t *)(uintptr_t)p,
                                memory_order_relaxed);
}
ESP_AMP_ACCESS uint32_t shm_ld32_acq(const uint32_t *p)
{
    return atomic_load_explicit((_Atomic uint32_t *)(uintptr_t)p,
                                memory_order_acquire);
}
ESP_AMP_ACCESS void shm_st32(uint32_t *p, uint32_t v)
{
    atomic_store_explicit((_Atomic uint32_t *)p, v, memory_order_relaxed);
}
ESP_AMP_ACCESS void shm_st32_rel(uint32_t *p, uint32_t v)
{
    atomic_store_explicit((_Atomic uint32_t *)p, v, memory_order_release);
}
ESP_AMP_ACCESS uint16_t shm_ld16(const uint16_t *p)
{
    return atomic_load_explicit((_Atomic uint16_t *)(uintptr_t)p,
                                memory_order_relaxed);
}
ESP_AMP_ACCESS uint16_t shm_ld16_acq(const uint16_t *p)
{
    return atomic_load_explicit((_Atomic uint16_t *)(uintptr_t)p,
                                memory_order_acquire);
}
ESP_AMP_ACCESS void shm_st16(uint16_t *p, uint16_t v)
{
    atomic_store_explicit((_Atomic uint16_t *)p, v, memory_order_relaxed);
}
ESP_AMP_ACCESS void shm_st16_rel(uint16_t *p, uint16_t v)
{
    atomic_store_explicit((_Atomic uint16_t *)p, v, memory_order_release);
}
ESP_AMP_ACCESS void shm_fence(void)
{
    atomic_thread_fence(memory_order_seq_cst);
}

/* v rounded up to a multiple of `a` (a power of two); wraps to a smaller
 * value on overflow, which callers that can overflow check for. */
static inline uint32_t esp_amp_align_up(uint32_t v, uint32_t a)
{
    return (v + (a - 1u)) & ~(a - 1u);
}

/* Copy and fill. Freestanding C compilers may emit calls to memcpy and
 * memset on their own, so every target provides them; the core uses them
 * through the builtins and includes no libc header. */
#define esp_amp_copy(dst, src, n) __builtin_memcpy((dst), (src), (n))
#define esp_amp_zero(dst, n) __builtin_memset((dst), 0, (n))

/* Per-device counters, compiled out with ESP_AMP_CONFIG_STATS 0. */
#if ESP_AMP_CONFIG_STATS
#define STAT_INC(dev, field) ((dev)->stats.field++)
#else
#define STAT_INC(dev, field) ((void)(dev))
#endif

/* Raise source `intr_id` (valid) on core `core` of a bound device's
 * region: the library's own triggers, without the public calls' checks. */
void esp_amp_sw_intr_raise(int core, unsigned intr_id);
static inline void esp_amp_raise_peer(unsigned intr_id)
{
    esp_amp_sw_intr_raise(esp_amp_platform_core_id() ^ 1, intr_id);
}
static inline void esp_amp_raise_self(unsigned intr_id)
{
    esp_amp_sw_intr_raise(esp_amp_platform_core_id(), intr_id);
}

/* The registry lookup behind esp_amp_sys_info_get, _attach and _session;
 * it records no error. ESP_AMP_ERR_NOT_INIT if the region header is not
 * complete. Otherwise it stores the header's session in *session (read
 * before any entry) and, with `block` NULL, returns 0 at once; else it
 * returns 0 with block `info_id` in *block and its size in *size (both
 * not NULL then), or ESP_AMP_ERR_NOT_FOUND. The sub core's first
 * look before it binds a block: one header check for the block and the
 * session it belongs to. */
esp_amp_err_t esp_amp_sys_info_find(uint16_t info_id, void **block,
                                    uint32_t *size, uint32_t *session);

/* Main core: check the region header and registry against what it wrote,
 * rewrite them if the peer damaged them (nothing on a core that has
 * allocated no block). */
static inline void esp_amp_sys_info_repair(void)
{
    bool (*repair)(void) = esp_amp_core_state()->repair;
    if (repair != NULL) {
        (void)repair();
    }
}

#endif /* ESP_AMP_PRIV_H */
