/*
 * esp_amp_queue.c - the packed virtqueue: one ring of N descriptors that
 * carries buffers from a producing core to a consuming core and back.
 *
 * THE RING
 * N (a power of two) descriptors {addr, len, flags} in shared memory and N
 * buffers of item_size bytes. A descriptor names a buffer by its offset in
 * the region. Each side counts its operations in two free-running 16-bit
 * counters kept in local RAM, never shared:
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
 * buffers can be sent and freed in any order.
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
 * w(c - N) = !w(c)". A zeroed slot reads as "freed in lap -1" (w = 0),
 * which is exactly what alloc #0..N-1 expect, so the main core formats a
 * ring by writing the N buffer offsets with flags 0. Because 65536 is a
 * multiple of 2N, the wrap bit of a 16-bit counter stays right across its
 * overflow.
 *
 * MEMORY ORDERING (C11 atomics; the only shared accesses are in
 * esp_amp_priv.h's shm_* helpers)
 *   - a writer stores addr and len, then flags with release;
 *   - a reader loads flags with acquire, then addr and len: it sees the
 *     addr/len written before the flags it observed. Buffer contents written
 *     before send (or read before free) are ordered the same way.
 *   - doorbell suppression: the consumer keeps kick_me = 1 while idle (in
 *     interrupt mode). A producer that has published a descriptor issues a
 *     seq_cst fence and reads kick_me; the consumer, before going idle,
 *     stores kick_me = 1, issues a seq_cst fence and looks at the ring
 *     again. One of the two must see the other's store, so a message is
 *     never left without a doorbell, and while the consumer drains, the
 *     producer rings nothing.
 *
 * DEFENCE
 * Everything read from the ring is checked before use: a flags value that
 * is neither "ready" nor one of the legal "not yet" patterns, an address
 * that is not exactly the start of one of this ring's buffers, a length
 * larger than item_size, or a buffer that this core already holds (bitmap
 * `held`), is refused with ESP_AMP_ERR_CORRUPT and the counters do not
 * move. Pointers handed back by the application are checked the same way
 * (exact buffer start, held by us) and refused with ESP_AMP_ERR_NOT_OWNED.
 */
#include "esp_amp_queue.h"
#include "esp_amp_priv.h"

#define F_AVAIL ESP_AMP_DESC_F_AVAIL
#define F_USED ESP_AMP_DESC_F_USED

static inline unsigned wrap_of(const esp_amp_queue_t *q, uint16_t c)
{
    return ((unsigned)(c >> q->shift) & 1u) ^ 1u;
}
static inline uint16_t sent_flags(unsigned w)
{
    return (uint16_t)(w ? F_AVAIL : F_USED);
}
static inline uint16_t freed_flags(unsigned w)
{
    return (uint16_t)(w ? (F_AVAIL | F_USED) : 0u);
}

static inline bool held_test(const esp_amp_queue_t *q, uint32_t i)
{
    return (q->held[i >> 5] >> (i & 31u)) & 1u;
}
/* Atomic read-modify-write (local memory): recv runs without a critical
 * section and may be interrupted by a free of another buffer of the same
 * word. */
static inline void held_set(esp_amp_queue_t *q, uint32_t i)
{
    atomic_fetch_or_explicit((_Atomic uint32_t *)&q->held[i >> 5],
                             1u << (i & 31u), memory_order_relaxed);
}
static inline void held_clear(esp_amp_queue_t *q, uint32_t i)
{
    atomic_fetch_and_explicit((_Atomic uint32_t *)&q->held[i >> 5],
                              ~(1u << (i & 31u)), memory_order_relaxed);
}

/* Buffer index for a region offset from the ring, or -1. */
static int32_t index_of_offset(const esp_amp_queue_t *q, uint32_t off)
{
    uint32_t rel = off - q->buf_off;     /* wraps to huge when off < buf_off */
    uint32_t i = rel / q->max_item_size;
    if (i >= q->size || i * q->max_item_size != rel) {
        return -1;
    }
    return (int32_t)i;
}

/* Buffer index for an application pointer, or -1. */
static int32_t index_of_ptr(const esp_amp_queue_t *q, const void *p)
{
    uintptr_t rel = (uintptr_t)p - (uintptr_t)q->buf;
    uintptr_t span = (uintptr_t)q->size * q->max_item_size;
    if (rel >= span) {
        return -1;
    }
    uint32_t i = (uint32_t)rel / q->max_item_size;
    if (i * q->max_item_size != (uint32_t)rel) {
        return -1;
    }
    return (int32_t)i;
}

/* Offset of the buffer areas in a pair block: after the header and both
 * descriptor rings, on a line of its own. */
static uint32_t pair_buf_off(uint16_t len)
{
    return esp_amp_align_up((uint32_t)sizeof(esp_amp_shm_vq_pair_t) +
                                2u * len * (uint32_t)sizeof(esp_amp_queue_desc_t),
                            ESP_AMP_SHM_LINE);
}

