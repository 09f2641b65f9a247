/*
 * esp_amp_rpmsg.c - RPMsg devices and endpoints over a pair of rings.
 *
 * A device pair lives in one sys_info block (esp_amp_shm_vq_pair_t): ring 0
 * carries main -> sub, ring 1 sub -> main. Each message is one ring buffer:
 * an 8-byte esp_amp_rpmsg_head_t, then the payload, so the largest payload
 * is item_size - 8 (esp_amp_rpmsg_get_max_size).
 *
 * Receiving: esp_amp_rpmsg_poll() takes one buffer and calls the callback of
 * the endpoint named by dst_addr; the application gives the buffer back with
 * esp_amp_rpmsg_destroy(). A message whose header does not fit its
 * descriptor, or whose endpoint is missing or has no callback, is given
 * back at once and counted. In interrupt mode the doorbell handler drains
 * the ring with the same function, in ISR context, under the doorbell
 * suppression protocol of esp_amp_queue.c (kick_me).
 *
 * Re-entrancy on one core: queue operations run inside a critical section,
 * so a callback in ISR context may send and destroy while task code does
 * the same. Dispatch is never nested: `busy` marks a running dispatch; a
 * doorbell that finds it set only records `deferred`, and the dispatch,
 * when it ends, raises its own doorbell so that the messages still waiting
 * are handled in ISR context.
 */
#include "esp_amp_rpmsg.h"
#include "esp_amp_priv.h"
#include "esp_amp_rpmsg_priv.h"

/* Receive --------------------------------------------------------------- */

static esp_amp_rpmsg_ept_t *ept_find(esp_amp_rpmsg_dev_t *dev, uint16_t addr)
{
    for (esp_amp_rpmsg_ept_t *e = dev->ept_list; e != NULL; e = e->next_ept) {
        if (e->addr == addr) {
            return e;
        }
    }
    return NULL;
}

static void rx_give_back(esp_amp_rpmsg_dev_t *dev, void *buf)
{
    esp_amp_env_enter_critical();
    (void)esp_amp_queue_free_try(dev->rx_queue, buf);
    esp_amp_env_exit_critical();
}

/* Take one message and deliver it: 0 if one was taken, -1 if the ring is
 * empty, -2 if the ring refused the next descriptor (it stays refused). */
static int dispatch_one(esp_amp_rpmsg_dev_t *dev)
{
    void *buf;
    uint16_t len;
    /* The peer may have restarted since the last message (a callback may
     * even have noticed it): the ring is then not ours to read. */
    if (esp_amp_link_ready(dev) != 0) {
        return -2;
    }
    /* recv runs only inside a dispatch (one per core, see `busy`); it shares
     * nothing with free but the atomic `held` bits. */
    int rc = esp_amp_queue_recv_try(dev->rx_queue, &buf, &len);
    if (rc != 0) {
        if (esp_amp_get_last_error() == ESP_AMP_ERR_CORRUPT) {
            dev->stats.rx_corrupt++;
            return -2;
        }
        return -1;
    }
    /* Sub core: a descriptor published by a new main core (after a restart)
     * is ordered after its new session number; seeing the old number after
     * the descriptor proves the message is of the session we are bound to.
     * Otherwise leave it: the relink forgets it with everything else. */
    if (esp_amp_link_moved(dev)) {
        (void)esp_amp_link_check(dev);
        return -2;
    }
    esp_amp_rpmsg_head_t *h = buf;
    uint16_t src = shm_ld16(&h->src_addr);
    uint16_t dst = shm_ld16(&h->dst_addr);
    uint16_t dlen = shm_ld16(&h->data_len);
    if (len < HDR || dlen > len - HDR) {
        dev->stats.rx_bad_header++;
        rx_give_back(dev, buf);
        return 0;
    }
    esp_amp_rpmsg_ept_t *ept = ept_find(dev, dst);
    esp_amp_ept_cb_t cb = ept != NULL ? ept->rx_cb : NULL;
    if (cb == NULL) {
        dev->stats.rx_no_ept++;
        rx_give_back(dev, buf);
        return 0;
    }
    dev->stats.rx_msgs++;
    (void)cb((uint8_t *)buf + HDR, dlen, src, ept->rx_cb_data);
    return 0;
}

/* Mark the device busy; false if a dispatch already runs on this core.
 * An atomic exchange, no critical section: on one core the only other
 * party is an ISR (or another task), which runs to its end or sees busy. */
static bool dispatch_enter(esp_amp_rpmsg_dev_t *dev)
{
    if (atomic_exchange_explicit((_Atomic uint32_t *)&dev->busy, 1u,
                                 memory_order_acquire) != 0) {
        dev->deferred = true;
        return false;
    }
    return true;
}

