/*
 * esp_amp_rpmsg.c - RPMsg devices and endpoints over a pair of rings.
 *
 * A device pair lives in one sys_info block (esp_amp_shm_vq_pair_t): ring 0
 * carries main -> sub, ring 1 sub -> main. Each message is one ring buffer:
 * an 8-byte esp_amp_rpmsg_head_t, then the payload, so the largest payload
 * is item_size - 8 (esp_amp_rpmsg_get_max_size).
 *
 * ONE CRITICAL SECTION PER RING OPERATION
 * Every call that touches a ring does, inside one critical section of the
 * environment port: the link check (esp_amp_link_ready: is the ring still
 * the one this core bound, in the same session?), then the ring operation
 * of esp_amp_ring.h. A task and an ISR, or two tasks, of one core can
 * therefore use one device at once: none can reset or rebind the rings
 * between another's check and its write. What runs outside are the
 * endpoint callbacks and the application's own writes into a buffer it
 * created. The calls of the application start with call_begin() (critical
 * section, argument and device checks, link check) and end with
 * call_end() (leave, record the error).
 *
 * Receiving: esp_amp_rpmsg_poll() takes one buffer and calls the callback of
 * the endpoint named by dst_addr; the application gives the buffer back with
 * esp_amp_rpmsg_destroy(). A message whose header does not fit its
 * descriptor, or whose endpoint is missing or has no callback, is given
 * back at once and counted. In interrupt mode the doorbell handler drains
 * the ring the same way, in ISR context, under the doorbell suppression
 * protocol of esp_amp_ring.h (kick_me). A poll that follows an empty poll
 * first looks, without a critical section and writing nothing, whether
 * there can be anything to do (rx_idle): an idle core polling in a loop
 * pays a few loads per poll.
 *
 * The take path (dev_take, rx_take), the delivery and the send's publish
 * step have several callers; each is written once and built into each
 * caller (ESP_AMP_INLINE): with its constant arguments folded, that is
 * both smaller and faster than the calls. The free step (rx_free) and
 * call_begin/call_end are always built in when compiling for speed
 * (ESP_AMP_HOT); for size the compiler decides.
 *
 * Callbacks of one device never nest or overlap on one core: `busy` marks a
 * running callback. A poll that finds it set fails with ESP_AMP_ERR_BUSY; a
 * doorbell that finds it set records `deferred`, and the callback's caller,
 * when it returns, raises its own doorbell so that the messages still
 * waiting are handled in ISR context.
 */
#include "esp_amp_rpmsg.h"
#include "esp_amp_priv.h"
#include "esp_amp_rpmsg_priv.h"

/* Receive --------------------------------------------------------------- */

typedef struct {
    esp_amp_ept_cb_t cb;   /* NULL: the message was dropped (counted)  */
    void *cb_data;
    void *data;            /* the payload, after the header            */
    uint16_t len;
} rx_msg_t;

/* The endpoint at `addr`, or NULL. Built into its callers: an image has
 * one or two (the receive paths, the rebind and search). */
ESP_AMP_INLINE esp_amp_rpmsg_ept_t *ept_find(esp_amp_rpmsg_dev_t *dev,
                                            uint16_t addr)
{
    esp_amp_rpmsg_ept_t *e = dev->ept_list;
    while (e != NULL && e->addr != addr) {
        e = e->next_ept;
    }
    return e;
}

/* After a refused or successful take (`all`: any refused one, or a
 * receive): did the peer's side move under us (esp_amp_link_moved)? Then
 * what we read is not ours, and the check of the device's role forgets
 * it: told that the take saw the move (DEV_F_MOVED), it acts on that even
 * if it reads the words back as they were (a peer that scribbled and put
 * them back): the take is never dropped without a change of the link.
 *   - Sub core: did a new main core format the ring? A free slot that a
 *     new main core formatted is harmless to alloc: the sub core's next
 *     join formats the rings again.
 *   - Main core, after every take: is our answer to the join gone (a
 *     cleared region, a scribble)? A sub core may then have made a first
 *     join, formatting the rings, with a request equal to the one we
 *     answered: our counters are stale, and the link restarts
 *     (main_check). The format came after the sub core read the answer
 *     gone, so a take that read a descriptor of it sees it gone: nothing
 *     is sent or delivered by stale counters after a take.
 * The take's acquire load of the descriptor (every refusal and every
 * success comes after it) orders these loads after it: no fence of its
 * own. */
