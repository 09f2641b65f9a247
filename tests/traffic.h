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
 * never comes back after a newer one. tr_fill_gen / tr_check_gen write and
 * check such a message: the session number is the first 4 body bytes (so
 * it is at least TR_GEN_MIN bytes long) and the pattern depends on it.
 *
 * Short messages (fewer bytes than a header): tr_fill writes bytes that are
 * a hash of (sequence, stream, length, position); they cannot say which
 * message they are, so the receiver checks them against the one it expects
 * (tr_expect, which takes messages of every length). A lost, doubled or
 * reordered message then differs from the expected one (for a 1-byte
 * message with probability 255/256; as the receiver's expected number stays
 * off by one after a loss or a double, the following messages differ too,
 * so the stream fails within a few messages), and so does a changed byte.
 *
 * Short messages across restarts (any length, below TR_GEN_MIN too):
 * tr_fill_session writes message (session, sequence) as tr_fill_gen from
 * TR_GEN_MIN bytes on, and below as tr_fill of the seed tr_gen_seq(session,
 * sequence), so its bytes depend on the session too but do not name it.
 * tr_expect_gen checks one against the (session, sequence) the receiver
 * expects: a message of another session differs like another message of
 * the same one (1 byte: probability 255/256). tr_session_expect follows a
 * sender's sessions: a message of TR_GEN_MIN bytes or more names its
 * session and may begin a newer one (tr_session_accept); a shorter one must
 * be the next of the current session. So the sender makes the first
 * message (sequence 0) of each session at least TR_GEN_MIN bytes long.
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
    TR_E_STREAM,       /* the header names another stream              */
};

/* Smallest message of tr_fill_gen / tr_check_gen. */
#define TR_GEN_MIN ((uint16_t)(TR_HDR_SIZE + 4u))

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

/* Byte `i` of the short message `seq` of `stream`, `len` bytes long. */
static inline uint8_t tr_short_byte(uint32_t seq, uint16_t stream, uint16_t len,
                                    uint32_t i)
{
    uint32_t x = seq * 0x9e3779b1u ^ (uint32_t)stream * 0x85ebca77u ^
                 (uint32_t)len * 0xc2b2ae3du ^ (i >> 2) * 0x27d4eb2fu;
    x ^= x >> 15;
    x *= 0x2c1b3c6du;
    x ^= x >> 12;
    x *= 0x297a2d39u;
    x ^= x >> 15;
    return (uint8_t)(x >> ((i & 3u) * 8u));
}

/* A length in [min, max] for message `seq` of `stream` (min <= max). */
static inline uint16_t tr_len(uint32_t seq, uint16_t stream, uint16_t min,
                              uint16_t max)
{
    uint32_t x = tr_short_byte(seq, stream, 0, 0) |
                 (uint32_t)tr_short_byte(seq, stream, 0, 1) << 8 |
                 (uint32_t)tr_short_byte(seq, stream, 0, 2) << 16;
    return (uint16_t)(min + x % ((uint32_t)max - min + 1u));
}

/* The pattern seed of message `seq` in session `gen` (0: no session). */
static inline uint32_t tr_gen_seq(uint32_t gen, uint32_t seq)
{
    return seq ^ gen * 0x9e3779b1u;
}

static inline void tr_fill_body(uint8_t *b, uint16_t len, uint16_t stream,
                                uint32_t seq, uint32_t pseq, uint32_t skip)
{
    tr_hdr_t h = {seq, stream, len, 0};
    uint32_t n = (uint32_t)len - TR_HDR_SIZE;
    for (uint32_t i = skip; i < n; i++) {
        b[TR_HDR_SIZE + i] = tr_pattern(pseq, stream, i);
    }
    h.sum = tr_checksum(b + TR_HDR_SIZE, n);
    tr_copy(b, &h, TR_HDR_SIZE);
}

/* Write message `seq` of `stream`, `len` bytes (any length >= 1; below
 * TR_HDR_SIZE a short message). */