/* Clear busy first, then look at deferred: a doorbell that came before the
 * clear has set deferred; one that comes after runs its own dispatch. */
static void dispatch_leave(esp_amp_rpmsg_dev_t *dev)
{
    atomic_store_explicit((_Atomic uint32_t *)&dev->busy, 0u,
                          memory_order_release);
    atomic_signal_fence(memory_order_seq_cst);
    if (dev->deferred) {
        dev->deferred = false;
        if (dev->intr_enabled) {
            (void)esp_amp_sw_intr_trigger_self(SW_INTR_RESERVED_ID_RPMSG);
        }
    }
}

int esp_amp_rpmsg_poll(esp_amp_rpmsg_dev_t *rpmsg_dev)
{
    if (!dev_ready(rpmsg_dev)) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    if (!dispatch_enter(rpmsg_dev)) {
        return esp_amp_fail(ESP_AMP_ERR_BUSY);
    }
    int rc = esp_amp_link_ready(rpmsg_dev);
    if (rc == 0) {
        rc = dispatch_one(rpmsg_dev) == 0 ? 0 : -1;
    }
    dispatch_leave(rpmsg_dev);
    return rc;
}

/* Doorbell handler (ISR context): drain, then arm kick_me and re-check.
 * One run handles at most RX_ISR_BUDGET ring lengths of messages; if more
 * keep coming it raises its own doorbell and returns, so a peer that never
 * stops sending cannot keep this core in one handler for ever. A refused
 * descriptor ends the run: the ring stays stopped at it. */
#define RX_ISR_BUDGET 4u
static int rx_isr(void *arg)
{
    esp_amp_rpmsg_dev_t *dev = arg;
    if (!dispatch_enter(dev)) {
        return 0;
    }
    if (esp_amp_link_ready(dev) != 0) {
        dispatch_leave(dev);
        return 0;
    }
    uint32_t budget = RX_ISR_BUDGET * dev->rx_queue->size;
    int rc;
    do {
        esp_amp_queue_set_kick(dev->rx_queue, false);
        while ((rc = dispatch_one(dev)) == 0 && --budget != 0) {
        }
        esp_amp_queue_set_kick(dev->rx_queue, true);
    } while (rc == -1 && esp_amp_queue_pending(dev->rx_queue));
    dispatch_leave(dev);
    if (rc == 0) {
        (void)esp_amp_sw_intr_trigger_self(SW_INTR_RESERVED_ID_RPMSG);
    }
    return 0;
}

int esp_amp_rpmsg_intr_enable(esp_amp_rpmsg_dev_t *rpmsg_dev)
{
    if (!dev_ready(rpmsg_dev) || rpmsg_dev->poll) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    if (rpmsg_dev->intr_enabled) {
        return 0;
    }
    if (esp_amp_sw_intr_init() != 0 ||
        esp_amp_sw_intr_add_handler(SW_INTR_RESERVED_ID_RPMSG, rx_isr,
                                    rpmsg_dev) != 0) {
        return -1;
    }
    rpmsg_dev->intr_enabled = true;
    esp_amp_queue_set_kick(rpmsg_dev->rx_queue, true);
    /* Messages sent before the handler existed rang no doorbell. */
    if (esp_amp_queue_pending(rpmsg_dev->rx_queue)) {
        (void)esp_amp_sw_intr_trigger_self(SW_INTR_RESERVED_ID_RPMSG);
    }
    return 0;
}

int esp_amp_rpmsg_destroy(esp_amp_rpmsg_dev_t *rpmsg_dev, void *msg_data)
{
    if (!dev_ready(rpmsg_dev) || msg_data == NULL) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    if (esp_amp_link_ready(rpmsg_dev) != 0) {
        return -1;
    }
    void *buf = (void *)((uintptr_t)msg_data - HDR);
    esp_amp_env_enter_critical();
    int rc = esp_amp_queue_free_try(rpmsg_dev->rx_queue, buf);
    if (rc != 0) {
        rpmsg_dev->stats.bad_ptr++;
    }
    esp_amp_env_exit_critical();
    return rc;
}

/* Send ------------------------------------------------------------------ */

uint16_t esp_amp_rpmsg_get_max_size(esp_amp_rpmsg_dev_t *rpmsg_dev)
{
    if (!dev_ready(rpmsg_dev)) {
        esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
        return 0;
    }
    return (uint16_t)(rpmsg_dev->tx_queue->max_item_size - HDR);
}

