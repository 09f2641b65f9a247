/*
 * esp_amp_rpmsg.h - RPMsg: endpoints multiplexed over a pair of rings.
 *
 * API names, signatures and return values follow the ESP-AMP RPMsg
 * description. Every function that can fail returns -1 or NULL, changes
 * nothing, and records the reason (esp_amp_get_last_error()).
 */
#ifndef ESP_AMP_RPMSG_H
#define ESP_AMP_RPMSG_H

#include <stdbool.h>
#include <stdint.h>
#include "esp_amp_config.h"
#include "esp_amp_err.h"
#include "esp_amp_queue.h"
#include "esp_amp_shm.h"
#include "esp_amp_sw_intr.h"
#include "esp_amp_sys_info.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ESP_AMP_RPMSG_DATA_DEFAULT ((uint16_t)0x0)

typedef int (*esp_amp_ept_cb_t)(void *msg_data, uint16_t data_len,
                                uint16_t src_addr, void *rx_cb_data);

typedef struct esp_amp_rpmsg_ept_t {
    esp_amp_ept_cb_t rx_cb;             /* called for each message           */
    void *rx_cb_data;                   /* passed to rx_cb                   */
    struct esp_amp_rpmsg_ept_t *next_ept;
    uint16_t addr;                      /* endpoint address                  */
} esp_amp_rpmsg_ept_t;

/* Counters kept per device (local, never shared). */
typedef struct esp_amp_rpmsg_stats_t {
    uint32_t tx_msgs;        /* messages sent                                 */
    uint32_t rx_msgs;        /* messages delivered to an endpoint callback    */
    uint32_t rx_no_ept;      /* for a missing endpoint / NULL callback: freed */
    uint32_t rx_bad_header;  /* header inconsistent with descriptor: freed    */
    uint32_t rx_corrupt;     /* rx ring refused a peer-written descriptor     */
    uint32_t tx_corrupt;     /* tx ring refused a peer-written (free) slot    */
    uint32_t tx_no_buf;      /* create_message/send found the queue full      */
    uint32_t tx_too_big;     /* overflow refusals                             */
    uint32_t bad_ptr;        /* destroy/send_nocopy of a pointer not held     */
    uint32_t notifies;       /* doorbells rung on the peer                    */
    uint32_t link_resets;    /* rings reset because the peer restarted        */
    uint32_t link_down;      /* operations refused while the link was down    */
} esp_amp_rpmsg_stats_t;

/* State of the link between the two cores of a device pair. */
typedef enum {
    ESP_AMP_LINK_DOWN = 0,    /* sub core: the main core went away or reset;
                                 nothing can be sent or received             */
    ESP_AMP_LINK_JOINING = 1, /* main core: no sub core has joined yet (sends
                                 queue up); sub core: waiting for the main
                                 core to accept its (re)join                 */
    ESP_AMP_LINK_UP = 2,      /* both cores in the same session              */
} esp_amp_link_state_t;

struct esp_amp_rpmsg_dev_t;
typedef void (*esp_amp_link_cb_t)(struct esp_amp_rpmsg_dev_t *dev,
                                  esp_amp_link_state_t state, void *arg);

typedef struct esp_amp_rpmsg_dev_t {
    esp_amp_queue_t *vq;     /* vq[0]: tx ring, vq[1]: rx ring               */
    esp_amp_rpmsg_ept_t *ept_list;
    esp_amp_shm_vq_pair_t *pair; /* the device pair block (this mapping)     */
    /* the link check of this device's role (main or sub core); only the
     * role an image initialises is linked into it */
    esp_amp_err_t (*check)(struct esp_amp_rpmsg_dev_t *dev);
    uint32_t session;        /* region session the device is bound to         */
    uint32_t join;           /* sub: join request written; main: answered     */
    esp_amp_link_cb_t link_cb;
    void *link_cb_arg;
    uint16_t sysinfo_id;     /* registry id of the pair block                 */
    uint8_t link;            /* esp_amp_link_state_t                          */
    uint8_t flags;           /* ESP_AMP_DEV_F_* (set at init, and stuck bits) */
    uint8_t busy;            /* an endpoint callback of this device runs      */
    volatile uint8_t deferred; /* doorbell came while busy: run again         */
    uint8_t idle_polls;      /* empty polls in a row (mod 256)                */
    uint8_t peer_line;       /* byte offset of the peer's control line in
                              * pair->ctl (0: main's peer, 12: sub's peer)   */
#if ESP_AMP_CONFIG_STATS
    esp_amp_rpmsg_stats_t stats;
#endif
} esp_amp_rpmsg_dev_t;

/* Initialisation ---------------------------------------------------------*/
int esp_amp_rpmsg_main_init(esp_amp_rpmsg_dev_t *rpmsg_dev, uint16_t queue_len,
                            uint16_t queue_item_size, bool notify, bool poll);
int esp_amp_rpmsg_sub_init(esp_amp_rpmsg_dev_t *rpmsg_dev, bool notify,
                           bool poll);