static inline bool ring_moved(esp_amp_rpmsg_dev_t *dev, unsigned all)
{
    if (dev_is_main(dev) ? shm_ld32(&dev->pair->ctl[1].join) == dev->join
                         : !all || !esp_amp_link_moved(dev)) {
        return false;
    }
    dev->flags |= DEV_F_MOVED;
    (void)dev->check(dev);   /* forget it with the old session */
    return true;
}

static esp_amp_rpmsg_head_t *buf_head(const esp_amp_queue_t *q, int32_t i)
{
    return (void *)(q->buf + (uint32_t)i * q->max_item_size);
}

/* A descriptor of vq[rx] was refused: true when a change of the link
 * explains it (the relink forgets it), else it is counted once (the stuck
 * bit, cleared by the next take that succeeds) and the peer is rung: its
 * RPMsg handler looks at the link as a whole. (A main core restarts the
 * link then if its answer is gone: one that wrote by counters of the old
 * rings before it noticed.) A bool, not the error: the caller keeps its
 * error, which the compiler knows is one. */
ESP_AMP_SLOW bool take_refused(esp_amp_rpmsg_dev_t *dev, unsigned rx)
{
    unsigned stuck = DEV_F_STUCK_TX << rx;
    if (ring_moved(dev, 1)) {
        return true;
    }
    if (!(dev->flags & stuck)) {
        esp_amp_raise_peer(SW_INTR_RESERVED_ID_RPMSG);
        dev->flags = (uint8_t)(dev->flags | stuck);
        if (rx) {
            STAT_INC(dev, rx_corrupt);
        } else {
            STAT_INC(dev, tx_corrupt);
        }
    }
    return false;
}

/* Begin an API call on a device: enter the critical section, then check
 * the call's arguments (`args_ok`, and the device itself: the link check
 * refuses one that was never initialised) and the link. Every call begun
 * here ends with call_end(), whatever this returned. */
ESP_AMP_HOT esp_amp_err_t call_begin(esp_amp_rpmsg_dev_t *dev, bool args_ok)
{
    if (!args_ok) {
        dev = NULL;        /* one value to keep across the call below */
    }
    esp_amp_env_enter_critical();
    return dev != NULL ? esp_amp_link_ready(dev) : ESP_AMP_ERR_INVALID_ARG;
}

/* End it: leave the critical section; 0, or -1 with `err` recorded. */
ESP_AMP_HOT int call_end(esp_amp_err_t err)
{
    esp_amp_env_exit_critical();
    return err == ESP_AMP_OK ? 0 : esp_amp_fail(err);
}

/* Inside the critical section, after the link check: take the slot at
 * head of vq[rx] - alloc a tx buffer for `need` bytes of payload (rx 0)
 * or receive (rx 1, need 0). The buffer index and (receive) its length in
 * *len, or minus why not. The size is checked after the link check: the
 * check may have bound the device to a new, smaller geometry. A refused
 * descriptor is counted once (the stuck bit), unless the refusal, or what
 * was taken, is explained by a new main core's format. */
ESP_AMP_INLINE int32_t dev_take(esp_amp_rpmsg_dev_t *dev, unsigned rx,
                                uint32_t need, uint16_t *len)
{
    if (need > (uint32_t)(dev->vq[rx].max_item_size - HDR)) {
        STAT_INC(dev, tx_too_big);
        return -(int32_t)ESP_AMP_ERR_TOO_BIG;
    }
    int32_t i = ring_take(&dev->vq[rx], rx, len);
    if (i >= 0) {
        if (ring_moved(dev, rx)) {
            return -ESP_AMP_ERR_LINK_DOWN;
        }
        dev->flags &= (uint8_t)~(DEV_F_STUCK_TX << rx);
    } else if (i == -ESP_AMP_ERR_CORRUPT) {
        if (take_refused(dev, rx)) {
            return -ESP_AMP_ERR_LINK_DOWN;
        }
    } else if (!rx) {
        STAT_INC(dev, tx_no_buf);
    }
    return i;
}

