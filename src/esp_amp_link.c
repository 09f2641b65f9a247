/*
 * esp_amp_link.c - life cycle of an RPMsg device pair: initialisation on
 * both cores, and what happens when either core restarts.
 *
 * SESSIONS
 * Every time the main core formats the region it publishes a new session
 * number in the region header, and its pair block starts with both join
 * words 0. A sub core's device remembers the session it bound to and the
 * join request it wrote; when the number changes, or the request is no
 * longer in the pair block, the main core restarted: the device goes DOWN
 * at once, forgets every buffer it held - without touching them, they
 * belong to the old session - and joins again, as soon as the new main
 * core has created its pair block.
 *
 * JOINING (req = ctl[0].join, written by the sub core; ack = ctl[1].join,
 * written by the main core)
 *   - The main core uses no ring in a session before it has answered a
 *     join: until then its sends and receives fail with LINK_DOWN.
 *   - First join of a session: req and ack are both 0, so the main core
 *     has touched no ring since it formatted them. The sub core formats
 *     both rings itself - this wipes any write of its own that was in
 *     flight when the main core restarted: such a write was made before
 *     this join, in program order, by this core - writes req = 1 and is UP
 *     at once. The main core, seeing 1 while it has answered nothing,
 *     answers 1 without touching the rings.
 *   - Rejoin (anything else: a sub core restarted while the main core
 *     kept running): the sub core writes a larger number (at least 2) and
 *     waits (JOINING) without touching the rings. The main core, seeing a
 *     request other than the first, resets both rings to their initial
 *     state - forgetting what it held, dropping what was in flight - and
 *     then answers with the same number (release). The sub core is UP when
 *     it reads its number back (acquire).
 * Every link check runs inside the critical section of the ring operation
 * it guards, so no other context of the same core can reset, rebind or
 * write a ring between the check and the operation. A core in interrupt
 * mode sets its kick_me while it waits for an answer; a join request and
 * an answer ring the peer under the same rule as a message (notify set and
 * the peer's kick_me 1), and the main core rings the sub core after its
 * format, so a peer in interrupt mode notices without waiting for a send.
 *
 * Ordering: the main core stores the new session, fences, then formats the
 * rings and clears the join words last (esp_amp_ring_pair_format: the order
 * the model checks), all while the pair block's magic is 0; the sub core stores
 * its first request, fences, and reads the session again: if its request
 * landed after a newer main core's format, it sees that newer session and
 * does not use the rings. docs/model/ holds a model of this protocol
 * checked with Spin.
 *
 * Nothing here trusts the peer: a garbage join word can only make the main
 * core reset its rings (the peer can stop the link anyway; it cannot make
 * this core touch memory outside the region).
 */
#include "esp_amp_priv.h"
#include "esp_amp_rpmsg_priv.h"
#include "esp_amp_sys_info.h"

static void link_set(esp_amp_rpmsg_dev_t *dev, esp_amp_link_state_t state)
{
    if (dev->link != state) {
        dev->link = (uint8_t)state;
        if (dev->link_cb != NULL) {
            dev->link_cb(dev, state, dev->link_cb_arg);
        }
    }
}

/* The doorbell suppression look: ring the peer if it asked (kick_me). */
ESP_AMP_INLINE void link_ring(esp_amp_rpmsg_dev_t *dev)
{
    const uint32_t *kick_me = &peer_ctl(dev)->kick_me;
    shm_fence();
    if (shm_ld32(kick_me) != 0) {
        STAT_INC(dev, notifies);
        esp_amp_raise_peer(SW_INTR_RESERVED_ID_RPMSG);
    }
}

void esp_amp_link_kick(esp_amp_rpmsg_dev_t *dev)
{
    if (dev->flags & DEV_F_NOTIFY) {
        link_ring(dev);
    }
}

void esp_amp_link_ring(esp_amp_rpmsg_dev_t *dev)
{
    link_ring(dev);
}

static void set_kick_if_intr(esp_amp_rpmsg_dev_t *dev)
{
    if (dev_intr(dev)) {
        esp_amp_link_set_kick(dev, 1);
    }
}

/* esp_amp_init() has run on this core: it points the link checks at the
 * region's session word. Without it an init fails with NOT_INIT. */
