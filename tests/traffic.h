/*
 * traffic.h - checked test traffic, shared by the host tests and the RISC-V
 * target test (header only; freestanding: no C library).
 *
 * A message: a header (sequence number, stream, total length, checksum of
 * the body) and a body of pattern bytes that depend on sequence and stream.
 * tr_fill writes one, tr_check verifies one (length, every byte, checksum).
 *
 * Delivery: tr_accept keeps the next expected sequence number of a stream
 * (exactly once and in order: anything else is TR_E_SEQ); tr_session_accept
 * does the same across restarts, where a message carries a session
 * (generation) number too: a new session starts at 0, an older session
 * never comes back after a newer one.
 */
#ifndef TRAFFIC_H
#define TRAFFIC_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint32_t seq;
    uint16_t stream;
    uint16_t len;      /* whole message, header included */
    uint32_t sum;      /* of the body */
} tr_hdr_t;

#define TR_HDR_SIZE ((uint16_t)sizeof(tr_hdr_t))

enum {
    TR_OK = 0,
    TR_E_SHORT,        /* shorter than a header                        */
    TR_E_LEN,          /* length is not the one in the header          */
    TR_E_DATA,         /* a body byte is not the pattern               */
    TR_E_SUM,          /* checksum                                     */
    TR_E_SEQ,          /* lost, doubled or reordered                   */
    TR_E_SESSION,      /* a message of an older session after a newer  */
};

static inline void tr_copy(void *dst, const void *src, uint32_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--) {
        *d++ = *s++;
    }
}

static inline uint8_t tr_pattern(uint32_t seq, uint16_t stream, uint32_t i)
{
    return (uint8_t)(seq * 31u + stream * 101u + i * 7u + (seq >> 8));
}

/* FNV-1a. */
static inline uint32_t tr_checksum(const uint8_t *p, uint32_t n)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h;
}

/* Write message `seq` of `stream`, `len` bytes (len >= TR_HDR_SIZE). */
static inline void tr_fill(void *buf, uint16_t len, uint16_t stream, uint32_t seq)
{
    uint8_t *b = buf;
    tr_hdr_t h = {seq, stream, len, 0};
    uint32_t n = (uint32_t)len - TR_HDR_SIZE;
    for (uint32_t i = 0; i < n; i++) {
        b[TR_HDR_SIZE + i] = tr_pattern(seq, stream, i);
    }
    h.sum = tr_checksum(b + TR_HDR_SIZE, n);
    tr_copy(b, &h, TR_HDR_SIZE);
}

/* Check a received message of `len` bytes; its header goes to *h (also on
 * failure, when it was long enough), the first bad body byte to *bad. */
static inline int tr_check(const void *buf, uint16_t len, tr_hdr_t *h, uint32_t *bad)
{
    const uint8_t *b = buf;
    if (len < TR_HDR_SIZE) {
        return TR_E_SHORT;
    }
    tr_copy(h, b, TR_HDR_SIZE);
    if (h->len != len) {
        return TR_E_LEN;
    }
    uint32_t n = (uint32_t)len - TR_HDR_SIZE;
    for (uint32_t i = 0; i < n; i++) {
        if (b[TR_HDR_SIZE + i] != tr_pattern(h->seq, h->stream, i)) {
            *bad = i;
            return TR_E_DATA;
        }
    }
    return tr_checksum(b + TR_HDR_SIZE, n) == h->sum ? TR_OK : TR_E_SUM;
}

/* Message `seq` arrived on a stream whose next expected number is *next. */
static inline int tr_accept(uint32_t *next, uint32_t seq)
{
    if (seq != *next) {
        return TR_E_SEQ;
    }
    *next = seq + 1u;
    return TR_OK;
}

/* One receiver's bookkeeping across sessions (restarts of the sender). */
typedef struct {
    bool any;          /* a message was accepted */
    uint32_t gen;      /* session of the last one */
    uint32_t next;     /* next expected in that session */
} tr_session_t;

/* Message `seq` of session `gen`. TR_OK; TR_E_SESSION (older session after
 * a newer one), TR_E_SEQ (a new session not starting at 0, or a loss,
 * double or reordering within one). *new_session tells whether this message
 * began a session. */
static inline int tr_session_accept(tr_session_t *s, uint32_t gen, uint32_t seq,
                                    bool *new_session)
{
    *new_session = false;
    if (s->any && gen < s->gen) {
        return TR_E_SESSION;
    }
    if (!s->any || gen != s->gen) {
        if (seq != 0) {
            return TR_E_SEQ;
        }
        s->any = true;
        s->gen = gen;
        s->next = 1;
        *new_session = true;
        return TR_OK;
    }
    return tr_accept(&s->next, seq);
}

#endif /* TRAFFIC_H */
