/*
 * esp_amp_ring.h - the packed virtqueue: one ring of N descriptors that
 * carries buffers from a producing core to a consuming core and back.
 *
 * THE RING
 * N (a power of two) descriptors in shared memory and N buffers of
 * item_size bytes. A descriptor is one 32-bit word {flags, index, len},
 * always written with one store and read with one load; `index` names a
 * buffer of the ring. Each side counts its operations in two free-running
 * 16-bit counters kept in local RAM, never shared:
 *
 *     producer:  head = buffers allocated      tail = buffers sent
 *     consumer:  head = buffers received       tail = buffers freed
 *
 * Operation number c always uses slot c mod N. Every slot alternates:
 *
 *     send #c (producer writes)  ->  recv #c (consumer reads)
 *     free #c (consumer writes)  ->  alloc #c+N (producer reads)
 *
 * The counts obey  recv <= send <= alloc <= free + N  and  free <= recv,
 * so a slot is never written by one side while the other still needs it:
 * send #c writes slot c only after alloc #c read it, free #c only after
 * recv #c read it. send and free may name any buffer the side holds, so
 * buffers can be sent and freed in any order. "Take" below is alloc or
 * recv (read the slot at head), "put" is send or free (write the slot at
 * tail).
 *
 * THE FLAGS
 * A reader must tell "written in this lap" from "left from the last lap".
 * Lap L = c / N has wrap bit w = 1 - (L & 1) (lap 0 has w = 1). With the two
 * flag bits AVAIL and USED:
 *
 *     sent in a lap with wrap w:   AVAIL = w, USED = !w
 *     freed in a lap with wrap w:  AVAIL = w, USED = w
 *
 * recv #c waits for "sent, wrap w(c)"; alloc #c waits for "freed, wrap
 * w(c - N) = !w(c)". Flags 0 read as "freed in lap -1" (w = 0), which is
 * exactly what alloc #0..N-1 expect, so a ring is formatted by writing
 * slot i = {flags 0, index i, len 0}. Because 65536 is a multiple of
 * 2N, the wrap bit of a 16-bit counter stays right across its overflow.
 *
 * Seen through n = flags XOR (w ? 0 : 3), the flags a reader of lap w can
 * find are: n = 1 sent in this lap, n = 0 freed in the last lap, n = 2
 * sent in the last lap, n = 3 freed in this lap. So a receiver is ready
 * at n = 1 and waits at 0 or 2 (not sent yet, or sent in the last lap and
 * not freed by itself yet); an allocator is ready at n = 0 and waits at 2
 * (not freed yet); anything else - an odd n that is not "ready" - cannot
 * happen in a correct peer and is refused.
 *
 * MEMORY ORDERING (C11 atomics; shared accesses only through shm_*)
 *   - put: one release store of the descriptor word;
 *   - take: one acquire load of it: buffer contents written before a send
 *     (or read before a free) are seen by the other side's take.
 *   - doorbell suppression (kick_me, in esp_amp_rpmsg.c): the consumer keeps
 *     kick_me = 1 while idle. A producer that has published a descriptor
 *     issues a seq_cst fence and reads kick_me; the consumer, before going
 *     idle, stores kick_me = 1, issues a seq_cst fence and looks at the ring
 *     again. One of the two sees the other's store, so a message is never
 *     left without a doorbell, and while the consumer drains, the producer
 *     rings nothing.
 *
 * DEFENCE
 * Everything read from the ring is checked before use: a flags value that
 * is neither "ready" nor one of the legal "not yet" patterns, an index
 * past the ring, a received length larger than item_size, or a buffer that
 * this core already holds (bitmap `held`), is refused with
 * ESP_AMP_ERR_CORRUPT and the counters do not move: the ring stays stopped
 * at that slot (the device's stuck bit marks it, so that it is counted
 * once). An alloc reads only flags and index: the length of a freed slot
 * is not used. Pointers handed back by the application are checked
 * the same way (exact buffer start, held by us: ESP_AMP_ERR_NOT_OWNED).
 *
 * CONCURRENCY ON ONE CORE
 * Every function here runs inside the caller's critical section, together
 * with the link check that proves the ring is still the one this core bound
 * (esp_amp_rpmsg.c): a task and an ISR (or two tasks) on one core never
 * interleave inside a ring operation, and `held` needs no atomics.
 */