static inline void tr_fill(void *buf, uint16_t len, uint16_t stream, uint32_t seq)
{
    uint8_t *b = buf;
    if (len < TR_HDR_SIZE) {
        for (uint32_t i = 0; i < len; i++) {
            b[i] = tr_short_byte(seq, stream, len, i);
        }
        return;
    }
    tr_fill_body(b, len, stream, seq, seq, 0);
}

/* Write message `seq` of session `gen` of `stream` (len >= TR_GEN_MIN). */
static inline void tr_fill_gen(void *buf, uint16_t len, uint16_t stream,
                               uint32_t gen, uint32_t seq)
{
    uint8_t *b = buf;
    tr_copy(b + TR_HDR_SIZE, &gen, 4);
    tr_fill_body(b, len, stream, seq, tr_gen_seq(gen, seq), 4);
}

static inline int tr_check_body(const uint8_t *b, uint16_t len, tr_hdr_t *h,
                                uint32_t gen, uint32_t skip, uint32_t *bad)
{
    tr_copy(h, b, TR_HDR_SIZE);
    if (h->len != len) {
        return TR_E_LEN;
    }
    uint32_t n = (uint32_t)len - TR_HDR_SIZE;
    uint32_t pseq = tr_gen_seq(gen, h->seq);
    for (uint32_t i = skip; i < n; i++) {
        if (b[TR_HDR_SIZE + i] != tr_pattern(pseq, h->stream, i)) {
            *bad = i;
            return TR_E_DATA;
        }
    }
    return tr_checksum(b + TR_HDR_SIZE, n) == h->sum ? TR_OK : TR_E_SUM;
}

/* Check a received message of `len` bytes; its header goes to *h (also on
 * failure, when it was long enough), the first bad body byte to *bad. */
static inline int tr_check(const void *buf, uint16_t len, tr_hdr_t *h, uint32_t *bad)
{
    if (len < TR_HDR_SIZE) {
        return TR_E_SHORT;
    }
    return tr_check_body(buf, len, h, 0, 0, bad);
}