/* Inside the critical section: give received buffer i back to the peer,
 * and ring it if it waits for a free buffer (it asked: tx_wait). */
ESP_AMP_HOT void rx_free(esp_amp_rpmsg_dev_t *dev, uint32_t i)
{
    ring_put(dev_rxq(dev), true, i, 0);
    shm_fence();
    if (shm_ld32(&peer_ctl(dev)->tx_wait) != 0) {
        esp_amp_raise_peer(SW_INTR_RESERVED_ID_RPMSG_TX);
    }
}

/* Inside the critical section, after the link check: take the next
 * message. ESP_AMP_OK with *m filled (m->cb NULL if it was dropped), or
 * why there is none. */
ESP_AMP_INLINE esp_amp_err_t rx_take(esp_amp_rpmsg_dev_t *dev, rx_msg_t *m)
{
    esp_amp_queue_t *q = dev_rxq(dev);
    uint16_t len = 0;
    int32_t i = dev_take(dev, 1, 0, &len);
    if (i < 0) {
        return (esp_amp_err_t)-i;
    }
    esp_amp_rpmsg_head_t *h = buf_head(q, i);
    uint16_t dlen = shm_ld16(&h->data_len);
    esp_amp_rpmsg_ept_t *e = ept_find(dev, shm_ld16(&h->dst_addr));
    m->cb = NULL;
    if (dlen + HDR > len) {       /* header and payload do not fit */
        STAT_INC(dev, rx_bad_header);
    } else if (e == NULL || e->rx_cb == NULL) {
        STAT_INC(dev, rx_no_ept);
    } else {
        STAT_INC(dev, rx_msgs);
        m->cb = e->rx_cb;
        m->cb_data = e->rx_cb_data;
        m->data = h + 1;
        m->len = dlen;
        dev->busy = 1;
        return ESP_AMP_OK;
    }
    rx_free(dev, (uint32_t)i);
    return ESP_AMP_OK;
}

/* Run a taken message's callback, outside the critical section. Clear
 * busy first, then look at deferred: a doorbell that came before the clear
 * has set deferred; one that comes after runs its own dispatch. */
ESP_AMP_INLINE void rx_deliver(esp_amp_rpmsg_dev_t *dev, const rx_msg_t *m)
{
    if (m->cb == NULL) {
        return;
    }
    /* The source address is read here, as the callback reads the
     * payload: from the buffer this core holds (fewer values kept across
     * leaving the critical section). */
    const esp_amp_rpmsg_head_t *h = (const esp_amp_rpmsg_head_t *)m->data - 1;
    (void)m->cb(m->data, m->len, shm_ld16(&h->src_addr), m->cb_data);
    dev->busy = 0;
    atomic_signal_fence(memory_order_seq_cst);
    if (ESP_AMP_CONFIG_RX_INTR && dev->deferred) {
        dev->deferred = 0;
        if (dev_intr(dev)) {
            /* esp_amp_raise_self() written out: a polling image, where
             * this is the only caller, carries no copy of it. */
            esp_amp_sw_intr_raise(esp_amp_platform_core_id(),
                                  SW_INTR_RESERVED_ID_RPMSG);
        }
    }
}

/* Inside the critical section: a callback of this device is running. */
static bool rx_busy(esp_amp_rpmsg_dev_t *dev)
{
    if (dev->busy) {
        if (ESP_AMP_CONFIG_RX_INTR) {
            dev->deferred = 1;     /* read when the callback returns */
        }
        return true;
    }
    return false;
}

/* Nothing to receive, seen without a critical section: no callback runs,
 * the link is up and unchanged, and the slot at head holds a legal "not
 * yet". It only reads: whatever interrupts it, the answer was true when
 * it was given. Anything else takes the full path. */
static inline bool rx_idle(esp_amp_rpmsg_dev_t *dev)
{
    return !dev->busy && dev->link == ESP_AMP_LINK_UP &&
           !esp_amp_link_moved(dev) && ring_rx_idle(dev_rxq(dev));
}

