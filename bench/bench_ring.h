/*
 * bench_ring.h - the ideal SPSC ring with memcpy: the baseline the RPMsg
 * streaming figures are compared with (and, under callgrind, the
 * instruction baseline).
 *
 * head (producer-written) and tail (consumer-written) live on separate
 * 64-byte lines; each side keeps its own index locally and caches the
 * other's, re-reading the shared word only when the ring looks full/empty.
 * A slot is `stride` bytes: an 8-byte header (payload length) then the
 * payload, the same layout and stride as an RPMsg queue buffer.
 */
#ifndef BENCH_RING_H
#define BENCH_RING_H

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    _Alignas(64) _Atomic uint32_t head;   /* messages published            */
    _Alignas(64) _Atomic uint32_t tail;   /* messages released             */
    _Alignas(64) uint8_t slots[];         /* qlen * stride bytes           */
} bring_t;

typedef struct {
    bring_t *r;
    uint32_t mask;       /* qlen - 1 (qlen a power of two)                  */
    uint32_t qlen;
    uint32_t stride;
    uint32_t idx;        /* own count                                       */
    uint32_t cached;     /* last value seen of the peer's count             */
} bring_side_t;

static inline uint32_t bring_bytes(uint32_t qlen, uint32_t stride)
{
    return (uint32_t)sizeof(bring_t) + qlen * stride;
}

static inline void bring_side_init(bring_side_t *s, bring_t *r, uint32_t qlen,
                                   uint32_t stride)
{
    s->r = r;
    s->mask = qlen - 1u;
    s->qlen = qlen;
    s->stride = stride;
    s->idx = 0;
    s->cached = 0;
}

/* Producer: a free slot's payload area, or NULL if the ring is full. */
static inline uint8_t *bring_prod_try(bring_side_t *s)
{
    if (s->idx - s->cached == s->qlen) {
        s->cached = atomic_load_explicit(&s->r->tail, memory_order_acquire);
        if (s->idx - s->cached == s->qlen) {
            return NULL;
        }
    }
    return s->r->slots + (s->idx & s->mask) * s->stride + 8u;
}

static inline void bring_prod_publish(bring_side_t *s, uint8_t *payload,
                                      uint32_t len)
{
    memcpy(payload - 8u, &len, sizeof(len));
    s->idx++;
    atomic_store_explicit(&s->r->head, s->idx, memory_order_release);
}

/* Consumer: the next message's payload (and length), or NULL if empty. */
static inline uint8_t *bring_cons_try(bring_side_t *s, uint32_t *len)
{
    if (s->idx == s->cached) {
        s->cached = atomic_load_explicit(&s->r->head, memory_order_acquire);
        if (s->idx == s->cached) {
            return NULL;
        }
    }
    uint8_t *p = s->r->slots + (s->idx & s->mask) * s->stride;
    memcpy(len, p, sizeof(*len));
    return p + 8u;
}

static inline void bring_cons_release(bring_side_t *s)
{
    s->idx++;
    atomic_store_explicit(&s->r->tail, s->idx, memory_order_release);
}

#endif /* BENCH_RING_H */
