/*
 * esp_amp_rpmsg_priv.h - what the RPMsg data path (esp_amp_rpmsg.c) and the
 * device life cycle (esp_amp_link.c) share.
 */
#ifndef ESP_AMP_RPMSG_PRIV_H
#define ESP_AMP_RPMSG_PRIV_H

#include "esp_amp_priv.h"
#include "esp_amp_rpmsg.h"

#define HDR ((uint16_t)sizeof(esp_amp_rpmsg_head_t))

static inline bool dev_ready(const esp_amp_rpmsg_dev_t *dev)
{
    return dev != NULL && dev->rx_queue != NULL && dev->tx_queue != NULL;
}

/* Look at the peer's side of the link and move the link state on (rejoin,
 * reset, notice a restart). 0 when the rings may be used now; -1 with
 * ESP_AMP_ERR_LINK_DOWN otherwise. Call it before every ring operation. */
int esp_amp_link_check(esp_amp_rpmsg_dev_t *dev);

/* Sub core: true when the main core has restarted since this device bound
 * (session number moved, or our join request was cleared). Used after a
 * ring read, to tell a descriptor of the old session from one of a new
 * main core that formatted the ring meanwhile. */
static inline bool esp_amp_link_moved(const esp_amp_rpmsg_dev_t *dev)
{
    return !dev->main_core &&
           (shm_ld32(dev->session_word) != dev->session ||
            shm_ld32(&dev->pair->ctl[0].join) != dev->join);
}

/* esp_amp_link_check with its common case inline: nothing changed since
 * the last look (one shared load). */
static inline int esp_amp_link_ready(esp_amp_rpmsg_dev_t *dev)
{
    if (dev->main_core) {
        if (shm_ld32(&dev->pair->ctl[0].join) == dev->join) {
            return 0;
        }
    } else if (dev->link == ESP_AMP_LINK_UP && !esp_amp_link_moved(dev)) {
        return 0;
    }
    return esp_amp_link_check(dev);
}

#endif /* ESP_AMP_RPMSG_PRIV_H */
