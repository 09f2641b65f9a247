/*
 * esp_amp_ring.c - geometry, binding and formatting of the rings of a
 * device-pair block. The ring algorithm itself is in esp_amp_ring.h.
 *
 * Layout of a pair block (offsets from its start, see docs/layout.md):
 *   0                            header (esp_amp_shm_vq_pair_t, 32 bytes)
 *   32                           ring 0 descriptors (len * 4)
 *   32 + len * 4                 ring 1 descriptors (len * 4)
 *   32 + len * 8                 ring 0 buffers (len * item_size)
 *   32 + len * (8 + item_size)   ring 1 buffers (len * item_size)
 */
#include "esp_amp_ring.h"

#define PAIR_HDR ((uint32_t)sizeof(esp_amp_shm_vq_pair_t))

uint32_t esp_amp_queue_pair_size(uint16_t len, uint16_t item_size)
{
    /* len - 1u: a len of 0 wraps to the largest value */
    if (len - 1u >= ESP_AMP_FMT_QUEUE_LEN_MAX || (len & (len - 1u)) != 0 ||
        item_size == 0 || (item_size & 3u) != 0) {
        return 0;
    }
    return PAIR_HDR + (uint32_t)len * (8u + 2u * (uint32_t)item_size);
}

void esp_amp_ring_bind(esp_amp_queue_t q[2], esp_amp_shm_vq_pair_t *pair,
                       uint16_t len, uint16_t item, unsigned first)
{
    /* Ring 0 and ring 1 (see the layout above); q[0] takes ring `first`. */
    esp_amp_queue_desc_t *d0 = (esp_amp_queue_desc_t *)(void *)(pair + 1);
    esp_amp_queue_desc_t *d1 = d0 + len;
    uint8_t *b0 = (uint8_t *)(d1 + len);
    uint8_t *b1 = b0 + (uint32_t)len * item;
    q[0].desc = first ? d1 : d0;
    q[1].desc = first ? d0 : d1;
    q[0].buf = first ? b1 : b0;
    q[1].buf = first ? b0 : b1;
    for (unsigned k = 0; k < 2; k++) {
        q[k].mask = (uint16_t)(len - 1u);
        q[k].max_item_size = item;
    }
    esp_amp_ring_forget(q);
}

void esp_amp_ring_forget(esp_amp_queue_t q[2])
{
    for (unsigned k = 0; k < 2; k++) {
        q[k].head = 0;
        q[k].tail = 0;
        for (unsigned w = 0; w < ESP_AMP_CONFIG_QUEUE_MAX_LEN / 32u; w++) {
            q[k].held[w] = 0;
        }
    }
}

void esp_amp_ring_reset(esp_amp_queue_t q[2])
{
    for (esp_amp_queue_t *r = q; r != q + 2; r++) {
        for (uint32_t i = 0; i <= r->mask; i++) {
            shm_st32(&r->desc[i], ESP_AMP_DESC(ring_freed_flags(0), i, 0));
        }
    }
    esp_amp_ring_forget(q);
}

void esp_amp_ring_pair_format(esp_amp_queue_t q[2], esp_amp_shm_vq_pair_t *pair,
                              uint16_t len, uint16_t item)
{
    shm_st32_rel(&pair->magic, 0);
    /* Rings first (bound to q and written by the reset, as a rejoin
     * writes them), then the six control words (kick_me, join, tx_wait of
     * both lines), each with release: the join words are cleared after
     * the rings (the two others have no order to keep; one kind of store
     * makes one loop). A sub core that joined in the middle (it cannot
     * while magic is 0, but the rule holds without it: docs/model/) has
     * its request erased and joins again; one that reads req = ack = 0
     * sees formatted rings. A sub core of an earlier session tells a
     * descriptor written here from its own by the session number, stored
     * before (or by its request, cleared by a wipe). */
    esp_amp_ring_bind(q, pair, len, item, 0);
    esp_amp_ring_reset(q);
    uint32_t *ctl = (uint32_t *)(void *)pair->ctl;   /* both lines' words */
    for (unsigned k = 0; k < sizeof(pair->ctl) / 4u; k++) {
        shm_st32_rel(&ctl[k], 0);
    }
    shm_fence();
    esp_amp_ring_pair_publish(pair, len, item);
}

void esp_amp_ring_pair_publish(esp_amp_shm_vq_pair_t *pair, uint16_t len,
                               uint16_t item)
{
    shm_st16(&pair->queue_len, len);
    shm_st16(&pair->item_size, item);
    shm_st32_rel(&pair->magic, ESP_AMP_VQ_MAGIC);
}