/* tr_check for a message of tr_fill_gen; its session goes to *gen. */
static inline int tr_check_gen(const void *buf, uint16_t len, tr_hdr_t *h,
                               uint32_t *gen, uint32_t *bad)
{
    const uint8_t *b = buf;
    if (len < TR_GEN_MIN) {
        return TR_E_SHORT;
    }
    tr_copy(gen, b + TR_HDR_SIZE, 4);
    return tr_check_body(b, len, h, *gen, 4, bad);
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

/* A message of `len` bytes (any length) must be message *next of `stream`:
 * checks it is exactly that one (a short message byte by byte, see the top
 * of the file: then a wrong message is TR_E_DATA; a full one by tr_check,
 * its stream and tr_accept), then moves *next past it in every case, so one
 * bad message is reported once. *bad: first bad byte (TR_E_DATA). */
static inline int tr_expect(const void *buf, uint16_t len, uint16_t stream,
                            uint32_t *next, uint32_t *bad)
{
    const uint8_t *b = buf;
    uint32_t seq = *next;
    *next = seq + 1u;
    if (len < TR_HDR_SIZE) {
        for (uint32_t i = 0; i < len; i++) {
            if (b[i] != tr_short_byte(seq, stream, len, i)) {
                *bad = i;
                return TR_E_DATA;
            }
        }
        return TR_OK;
    }
    tr_hdr_t h;
    int e = tr_check(b, len, &h, bad);
    if (e != TR_OK) {
        return e;
    }
    if (h.stream != stream) {
        return TR_E_STREAM;
    }
    return tr_accept(&seq, h.seq);
}

/* Write message `seq` of session `gen` of `stream`, `len` bytes (any length
 * >= 1): from TR_GEN_MIN bytes on tr_fill_gen (the message names its session
 * and sequence); shorter, tr_fill of the seed tr_gen_seq(gen, seq): below
 * TR_HDR_SIZE hash bytes, from TR_HDR_SIZE a header whose sequence field is
 * that seed. A shorter message does not say which it is: the receiver checks
 * it against the one it expects (tr_expect_gen). Session 0 writes the short
 * messages of tr_fill. */
static inline void tr_fill_session(void *buf, uint16_t len, uint16_t stream,
                                   uint32_t gen, uint32_t seq)
{
    if (len >= TR_GEN_MIN) {
        tr_fill_gen(buf, len, stream, gen, seq);
    } else {
        tr_fill(buf, len, stream, tr_gen_seq(gen, seq));
    }
}

/* tr_expect for messages of tr_fill_session: a message of `len` bytes (any
 * length) must be message *next of session `gen` of `stream`. Shorter than
 * TR_GEN_MIN it is compared with that one (tr_expect of its seed), so a
 * message of another session, like another message of this one, differs:
 * TR_E_DATA (from TR_HDR_SIZE bytes TR_E_SEQ, or TR_E_DATA/TR_E_SUM), for a
 * 1-byte message with probability 255/256, from 4 bytes on 1 - 2^-32. From
 * TR_GEN_MIN bytes: tr_check_gen, then TR_E_STREAM for another stream,
 * TR_E_SESSION for another session, TR_E_SEQ for another sequence. Moves
 * *next past it in every case (one bad message is reported once). *bad:
 * first bad byte (TR_E_DATA; of the body from TR_GEN_MIN bytes on). */
static inline int tr_expect_gen(const void *buf, uint16_t len, uint16_t stream,
                                uint32_t gen, uint32_t *next, uint32_t *bad)
{
    uint32_t seq = *next;
    *next = seq + 1u;
    if (len < TR_GEN_MIN) {
        uint32_t pseq = tr_gen_seq(gen, seq);
        return tr_expect(buf, len, stream, &pseq, bad);
    }
    tr_hdr_t h;
    uint32_t g;
    int e = tr_check_gen(buf, len, &h, &g, bad);
    if (e != TR_OK) {
        return e;
    }
    if (h.stream != stream) {
        return TR_E_STREAM;
    }
    if (g != gen) {
        return TR_E_SESSION;
    }
    return h.seq == seq ? TR_OK : TR_E_SEQ;
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

/* A message of `len` bytes (any length, of tr_fill_session) on `stream` from
 * a sender whose sessions *s follows. From TR_GEN_MIN bytes on it names its
 * session and sequence: tr_check_gen, its stream (TR_E_STREAM), then
 * tr_session_accept (it may begin a newer session at 0). A shorter one must
 * be message s->next of session s->gen (tr_expect_gen, which moves s->next
 * on, also when it fails); before any session, TR_E_SEQ. So the sender makes
 * each session's first message at least TR_GEN_MIN bytes long; then a short
 * message of an older session after a newer one began, and a short message
 * after a lost or doubled one, is compared with another message and fails
 * (1 byte: probability 255/256; as s->next then stays off by one, the
 * following short messages fail with that probability each, and the next
 * message of TR_GEN_MIN bytes or more fails for certain, TR_E_SEQ).
 * *h, *gen: the header and session of the message (short: the sequence and
 * session it was compared with, its length and stream, sum 0);
 * *new_session: it began a session; *bad: first bad byte (TR_E_DATA). */
static inline int tr_session_expect(tr_session_t *s, const void *buf,
                                    uint16_t len, uint16_t stream,
                                    tr_hdr_t *h, uint32_t *gen,
                                    bool *new_session, uint32_t *bad)
{
    *new_session = false;
    if (len < TR_GEN_MIN) {
        h->seq = s->next;
        h->stream = stream;
        h->len = len;
        h->sum = 0;
        *gen = s->gen;
        if (!s->any) {
            return TR_E_SEQ;
        }
        return tr_expect_gen(buf, len, stream, s->gen, &s->next, bad);
    }
    int e = tr_check_gen(buf, len, h, gen, bad);
    if (e != TR_OK) {
        return e;
    }
    if (h->stream != stream) {
        return TR_E_STREAM;
    }
    return tr_session_accept(s, *gen, h->seq, new_session);
}

#endif /* TRAFFIC_H */