#ifndef ESP_AMP_RING_H
#define ESP_AMP_RING_H

#include "esp_amp_priv.h"

#define RING_F_AVAIL ESP_AMP_DESC_F_AVAIL
#define RING_F_USED ESP_AMP_DESC_F_USED
/* n below is computed with 1 (sent), 3 (freed) and the lap value 3. */
_Static_assert(RING_F_AVAIL == 1u && RING_F_USED == 2u, "flag bits of THE FLAGS");

/* What counter c's flags are XORed with to give n (see THE FLAGS): 0 in a
 * lap with wrap bit 1, 3 in one with wrap bit 0. A put writes n = 1 (sent)
 * or n = 3 (freed) the same way. */
static inline uint32_t ring_lap(uint16_t mask, uint16_t c)
{
    return (c & (mask + 1u)) ? 3u : 0u;
}
/* The flags of a slot freed in a lap with wrap bit w (0 or 1); a formatted
 * ring holds ring_freed_flags(0). */
static inline uint32_t ring_freed_flags(unsigned w)
{
    return (RING_F_AVAIL | RING_F_USED) * w;
}

/* The word of `held` for buffer i < queue_len <= ESP_AMP_CONFIG_QUEUE_MAX_LEN
 * (a power of two >= 32): a constant 0 at the default of 32. */
#define HELD_WORD(i) (((i) >> 5) & (ESP_AMP_CONFIG_QUEUE_MAX_LEN / 32u - 1u))

static inline bool ring_held(const esp_amp_queue_t *q, uint32_t i)
{
    return (q->held[HELD_WORD(i)] >> (i & 31u)) & 1u;
}

/* Index of a buffer that this core holds, from the application's pointer
 * `p`, which must be `skip` bytes past the buffer's start, or -1. Integer
 * arithmetic: `p` may be any pointer at all. */
static inline int32_t ring_index_of_held(const esp_amp_queue_t *q, const void *p,
                                         uint32_t skip)
{
    uintptr_t rel = (uintptr_t)p - skip - (uintptr_t)q->buf;
    uintptr_t i = rel / q->max_item_size;
    if (i > q->mask || rel % q->max_item_size != 0 ||
        !ring_held(q, (uint32_t)i)) {
        return -1;
    }
    return (int32_t)i;
}

/* Take the slot at head: alloc (producer) or recv (consumer). Returns the
 * buffer index and (recv) its used length in *len, or minus an error:
 * ESP_AMP_ERR_NO_BUF (alloc: nothing free yet), ESP_AMP_ERR_EMPTY (recv:
 * nothing sent yet), ESP_AMP_ERR_CORRUPT (refused; the ring stays at it). */
static inline int32_t ring_take(esp_amp_queue_t *q, bool consumer,
                                uint16_t *len)
{
    uint16_t c = q->head;
    uint16_t mask = q->mask;   /* read once, before the acquire load */
    int32_t idle = consumer ? -ESP_AMP_ERR_EMPTY : -ESP_AMP_ERR_NO_BUF;
    /* An allocator that holds every buffer must not look: it would find
     * at head the free of the last lap's op on that slot (n = 3, refused).
     * A receiver that holds every buffer finds its own last lap's send
     * there (n = 2, not yet), and any "sent" written there names a buffer
     * it holds (refused): it needs no count check. */
    if (!consumer && (uint16_t)(c - q->tail) > mask) {
        return idle;                              /* we hold them all */
    }
    uint32_t lap = ring_lap(mask, c);
    uint32_t d = shm_ld32_acq(&q->desc[c & mask]);
    uint32_t n = ESP_AMP_DESC_FLAGS(d) ^ lap;
    if (n != (consumer ? 1u : 0u)) {
        return (n & 1u) ? -ESP_AMP_ERR_CORRUPT : idle;   /* see THE FLAGS */
    }
    uint32_t i = ESP_AMP_DESC_INDEX(d);
    uint16_t l = ESP_AMP_DESC_LEN(d);
    uint32_t *held = &q->held[HELD_WORD(i)];
    uint32_t bit = 1u << (i & 31u);
    if (i > mask || (*held & bit) || (consumer && l > q->max_item_size)) {
        return -ESP_AMP_ERR_CORRUPT;
    }
    *held |= bit;
    q->head = (uint16_t)(c + 1u);
    *len = l;
    return (int32_t)i;
}

