/*
 * esp_amp_queue.h - one direction of a packed virtqueue.
 *
 * The producing core allocates a free buffer (alloc), fills it and
 * publishes it (send); the consuming core takes published buffers (recv)
 * and hands them back (free). Send and free may happen in any order
 * relative to alloc and recv. The algorithm and its memory ordering are
 * described in src/esp_amp_queue.c.
 */
#ifndef ESP_AMP_QUEUE_H
#define ESP_AMP_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "esp_amp_shm.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ESP_AMP_QUEUE_MAX_LEN
#define ESP_AMP_QUEUE_MAX_LEN 256   /* ring length limit (ownership bitmap) */
#endif

typedef int (*esp_amp_queue_cb_t)(void *priv);

/* Local (per-core, never shared) state of one ring. */
typedef struct esp_amp_queue_t {
    uint8_t *shm;                  /* this core's mapping of the region     */
    esp_amp_queue_desc_t *desc;    /* the ring's descriptors (shared)       */
    uint8_t *buf;                  /* the ring's buffer area (shared)       */
    uint32_t *kick_me;             /* consumer's "ring me" word (shared)    */
    uint32_t buf_off;              /* buffer area offset in the region      */
    uint16_t size;                 /* descriptors, a power of two           */
    uint16_t max_item_size;        /* bytes per buffer                      */
    uint8_t shift;                 /* log2(size)                            */
    bool producer;                 /* true: alloc/send side                 */
    uint16_t head;                 /* producer: allocs; consumer: recvs     */
    uint16_t tail;                 /* producer: sends;  consumer: frees     */
    esp_amp_queue_cb_t notify_fc;  /* producer: ring the consumer, or NULL  */
    void *priv_data;               /* argument of notify_fc                 */
    uint32_t held[ESP_AMP_QUEUE_MAX_LEN / 32]; /* buffers this core holds   */
} esp_amp_queue_t;

/* Bind `q` to ring `ring` (0 or 1) of a device-pair block of geometry
 * len x item_size, which the caller has validated (the values are never
 * read again from shared memory). producer selects the side. 0 / -1. */
int esp_amp_queue_bind(esp_amp_queue_t *q, uint8_t *shm,
                       esp_amp_shm_vq_pair_t *pair, uint16_t len,
                       uint16_t item_size, int ring, bool producer,
                       esp_amp_queue_cb_t notify_fc, void *priv);

/* Main core: write the initial free descriptors of both rings of `pair`. */
void esp_amp_queue_pair_format(uint8_t *shm, esp_amp_shm_vq_pair_t *pair,
                               uint16_t len, uint16_t item_size);

/* Put the ring bound to `q` back in its initial state (all buffers free,
 * flags 0) and forget what this core held. Only while the peer does not
 * touch the ring. */
void esp_amp_queue_ring_reset(esp_amp_queue_t *q);

/* Bytes needed for a device-pair block of this geometry (0 if invalid). */
uint32_t esp_amp_queue_pair_size(uint16_t len, uint16_t item_size);

/* Producer: take a free buffer of at least `size` bytes. 0 or -1. */
int esp_amp_queue_alloc_try(esp_amp_queue_t *q, void **buffer, uint16_t size);
/* Producer: publish a buffer from alloc with `size` bytes used. 0 or -1. */
int esp_amp_queue_send_try(esp_amp_queue_t *q, void *buffer, uint16_t size);
/* Consumer: take the next published buffer. 0, or -1 (empty or corrupt). */
int esp_amp_queue_recv_try(esp_amp_queue_t *q, void **buffer, uint16_t *size);
/* Consumer: give back a buffer from recv. 0 or -1. */
int esp_amp_queue_free_try(esp_amp_queue_t *q, void *buffer);

/* Consumer: true when a published buffer waits (does not take it). */
bool esp_amp_queue_pending(const esp_amp_queue_t *q);
/* Consumer: tell the producer whether to ring us after each send. */
void esp_amp_queue_set_kick(esp_amp_queue_t *q, bool want);
/* True when `buffer` is the start of one of this ring's buffers and this
 * core holds it (allocated and not sent, or received and not freed). */
bool esp_amp_queue_owns(const esp_amp_queue_t *q, const void *buffer);
/* Buffers this core currently holds (allocated/received, not sent/freed). */
uint16_t esp_amp_queue_held(const esp_amp_queue_t *q);

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_QUEUE_H */