ESP_AMP_SLOW int rx_poll(esp_amp_rpmsg_dev_t *dev)
{
    rx_msg_t m = {0};
    esp_amp_err_t err = ESP_AMP_ERR_BUSY;
    esp_amp_env_enter_critical();
    /* Empty polls in a row: 0 after any other outcome (cleared first, one
     * store for all of them), one more after an empty one. */
    uint8_t idle = (uint8_t)(dev->idle_polls + 1u);
    dev->idle_polls = 0;
    if (!rx_busy(dev)) {
        err = esp_amp_link_ready(dev);
        if (err == ESP_AMP_OK) {
            err = rx_take(dev, &m);
        }
    }
    if (err == ESP_AMP_ERR_EMPTY) {
        dev->idle_polls = idle;
        if (idle == 0) {
            esp_amp_link_look(dev);   /* now and then, while idle */
        }
    }
    esp_amp_env_exit_critical();
    if (err == ESP_AMP_OK) {
        rx_deliver(dev, &m);
        return 0;
    }
    return esp_amp_fail(err);
}

int esp_amp_rpmsg_poll(esp_amp_rpmsg_dev_t *rpmsg_dev)
{
    /* A device that was never initialised is refused by the link check
     * (it is never UP: the shortcut does not take it). */
    if (rpmsg_dev == NULL) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    /* After an empty poll, the next one most likely finds nothing too: try
     * the shortcut, at idle_polls 1 to 254 (0 - 1u wraps to the largest
     * value; at 255 the full path: an empty one wraps idle_polls to 0 and
     * runs the repair hook). */
    if (rpmsg_dev->idle_polls - 1u < 254u && rx_idle(rpmsg_dev)) {
        rpmsg_dev->idle_polls++;
        return esp_amp_fail(ESP_AMP_ERR_EMPTY);
    }
    return rx_poll(rpmsg_dev);
}

#if ESP_AMP_CONFIG_RX_INTR
/* Doorbell handler (ISR context): drain, then arm kick_me and re-check.
 * One run handles at most ESP_AMP_CONFIG_RX_ISR_BUDGET ring lengths of
 * messages (a re-check that finds one counts as one); after the last it
 * raises its own doorbell and returns, so a peer that never stops sending
 * cannot keep this core in one handler for ever. A refused descriptor, or
 * a link that is down, ends the run with kick_me armed: the ring stays
 * stopped at it.
 * When the ring runs empty right after a message, the handler first looks
 * at it up to ESP_AMP_CONFIG_RX_LINGER more times before it asks for a
 * doorbell again: a stream then costs one doorbell per burst, not one per
 * message. */
static int rx_isr(void *arg)
{
    esp_amp_rpmsg_dev_t *dev = arg;
    uint32_t budget = ESP_AMP_CONFIG_RX_ISR_BUDGET *
                      ((uint32_t)dev_rxq(dev)->mask + 1u);
    uint32_t linger = 0;
    esp_amp_err_t err;
    rx_msg_t m = {0};
    bool armed = true;
    for (;;) {
        esp_amp_env_enter_critical();
        if (rx_busy(dev)) {
            esp_amp_env_exit_critical();
            return 0;
        }
        /* The first look of a run is the whole check of the link (see
         * esp_amp_link.c), not only its common case: a doorbell is when
         * the peer has news. kick_me is cleared once the link is up, so
         * a device whose pair block is gone writes nothing there. */
        err = armed ? dev->check(dev) : esp_amp_link_ready(dev);
        if (err == ESP_AMP_OK) {
            if (armed) {
                esp_amp_link_set_kick(dev, 0);
                armed = false;
            }
            err = rx_take(dev, &m);
        }
        if (err == ESP_AMP_ERR_EMPTY && linger != 0) {
            esp_amp_env_exit_critical();
            while (linger != 0 && !ring_pending(dev_rxq(dev))) {
                linger--;          /* reads only: the ring, as it moves */
            }
            continue;
        }
        if (err != ESP_AMP_OK && dev->link != ESP_AMP_LINK_DOWN) {
            /* Going idle, refused, or the link is down: ask to be rung, in
             * the pair block the device is bound to (a device that is DOWN
             * has none: it arms kick_me when it attaches). Then look once
             * more, at the ring or the link: a message, a request or an
             * answer published before kick_me was set rang nothing. A
             * refused descriptor stops the run here. */
            esp_amp_link_set_kick(dev, 1);
            armed = true;
            if (err == ESP_AMP_ERR_EMPTY ? ring_pending(dev_rxq(dev))
                                         : err == ESP_AMP_ERR_LINK_DOWN &&
                                               dev->check(dev) == ESP_AMP_OK) {
                err = ESP_AMP_OK;
                m.cb = NULL;
            }
        }
        esp_amp_env_exit_critical();
        if (err != ESP_AMP_OK) {
            return 0;
        }
        linger = ESP_AMP_CONFIG_RX_LINGER;
        rx_deliver(dev, &m);
        if (--budget == 0) {
            /* kick_me left as it is: the doorbell raised here runs this
             * again, and that run arms it as it goes idle */
            esp_amp_raise_self(SW_INTR_RESERVED_ID_RPMSG);
            return 0;
        }
    }
}
#endif