static bool core_ready(void)
{
    return esp_amp_core_state()->session_word != NULL;
}

/* The flags of an init's `notify` and `poll` (computed before the init's
 * calls: one value to keep across them, not two). */
static unsigned dev_flags(bool notify, bool poll)
{
    return (notify ? DEV_F_NOTIFY : 0u) | (poll ? DEV_F_POLL : 0u);
}

/* A device of the role whose check is `check`; `peer_line` tells the role
 * (0 on the main core, see peer_ctl and dev_is_main). */
static void dev_reset(esp_amp_rpmsg_dev_t *dev, esp_amp_queue_t vq[],
                      uint16_t id, unsigned flags,
                      esp_amp_err_t (*check)(esp_amp_rpmsg_dev_t *),
                      uint8_t peer_line)
{
    *dev = (esp_amp_rpmsg_dev_t){
        .vq = vq, .check = check, .sysinfo_id = id, .flags = (uint8_t)flags,
        .peer_line = peer_line};
}

/* Sub core ---------------------------------------------------------------- */
#if ESP_AMP_CONFIG_SUB_CORE

/* Find and check the pair block of dev->sysinfo_id (nothing written yet);
 * if it is there, bind `dev` to the block and join: UP at a first join of
 * the session, JOINING at a rejoin, DOWN again if a newer main core
 * appeared meanwhile. Called inside a critical section, by a link check or
 * by an init on a new device of its own (copied out once attached). */
static esp_amp_err_t sub_attach(esp_amp_rpmsg_dev_t *dev)
{
    uint32_t size, session;             /* set by a lookup that succeeds */
    uint16_t id = dev->sysinfo_id;
    void *block;
    esp_amp_err_t err = ESP_AMP_ERR_NOT_INIT;
    if (esp_amp_sys_info_find(id, &block, &size, &session) != ESP_AMP_OK ||
        session == 0 /* not formatted */ || size < sizeof(esp_amp_shm_vq_pair_t)) {
        return err;
    }
    esp_amp_shm_vq_pair_t *pair = block;
    if (shm_ld32_acq(&pair->magic) != ESP_AMP_VQ_MAGIC) {
        goto header;
    }
    uint16_t len = shm_ld16(&pair->queue_len), item = shm_ld16(&pair->item_size);
    /* size holds the header at least: a geometry the format refuses
     * (pair size 0) never matches it. */
    if (item <= HDR || esp_amp_queue_pair_size(len, item) != size) {
        err = ESP_AMP_ERR_CORRUPT;
        goto header;
    }
    if (len > ESP_AMP_CONFIG_QUEUE_MAX_LEN) {
        return ESP_AMP_ERR_NO_MEM;
    }
    /* What was read belongs to one complete header of that session: the
     * main core was not formatting meanwhile (esp_amp_sys_info.c). */
    atomic_thread_fence(memory_order_acquire);
    if (esp_amp_sys_info_session() != session) {
        return ESP_AMP_ERR_NOT_INIT;
    }
    esp_amp_ring_bind(dev->vq, pair, len, item, 1);   /* tx: ring 1 */
    dev->pair = pair;
    dev->session = session;

    uint32_t req = shm_ld32(&pair->ctl[0].join);
    uint32_t ack = shm_ld32_acq(&pair->ctl[1].join);
    if (req == 0 && ack == 0) {
        /* First join: the main core has not touched the rings. (No
         * refused slot is marked: sub_check drops the marks with the
         * link, and a device is DOWN only without them.) */
        esp_amp_ring_reset(dev->vq);
        dev->join = 1;
        shm_st32_rel(&pair->ctl[0].join, 1);
        shm_fence();
        /* A newer main core: stay DOWN, the next check attaches again.
         * The session is looked up once more (a header that is being
         * formatted gives 0: a newer one too). */
        link_set(dev, esp_amp_sys_info_session() == session ? ESP_AMP_LINK_UP
                                                            : ESP_AMP_LINK_DOWN);
    } else {
        dev->join = (req > ack ? req : ack) + 1u;
        if (dev->join < 2u) {
            dev->join = 2u;
        }
        shm_st32_rel(&pair->ctl[0].join, dev->join);
        link_set(dev, ESP_AMP_LINK_JOINING);
    }
    /* In interrupt mode, ask for a doorbell: an answer comes with one
     * (not in a block of a session that is gone: see rule 5). */
    if (dev->link != ESP_AMP_LINK_DOWN) {
        set_kick_if_intr(dev);
        esp_amp_link_kick(dev);
    }
    return ESP_AMP_OK;
header:
    /* The block is there, its header is not right (yet): the main core is
     * formatting it, or writes it again at its next whole look of the
     * link, which its RPMsg doorbell handler makes: ring it. */
    esp_amp_raise_peer(SW_INTR_RESERVED_ID_RPMSG);
    return err;
}

