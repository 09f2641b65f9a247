/*
 * esp_amp_rpmsg_priv.h - what the RPMsg data path (esp_amp_rpmsg.c) and the
 * device life cycle (esp_amp_link.c) share.
 */
#ifndef ESP_AMP_RPMSG_PRIV_H
#define ESP_AMP_RPMSG_PRIV_H

#include "esp_amp_priv.h"
#include "esp_amp_ring.h"
#include "esp_amp_rpmsg.h"

#define HDR ((uint16_t)sizeof(esp_amp_rpmsg_head_t))

/* The expected outcome of a test of the link check, for the compiler's
 * block layout (it otherwise takes a compare for equality as the rare
 * case and moves the common path out of line). */
#if defined(__GNUC__)
#define ESP_AMP_LIKELY(x) __builtin_expect(!!(x), 1)
#define ESP_AMP_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define ESP_AMP_LIKELY(x) (x)
#define ESP_AMP_UNLIKELY(x) (x)
#endif

/* dev->flags */
#define DEV_F_NOTIFY 0x02u    /* ring the peer after send                    */
#define DEV_F_INTR 0x10u      /* rx handler registered                       */
#define DEV_F_POLL 0x20u      /* this core polls (no rx interrupt)           */
#define DEV_F_MOVED 0x40u     /* a take saw the link move: the check acts on
                               * it, whatever it reads again                */
/* The tx / rx ring's slot at head was refused: it is counted, and the
 * peer rung, once (also without counters: two cores that each refuse a
 * descriptor would otherwise ring each other for ever). The stuck bits and
 * INTR are below 0x20: their masks, and the complements that clear them,
 * fit RISC-V's compressed andi. */
#define DEV_F_STUCK_TX 0x04u
#define DEV_F_STUCK_RX 0x08u

static inline esp_amp_queue_t *dev_txq(const esp_amp_rpmsg_dev_t *dev)
{
    return &dev->vq[0];
}
static inline esp_amp_queue_t *dev_rxq(const esp_amp_rpmsg_dev_t *dev)
{
    return &dev->vq[1];
}

static inline bool dev_ready(const esp_amp_rpmsg_dev_t *dev)
{
    return dev != NULL && dev->vq != NULL;
}

/* True when the device receives by doorbell (never in a build without
 * ESP_AMP_CONFIG_RX_INTR). */
static inline bool dev_intr(const esp_amp_rpmsg_dev_t *dev)
{
    return ESP_AMP_CONFIG_RX_INTR && (dev->flags & DEV_F_INTR);
}

/* True for a main-core device (constant in a single-role build). Told by
 * peer_line (0 on the main core: see peer_ctl), a byte of its own: the
 * look leaves the flags byte to the stores that change it. */
static inline bool dev_is_main(const esp_amp_rpmsg_dev_t *dev)
{
    return !ESP_AMP_CONFIG_SUB_CORE ||
           (ESP_AMP_CONFIG_MAIN_CORE && dev->peer_line == 0);
}

/* The peer's control line: the consumer of our tx ring and the producer of
 * our rx ring (ctl[0] is the sub core's, ctl[1] the main core's). A
 * single-role image knows it; one with both roles adds the device's
 * peer_line (set at init) to the lines' address: fewer instructions than
 * a select on the role flag. */
static inline esp_amp_shm_ring_ctl_t *ctl_at(const esp_amp_rpmsg_dev_t *dev,
                                             uint32_t off)
{
    return (esp_amp_shm_ring_ctl_t *)(void *)((uint8_t *)dev->pair->ctl + off);
}
#define CTL_LINE ((uint32_t)sizeof(esp_amp_shm_ring_ctl_t))
static inline esp_amp_shm_ring_ctl_t *peer_ctl(const esp_amp_rpmsg_dev_t *dev)
{
    if (ESP_AMP_CONFIG_MAIN_CORE && ESP_AMP_CONFIG_SUB_CORE) {
        return ctl_at(dev, dev->peer_line);
    }
    return ctl_at(dev, dev_is_main(dev) ? 0 : CTL_LINE);
}
static inline esp_amp_shm_ring_ctl_t *own_ctl(const esp_amp_rpmsg_dev_t *dev)
{
    if (ESP_AMP_CONFIG_MAIN_CORE && ESP_AMP_CONFIG_SUB_CORE) {
        return ctl_at(dev, CTL_LINE - dev->peer_line);
    }
    return ctl_at(dev, dev_is_main(dev) ? CTL_LINE : 0);
}

/* Consumer: tell the producer whether to ring us after each send (kick_me
 * in our own control line). The fence pairs with the producer's: see
 * esp_amp_ring.h, doorbell suppression. */
static inline void esp_amp_link_set_kick(esp_amp_rpmsg_dev_t *dev, uint32_t want)
{
    shm_st32(&own_ctl(dev)->kick_me, want);
    shm_fence();
}

/* The region's session word (set when a device binds). */
ESP_AMP_ACCESS uint32_t esp_amp_link_session(void)
{
    return shm_ld32(esp_amp_core_state()->session_word);
}

/* Sub core: has the main core restarted since this device bound? Either
 * the session number moved, or our own join request is no longer there:
 * only the main core's formatting clears it, and a main core whose region
 * was wiped at reset may count sessions from 1 again. */
ESP_AMP_ACCESS bool esp_amp_link_moved(const esp_amp_rpmsg_dev_t *dev)
{
    return ESP_AMP_UNLIKELY(esp_amp_link_session() != dev->session) ||
           ESP_AMP_UNLIKELY(shm_ld32(&dev->pair->ctl[0].join) != dev->join);
}

/* Look at the peer's side of the link and move the link state on (answer
 * or make a join request, reset, notice a restart): the check of the
 * device's role, dev->check. ESP_AMP_OK when the rings may be used now,
 * ESP_AMP_ERR_LINK_DOWN otherwise. Called inside the critical section of
 * the ring operation it guards; its common case inline: nothing changed
 * since the last look. (On the main core the region's session is its own:
 * it moves only if the peer scribbles, and then main's check still
 * passes.) */
static inline esp_amp_err_t esp_amp_link_ready(esp_amp_rpmsg_dev_t *dev)
{
    if (ESP_AMP_LIKELY(dev->link == ESP_AMP_LINK_UP) &&
        !esp_amp_link_moved(dev)) {
        return ESP_AMP_OK;
    }
    /* Only an initialised device is ever UP: the look at a device that
     * never was (vq NULL: ESP_AMP_ERR_INVALID_ARG) is off the common case. */
    return dev->vq != NULL ? dev->check(dev) : ESP_AMP_ERR_INVALID_ARG;
}

/* The whole look at the link, not only its common case: the region header
 * (main core: rewritten if damaged) and the check of the device's role
 * (the link state call, and now and then an idle poll). */
static inline void esp_amp_link_look(esp_amp_rpmsg_dev_t *dev)
{
    esp_amp_sys_info_repair();
    (void)dev->check(dev);
}

/* After publishing (a message, a join request or answer): if this device
 * notifies and the peer asked for doorbells (its kick_me), raise RPMsg on
 * the peer (counted). The fence pairs with the consumer's: see
 * esp_amp_ring.h, doorbell suppression. */
void esp_amp_link_kick(esp_amp_rpmsg_dev_t *dev);
/* The same without the look at DEV_F_NOTIFY (the caller has made it). */
void esp_amp_link_ring(esp_amp_rpmsg_dev_t *dev);

#endif /* ESP_AMP_RPMSG_PRIV_H */
