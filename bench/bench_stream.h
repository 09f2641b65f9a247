/*
 * bench_stream.h - receiver-side accounting of a one-way stream: a time
 * stamp every BENCH_CHUNK messages into the control block. The counter may
 * be bumped in the doorbell ISR and read by the core's main loop.
 */
#ifndef BENCH_STREAM_H
#define BENCH_STREAM_H

#include "bench.h"

typedef struct {
    _Atomic uint64_t n;   /* messages received */
    uint32_t nst;         /* stamps taken      */
} stream_rx_t;

static inline void stream_rx_init(stream_rx_t *s)
{
    atomic_store_explicit(&s->n, 0, memory_order_relaxed);
    s->nst = 0;
    memset(g_ctl->stamps, 0, sizeof(g_ctl->stamps));   /* fault pages in */
}

static inline void stream_rx_note(stream_rx_t *s)
{
    uint64_t n = atomic_load_explicit(&s->n, memory_order_relaxed);
    if ((n & (BENCH_CHUNK - 1u)) == 0 && s->nst < BENCH_MAX_SAMPLES) {
        g_ctl->stamps[s->nst++] = bench_ticks();
    }
    atomic_store_explicit(&s->n, n + 1u, memory_order_relaxed);
}

static inline uint64_t stream_rx_count(stream_rx_t *s)
{
    return atomic_load_explicit(&s->n, memory_order_relaxed);
}

static inline void stream_rx_finish(stream_rx_t *s)
{
    g_ctl->nstamps = s->nst;
    g_ctl->received = stream_rx_count(s);
}

#endif /* BENCH_STREAM_H */
