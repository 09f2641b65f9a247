/*
 * esp_amp_link.c - life cycle of an RPMsg device pair: initialisation on
 * both cores, and what happens when either core restarts.
 *
 * SESSIONS
 * Every time the main core formats the region it publishes a new session
 * number in the region header. A sub core's device remembers the session it
 * bound to and the join request it wrote; when the number changes, or the
 * request is no longer in the pair block (a main core whose memory was
 * wiped may count sessions from 1 again, but its formatting always clears
 * the request), the main core restarted, and the device
 * goes DOWN at once: it forgets every buffer it held - without touching
 * them, they belong to the old session - and on each later operation tries
 * to bind to the new device-pair block, as soon as the new main core has
 * created it.
 *
 * JOINING
 * The sub core announces itself in ctl[0].join (its line); the main core
 * answers in ctl[1].join (its line).
 *   - First join in a session: both words are 0. The rings are fresh and no
 *     sub core has touched them, so the sub core writes 1 and is UP at once;
 *     the main core, when it sees 1, answers 1. Messages the main core sent
 *     before the sub core came are delivered.
 *   - Rejoin (a sub core restarted): the words are not both 0. The sub core
 *     writes a larger number (at least 2) and waits (JOINING) without
 *     touching the rings. The main core, seeing any request other than the
 *     first, resets both rings to their initial state - forgetting what it
 *     held, dropping what was in flight - and then answers with the same
 *     number (release). The sub core is UP when it reads its number back.
 * The sub core raises the RPMsg interrupt after writing a request, and the
 * main core after formatting, so a peer in interrupt mode notices without
 * waiting for its next send. A peer that never restarts costs one shared
 * load per operation.
 *
 * Nothing here trusts the peer: a garbage join word can only make the main
 * core reset its rings (the peer can stop the link anyway; it cannot make
 * this core touch memory outside the region).
 */
#include "esp_amp_priv.h"
#include "esp_amp_rpmsg_priv.h"

static void link_set(esp_amp_rpmsg_dev_t *dev, esp_amp_link_state_t state)
{
    if (dev->link != (uint8_t)state) {
        dev->link = (uint8_t)state;
        if (dev->link_cb != NULL) {
            dev->link_cb(dev, state, dev->link_cb_arg);
        }
    }
}

static int tx_notify(void *priv)
{
    esp_amp_rpmsg_dev_t *dev = priv;
    dev->stats.notifies++;
    return esp_amp_sw_intr_trigger(SW_INTR_RESERVED_ID_RPMSG);
}

static uint32_t region_session(void)
{
    const esp_amp_shm_header_t *h = esp_amp_platform_shm_base();
    return shm_ld32(&h->session);
}

/* The geometry of a pair block, as validated once. */
typedef struct {
    uint16_t len, item;
} geometry_t;

/* Bind the two local queues of `dev` to `pair`; fresh counters. */
static int queues_bind(esp_amp_rpmsg_dev_t *dev, esp_amp_shm_vq_pair_t *pair,
                       geometry_t g)
{
    uint8_t *shm = esp_amp_platform_shm_base();
    int tx_ring = dev->main_core ? 0 : 1;
    if (esp_amp_queue_bind(dev->tx_queue, shm, pair, g.len, g.item, tx_ring,
                           true, dev->notify ? tx_notify : NULL, dev) ||
        esp_amp_queue_bind(dev->rx_queue, shm, pair, g.len, g.item,
                           tx_ring ^ 1, false, NULL, dev)) {
        return -1;
    }
    dev->pair = pair;
    dev->session_word = &((const esp_amp_shm_header_t *)(void *)shm)->session;
    return 0;
}