/* Put held buffer i into the slot at tail: send (`consumer` false: flags
 * "sent", len = bytes used) or free (`consumer` true: flags "freed",
 * len 0). The buffer is no longer held. */
static inline void ring_put(esp_amp_queue_t *q, bool consumer, uint32_t i,
                            uint16_t len)
{
    uint16_t c = q->tail;
    uint32_t n = 1u + 2u * consumer;             /* 1 sent, 3 freed */
    shm_st32_rel(&q->desc[c & q->mask],
                 ESP_AMP_DESC(n ^ ring_lap(q->mask, c), i, len));
    q->held[HELD_WORD(i)] ^= 1u << (i & 31u);    /* held: the bit is 1 */
    q->tail = (uint16_t)(c + 1u);
}

/* Consumer: n (see THE FLAGS) of the slot at head, read without a
 * critical section: the looks below, which read only and validate nothing
 * else. Another context of this core may bind the queue to a new pair
 * block (a doorbell handler that joins a new session) between two of its
 * reads: the descriptors and the mask are used only if both still hold
 * after the head is read, so they are of one binding and the load stays
 * inside that binding's ring, inside the region, whatever runs next.
 * Otherwise it gives 3, which neither look takes for its answer. */
ESP_AMP_INLINE uint32_t ring_head_n(const esp_amp_queue_t *q)
{
    esp_amp_queue_desc_t *desc = q->desc;
    uint16_t mask = q->mask;
    uint16_t c = q->head;
    uint32_t lap = ring_lap(mask, c);
    atomic_signal_fence(memory_order_seq_cst);   /* read them again below */
    return q->desc != desc || q->mask != mask
               ? 3u
               : ESP_AMP_DESC_FLAGS(shm_ld32_acq(&desc[c & mask])) ^ lap;
}

/* Consumer: true when a recv would find nothing yet: the slot at head
 * holds a legal "not yet" (n even). It does not look at what this core
 * holds: while it holds every buffer, the slot at head is one it received
 * in the last lap and has not freed (n = 2, true); anything else there
 * takes the full path, whose recv finds nothing all the same. */
static inline bool ring_rx_idle(const esp_amp_queue_t *q)
{
    return (ring_head_n(q) & 1u) == 0;
}

/* Consumer: true when the slot at head holds a sent descriptor (does not
 * take it, does not validate it; with every buffer held it is false, or
 * the take refuses what it names, see ring_take). */
static inline bool ring_pending(const esp_amp_queue_t *q)
{
    return ring_head_n(q) == 1u;
}

/* Bind q[0] to ring `first` (0 or 1) of the pair block `pair` and q[1] to
 * the other ring, whose geometry len x item the caller has validated (it
 * is never read from shared memory again): counters zero, nothing held. */
void esp_amp_ring_bind(esp_amp_queue_t q[2], esp_amp_shm_vq_pair_t *pair,
                       uint16_t len, uint16_t item, unsigned first);

/* Forget every buffer this core holds in the rings of q[0] and q[1]
 * (without touching shared memory): their pointers are refused from now
 * on, and the counters start from 0 (esp_amp_queue_held() says 0). The
 * rings are not used again before they are bound or reset. */
void esp_amp_ring_forget(esp_amp_queue_t q[2]);

/* Write the initial descriptors of both rings bound to q[0] and q[1]
 * (every buffer free, flags 0) and forget what this core held. Only while
 * the peer does not use the rings (see esp_amp_link.c for when that is). */
void esp_amp_ring_reset(esp_amp_queue_t q[2]);

/* Main core: write a new pair block's header and both rings, join and
 * control words zero, magic last; q[0] is bound to ring 0 (the main
 * core's tx ring) and q[1] to ring 1, as by esp_amp_ring_bind. */
void esp_amp_ring_pair_format(esp_amp_queue_t q[2], esp_amp_shm_vq_pair_t *pair,
                              uint16_t len, uint16_t item);

/* Main core: write a pair block's geometry, then its magic (release), over
 * a magic that is 0: a sub core that reads the magic sees the geometry. */
void esp_amp_ring_pair_publish(esp_amp_shm_vq_pair_t *pair, uint16_t len,
                               uint16_t item);

#endif /* ESP_AMP_RING_H */
