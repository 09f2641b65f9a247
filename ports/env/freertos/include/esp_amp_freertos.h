/*
 * esp_amp_freertos.h - FreeRTOS helpers for the ESP-AMP RPMsg API.
 *
 * 1. Receive queue (rxq): hand messages from the endpoint callback, which
 *    runs in the doorbell ISR in interrupt mode, to a task. The callback
 *    puts a message *pointer* (no copy) into a FreeRTOS queue; a task takes
 *    it with esp_amp_rpmsg_rxq_receive(), uses the payload in place in
 *    shared memory, and gives the buffer back with esp_amp_rpmsg_rxq_release()
 *    (that is esp_amp_rpmsg_destroy(), in the task).
 *
 *        static esp_amp_rpmsg_rxq_t rxq;
 *        esp_amp_rpmsg_rxq_create(&rxq, &dev, 32);          // depth: see below
 *        esp_amp_rpmsg_create_endpoint_rxq(&dev, 1, &rxq, &ept);
 *        ...
 *        esp_amp_rpmsg_rx_msg_t m;                          // in a task
 *        if (esp_amp_rpmsg_rxq_receive(&rxq, &m, portMAX_DELAY) == 0) {
 *            use(m.data, m.len, m.src_addr);
 *            esp_amp_rpmsg_rxq_release(&rxq, &m);
 *        }
 *
 *    Depth: the receiving core holds at most queue_len buffers of the
 *    device (the `queue_len` given to esp_amp_rpmsg_main_init, rounded up to
 *    a power of two), so a queue of that depth never overflows. If a
 *    smaller queue is full, the callback gives the message back at once
 *    (esp_amp_rpmsg_destroy) and counts it in rxq->dropped: a message is
 *    lost, a buffer never is.
 *
 *    The callback also works in polling mode: esp_amp_rpmsg_poll() called
 *    from a task runs it in task context (it then uses xQueueSendToBack
 *    with no wait).
 *
 * 2. Sends that wait for a free buffer: esp_amp_rpmsg_send_wait() and
 *    esp_amp_rpmsg_create_message_wait() are esp_amp_rpmsg_send() and
 *    esp_amp_rpmsg_create_message() that, while the transmit ring is full
 *    (ESP_AMP_ERR_NO_BUF) or the link is not up (ESP_AMP_ERR_LINK_DOWN),
 *    block the calling task and try again, until `timeout` ticks have passed
 *    (portMAX_DELAY: for ever, with INCLUDE_vTaskSuspend). Any other failure
 *    (too big, bad arguments) returns at once. From an ISR, with timeout 0,
 *    or before the scheduler runs, they try once.
 *
 *    The waiting task is woken, not sleep-polled: after a failed try it sets
 *    the device's tx_wait (esp_amp_rpmsg_tx_wait), tries once more, and
 *    blocks; the peer, when it gives back a buffer of that ring, raises
 *    SW_INTR_RESERVED_ID_RPMSG_TX on this core, whose handler (registered
 *    by the first wait, esp_amp_sw_intr_add_handler) notifies every waiting
 *    task. tx_wait is set only while at least one task waits on the device:
 *    steady traffic rings nothing. A task sleeps at most
 *    ESP_AMP_FREERTOS_TX_RETRY_TICKS between tries, the bound for a wait
 *    no free ends (the link is down, the ring was reset). If the handler
 *    cannot be registered (handler table full), or the kernel lacks indexed
 *    task notifications, it sleeps one tick between tries instead.
 *
 *    Task notification used: index ESP_AMP_FREERTOS_TX_NOTIFY_INDEX
 *    (default configTASK_NOTIFICATION_ARRAY_ENTRIES - 1, the last one).
 *    While a task waits in these helpers, a notification given to it on
 *    that index is taken as a wake-up and consumed, and on return the
 *    index's value is 0 and its state not pending. With
 *    configTASK_NOTIFICATION_ARRAY_ENTRIES 1 that is index 0, the one of
 *    xTaskNotifyGive()/ulTaskNotifyTake(): give 2 or more entries if the
 *    application notifies a task that may be waiting here.
 *
 * ISR rules for callbacks you write yourself: call the ...FromISR() kernel
 * functions, and pass their pxHigherPriorityTaskWoken to
 * esp_amp_freertos_yield_from_isr(): the switch to the woken task happens
 * when the doorbell interrupt ends.
 *
 * The library's last error (esp_amp_get_last_error()) is kept per core, not
 * per task. The doorbell ISR leaves it as it found it, but another task that
 * runs between a failing call and esp_amp_get_last_error() can change it:
 * read it at once, or inside a critical section with the call. The helpers
 * do the latter.
 */
#ifndef ESP_AMP_FREERTOS_H
#define ESP_AMP_FREERTOS_H

#include <stdint.h>

/* ESP-IDF exports its kernel headers as freertos/...; the plain kernel's
 * include directory holds them at the top level. */
#if defined(ESP_PLATFORM)
#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "freertos/task.h"
#else
#include "FreeRTOS.h"
#include "queue.h"
#include "task.h"
#endif

#include "esp_amp.h"
#include "esp_amp_env.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest sleep of a waiting sender between two tries (ticks, at least 1). */
#ifndef ESP_AMP_FREERTOS_TX_RETRY_TICKS
#define ESP_AMP_FREERTOS_TX_RETRY_TICKS \
    (pdMS_TO_TICKS(10) > 0 ? pdMS_TO_TICKS(10) : 1)
#endif

/* Task notification index a waiting sender blocks on (see above). */
#ifndef ESP_AMP_FREERTOS_TX_NOTIFY_INDEX
#define ESP_AMP_FREERTOS_TX_NOTIFY_INDEX (configTASK_NOTIFICATION_ARRAY_ENTRIES - 1)
#endif