uint32_t esp_amp_queue_pair_size(uint16_t len, uint16_t item_size)
{
    if (len == 0 || (len & (len - 1u)) != 0 || len > ESP_AMP_QUEUE_MAX_LEN ||
        item_size == 0 || (item_size & 3u) != 0) {
        return 0;
    }
    return pair_buf_off(len) + 2u * (uint32_t)len * item_size;
}

static esp_amp_queue_desc_t *pair_desc(esp_amp_shm_vq_pair_t *pair,
                                       uint16_t len, int ring)
{
    return (esp_amp_queue_desc_t *)(void *)((uint8_t *)pair + sizeof(*pair)) +
           (ring ? len : 0);
}

static void ring_format(esp_amp_queue_desc_t *d, uint32_t ring_buf,
                        uint16_t len, uint16_t item_size)
{
    for (uint32_t i = 0; i < len; i++) {
        shm_st32(&d[i].addr, ring_buf + i * item_size);
        shm_st16(&d[i].len, item_size);
        shm_st16(&d[i].flags, freed_flags(0));
    }
}

void esp_amp_queue_pair_format(uint8_t *shm, esp_amp_shm_vq_pair_t *pair,
                               uint16_t len, uint16_t item_size)
{
    uint32_t base = (uint32_t)((uint8_t *)pair - shm);
    uint32_t buf = base + pair_buf_off(len);
    shm_st32_rel(&pair->magic, 0);
    for (int ring = 0; ring < 2; ring++) {
        shm_st32(&pair->ctl[ring].kick_me, 0);
        shm_st32(&pair->ctl[ring].join, 0);
    }
    /* A core that reads any descriptor written below (acquire) also sees
     * the cleared join words and the region's new session: that is how a
     * sub core of an earlier session tells the new rings from its own. */
    atomic_thread_fence(memory_order_release);
    for (int ring = 0; ring < 2; ring++) {
        ring_format(pair_desc(pair, len, ring),
                    buf + (uint32_t)ring * len * item_size, len, item_size);
    }
    shm_st16(&pair->queue_len, len);
    shm_st16(&pair->item_size, item_size);
    shm_st32(&pair->block_size, esp_amp_queue_pair_size(len, item_size));
    shm_st32_rel(&pair->magic, ESP_AMP_VQ_MAGIC);
}

void esp_amp_queue_ring_reset(esp_amp_queue_t *q)
{
    ring_format(q->desc, q->buf_off, q->size, q->max_item_size);
    atomic_thread_fence(memory_order_release);
    q->head = 0;
    q->tail = 0;
    esp_amp_zero(q->held, sizeof(q->held));
}

int esp_amp_queue_bind(esp_amp_queue_t *q, uint8_t *shm,
                       esp_amp_shm_vq_pair_t *pair, uint16_t len,
                       uint16_t item, int ring, bool producer,
                       esp_amp_queue_cb_t notify_fc, void *priv)
{
    if (esp_amp_queue_pair_size(len, item) == 0 || (ring & ~1) != 0) {
        return esp_amp_fail(ESP_AMP_ERR_CORRUPT);
    }
    esp_amp_zero(q, sizeof(*q));
    uint32_t buf = (uint32_t)((uint8_t *)pair - shm) + pair_buf_off(len) +
                   (uint32_t)ring * len * item;
    q->shm = shm;
    q->desc = pair_desc(pair, len, ring);
    q->buf_off = buf;
    q->buf = shm + buf;
    q->kick_me = &pair->ctl[ring].kick_me;
    q->size = len;
    q->max_item_size = item;
    while ((1u << q->shift) < len) {
        q->shift++;
    }
    q->producer = producer;
    q->notify_fc = producer ? notify_fc : NULL;
    q->priv_data = priv;
    return 0;
}

int esp_amp_queue_alloc_try(esp_amp_queue_t *q, void **buffer, uint16_t size)
{
    if (q == NULL || buffer == NULL || !q->producer) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    if (size > q->max_item_size) {
        return esp_amp_fail(ESP_AMP_ERR_TOO_BIG);
    }
    uint16_t c = q->head;
    if ((uint16_t)(c - q->tail) >= q->size) {
        return esp_amp_fail(ESP_AMP_ERR_NO_BUF);  /* we hold them all */
    }
    esp_amp_queue_desc_t *d = &q->desc[c & (q->size - 1u)];
    uint16_t flags = shm_ld16_acq(&d->flags);
    unsigned w = wrap_of(q, c);
    if (flags != freed_flags(!w)) {
        /* Still our own send from the last lap: the consumer has it. */
        return esp_amp_fail(flags == sent_flags(!w) ? ESP_AMP_ERR_NO_BUF
                                                    : ESP_AMP_ERR_CORRUPT);
    }
    int32_t i = index_of_offset(q, shm_ld32(&d->addr));
    if (i < 0 || held_test(q, (uint32_t)i)) {
        return esp_amp_fail(ESP_AMP_ERR_CORRUPT);
    }
    held_set(q, (uint32_t)i);
    q->head = (uint16_t)(c + 1u);
    *buffer = q->buf + (uint32_t)i * q->max_item_size;
    return 0;
}