static void *tx_alloc(esp_amp_rpmsg_dev_t *dev, uint32_t nbytes)
{
    void *buf = NULL;
    if (esp_amp_link_ready(dev) != 0) {
        return NULL;
    }
    esp_amp_env_enter_critical();
    int rc = esp_amp_queue_alloc_try(dev->tx_queue, &buf,
                                     (uint16_t)(nbytes + HDR));
    if (esp_amp_link_moved(dev)) {
        /* The slot may have been written by a new main core: whatever it
         * gave, it is not ours; the relink forgets it with the rest. */
        (void)esp_amp_link_check(dev);
        rc = esp_amp_fail(ESP_AMP_ERR_LINK_DOWN);
    } else if (rc != 0) {
        if (esp_amp_get_last_error() == ESP_AMP_ERR_CORRUPT) {
            dev->stats.tx_corrupt++;
        } else {
            dev->stats.tx_no_buf++;
        }
    }
    esp_amp_env_exit_critical();
    return rc == 0 ? buf : NULL;
}

/* Fill the header of a held buffer and publish it. `created` = the size
 * the buffer was created for is checked first; nothing is written unless
 * the buffer is one this core holds. */
static int tx_send(esp_amp_rpmsg_dev_t *dev, esp_amp_rpmsg_head_t *h,
                   uint16_t src, uint16_t dst, uint16_t len, bool check_size)
{
    /* The link check first: a buffer created before the peer restarted is
     * still marked held until this core notices the restart, and must not
     * be published into the new session's ring. */
    int rc = esp_amp_link_ready(dev);
    if (rc != 0) {
        return rc;
    }
    esp_amp_env_enter_critical();
    if (!esp_amp_queue_owns(dev->tx_queue, h)) {
        dev->stats.bad_ptr++;
        rc = esp_amp_fail(ESP_AMP_ERR_NOT_OWNED);
    } else if (check_size && len > h->data_len) {
        dev->stats.tx_too_big++;
        rc = esp_amp_fail(ESP_AMP_ERR_TOO_BIG);
    } else {
        h->src_addr = src;
        h->dst_addr = dst;
        h->data_len = len;
        rc = esp_amp_queue_send_try(dev->tx_queue, h, (uint16_t)(len + HDR));
        if (rc == 0) {
            dev->stats.tx_msgs++;
        }
    }
    esp_amp_env_exit_critical();
    return rc;
}

void *esp_amp_rpmsg_create_message(esp_amp_rpmsg_dev_t *rpmsg_dev,
                                   uint32_t nbytes, uint16_t flags)
{
    if (!dev_ready(rpmsg_dev)) {
        esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
        return NULL;
    }
    if (nbytes > esp_amp_rpmsg_get_max_size(rpmsg_dev)) {
        rpmsg_dev->stats.tx_too_big++;
        esp_amp_fail(ESP_AMP_ERR_TOO_BIG);
        return NULL;
    }
    esp_amp_rpmsg_head_t *h = tx_alloc(rpmsg_dev, nbytes);
    if (h == NULL) {
        return NULL;
    }
    h->src_addr = 0;
    h->dst_addr = 0;
    h->data_len = (uint16_t)nbytes;  /* the size created, checked at send */
    h->data_flags = flags;
    return (uint8_t *)h + HDR;
}

int esp_amp_rpmsg_send_nocopy(esp_amp_rpmsg_dev_t *rpmsg_dev,
                              esp_amp_rpmsg_ept_t *ept, uint16_t dst_addr,
                              void *data, uint16_t data_len)
{
    if (!dev_ready(rpmsg_dev) || ept == NULL || data == NULL) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    if (data_len > esp_amp_rpmsg_get_max_size(rpmsg_dev)) {
        rpmsg_dev->stats.tx_too_big++;
        return esp_amp_fail(ESP_AMP_ERR_TOO_BIG);
    }
    esp_amp_rpmsg_head_t *h = (void *)((uintptr_t)data - HDR);
    return tx_send(rpmsg_dev, h, ept->addr, dst_addr, data_len, true);
}

int esp_amp_rpmsg_send(esp_amp_rpmsg_dev_t *rpmsg_dev, esp_amp_rpmsg_ept_t *ept,
                       uint16_t dst_addr, void *data, uint16_t data_len)
{
    if (!dev_ready(rpmsg_dev) || ept == NULL ||
        (data == NULL && data_len != 0)) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    if (data_len > esp_amp_rpmsg_get_max_size(rpmsg_dev)) {
        rpmsg_dev->stats.tx_too_big++;
        return esp_amp_fail(ESP_AMP_ERR_TOO_BIG);
    }
    esp_amp_rpmsg_head_t *h = tx_alloc(rpmsg_dev, data_len);
    if (h == NULL) {
        return -1;
    }
    esp_amp_copy((uint8_t *)h + HDR, data, data_len);
    h->data_flags = ESP_AMP_RPMSG_DATA_DEFAULT;
    return tx_send(rpmsg_dev, h, ept->addr, dst_addr, data_len, false);
}