/* 1: waiting senders are woken by the peer (needs indexed task
 * notifications, kernel V10.4 or later, and xTaskGetCurrentTaskHandle);
 * 0: they sleep one tick between tries. */
#ifndef ESP_AMP_FREERTOS_TX_WAKE
#if (configUSE_TASK_NOTIFICATIONS == 1) && defined(ulTaskNotifyTakeIndexed) && \
    ((INCLUDE_xTaskGetCurrentTaskHandle == 1) || (configUSE_RECURSIVE_MUTEXES == 1))
#define ESP_AMP_FREERTOS_TX_WAKE 1
#else
#define ESP_AMP_FREERTOS_TX_WAKE 0
#endif
#endif

/* Receive queue ----------------------------------------------------------*/

/* One received message, as queued by the callback. */
typedef struct {
    void *data;        /* payload, in the shared receive buffer            */
    uint16_t len;      /* payload length                                   */
    uint16_t src_addr; /* sender's endpoint                                */
} esp_amp_rpmsg_rx_msg_t;

typedef struct {
    esp_amp_rpmsg_dev_t *dev;   /* the device the messages belong to      */
    QueueHandle_t queue;        /* of esp_amp_rpmsg_rx_msg_t              */
    volatile uint32_t dropped;  /* messages given back: queue was full    */
} esp_amp_rpmsg_rxq_t;

/* Bytes of storage for esp_amp_rpmsg_rxq_create_static(). */
#define ESP_AMP_RPMSG_RXQ_STORAGE_SIZE(depth) \
    ((size_t)(depth) * sizeof(esp_amp_rpmsg_rx_msg_t))

#if (configSUPPORT_DYNAMIC_ALLOCATION == 1)
/* Create the queue (xQueueCreate) of `depth` messages for device `dev`.
 * 0, or -1 (NULL argument, depth 0, out of memory). */
int esp_amp_rpmsg_rxq_create(esp_amp_rpmsg_rxq_t *rxq, esp_amp_rpmsg_dev_t *dev,
                             UBaseType_t depth);
#endif

#if (configSUPPORT_STATIC_ALLOCATION == 1)
/* Same, in caller-provided memory: `storage` of
 * ESP_AMP_RPMSG_RXQ_STORAGE_SIZE(depth) bytes, and `queue_buf`. */
int esp_amp_rpmsg_rxq_create_static(esp_amp_rpmsg_rxq_t *rxq,
                                    esp_amp_rpmsg_dev_t *dev, UBaseType_t depth,
                                    uint8_t *storage, StaticQueue_t *queue_buf);
#endif

/* The endpoint callback (esp_amp_ept_cb_t): rx_cb_data is the rxq. Usable
 * in ISR and task context. */
int esp_amp_rpmsg_rxq_cb(void *msg_data, uint16_t data_len, uint16_t src_addr,
                         void *rx_cb_data);

/* esp_amp_rpmsg_create_endpoint(dev, ept_addr, esp_amp_rpmsg_rxq_cb, rxq,
 * ept_ctx). */
esp_amp_rpmsg_ept_t *esp_amp_rpmsg_create_endpoint_rxq(
    esp_amp_rpmsg_dev_t *rpmsg_dev, uint16_t ept_addr, esp_amp_rpmsg_rxq_t *rxq,
    esp_amp_rpmsg_ept_t *ept_ctx);

/* Task context: wait up to `timeout` ticks for a message. 0 with *msg
 * filled in, or -1 (timeout, NULL argument, called from an ISR with a
 * timeout other than 0). */
int esp_amp_rpmsg_rxq_receive(esp_amp_rpmsg_rxq_t *rxq,
                              esp_amp_rpmsg_rx_msg_t *msg, TickType_t timeout);

/* Give the message's buffer back to the sender: esp_amp_rpmsg_destroy(). */
int esp_amp_rpmsg_rxq_release(esp_amp_rpmsg_rxq_t *rxq,
                              const esp_amp_rpmsg_rx_msg_t *msg);

/* Messages waiting in the queue. */
UBaseType_t esp_amp_rpmsg_rxq_waiting(const esp_amp_rpmsg_rxq_t *rxq);

/* Release every queued message and delete the queue. Delete the endpoint
 * first (or make sure no message can arrive). */
void esp_amp_rpmsg_rxq_delete(esp_amp_rpmsg_rxq_t *rxq);

/* Sends that wait ---------------------------------------------------------*/

/* esp_amp_rpmsg_send(), waiting up to `timeout` ticks for a free buffer (or
 * for the link). 0, or -1 with the reason in esp_amp_get_last_error(). */
int esp_amp_rpmsg_send_wait(esp_amp_rpmsg_dev_t *rpmsg_dev,
                            esp_amp_rpmsg_ept_t *ept, uint16_t dst_addr,
                            void *data, uint16_t data_len, TickType_t timeout);

/* esp_amp_rpmsg_create_message(), waiting up to `timeout` ticks for a free
 * buffer (or for the link). Send the buffer with esp_amp_rpmsg_send_nocopy().
 * NULL on failure. */
void *esp_amp_rpmsg_create_message_wait(esp_amp_rpmsg_dev_t *rpmsg_dev,
                                        uint32_t nbytes, uint16_t flags,
                                        TickType_t timeout);

/* ISR helpers --------------------------------------------------------------*/

/* After a ...FromISR() call in ISR code that runs under the doorbell: ask
 * for a switch to the woken task at the end of the interrupt. */
static inline void esp_amp_freertos_yield_from_isr(BaseType_t higher_prio_woken)
{
    if (higher_prio_woken != pdFALSE) {
        esp_amp_env_freertos_request_yield();
    }
}

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_FREERTOS_H */
