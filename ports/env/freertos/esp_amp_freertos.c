/*
 * esp_amp_freertos.c - FreeRTOS helpers: receive queue and sends that wait
 * (documented in include/esp_amp_freertos.h).
 */
#include "esp_amp_freertos.h"

#include <string.h>

/* Receive queue ----------------------------------------------------------*/

static int rxq_bind(esp_amp_rpmsg_rxq_t *rxq, esp_amp_rpmsg_dev_t *dev,
                    QueueHandle_t q)
{
    if (q == NULL) {
        return -1;
    }
    rxq->dev = dev;
    rxq->queue = q;
    rxq->dropped = 0;
    return 0;
}

#if (configSUPPORT_DYNAMIC_ALLOCATION == 1)
int esp_amp_rpmsg_rxq_create(esp_amp_rpmsg_rxq_t *rxq, esp_amp_rpmsg_dev_t *dev,
                             UBaseType_t depth)
{
    if (rxq == NULL || dev == NULL || depth == 0) {
        return -1;
    }
    return rxq_bind(rxq, dev,
                    xQueueCreate(depth, sizeof(esp_amp_rpmsg_rx_msg_t)));
}
#endif

#if (configSUPPORT_STATIC_ALLOCATION == 1)
int esp_amp_rpmsg_rxq_create_static(esp_amp_rpmsg_rxq_t *rxq,
                                    esp_amp_rpmsg_dev_t *dev, UBaseType_t depth,
                                    uint8_t *storage, StaticQueue_t *queue_buf)
{
    if (rxq == NULL || dev == NULL || depth == 0 || storage == NULL ||
        queue_buf == NULL) {
        return -1;
    }
    return rxq_bind(rxq, dev,
                    xQueueCreateStatic(depth, sizeof(esp_amp_rpmsg_rx_msg_t),
                                       storage, queue_buf));
}
#endif

int esp_amp_rpmsg_rxq_cb(void *msg_data, uint16_t data_len, uint16_t src_addr,
                         void *rx_cb_data)
{
    esp_amp_rpmsg_rxq_t *rxq = rx_cb_data;
    esp_amp_rpmsg_rx_msg_t m = {msg_data, data_len, src_addr};
    BaseType_t queued;
    if (esp_amp_env_in_isr()) {
        BaseType_t woken = pdFALSE;
        queued = xQueueSendToBackFromISR(rxq->queue, &m, &woken);
        esp_amp_freertos_yield_from_isr(woken);
    } else {
        queued = xQueueSendToBack(rxq->queue, &m, 0);
    }
    if (queued != pdPASS) {
        esp_amp_env_enter_critical();
        rxq->dropped++;
        esp_amp_env_exit_critical();
        (void)esp_amp_rpmsg_destroy(rxq->dev, msg_data);
        return -1;
    }
    return 0;
}

esp_amp_rpmsg_ept_t *esp_amp_rpmsg_create_endpoint_rxq(
    esp_amp_rpmsg_dev_t *rpmsg_dev, uint16_t ept_addr, esp_amp_rpmsg_rxq_t *rxq,
    esp_amp_rpmsg_ept_t *ept_ctx)
{
    if (rxq == NULL || rxq->queue == NULL || rxq->dev != rpmsg_dev) {
        /* let the library refuse and record the reason */
        return esp_amp_rpmsg_create_endpoint(NULL, ept_addr, NULL, NULL, NULL);
    }
    return esp_amp_rpmsg_create_endpoint(rpmsg_dev, ept_addr,
                                         esp_amp_rpmsg_rxq_cb, rxq, ept_ctx);
}

int esp_amp_rpmsg_rxq_receive(esp_amp_rpmsg_rxq_t *rxq,
                              esp_amp_rpmsg_rx_msg_t *msg, TickType_t timeout)
{
    if (rxq == NULL || rxq->queue == NULL || msg == NULL) {
        return -1;
    }
    if (esp_amp_env_in_isr()) {
        if (timeout != 0) {
            return -1;
        }
        BaseType_t woken = pdFALSE;
        BaseType_t got = xQueueReceiveFromISR(rxq->queue, msg, &woken);
        esp_amp_freertos_yield_from_isr(woken);
        return got == pdPASS ? 0 : -1;
    }
    return xQueueReceive(rxq->queue, msg, timeout) == pdPASS ? 0 : -1;
}