static esp_amp_err_t sub_check(esp_amp_rpmsg_dev_t *dev)
{
    /* A take saw the link move (DEV_F_MOVED): act on it, whatever is read
     * now (see ring_moved in esp_amp_rpmsg.c). */
    if ((dev->flags & DEV_F_MOVED) || esp_amp_link_moved(dev)) {
        /* Forget held buffers: old pointers are refused from now on; and
         * the refused slots (a refusal in the next session is counted
         * again). A device that is DOWN already holds none: nothing
         * changes. */
        esp_amp_ring_forget(dev->vq);
        dev->flags &= (uint8_t)~(DEV_F_STUCK_TX | DEV_F_STUCK_RX | DEV_F_MOVED);
        link_set(dev, ESP_AMP_LINK_DOWN);
    }
    if (dev->link == ESP_AMP_LINK_DOWN) {
        (void)sub_attach(dev);
    }
    if (dev->link == ESP_AMP_LINK_JOINING &&
        shm_ld32_acq(&dev->pair->ctl[1].join) == dev->join) {
        link_set(dev, ESP_AMP_LINK_UP);
        set_kick_if_intr(dev);
    }
    if (dev->link != ESP_AMP_LINK_UP) {
        STAT_INC(dev, link_down);
        return ESP_AMP_ERR_LINK_DOWN;
    }
    return ESP_AMP_OK;
}
#endif

/* Main core --------------------------------------------------------------- */
#if ESP_AMP_CONFIG_MAIN_CORE

/* The link went through JOINING (the peer restarted, or must join again):
 * what the application held is void. Both rings to their initial state
 * (`reset`: the peer does not use them now) or only forgotten (the peer's
 * first join formats them), the marks of refused slots with them. */
static void link_drop(esp_amp_rpmsg_dev_t *dev, bool reset)
{
    if (reset) {
        esp_amp_ring_reset(dev->vq);
    } else {
        esp_amp_ring_forget(dev->vq);
    }
    dev->flags &= (uint8_t)~(DEV_F_STUCK_TX | DEV_F_STUCK_RX | DEV_F_MOVED);
    STAT_INC(dev, link_resets);
    link_set(dev, ESP_AMP_LINK_JOINING);
}

/* The pair block's header as this core wrote it (magic, then queue_len and
 * item_size as one little-endian word): if the peer changed it, or its
 * restart cleared the region, it is written again, so that a sub core
 * that restarts can attach. */
static void pair_header_repair(esp_amp_rpmsg_dev_t *dev)
{
    esp_amp_shm_vq_pair_t *pair = dev->pair;
    const esp_amp_queue_t *q = dev->vq;
    uint16_t len = (uint16_t)(q->mask + 1u);
    if (shm_ld32(&pair->magic) != ESP_AMP_VQ_MAGIC ||
        shm_ld32((const uint32_t *)(const void *)&pair->queue_len) !=
            (len | (uint32_t)q->max_item_size << 16)) {
        shm_st32_rel(&pair->magic, 0);
        esp_amp_ring_pair_publish(pair, len, q->max_item_size);
        /* a sub core in interrupt mode waiting to attach tries again */
        esp_amp_raise_peer(SW_INTR_RESERVED_ID_RPMSG);
    }
}