int esp_amp_rpmsg_intr_enable(esp_amp_rpmsg_dev_t *rpmsg_dev)
{
#if ESP_AMP_CONFIG_RX_INTR
    if (!dev_ready(rpmsg_dev) || (rpmsg_dev->flags & DEV_F_POLL)) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    if (rpmsg_dev->flags & DEV_F_INTR) {
        return 0;
    }
    if (esp_amp_sw_intr_add_handler(SW_INTR_RESERVED_ID_RPMSG, rx_isr,
                                    rpmsg_dev) != 0) {
        return -1;
    }
    esp_amp_env_enter_critical();
    rpmsg_dev->flags |= DEV_F_INTR;
    esp_amp_env_exit_critical();
    /* Messages sent before the handler existed rang no doorbell: a run of
     * the handler takes them and arms kick_me (every run ends armed, or
     * leaves the rest to a later run that does: see rx_isr). */
    esp_amp_raise_self(SW_INTR_RESERVED_ID_RPMSG);
    return 0;
#else
    (void)rpmsg_dev;
    return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
#endif
}

int esp_amp_rpmsg_destroy(esp_amp_rpmsg_dev_t *rpmsg_dev, void *msg_data)
{
    esp_amp_err_t err = call_begin(rpmsg_dev, msg_data != NULL);
    if (err == ESP_AMP_OK) {
        int32_t i = ring_index_of_held(dev_rxq(rpmsg_dev), msg_data, HDR);
        if (i < 0) {
            STAT_INC(rpmsg_dev, bad_ptr);
            err = ESP_AMP_ERR_NOT_OWNED;
        } else {
            rx_free(rpmsg_dev, (uint32_t)i);
        }
    }
    return call_end(err);
}

/* Send ------------------------------------------------------------------ */

uint16_t esp_amp_rpmsg_get_max_size(esp_amp_rpmsg_dev_t *rpmsg_dev)
{
    if (!dev_ready(rpmsg_dev)) {
        esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
        return 0;
    }
    return (uint16_t)(dev_txq(rpmsg_dev)->max_item_size - HDR);
}

/* Inside the critical section: publish held tx buffer i, its header
 * filled, with `len` bytes of payload; ring the peer if this device
 * notifies and the peer asked. The look at DEV_F_NOTIFY is made here (a
 * device that does not notify makes no call), but in a build for size,
 * which leaves it to esp_amp_link_kick (one call, one copy of it). */
ESP_AMP_INLINE void tx_put(esp_amp_rpmsg_dev_t *dev, int32_t i, uint16_t len)
{
    ring_put(dev_txq(dev), false, (uint32_t)i, (uint16_t)(len + HDR));
    STAT_INC(dev, tx_msgs);
#if !defined(__OPTIMIZE_SIZE__)
    if (dev->flags & DEV_F_NOTIFY) {
        esp_amp_link_ring(dev);
    }
#else
    esp_amp_link_kick(dev);
#endif
}

/* The header of a tx buffer, but for its flags. */
static inline void head_fill(esp_amp_rpmsg_head_t *h, uint16_t src,
                             uint16_t dst, uint16_t len)
{
    shm_st16(&h->src_addr, src);
    shm_st16(&h->dst_addr, dst);
    shm_st16(&h->data_len, len);
}