int esp_amp_rpmsg_rxq_release(esp_amp_rpmsg_rxq_t *rxq,
                              const esp_amp_rpmsg_rx_msg_t *msg)
{
    if (rxq == NULL || msg == NULL) {
        return esp_amp_rpmsg_destroy(NULL, NULL); /* records INVALID_ARG */
    }
    return esp_amp_rpmsg_destroy(rxq->dev, msg->data);
}

UBaseType_t esp_amp_rpmsg_rxq_waiting(const esp_amp_rpmsg_rxq_t *rxq)
{
    if (rxq == NULL || rxq->queue == NULL) {
        return 0;
    }
    return esp_amp_env_in_isr() ? uxQueueMessagesWaitingFromISR(rxq->queue)
                                : uxQueueMessagesWaiting(rxq->queue);
}

void esp_amp_rpmsg_rxq_delete(esp_amp_rpmsg_rxq_t *rxq)
{
    if (rxq == NULL || rxq->queue == NULL) {
        return;
    }
    esp_amp_rpmsg_rx_msg_t m;
    while (xQueueReceive(rxq->queue, &m, 0) == pdPASS) {
        (void)esp_amp_rpmsg_destroy(rxq->dev, m.data);
    }
    vQueueDelete(rxq->queue);
    rxq->queue = NULL;
}

/* Sends that wait ---------------------------------------------------------*/

/* May the caller block? Not in an ISR, not with timeout 0, not before the
 * scheduler runs or while it is suspended. */
static bool may_block(TickType_t timeout)
{
    if (timeout == 0 || esp_amp_env_in_isr()) {
        return false;
    }
#if (INCLUDE_xTaskGetSchedulerState == 1) || (configUSE_TIMERS == 1)
    return xTaskGetSchedulerState() == taskSCHEDULER_RUNNING;
#else
    return true;
#endif
}

static bool worth_waiting(esp_amp_err_t err)
{
    return err == ESP_AMP_ERR_NO_BUF || err == ESP_AMP_ERR_LINK_DOWN;
}

/* Waking a waiting sender.
 *
 * A task that must wait puts a node (on its own stack) on s_waiters, sets
 * its device's tx_wait (esp_amp_rpmsg_tx_wait) and tries once more; then it
 * blocks on its task notification ESP_AMP_FREERTOS_TX_NOTIFY_INDEX for at
 * most ESP_AMP_FREERTOS_TX_RETRY_TICKS. When the peer gives back a buffer
 * of a ring with tx_wait set, it raises SW_INTR_RESERVED_ID_RPMSG_TX on this
 * core; tx_wake_isr() notifies every waiting task (the source does not say
 * which device), and each tries again. A task that leaves takes its node
 * off the list and clears tx_wait only if no other node names its device.
 * The list, the handler's registration and tx_wait change only inside the
 * env port's critical section, which also serialises tx_wake_isr(). */
#if ESP_AMP_FREERTOS_TX_WAKE

typedef struct tx_waiter {
    struct tx_waiter *next;
    TaskHandle_t task;
    esp_amp_rpmsg_dev_t *dev;
} tx_waiter_t;

static tx_waiter_t *s_waiters;
static bool s_wake_registered;

static int tx_wake_isr(void *arg)
{
    (void)arg;
    BaseType_t woken = pdFALSE;
    esp_amp_env_enter_critical();
    for (tx_waiter_t *w = s_waiters; w != NULL; w = w->next) {
        vTaskNotifyGiveIndexedFromISR(w->task, ESP_AMP_FREERTOS_TX_NOTIFY_INDEX,
                                      &woken);
    }
    esp_amp_env_exit_critical();
    esp_amp_freertos_yield_from_isr(woken);
    return 0;
}

/* Task context, before a try: register the handler (once), put w on the
 * list (once) and (re)set tx_wait (a ring reset clears it). False if the
 * handler cannot be registered: then the caller polls once per tick. May
 * change the last error: a try follows. */
static bool tx_arm(tx_waiter_t *w, esp_amp_rpmsg_dev_t *dev)
{
    if (!s_wake_registered && esp_amp_sw_intr_init() != 0) {
        return false; /* installs the dispatcher: outside a critical section */
    }
    bool armed = false;
    esp_amp_env_enter_critical();
    if (!s_wake_registered &&
        (esp_amp_sw_intr_add_handler(SW_INTR_RESERVED_ID_RPMSG_TX, tx_wake_isr,
                                     NULL) == 0 ||
         esp_amp_get_last_error() == ESP_AMP_ERR_EXISTS)) {
        s_wake_registered = true;
    }
    if (s_wake_registered) {
        if (w->task == NULL) {
            w->task = xTaskGetCurrentTaskHandle();
            w->dev = dev;
            w->next = s_waiters;
            s_waiters = w;
        }
        armed = esp_amp_rpmsg_tx_wait(dev, true) == 0;
    }
    esp_amp_env_exit_critical();
    return armed;
}