/* Our answer is gone: only our own format and this restart write it, so
 * the region was cleared or the peer scribbled over it, and a sub core
 * may have made a first join since, formatting the rings: what this core
 * holds and counts may be stale. The link restarts as after a format, but
 * without a new session and without a write to the rings: this core
 * forgets them and clears both join words (the answer first). A sub core
 * then finds its request gone, forgets, and joins again with a first join
 * (both words 0), which formats the rings; this core answers it without
 * touching them. */
static void link_restart(esp_amp_rpmsg_dev_t *dev)
{
    link_drop(dev, false);
    dev->join = 0;
    shm_st32_rel(&dev->pair->ctl[1].join, 0);
    shm_st32_rel(&dev->pair->ctl[0].join, 0);
    /* As after a format: a sub core in interrupt mode learns of it now,
     * and finds the region header written again if it was gone. */
    esp_amp_sys_info_repair();
    esp_amp_raise_peer(SW_INTR_RESERVED_ID_RPMSG);
}

/* The whole look (a link check that found something changed, the link
 * state call, now and then an idle poll, the first look of a doorbell
 * run): the pair header and our answer first, then the request. */
static esp_amp_err_t main_check(esp_amp_rpmsg_dev_t *dev)
{
    pair_header_repair(dev);
    /* A take that saw our answer gone restarts the link, whatever is
     * read now (see ring_moved in esp_amp_rpmsg.c). */
    if ((dev->flags & DEV_F_MOVED) ||
        shm_ld32(&dev->pair->ctl[1].join) != dev->join) {
        link_restart(dev);
    }
    /* acquire: a first join formatted the rings, a rejoin (or a write of
     * the old session) came before the request: both are seen below */
    uint32_t req = shm_ld32_acq(&dev->pair->ctl[0].join);
    if (req == 0) {
        /* Nobody has joined yet (the link is JOINING since the init or a
         * restart), or, after an answer, the peer scribbled: only our own
         * format and restart write 0. Stop using the rings until a real
         * request comes. A sub core that cannot attach may find the
         * region header damaged: it is written again here, as often as
         * this core looks while it waits. */
        esp_amp_sys_info_repair();
        link_set(dev, ESP_AMP_LINK_JOINING);
        STAT_INC(dev, link_down);
        return ESP_AMP_ERR_LINK_DOWN;
    }
    if (req == dev->join) {
        /* The request we answered is back after the peer scribbled over
         * it, and our answer is still there: the rings were not touched
         * meanwhile. */
        link_set(dev, ESP_AMP_LINK_UP);
        return ESP_AMP_OK;
    }
    if (req != 1u || dev->join != 0) {
        /* A rejoin: the sub core restarted; nothing in the rings is valid. */
        link_drop(dev, true);
    }
    dev->join = req;
    shm_st32_rel(&dev->pair->ctl[1].join, req);   /* ack */
    link_set(dev, ESP_AMP_LINK_UP);
    set_kick_if_intr(dev);
    esp_amp_link_kick(dev);
    return ESP_AMP_OK;
}
#endif

/* Initialisation --------------------------------------------------------- */

int esp_amp_rpmsg_main_init_by_id(esp_amp_rpmsg_dev_t *rpmsg_dev,
                                  esp_amp_queue_t rpmsg_vqueue[],
                                  uint16_t queue_len, uint16_t queue_item_size,
                                  bool notify, bool poll,
                                  esp_amp_sys_info_id_t sysinfo_id)
{
#if ESP_AMP_CONFIG_MAIN_CORE
    if (rpmsg_dev == NULL || rpmsg_vqueue == NULL ||
        queue_len - 1u >= ESP_AMP_CONFIG_QUEUE_MAX_LEN ||
        queue_item_size - (HDR + 1u) > ESP_AMP_FMT_ITEM_SIZE_MAX - (HDR + 1u)) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    if (!core_ready()) {
        return esp_amp_fail(ESP_AMP_ERR_NOT_INIT);
    }
    unsigned flags = dev_flags(notify, poll);
    uint16_t len = 1;
    while (len < queue_len) {
        len = (uint16_t)(len << 1);
    }
    /* rounded up to a multiple of 4 (at most ESP_AMP_FMT_ITEM_SIZE_MAX) */
    uint16_t item = (uint16_t)((queue_item_size + 3u) & ~3u);
    esp_amp_shm_vq_pair_t *pair = esp_amp_sys_info_alloc(
        (uint16_t)sysinfo_id, esp_amp_queue_pair_size(len, item));
    if (pair == NULL) {
        return -1;
    }
    dev_reset(rpmsg_dev, rpmsg_vqueue, (uint16_t)sysinfo_id, flags, main_check, 0);
    esp_amp_ring_pair_format(rpmsg_vqueue, pair, len, item);  /* tx: ring 0 */
    rpmsg_dev->pair = pair;
    rpmsg_dev->session = esp_amp_core_state()->shadow.h.session;
    rpmsg_dev->link = ESP_AMP_LINK_JOINING;
    /* A sub core of an earlier session learns of the restart now. */
    esp_amp_raise_peer(SW_INTR_RESERVED_ID_RPMSG);
    return 0;
#else
    (void)rpmsg_dev; (void)rpmsg_vqueue; (void)queue_len;
    (void)queue_item_size; (void)notify; (void)poll; (void)sysinfo_id;
    return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
#endif
}