int esp_amp_rpmsg_main_init_by_id(esp_amp_rpmsg_dev_t *rpmsg_dev,
                                  esp_amp_queue_t rpmsg_vqueue[],
                                  uint16_t queue_len, uint16_t queue_item_size,
                                  bool notify, bool poll,
                                  esp_amp_sys_info_id_t sysinfo_id);
int esp_amp_rpmsg_sub_init_by_id(esp_amp_rpmsg_dev_t *rpmsg_dev,
                                 esp_amp_queue_t rpmsg_vqueue[], bool notify,
                                 bool poll, esp_amp_sys_info_id_t sysinfo_id);
int esp_amp_rpmsg_intr_enable(esp_amp_rpmsg_dev_t *rpmsg_dev);

/* Endpoints --------------------------------------------------------------*/
esp_amp_rpmsg_ept_t *esp_amp_rpmsg_create_endpoint(
    esp_amp_rpmsg_dev_t *rpmsg_device, uint16_t ept_addr,
    esp_amp_ept_cb_t ept_rx_cb, void *ept_rx_cb_data,
    esp_amp_rpmsg_ept_t *ept_ctx);
esp_amp_rpmsg_ept_t *esp_amp_rpmsg_del_endpoint(
    esp_amp_rpmsg_dev_t *rpmsg_device, uint16_t ept_addr);
esp_amp_rpmsg_ept_t *esp_amp_rpmsg_delete_endpoint(
    esp_amp_rpmsg_dev_t *rpmsg_device, uint16_t ept_addr);
esp_amp_rpmsg_ept_t *esp_amp_rpmsg_rebind_endpoint(
    esp_amp_rpmsg_dev_t *rpmsg_device, uint16_t ept_addr,
    esp_amp_ept_cb_t ept_rx_cb, void *ept_rx_cb_data);
esp_amp_rpmsg_ept_t *esp_amp_rpmsg_search_endpoint(
    esp_amp_rpmsg_dev_t *rpmsg_device, uint16_t ept_addr);

/* Send -------------------------------------------------------------------*/
void *esp_amp_rpmsg_create_message(esp_amp_rpmsg_dev_t *rpmsg_dev,
                                   uint32_t nbytes, uint16_t flags);
int esp_amp_rpmsg_send_nocopy(esp_amp_rpmsg_dev_t *rpmsg_dev,
                              esp_amp_rpmsg_ept_t *ept, uint16_t dst_addr,
                              void *data, uint16_t data_len);
int esp_amp_rpmsg_send(esp_amp_rpmsg_dev_t *rpmsg_dev, esp_amp_rpmsg_ept_t *ept,
                       uint16_t dst_addr, void *data, uint16_t data_len);
uint16_t esp_amp_rpmsg_get_max_size(esp_amp_rpmsg_dev_t *rpmsg_dev);

/* Receive ----------------------------------------------------------------*/
/* Deliver one received message to its endpoint: 0 if one was handled,
 * -1 if none was waiting. */
int esp_amp_rpmsg_poll(esp_amp_rpmsg_dev_t *rpmsg_dev);
int esp_amp_rpmsg_destroy(esp_amp_rpmsg_dev_t *rpmsg_dev, void *msg_data);

/* Extras -----------------------------------------------------------------*/
/* Link state of the device (checks the peer first). DOWN for NULL. */
esp_amp_link_state_t esp_amp_rpmsg_get_link_state(esp_amp_rpmsg_dev_t *rpmsg_dev);

/* Call cb(dev, state, arg) on every change of link state (from the context
 * that notices it: task or ISR, inside a critical section). When the sub
 * core restarts, the main core's callback sees JOINING then UP: every
 * buffer it held before is void. NULL cb removes it. 0, or -1 on NULL dev. */
int esp_amp_rpmsg_set_link_callback(esp_amp_rpmsg_dev_t *rpmsg_dev,
                                    esp_amp_link_cb_t cb, void *arg);

/* A sender that waits for a free buffer: with `waiting` true, the peer
 * raises SW_INTR_RESERVED_ID_RPMSG_TX on this core each time it gives back
 * a buffer of the ring this device sends on; false stops it. Set it only
 * while waiting (then try to allocate once more before sleeping), so that
 * steady traffic rings nothing. 0, or -1: a bad device
 * (ESP_AMP_ERR_INVALID_ARG), or a link that is not up
 * (ESP_AMP_ERR_LINK_DOWN: nothing is written; a new session starts with
 * it clear, so set it again once the link is up). */
int esp_amp_rpmsg_tx_wait(esp_amp_rpmsg_dev_t *rpmsg_dev, bool waiting);

/* Copy the device's counters into *stats. 0, or -1 on NULL arguments. */
int esp_amp_rpmsg_get_stats(const esp_amp_rpmsg_dev_t *rpmsg_dev,
                            esp_amp_rpmsg_stats_t *stats);

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_RPMSG_H */
