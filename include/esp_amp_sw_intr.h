/*
 * esp_amp_sw_intr.h - 32 software interrupt sources on one doorbell.
 *
 * Triggering source N sets bit N in the peer's pending word in shared
 * memory and rings the peer's doorbell. The peer's doorbell handler takes
 * all pending bits at once and calls every handler registered for each.
 */
#ifndef ESP_AMP_SW_INTR_H
#define ESP_AMP_SW_INTR_H

#include "esp_amp_config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SW_INTR_ID_0 = 0,
    SW_INTR_ID_1,
    SW_INTR_ID_2,
    SW_INTR_ID_3,
    SW_INTR_ID_4,
    SW_INTR_ID_5,
    SW_INTR_ID_6,
    SW_INTR_ID_7,
    SW_INTR_ID_8,
    SW_INTR_ID_9,
    SW_INTR_ID_10,
    SW_INTR_ID_11,
    SW_INTR_ID_12,
    SW_INTR_ID_13,
    SW_INTR_ID_14,
    SW_INTR_ID_15,
    SW_INTR_RESERVED_ID_16 = 16,
    SW_INTR_RESERVED_ID_RPMSG_TX = 26, /* a buffer came back to a ring this
                                          core produces (it asked: tx_wait) */
    SW_INTR_RESERVED_ID_SYS_SVC = 27,
    SW_INTR_RESERVED_ID_PANIC = 28,
    SW_INTR_RESERVED_ID_RPMSG = 29,
    SW_INTR_RESERVED_ID_EVENT = 30,
    SW_INTR_ID_MAX = 31,
} esp_amp_sw_intr_id_t;

#define ESP_AMP_SW_INTR_HANDLERS ESP_AMP_CONFIG_SW_INTR_HANDLERS /* per core */

typedef int (*esp_amp_sw_intr_handler_t)(void *arg);

/* Install the dispatcher as this core's doorbell handler. Idempotent. */
int esp_amp_sw_intr_init(void);

/* Register handler(arg) for intr_id. The same (id, handler, arg) twice, a
 * bad id, a NULL handler or a full table -> -1. */
int esp_amp_sw_intr_add_handler(esp_amp_sw_intr_id_t intr_id,
                                esp_amp_sw_intr_handler_t handler, void *arg);

/* Remove every registration of handler for intr_id. -1 if none. */
int esp_amp_sw_intr_delete_handler(esp_amp_sw_intr_id_t intr_id,
                                   esp_amp_sw_intr_handler_t handler);

/* Raise source intr_id on the other core. -1 on a bad id or before init. */
int esp_amp_sw_intr_trigger(esp_amp_sw_intr_id_t intr_id);

/* Raise source intr_id on this core (runs when interrupts allow). */
int esp_amp_sw_intr_trigger_self(esp_amp_sw_intr_id_t intr_id);

/* The dispatcher: called by the platform from the doorbell ISR. */
void esp_amp_sw_intr_dispatch(void);

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_SW_INTR_H */