int esp_amp_rpmsg_sub_init_by_id(esp_amp_rpmsg_dev_t *rpmsg_dev,
                                 esp_amp_queue_t rpmsg_vqueue[], bool notify,
                                 bool poll, esp_amp_sys_info_id_t sysinfo_id)
{
#if ESP_AMP_CONFIG_SUB_CORE
    if (rpmsg_dev == NULL || rpmsg_vqueue == NULL) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    if (!core_ready()) {
        return esp_amp_fail(ESP_AMP_ERR_NOT_INIT);
    }
    /* The device is written only once its pair block is found: the new
     * one attaches here, and is copied into it then. */
    esp_amp_rpmsg_dev_t fresh;
    dev_reset(&fresh, rpmsg_vqueue, (uint16_t)sysinfo_id,
              dev_flags(notify, poll), sub_check, (uint8_t)CTL_LINE);
    esp_amp_env_enter_critical();
    esp_amp_err_t err = sub_attach(&fresh);
    if (err == ESP_AMP_OK) {
        *rpmsg_dev = fresh;
    }
    esp_amp_env_exit_critical();
    return err == ESP_AMP_OK ? 0 : esp_amp_fail(err);
#else
    (void)rpmsg_dev; (void)rpmsg_vqueue; (void)notify; (void)poll;
    (void)sysinfo_id;
    return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
#endif
}

int esp_amp_rpmsg_main_init(esp_amp_rpmsg_dev_t *rpmsg_dev, uint16_t queue_len,
                            uint16_t queue_item_size, bool notify, bool poll)
{
    return esp_amp_rpmsg_main_init_by_id(
        rpmsg_dev, esp_amp_core_state()->default_vq, queue_len,
        queue_item_size, notify, poll, SYS_INFO_RESERVED_ID_VQUEUE);
}

int esp_amp_rpmsg_sub_init(esp_amp_rpmsg_dev_t *rpmsg_dev, bool notify,
                           bool poll)
{
    return esp_amp_rpmsg_sub_init_by_id(rpmsg_dev,
                                        esp_amp_core_state()->default_vq,
                                        notify, poll,
                                        SYS_INFO_RESERVED_ID_VQUEUE);
}

/* Link API --------------------------------------------------------------- */

esp_amp_link_state_t esp_amp_rpmsg_get_link_state(esp_amp_rpmsg_dev_t *rpmsg_dev)
{
    if (!dev_ready(rpmsg_dev)) {
        esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
        return ESP_AMP_LINK_DOWN;
    }
    esp_amp_env_enter_critical();
    esp_amp_link_look(rpmsg_dev);
    esp_amp_link_state_t state = (esp_amp_link_state_t)rpmsg_dev->link;
    esp_amp_env_exit_critical();
    return state;
}

int esp_amp_rpmsg_set_link_callback(esp_amp_rpmsg_dev_t *rpmsg_dev,
                                    esp_amp_link_cb_t cb, void *arg)
{
    if (rpmsg_dev == NULL) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    esp_amp_env_enter_critical();
    rpmsg_dev->link_cb = cb;
    rpmsg_dev->link_cb_arg = arg;
    esp_amp_env_exit_critical();
    return 0;
}
