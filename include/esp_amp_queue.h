/*
 * esp_amp_queue.h - the local state of one direction of a device pair.
 *
 * Applications only allocate these (esp_amp_rpmsg_main_init_by_id and
 * esp_amp_rpmsg_sub_init_by_id take an array of two); the library owns
 * their contents. The ring algorithm is described in src/esp_amp_ring.h.
 */
#ifndef ESP_AMP_QUEUE_H
#define ESP_AMP_QUEUE_H

#include <stdint.h>
#include "esp_amp_config.h"
#include "esp_amp_shm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Local (per-core, never shared) state of one ring. */
typedef struct esp_amp_queue_t {
    esp_amp_queue_desc_t *desc;    /* the ring's descriptors (shared)       */
    uint8_t *buf;                  /* the ring's buffer area (shared)       */
    uint32_t held[ESP_AMP_CONFIG_QUEUE_MAX_LEN / 32]; /* buffers held here  */
    uint16_t mask;                 /* descriptors - 1 (a power of two - 1)  */
    uint16_t max_item_size;        /* bytes per buffer                      */
    uint16_t head;                 /* producer: allocs; consumer: recvs     */
    uint16_t tail;                 /* producer: sends;  consumer: frees     */
} esp_amp_queue_t;

/* Bytes of shared memory a device pair of this geometry takes (its
 * registry block), 0 if the format does not allow the geometry (len a
 * power of two up to ESP_AMP_FMT_QUEUE_LEN_MAX, item_size a non-zero
 * multiple of 4 up to ESP_AMP_FMT_ITEM_SIZE_MAX). */
uint32_t esp_amp_queue_pair_size(uint16_t len, uint16_t item_size);

/* Buffers this core holds in the ring (allocated and not sent, or received
 * and not freed): a diagnostic for tests and leak checks. */
static inline uint16_t esp_amp_queue_held(const esp_amp_queue_t *q)
{
    return (uint16_t)(q->head - q->tail);
}

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_QUEUE_H */