int esp_amp_queue_send_try(esp_amp_queue_t *q, void *buffer, uint16_t size)
{
    if (q == NULL || !q->producer) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    int32_t i = index_of_ptr(q, buffer);
    if (i < 0 || !held_test(q, (uint32_t)i)) {
        return esp_amp_fail(ESP_AMP_ERR_NOT_OWNED);
    }
    if (size > q->max_item_size) {
        return esp_amp_fail(ESP_AMP_ERR_TOO_BIG);
    }
    uint16_t c = q->tail;
    esp_amp_queue_desc_t *d = &q->desc[c & (q->size - 1u)];
    shm_st32(&d->addr, q->buf_off + (uint32_t)i * q->max_item_size);
    shm_st16(&d->len, size);
    shm_st16_rel(&d->flags, sent_flags(wrap_of(q, c)));
    held_clear(q, (uint32_t)i);
    q->tail = (uint16_t)(c + 1u);
    if (q->notify_fc != NULL) {
        atomic_thread_fence(memory_order_seq_cst);
        if (shm_ld32(q->kick_me) != 0) {
            q->notify_fc(q->priv_data);
        }
    }
    return 0;
}

int esp_amp_queue_recv_try(esp_amp_queue_t *q, void **buffer, uint16_t *size)
{
    if (q == NULL || buffer == NULL || size == NULL || q->producer) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    uint16_t c = q->head;
    if ((uint16_t)(c - q->tail) >= q->size) {
        return esp_amp_fail(ESP_AMP_ERR_EMPTY);   /* we hold them all */
    }
    esp_amp_queue_desc_t *d = &q->desc[c & (q->size - 1u)];
    uint16_t flags = shm_ld16_acq(&d->flags);
    unsigned w = wrap_of(q, c);
    if (flags != sent_flags(w)) {
        /* Legal "nothing yet": freed in the last lap, or (not yet freed by
         * us) sent in the last lap. */
        bool idle = flags == freed_flags(!w) || flags == sent_flags(!w);
        return esp_amp_fail(idle ? ESP_AMP_ERR_EMPTY : ESP_AMP_ERR_CORRUPT);
    }
    int32_t i = index_of_offset(q, shm_ld32(&d->addr));
    uint16_t len = shm_ld16(&d->len);
    if (i < 0 || held_test(q, (uint32_t)i) || len > q->max_item_size) {
        return esp_amp_fail(ESP_AMP_ERR_CORRUPT);
    }
    held_set(q, (uint32_t)i);
    q->head = (uint16_t)(c + 1u);
    *buffer = q->buf + (uint32_t)i * q->max_item_size;
    *size = len;
    return 0;
}

int esp_amp_queue_free_try(esp_amp_queue_t *q, void *buffer)
{
    if (q == NULL || q->producer) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    int32_t i = index_of_ptr(q, buffer);
    if (i < 0 || !held_test(q, (uint32_t)i)) {
        return esp_amp_fail(ESP_AMP_ERR_NOT_OWNED);
    }
    uint16_t c = q->tail;
    esp_amp_queue_desc_t *d = &q->desc[c & (q->size - 1u)];
    shm_st32(&d->addr, q->buf_off + (uint32_t)i * q->max_item_size);
    shm_st16(&d->len, q->max_item_size);
    shm_st16_rel(&d->flags, freed_flags(wrap_of(q, c)));
    held_clear(q, (uint32_t)i);
    q->tail = (uint16_t)(c + 1u);
    return 0;
}

bool esp_amp_queue_owns(const esp_amp_queue_t *q, const void *buffer)
{
    int32_t i = index_of_ptr(q, buffer);
    return i >= 0 && held_test(q, (uint32_t)i);
}

bool esp_amp_queue_pending(const esp_amp_queue_t *q)
{
    uint16_t c = q->head;
    if ((uint16_t)(c - q->tail) >= q->size) {
        return false;
    }
    const esp_amp_queue_desc_t *d = &q->desc[c & (q->size - 1u)];
    return shm_ld16_acq(&d->flags) == sent_flags(wrap_of(q, c));
}

void esp_amp_queue_set_kick(esp_amp_queue_t *q, bool want)
{
    shm_st32(q->kick_me, want ? 1u : 0u);
    atomic_thread_fence(memory_order_seq_cst);
}

uint16_t esp_amp_queue_held(const esp_amp_queue_t *q)
{
    return (uint16_t)(q->head - q->tail);
}