/* Sub core: find and check the pair block `id`; its geometry in *g. */
static esp_amp_shm_vq_pair_t *pair_lookup(uint16_t id, geometry_t *g)
{
    uint32_t size = 0;
    esp_amp_shm_vq_pair_t *pair = esp_amp_sys_info_get(id, &size);
    if (pair == NULL || size < sizeof(*pair) ||
        shm_ld32_acq(&pair->magic) != ESP_AMP_VQ_MAGIC) {
        esp_amp_fail(ESP_AMP_ERR_NOT_INIT);
        return NULL;
    }
    uint16_t len = shm_ld16(&pair->queue_len);
    uint16_t item = shm_ld16(&pair->item_size);
    uint32_t need = esp_amp_queue_pair_size(len, item);
    if (need == 0 || item <= HDR || need != size ||
        shm_ld32(&pair->block_size) != need) {
        esp_amp_fail(ESP_AMP_ERR_CORRUPT);
        return NULL;
    }
    g->len = len;
    g->item = item;
    return pair;
}

static void set_kick_if_intr(esp_amp_rpmsg_dev_t *dev)
{
    if (dev->intr_enabled) {
        esp_amp_queue_set_kick(dev->rx_queue, true);
    }
}

/* Sub core: announce ourselves on a freshly bound pair. */
static void sub_join(esp_amp_rpmsg_dev_t *dev)
{
    uint32_t req = shm_ld32(&dev->pair->ctl[0].join);
    uint32_t ack = shm_ld32_acq(&dev->pair->ctl[1].join);
    if (req == 0 && ack == 0) {
        dev->join = 1;
        shm_st32_rel(&dev->pair->ctl[0].join, 1);
        link_set(dev, ESP_AMP_LINK_UP);
        set_kick_if_intr(dev);
        return;
    }
    dev->join = req + 1 < 2 ? 2 : req + 1;
    shm_st32_rel(&dev->pair->ctl[0].join, dev->join);
    link_set(dev, ESP_AMP_LINK_JOINING);
    (void)esp_amp_sw_intr_trigger(SW_INTR_RESERVED_ID_RPMSG);
}

/* Sub core: the session changed; drop everything, try to bind again. */
static void sub_relink(esp_amp_rpmsg_dev_t *dev)
{
    if (dev->link != ESP_AMP_LINK_DOWN) {
        /* Forget held buffers: old pointers are refused from now on. */
        esp_amp_zero(dev->tx_queue->held, sizeof(dev->tx_queue->held));
        esp_amp_zero(dev->rx_queue->held, sizeof(dev->rx_queue->held));
        link_set(dev, ESP_AMP_LINK_DOWN);
    }
    if (esp_amp_sys_info_attach() != 0) {
        return;
    }
    uint32_t session = region_session();
    geometry_t g;
    esp_amp_shm_vq_pair_t *pair = pair_lookup(dev->sysinfo_id, &g);
    if (pair == NULL || queues_bind(dev, pair, g) != 0) {
        return;
    }
    dev->session = session;
    sub_join(dev);
}

/* Sub core: has the main core restarted? Either the session number moved
 * or our own join request is no longer there: only the main core's
 * formatting clears it, and a main core whose region was wiped at reset
 * may well count sessions from 1 again. */
static bool sub_restart_seen(const esp_amp_rpmsg_dev_t *dev)
{
    return region_session() != dev->session ||
           shm_ld32(&dev->pair->ctl[0].join) != dev->join;
}

/* Main core: answer a join request. */
static void main_answer(esp_amp_rpmsg_dev_t *dev, uint32_t req)
{
    bool first = req == 1 && dev->join == 0;
    if (!first) {
        esp_amp_queue_ring_reset(dev->tx_queue);
        esp_amp_queue_ring_reset(dev->rx_queue);
        dev->stats.link_resets++;
    }
    dev->join = req;
    shm_st32_rel(&dev->pair->ctl[1].join, req);
    if (!first) {
        /* Tell the application that what it held is void: the link went
         * through JOINING (the peer restarted) and is UP again. */
        link_set(dev, ESP_AMP_LINK_JOINING);
    }
    link_set(dev, ESP_AMP_LINK_UP);
}