void *esp_amp_rpmsg_create_message(esp_amp_rpmsg_dev_t *rpmsg_dev,
                                   uint32_t nbytes, uint16_t flags)
{
    uint16_t len;           /* (not used: an alloc has no length) */
    esp_amp_err_t err = call_begin(rpmsg_dev, true);
    if (err == ESP_AMP_OK) {
        int32_t i = dev_take(rpmsg_dev, 0, nbytes, &len);
        if (i >= 0) {
            /* The size created and the flags (the send writes the
             * addresses). */
            esp_amp_rpmsg_head_t *h = buf_head(dev_txq(rpmsg_dev), i);
            shm_st16(&h->data_len, (uint16_t)nbytes);
            shm_st16(&h->data_flags, flags);
            esp_amp_env_exit_critical();
            return h + 1;
        }
        err = (esp_amp_err_t)-i;
    }
    /* call_end() written out, the error recorded before leaving: each
     * end keeps one value at most (the message) across the call that
     * leaves the critical section. */
    (void)esp_amp_fail(err);
    esp_amp_env_exit_critical();
    return NULL;
}

int esp_amp_rpmsg_send_nocopy(esp_amp_rpmsg_dev_t *rpmsg_dev,
                              esp_amp_rpmsg_ept_t *ept, uint16_t dst_addr,
                              void *data, uint16_t data_len)
{
    /* Only a buffer this core holds in the current session is written: a
     * buffer created before the peer restarted is refused. */
    esp_amp_err_t err = call_begin(rpmsg_dev, ept != NULL && data != NULL);
    if (err == ESP_AMP_OK) {
        esp_amp_queue_t *q = dev_txq(rpmsg_dev);
        int32_t i = ring_index_of_held(q, data, HDR);
        /* The buffer's header, used once i says that it is one: computed
         * from `data`, not again from i. */
        esp_amp_rpmsg_head_t *h = (esp_amp_rpmsg_head_t *)data - 1;
        if (i < 0) {
            STAT_INC(rpmsg_dev, bad_ptr);
            err = ESP_AMP_ERR_NOT_OWNED;
        } else if (data_len > q->max_item_size - HDR ||
                   data_len > shm_ld16(&h->data_len)) {
            /* Larger than created (or than a buffer): the buffer stays
             * held, send it again. */
            STAT_INC(rpmsg_dev, tx_too_big);
            err = ESP_AMP_ERR_TOO_BIG;
        } else {
            head_fill(h, ept->addr, dst_addr, data_len);
            tx_put(rpmsg_dev, i, data_len);
        }
    }
    return call_end(err);
}

/* The copy runs inside the critical section, so that one link check covers
 * the whole send; for large payloads create_message + send_nocopy copy
 * with interrupts enabled. */
int esp_amp_rpmsg_send(esp_amp_rpmsg_dev_t *rpmsg_dev, esp_amp_rpmsg_ept_t *ept,
                       uint16_t dst_addr, void *data, uint16_t data_len)
{
    uint16_t len;           /* (not used: an alloc has no length) */
    esp_amp_err_t err =
        call_begin(rpmsg_dev, ept != NULL && (data != NULL || data_len == 0));
    if (err == ESP_AMP_OK) {
        int32_t i = dev_take(rpmsg_dev, 0, data_len, &len);
        if (i < 0) {
            err = (esp_amp_err_t)-i;
        } else {
            /* The header first: fewer values live across the copy. */
            esp_amp_rpmsg_head_t *h = buf_head(dev_txq(rpmsg_dev), i);
            head_fill(h, ept->addr, dst_addr, data_len);
            shm_st16(&h->data_flags, ESP_AMP_RPMSG_DATA_DEFAULT);
            esp_amp_copy(h + 1, data, data_len);
            tx_put(rpmsg_dev, i, data_len);
        }
    }
    return call_end(err);
}

int esp_amp_rpmsg_tx_wait(esp_amp_rpmsg_dev_t *rpmsg_dev, bool waiting)
{
    /* Written only while the link is up: a device whose pair block is gone
     * writes nothing there (and a new session starts with it clear). */
    esp_amp_err_t err = call_begin(rpmsg_dev, true);
    if (err == ESP_AMP_OK) {
        shm_st32(&own_ctl(rpmsg_dev)->tx_wait, waiting ? 1u : 0u);
        shm_fence();
    }
    return call_end(err);
}