int esp_amp_rpmsg_get_stats(const esp_amp_rpmsg_dev_t *rpmsg_dev,
                            esp_amp_rpmsg_stats_t *stats)
{
    if (rpmsg_dev == NULL || stats == NULL) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    *stats = rpmsg_dev->stats;
    return 0;
}

/* Endpoints ------------------------------------------------------------- */

esp_amp_rpmsg_ept_t *esp_amp_rpmsg_create_endpoint(
    esp_amp_rpmsg_dev_t *rpmsg_device, uint16_t ept_addr,
    esp_amp_ept_cb_t ept_rx_cb, void *ept_rx_cb_data,
    esp_amp_rpmsg_ept_t *ept_ctx)
{
    if (rpmsg_device == NULL || ept_ctx == NULL) {
        esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
        return NULL;
    }
    esp_amp_rpmsg_ept_t *ret = ept_ctx;
    esp_amp_env_enter_critical();
    for (esp_amp_rpmsg_ept_t *e = rpmsg_device->ept_list; e != NULL;
         e = e->next_ept) {
        if (e->addr == ept_addr || e == ept_ctx) {
            ret = NULL;
            break;
        }
    }
    if (ret != NULL) {
        ept_ctx->addr = ept_addr;
        ept_ctx->rx_cb = ept_rx_cb;
        ept_ctx->rx_cb_data = ept_rx_cb_data;
        ept_ctx->next_ept = rpmsg_device->ept_list;
        rpmsg_device->ept_list = ept_ctx;
    }
    esp_amp_env_exit_critical();
    if (ret == NULL) {
        esp_amp_fail(ESP_AMP_ERR_EXISTS);
    }
    return ret;
}

esp_amp_rpmsg_ept_t *esp_amp_rpmsg_delete_endpoint(
    esp_amp_rpmsg_dev_t *rpmsg_device, uint16_t ept_addr)
{
    if (rpmsg_device == NULL) {
        esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
        return NULL;
    }
    esp_amp_rpmsg_ept_t *found = NULL;
    esp_amp_env_enter_critical();
    for (esp_amp_rpmsg_ept_t **link = &rpmsg_device->ept_list; *link != NULL;
         link = &(*link)->next_ept) {
        if ((*link)->addr == ept_addr) {
            found = *link;
            *link = found->next_ept;
            found->next_ept = NULL;
            break;
        }
    }
    esp_amp_env_exit_critical();
    if (found == NULL) {
        esp_amp_fail(ESP_AMP_ERR_NOT_FOUND);
    }
    return found;
}

esp_amp_rpmsg_ept_t *esp_amp_rpmsg_del_endpoint(
    esp_amp_rpmsg_dev_t *rpmsg_device, uint16_t ept_addr)
{
    return esp_amp_rpmsg_delete_endpoint(rpmsg_device, ept_addr);
}

esp_amp_rpmsg_ept_t *esp_amp_rpmsg_rebind_endpoint(
    esp_amp_rpmsg_dev_t *rpmsg_device, uint16_t ept_addr,
    esp_amp_ept_cb_t ept_rx_cb, void *ept_rx_cb_data)
{
    if (rpmsg_device == NULL) {
        esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
        return NULL;
    }
    esp_amp_env_enter_critical();
    esp_amp_rpmsg_ept_t *e = ept_find(rpmsg_device, ept_addr);
    if (e != NULL) {
        e->rx_cb = ept_rx_cb;
        e->rx_cb_data = ept_rx_cb_data;
    }
    esp_amp_env_exit_critical();
    if (e == NULL) {
        esp_amp_fail(ESP_AMP_ERR_NOT_FOUND);
    }
    return e;
}

esp_amp_rpmsg_ept_t *esp_amp_rpmsg_search_endpoint(
    esp_amp_rpmsg_dev_t *rpmsg_device, uint16_t ept_addr)
{
    if (rpmsg_device == NULL) {
        esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
        return NULL;
    }
    esp_amp_env_enter_critical();
    esp_amp_rpmsg_ept_t *e = ept_find(rpmsg_device, ept_addr);
    esp_amp_env_exit_critical();
    if (e == NULL) {
        esp_amp_fail(ESP_AMP_ERR_NOT_FOUND);
    }
    return e;
}