/* Take w off the list; clear tx_wait if it was the device's last waiter. */
static void tx_disarm(tx_waiter_t *w)
{
    if (w->task == NULL) {
        return;
    }
    bool others = false;
    esp_amp_env_enter_critical();
    for (tx_waiter_t **p = &s_waiters; *p != NULL;) {
        if (*p == w) {
            *p = w->next;
        } else {
            others = others || (*p)->dev == w->dev;
            p = &(*p)->next;
        }
    }
    if (!others) {
        (void)esp_amp_rpmsg_tx_wait(w->dev, false);
    }
    esp_amp_env_exit_critical();
    /* Off the list: no wake-up can come any more. Drop the one that may
     * have arrived after the task stopped waiting for it. */
    (void)xTaskNotifyStateClearIndexed(NULL, ESP_AMP_FREERTOS_TX_NOTIFY_INDEX);
    (void)ulTaskNotifyValueClearIndexed(NULL, ESP_AMP_FREERTOS_TX_NOTIFY_INDEX,
                                        0xffffffffu);
    w->task = NULL;
}

#endif /* ESP_AMP_FREERTOS_TX_WAKE */

void *esp_amp_rpmsg_create_message_wait(esp_amp_rpmsg_dev_t *rpmsg_dev,
                                        uint32_t nbytes, uint16_t flags,
                                        TickType_t timeout)
{
    const bool block = may_block(timeout);
    TimeOut_t start;
    TickType_t left = timeout;
    bool armed = false;
#if ESP_AMP_FREERTOS_TX_WAKE
    tx_waiter_t w = {NULL, NULL, NULL};
#endif
    void *buf;
    if (block) {
        vTaskSetTimeOutState(&start);
    }
    for (bool first = true;; first = false) {
#if ESP_AMP_FREERTOS_TX_WAKE
        if (!first) {
            /* Ask to be rung, then try once more before sleeping: a buffer
             * freed before tx_wait was seen is found by this try. */
            armed = tx_arm(&w, rpmsg_dev);
        }
#else
        (void)first;
#endif
        /* Try, and read why it failed before anything else runs here. */
        esp_amp_env_enter_critical();
        buf = esp_amp_rpmsg_create_message(rpmsg_dev, nbytes, flags);
        esp_amp_err_t err = buf == NULL ? esp_amp_get_last_error() : ESP_AMP_OK;
        esp_amp_env_exit_critical();
        if (buf != NULL || !block || !worth_waiting(err)) {
            break;
        }
        if (xTaskCheckForTimeOut(&start, &left) != pdFALSE) {
            break;
        }
        if (first) {
            continue; /* arm, then try again at once */
        }
        TickType_t nap = armed ? (TickType_t)ESP_AMP_FREERTOS_TX_RETRY_TICKS : 1;
        if (nap == 0) {
            nap = 1;
        }
        if (left < nap) {
            nap = left;
        }
#if ESP_AMP_FREERTOS_TX_WAKE
        if (armed) {
            (void)ulTaskNotifyTakeIndexed(ESP_AMP_FREERTOS_TX_NOTIFY_INDEX,
                                          pdTRUE, nap);
            continue;
        }
#endif
        vTaskDelay(nap);
    }
#if ESP_AMP_FREERTOS_TX_WAKE
    tx_disarm(&w);
#endif
    return buf;
}

int esp_amp_rpmsg_send_wait(esp_amp_rpmsg_dev_t *rpmsg_dev,
                            esp_amp_rpmsg_ept_t *ept, uint16_t dst_addr,
                            void *data, uint16_t data_len, TickType_t timeout)
{
    if (rpmsg_dev == NULL || ept == NULL || (data == NULL && data_len != 0)) {
        /* let the library refuse and record the reason */
        return esp_amp_rpmsg_send(rpmsg_dev, ept, dst_addr, data, data_len);
    }
    void *buf = esp_amp_rpmsg_create_message_wait(
        rpmsg_dev, data_len, ESP_AMP_RPMSG_DATA_DEFAULT, timeout);
    if (buf == NULL) {
        return -1;
    }
    if (data_len != 0) {
        memcpy(buf, data, data_len);
    }
    return esp_amp_rpmsg_send_nocopy(rpmsg_dev, ept, dst_addr, buf, data_len);
}