int esp_amp_rpmsg_get_stats(const esp_amp_rpmsg_dev_t *rpmsg_dev,
                            esp_amp_rpmsg_stats_t *stats)
{
    if (rpmsg_dev == NULL || stats == NULL) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
#if ESP_AMP_CONFIG_STATS
    *stats = rpmsg_dev->stats;
#else
    esp_amp_zero(stats, sizeof(*stats));
#endif
    return 0;
}

/* Endpoints ------------------------------------------------------------- */

esp_amp_rpmsg_ept_t *esp_amp_rpmsg_create_endpoint(
    esp_amp_rpmsg_dev_t *rpmsg_device, uint16_t ept_addr,
    esp_amp_ept_cb_t ept_rx_cb, void *ept_rx_cb_data,
    esp_amp_rpmsg_ept_t *ept_ctx)
{
    if (rpmsg_device == NULL || ept_ctx == NULL) {
        return esp_amp_fail_null(ESP_AMP_ERR_INVALID_ARG);
    }
    esp_amp_env_enter_critical();
    /* The first endpoint with this address, or ept_ctx itself, if listed. */
    esp_amp_rpmsg_ept_t *e = rpmsg_device->ept_list;
    while (e != NULL && e->addr != ept_addr && e != ept_ctx) {
        e = e->next_ept;
    }
    if (e == NULL) {
        ept_ctx->addr = ept_addr;
        ept_ctx->rx_cb = ept_rx_cb;
        ept_ctx->rx_cb_data = ept_rx_cb_data;
        ept_ctx->next_ept = rpmsg_device->ept_list;
        rpmsg_device->ept_list = ept_ctx;
    }
    esp_amp_env_exit_critical();
    return e == NULL ? ept_ctx : esp_amp_fail_null(ESP_AMP_ERR_EXISTS);
}

esp_amp_rpmsg_ept_t *esp_amp_rpmsg_delete_endpoint(
    esp_amp_rpmsg_dev_t *rpmsg_device, uint16_t ept_addr)
{
    if (rpmsg_device == NULL) {
        return esp_amp_fail_null(ESP_AMP_ERR_INVALID_ARG);
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
    return found != NULL ? found : esp_amp_fail_null(ESP_AMP_ERR_NOT_FOUND);
}

esp_amp_rpmsg_ept_t *esp_amp_rpmsg_del_endpoint(
    esp_amp_rpmsg_dev_t *rpmsg_device, uint16_t ept_addr)
{
    return esp_amp_rpmsg_delete_endpoint(rpmsg_device, ept_addr);
}

/* Rebind (callback != NULL or `rebind`) or search: the endpoint at
 * `ept_addr`, or NULL with ESP_AMP_ERR_NOT_FOUND. */
static esp_amp_rpmsg_ept_t *ept_lookup(esp_amp_rpmsg_dev_t *dev, uint16_t addr,
                                       bool rebind, esp_amp_ept_cb_t cb,
                                       void *cb_data)
{
    if (dev == NULL) {
        return esp_amp_fail_null(ESP_AMP_ERR_INVALID_ARG);
    }
    esp_amp_env_enter_critical();
    esp_amp_rpmsg_ept_t *e = ept_find(dev, addr);
    if (e != NULL && rebind) {
        e->rx_cb = cb;
        e->rx_cb_data = cb_data;
    }
    esp_amp_env_exit_critical();
    return e != NULL ? e : esp_amp_fail_null(ESP_AMP_ERR_NOT_FOUND);
}

esp_amp_rpmsg_ept_t *esp_amp_rpmsg_rebind_endpoint(
    esp_amp_rpmsg_dev_t *rpmsg_device, uint16_t ept_addr,
    esp_amp_ept_cb_t ept_rx_cb, void *ept_rx_cb_data)
{
    return ept_lookup(rpmsg_device, ept_addr, true, ept_rx_cb, ept_rx_cb_data);
}

esp_amp_rpmsg_ept_t *esp_amp_rpmsg_search_endpoint(
    esp_amp_rpmsg_dev_t *rpmsg_device, uint16_t ept_addr)
{
    return ept_lookup(rpmsg_device, ept_addr, false, NULL, NULL);
}