int esp_amp_link_check(esp_amp_rpmsg_dev_t *dev)
{
    int rc = 0;
    esp_amp_env_enter_critical();
    if (dev->main_core) {
        uint32_t req = shm_ld32(&dev->pair->ctl[0].join);
        if (req != dev->join) {
            main_answer(dev, req);
        }
    } else {
        if (dev->link == ESP_AMP_LINK_DOWN || sub_restart_seen(dev)) {
            sub_relink(dev);
        }
        if (dev->link == ESP_AMP_LINK_JOINING &&
            shm_ld32_acq(&dev->pair->ctl[1].join) == dev->join) {
            link_set(dev, ESP_AMP_LINK_UP);
            set_kick_if_intr(dev);
        }
        if (dev->link != ESP_AMP_LINK_UP) {
            dev->stats.link_down++;
            rc = esp_amp_fail(ESP_AMP_ERR_LINK_DOWN);
        }
    }
    esp_amp_env_exit_critical();
    return rc;
}

/* Initialisation --------------------------------------------------------- */

static void dev_reset(esp_amp_rpmsg_dev_t *dev, esp_amp_queue_t vq[],
                      uint16_t id, bool main_core, bool notify, bool poll)
{
    esp_amp_zero(dev, sizeof(*dev));
    dev->tx_queue = &vq[0];
    dev->rx_queue = &vq[1];
    dev->sysinfo_id = id;
    dev->main_core = main_core;
    dev->notify = notify;
    dev->poll = poll;
}

int esp_amp_rpmsg_main_init_by_id(esp_amp_rpmsg_dev_t *rpmsg_dev,
                                  esp_amp_queue_t rpmsg_vqueue[],
                                  uint16_t queue_len, uint16_t queue_item_size,
                                  bool notify, bool poll,
                                  esp_amp_sys_info_id_t sysinfo_id)
{
    if (rpmsg_dev == NULL || rpmsg_vqueue == NULL || queue_len == 0 ||
        queue_len > ESP_AMP_QUEUE_MAX_LEN || queue_item_size <= HDR ||
        queue_item_size > 0xfffcu) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    uint16_t len = 1;
    while (len < queue_len) {
        len = (uint16_t)(len << 1);
    }
    uint16_t item = (uint16_t)esp_amp_align_up(queue_item_size, 4u);
    uint32_t size = esp_amp_queue_pair_size(len, item);
    if (size == 0) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    esp_amp_shm_vq_pair_t *pair =
        esp_amp_sys_info_alloc((uint16_t)sysinfo_id, size);
    if (pair == NULL) {
        return -1;
    }
    esp_amp_queue_pair_format(esp_amp_platform_shm_base(), pair, len, item);
    dev_reset(rpmsg_dev, rpmsg_vqueue, (uint16_t)sysinfo_id, true, notify,
              poll);
    if (queues_bind(rpmsg_dev, pair, (geometry_t){len, item}) != 0) {
        return -1;
    }
    rpmsg_dev->session = region_session();
    rpmsg_dev->link = ESP_AMP_LINK_JOINING;
    /* A sub core of an earlier session learns of the restart now. */
    (void)esp_amp_sw_intr_trigger(SW_INTR_RESERVED_ID_RPMSG);
    return 0;
}

int esp_amp_rpmsg_sub_init_by_id(esp_amp_rpmsg_dev_t *rpmsg_dev,
                                 esp_amp_queue_t rpmsg_vqueue[], bool notify,
                                 bool poll, esp_amp_sys_info_id_t sysinfo_id)
{
    if (rpmsg_dev == NULL || rpmsg_vqueue == NULL) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    if (esp_amp_sys_info_attach() != 0) {
        return -1;
    }
    uint32_t session = region_session();
    geometry_t g;
    esp_amp_shm_vq_pair_t *pair = pair_lookup((uint16_t)sysinfo_id, &g);
    if (pair == NULL) {
        return -1;
    }
    dev_reset(rpmsg_dev, rpmsg_vqueue, (uint16_t)sysinfo_id, false, notify,
              poll);
    if (queues_bind(rpmsg_dev, pair, g) != 0) {
        return -1;
    }
    rpmsg_dev->session = session;
    rpmsg_dev->link = ESP_AMP_LINK_DOWN;
    sub_join(rpmsg_dev);
    return 0;
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
    (void)esp_amp_link_check(rpmsg_dev);
    return (esp_amp_link_state_t)rpmsg_dev->link;
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
