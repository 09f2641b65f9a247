/*
 * test_freertos_helpers - the FreeRTOS env port and helpers, against the
 * real kernel (POSIX port) in the simulator.
 *
 * The main core runs FreeRTOS (esp_amp_freertos_sim_run) and the tests, in
 * a task; the sub core is a bare-metal-style sim core, polling, that does
 * what a shared control block (test harness only) tells it: consume what
 * the main core sends, hold it (the main core's transmit ring fills up), or
 * send bursts to a main endpoint. Prints one line per test and
 * "N passed, M failed"; exit code 0 only if all passed.
 *
 * The helpers under test (esp_amp_freertos.c) are compiled into this file
 * with a fallback sleep (ESP_AMP_FREERTOS_TX_RETRY_TICKS) of 1000 ticks, so
 * a waiting sender that completes within a few ticks of the peer's free can
 * only have been woken by the RPMSG_TX software interrupt. Their copy in
 * the library is then not linked.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "FreeRTOS.h"
#include "semphr.h"
#include "task.h"

#define ESP_AMP_FREERTOS_TX_RETRY_TICKS 1000
#include "../../ports/env/freertos/esp_amp_freertos.c"

#include "esp_amp.h"
#include "esp_amp_env.h"
#include "esp_amp_freertos.h"
#include "esp_amp_freertos_sim.h"
#include "esp_amp_platform.h"
#include "sim.h"

#define QLEN 8              /* ring length (a power of two) */
#define ITEM 64             /* payload up to ITEM - 8 */
#define SUB_SINK 1          /* sub endpoint that counts and frees */
#define MAIN_SRC 5          /* main endpoint used to send */
#define TASK_STACK 16384

/* ------------------------------------------------ harness control block */

struct ctl {
    atomic_int consume;     /* sub: poll (1) or hold (0) */
    atomic_int holding;     /* sub: saw consume == 0, polls no more */
    atomic_uint resume_at;  /* sub: start consuming at this time (ms), 0 off */
    atomic_int burst_req;   /* sub: burst number requested ... */
    atomic_int burst_done;  /* ... and the last one finished */
    atomic_int burst_n, burst_dst;
    atomic_uint sub_rx;     /* messages the sub core consumed */
    atomic_int poll1_req;   /* sub: poll one message (frees one buffer) ... */
    atomic_int poll1_done;  /* ... and the last request done */
    atomic_uint poll1_ms;   /* time of that poll (ms) */
    atomic_int quit;
};
static struct ctl *ctl;
static int start_pipe[2];

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    if (n > (int)sizeof line - 2) {
        n = (int)sizeof line - 2;
    }
    line[n++] = '\n';
    (void)!write(STDOUT_FILENO, line, (size_t)n);
}

/* ------------------------------------------------------------ sub core */

static esp_amp_rpmsg_dev_t s_dev;
static esp_amp_rpmsg_ept_t s_ept[2];

static int sub_sink_cb(void *msg, uint16_t len, uint16_t src, void *arg)
{
    (void)len, (void)src, (void)arg;
    esp_amp_rpmsg_destroy(&s_dev, msg);
    atomic_fetch_add(&ctl->sub_rx, 1);
    return 0;
}

static int sub_core(void *arg)
{
    (void)arg;
    if (esp_amp_init() != 0 || esp_amp_rpmsg_sub_init(&s_dev, true, true) != 0 ||
        esp_amp_rpmsg_create_endpoint(&s_dev, SUB_SINK, sub_sink_cb, NULL,
                                      &s_ept[0]) == NULL ||
        esp_amp_rpmsg_create_endpoint(&s_dev, 2, NULL, NULL, &s_ept[1]) == NULL) {
        out("SUB: init failed: %s", esp_amp_err_name(esp_amp_get_last_error()));
        return 1;
    }
    esp_amp_sw_intr_trigger(SW_INTR_ID_0); /* ready */
    while (!atomic_load(&ctl->quit)) {
        unsigned at = atomic_load(&ctl->resume_at);
        if (at != 0 && (int32_t)(esp_amp_platform_get_time_ms() - at) >= 0) {
            atomic_store(&ctl->resume_at, 0);
            atomic_store(&ctl->consume, 1);
        }
        int consume = atomic_load(&ctl->consume);
        atomic_store(&ctl->holding, !consume);
        if (consume) {
            while (esp_amp_rpmsg_poll(&s_dev) == 0) {
            }
        }
        int p1 = atomic_load(&ctl->poll1_req);
        if (p1 != atomic_load(&ctl->poll1_done)) {
            atomic_store(&ctl->poll1_ms, esp_amp_platform_get_time_ms());
            (void)esp_amp_rpmsg_poll(&s_dev);
            atomic_store(&ctl->poll1_done, p1);
        }
        int req = atomic_load(&ctl->burst_req);
        if (req != atomic_load(&ctl->burst_done)) {
            int n = atomic_load(&ctl->burst_n);
            uint16_t dst = (uint16_t)atomic_load(&ctl->burst_dst);
            for (int i = 0; i < n && !atomic_load(&ctl->quit);) {
                char *m = esp_amp_rpmsg_create_message(&s_dev, 16,
                                                       ESP_AMP_RPMSG_DATA_DEFAULT);
                if (m == NULL) {
                    sim_wait_interrupt(500); /* ring full: wait for frees */
                    continue;
                }
                memset(m, 0, 16);
                snprintf(m, 16, "m%d", i);
                if (esp_amp_rpmsg_send_nocopy(&s_dev, &s_ept[1], dst, m, 16) != 0) {
                    out("SUB: send failed");
                    return 1;
                }
                i++;
            }
            atomic_store(&ctl->burst_done, req);
        }
        sim_wait_interrupt(200);
    }
    return 0;
}

/* -------------------------------------------------- main core: fixture */

static esp_amp_rpmsg_dev_t dev;
static esp_amp_rpmsg_ept_t ept_src;
static SemaphoreHandle_t ready;
static int passed, failed;

static volatile unsigned spin_count;
static TaskHandle_t spinner;

static void spinner_task(void *arg)
{
    (void)arg;
    for (;;) {
        spin_count++; /* never blocks: runs only when higher tasks block */
    }
}

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            out("FAIL %s: line %d: %s", __func__, __LINE__, #cond);        \
            return false;                                                  \
        }                                                                  \
    } while (0)

static TickType_t now(void)
{
    return xTaskGetTickCount();
}

/* Ask the sub core for a burst of n messages "m0".."m<n-1>" to dst. */
static void sub_burst(int n, uint16_t dst)
{
    atomic_store(&ctl->burst_n, n);
    atomic_store(&ctl->burst_dst, dst);
    atomic_fetch_add(&ctl->burst_req, 1);
}

static bool sub_burst_wait(TickType_t timeout)
{
    TickType_t t0 = now();
    while (atomic_load(&ctl->burst_done) != atomic_load(&ctl->burst_req)) {
        if (now() - t0 > timeout) {
            return false;
        }
        vTaskDelay(1);
    }
    return true;
}

/* Stop the sub core consuming; returns once it has seen the order. */
static void sub_hold(void)
{
    atomic_store(&ctl->consume, 0);
    while (!atomic_load(&ctl->holding)) {
        vTaskDelay(1);
    }
}

/* Let the sub core consume and wait until it has taken everything sent. */
static bool sub_drain(void)
{
    atomic_store(&ctl->consume, 1);
    esp_amp_rpmsg_stats_t st;
    for (int i = 0; i < 2000; i++) {
        esp_amp_rpmsg_get_stats(&dev, &st);
        if (atomic_load(&ctl->sub_rx) == st.tx_msgs) {
            return true;
        }
        vTaskDelay(1);
    }
    return false;
}

/* Fill the transmit ring while the sub core holds; returns messages sent. */
static int fill_tx(void)
{
    sub_hold();
    int n = 0;
    char msg[8] = "fill";
    while (esp_amp_rpmsg_send(&dev, &ept_src, SUB_SINK, msg, sizeof msg) == 0) {
        n++;
    }
    return esp_amp_get_last_error() == ESP_AMP_ERR_NO_BUF ? n : -1;
}

static uint32_t tx_no_buf(void)
{
    esp_amp_rpmsg_stats_t st;
    esp_amp_rpmsg_get_stats(&dev, &st);
    return st.tx_no_buf;
}

/* The main core's tx_wait in shared memory (docs/layout.md: ctl[1]). */
static uint32_t tx_wait_word(void)
{
    return *(volatile uint32_t *)&dev.pair->ctl[1].tx_wait;
}

/* Let the sub core poll one message (it frees one buffer of the main
 * core's transmit ring); returns the time of the poll (ms). */
static bool sub_poll_one(uint32_t *at_ms)
{
    int req = atomic_fetch_add(&ctl->poll1_req, 1) + 1;
    for (int i = 0; i < 2000 && atomic_load(&ctl->poll1_done) != req; i++) {
        vTaskDelay(1);
    }
    *at_ms = atomic_load(&ctl->poll1_ms);
    return atomic_load(&ctl->poll1_done) == req;
}

/* Software interrupts used by the tests (all in ISR context). */
static int sub_ready_isr(void *arg)
{
    (void)arg;
    BaseType_t woken = pdFALSE;
    xSemaphoreGiveFromISR(ready, &woken);
    esp_amp_freertos_yield_from_isr(woken);
    return 0;
}

static atomic_int hit5, in_isr5;
static int isr5(void *arg)
{
    (void)arg;
    atomic_store(&in_isr5, esp_amp_env_in_isr());
    atomic_fetch_add(&hit5, 1);
    return 0;
}

static atomic_int hit6, hit7, depth, overlap, isr6_ok;
static int isr7(void *arg)
{
    (void)arg;
    if (atomic_load(&depth) != 0) {
        atomic_store(&overlap, 1); /* ran inside isr6: nested ISR */
    }
    atomic_fetch_add(&hit7, 1);
    return 0;
}

static int isr6(void *arg)
{
    (void)arg;
    atomic_fetch_add(&depth, 1);
    bool ok = esp_amp_env_in_isr();
    esp_amp_env_enter_critical();
    esp_amp_env_enter_critical();
    esp_amp_env_enter_critical();
    esp_amp_sw_intr_trigger_self(SW_INTR_ID_7); /* pending until isr6 ends */
    esp_amp_env_exit_critical();
    ok = ok && atomic_load(&hit7) == 0 && esp_amp_env_in_isr();
    esp_amp_env_exit_critical();
    esp_amp_env_exit_critical();
    ok = ok && atomic_load(&hit7) == 0 && esp_amp_env_in_isr();
    atomic_store(&isr6_ok, ok);
    atomic_fetch_add(&hit6, 1);
    atomic_fetch_sub(&depth, 1);
    return 0;
}

static atomic_int isr8_rc = 99, isr8_err, isr8_ticks;
static int isr8(void *arg)
{
    (void)arg;
    TickType_t t0 = xTaskGetTickCountFromISR();
    char m[4] = "isr";
    int rc = esp_amp_rpmsg_send_wait(&dev, &ept_src, SUB_SINK, m, sizeof m,
                                     pdMS_TO_TICKS(1000));
    atomic_store(&isr8_err, rc == 0 ? 0 : (int)esp_amp_get_last_error());
    atomic_store(&isr8_ticks, (int)(xTaskGetTickCountFromISR() - t0));
    atomic_store(&isr8_rc, rc);
    return 0;
}

static SemaphoreHandle_t wake_sem;
static atomic_int high_ran, high_in_isr;
static int isr9(void *arg)
{
    (void)arg;
    BaseType_t woken = pdFALSE;
    xSemaphoreGiveFromISR(wake_sem, &woken);
    esp_amp_freertos_yield_from_isr(woken);
    return 0;
}

static void high_task(void *arg)
{
    (void)arg;
    for (;;) {
        if (xSemaphoreTake(wake_sem, portMAX_DELAY) == pdTRUE) {
            atomic_store(&high_in_isr, esp_amp_env_in_isr());
            atomic_fetch_add(&high_ran, 1);
        }
    }
}

/* Context of each delivery through a wrapped rxq callback. */
static atomic_int cb_isr, cb_task;
static int ctx_cb(void *msg, uint16_t len, uint16_t src, void *rxq)
{
    atomic_fetch_add(esp_amp_env_in_isr() ? &cb_isr : &cb_task, 1);
    return esp_amp_rpmsg_rxq_cb(msg, len, src, rxq);
}

/* ------------------------------------------------------------- tests */

static bool test_in_isr_false_in_task(void)
{
    CHECK(!esp_amp_env_in_isr());
    esp_amp_env_enter_critical();
    bool in = esp_amp_env_in_isr();
    esp_amp_env_exit_critical();
    CHECK(!in);
    return true;
}

static void busy_ms(uint32_t ms)
{
    uint32_t t0 = esp_amp_platform_get_time_ms();
    while (esp_amp_platform_get_time_ms() - t0 < ms) {
    }
}

/* A task's nested critical section masks the core's own doorbell until
 * the outermost exit; the ISR then runs at once, in ISR context. */
static bool test_critical_masks_own_doorbell(void)
{
    atomic_store(&hit5, 0);
    esp_amp_env_enter_critical();
    esp_amp_env_enter_critical();
    esp_amp_sw_intr_trigger_self(SW_INTR_ID_5);
    busy_ms(20);
    int during = atomic_load(&hit5);
    esp_amp_env_exit_critical();
    busy_ms(5);
    int inner = atomic_load(&hit5);
    esp_amp_env_exit_critical();
    int after = atomic_load(&hit5);
    CHECK(during == 0);
    CHECK(inner == 0);
    CHECK(after == 1);
    CHECK(atomic_load(&in_isr5) == 1);
    CHECK(!esp_amp_env_in_isr());
    return true;
}

/* The same for a doorbell rung by the peer core (through the simulator and
 * the interrupt controller thread). */
static bool test_critical_masks_peer_doorbell(void)
{
    static esp_amp_rpmsg_rxq_t rxq;
    static esp_amp_rpmsg_ept_t ept;
    CHECK(esp_amp_rpmsg_rxq_create(&rxq, &dev, QLEN) == 0);
    CHECK(esp_amp_rpmsg_create_endpoint(&dev, 13, ctx_cb, &rxq, &ept) != NULL);
    atomic_store(&cb_isr, 0);
    atomic_store(&cb_task, 0);
    esp_amp_rpmsg_stats_t st0, st1, st2;
    esp_amp_rpmsg_get_stats(&dev, &st0);
    uint64_t irq0 = esp_amp_freertos_sim_irq_count();

    esp_amp_env_enter_critical();
    sub_burst(1, 13);
    uint32_t t0 = esp_amp_platform_get_time_ms();
    while (atomic_load(&ctl->burst_done) != atomic_load(&ctl->burst_req) &&
           esp_amp_platform_get_time_ms() - t0 < 2000) {
    }
    busy_ms(20); /* the doorbell is pending now */
    esp_amp_rpmsg_get_stats(&dev, &st1);
    uint64_t irq1 = esp_amp_freertos_sim_irq_count();
    esp_amp_env_exit_critical();

    esp_amp_rpmsg_rx_msg_t m;
    int rc = esp_amp_rpmsg_rxq_receive(&rxq, &m, pdMS_TO_TICKS(2000));
    esp_amp_rpmsg_get_stats(&dev, &st2);
    CHECK(st1.rx_msgs == st0.rx_msgs); /* nothing delivered inside */
    CHECK(irq1 == irq0);
    CHECK(rc == 0);
    CHECK(strcmp(m.data, "m0") == 0);
    CHECK(esp_amp_rpmsg_rxq_release(&rxq, &m) == 0);
    CHECK(st2.rx_msgs == st0.rx_msgs + 1);
    CHECK(atomic_load(&cb_isr) == 1 && atomic_load(&cb_task) == 0);
    CHECK(esp_amp_rpmsg_delete_endpoint(&dev, 13) == &ept);
    esp_amp_rpmsg_rxq_delete(&rxq);
    return true;
}

/* Critical sections nest in ISR context too; an interrupt raised inside
 * the ISR runs after it, never nested into it. */
static bool test_critical_nests_in_isr(void)
{
    atomic_store(&hit6, 0);
    atomic_store(&hit7, 0);
    atomic_store(&overlap, 0);
    esp_amp_sw_intr_trigger_self(SW_INTR_ID_6);
    vTaskDelay(pdMS_TO_TICKS(10));
    CHECK(atomic_load(&hit6) == 1);
    CHECK(atomic_load(&isr6_ok) == 1);
    CHECK(atomic_load(&hit7) == 1);
    CHECK(atomic_load(&overlap) == 0);
    CHECK(!esp_amp_env_in_isr());
    return true;
}

/* A task woken from the ISR runs as soon as the ISR ends (before the
 * interrupted task goes on), and not "in ISR context". */
static bool test_yield_from_isr(void)
{
    atomic_store(&high_ran, 0);
    atomic_store(&high_in_isr, 1);
    esp_amp_sw_intr_trigger_self(SW_INTR_ID_9);
    int ran = atomic_load(&high_ran); /* the very next thing we do */
    vTaskDelay(pdMS_TO_TICKS(5));
    CHECK(ran == 1);
    CHECK(atomic_load(&high_ran) == 1);
    CHECK(atomic_load(&high_in_isr) == 0);
    return true;
}

/* Messages pass from the ISR callback to a task through the queue, in
 * order, none dropped with depth = ring length, buffers all given back. */
static bool test_rxq_handoff(void)
{
    static esp_amp_rpmsg_rxq_t rxq;
    static esp_amp_rpmsg_ept_t ept;
    CHECK(esp_amp_rpmsg_rxq_create(&rxq, &dev, QLEN) == 0);
    CHECK(esp_amp_rpmsg_create_endpoint(&dev, 10, ctx_cb, &rxq, &ept) != NULL);
    atomic_store(&cb_isr, 0);
    atomic_store(&cb_task, 0);
    const int n = 200; /* 25 times the ring */
    sub_burst(n, 10);
    int got = 0;
    bool in_order = true, src_ok = true;
    esp_amp_rpmsg_rx_msg_t m;
    while (got < n && esp_amp_rpmsg_rxq_receive(&rxq, &m, pdMS_TO_TICKS(3000)) == 0) {
        char want[16];
        snprintf(want, sizeof want, "m%d", got);
        in_order = in_order && m.len == 16 && strcmp(m.data, want) == 0;
        src_ok = src_ok && m.src_addr == 2;
        CHECK(esp_amp_rpmsg_rxq_release(&rxq, &m) == 0);
        got++;
    }
    CHECK(got == n);
    CHECK(in_order);
    CHECK(src_ok);
    CHECK(rxq.dropped == 0);
    CHECK(atomic_load(&cb_isr) == n && atomic_load(&cb_task) == 0);
    CHECK(sub_burst_wait(pdMS_TO_TICKS(2000)));
    CHECK(esp_amp_rpmsg_rxq_waiting(&rxq) == 0);
    CHECK(esp_amp_rpmsg_delete_endpoint(&dev, 10) == &ept);
    esp_amp_rpmsg_rxq_delete(&rxq);
    return true;
}

/* A full queue: the callback gives the message back and counts it; no
 * buffer is lost (the sub core can send a full ring again). */
static bool test_rxq_full_drops_and_frees(void)
{
    static esp_amp_rpmsg_rxq_t rxq;
    static esp_amp_rpmsg_ept_t ept;
    CHECK(esp_amp_rpmsg_rxq_create(&rxq, &dev, 2) == 0);
    CHECK(esp_amp_rpmsg_create_endpoint_rxq(&dev, 11, &rxq, &ept) != NULL);
    sub_burst(6, 11);
    CHECK(sub_burst_wait(pdMS_TO_TICKS(2000)));
    vTaskDelay(pdMS_TO_TICKS(20));
    CHECK(esp_amp_rpmsg_rxq_waiting(&rxq) == 2);
    CHECK(rxq.dropped == 4);
    esp_amp_rpmsg_rx_msg_t m;
    CHECK(esp_amp_rpmsg_rxq_receive(&rxq, &m, 0) == 0);
    CHECK(strcmp(m.data, "m0") == 0);
    CHECK(esp_amp_rpmsg_rxq_release(&rxq, &m) == 0);
    CHECK(esp_amp_rpmsg_rxq_receive(&rxq, &m, 0) == 0);
    CHECK(strcmp(m.data, "m1") == 0);
    CHECK(esp_amp_rpmsg_rxq_release(&rxq, &m) == 0);
    /* A whole ring again: only possible if all 8 buffers came back. */
    sub_burst(QLEN, 11);
    CHECK(sub_burst_wait(pdMS_TO_TICKS(2000)));
    vTaskDelay(pdMS_TO_TICKS(20));
    CHECK(rxq.dropped == 4 + QLEN - 2);
    CHECK(esp_amp_rpmsg_delete_endpoint(&dev, 11) == &ept);
    esp_amp_rpmsg_rxq_delete(&rxq); /* releases the 2 still queued */
    /* and those two came back too: */
    static esp_amp_rpmsg_rxq_t rxq2;
    CHECK(esp_amp_rpmsg_rxq_create(&rxq2, &dev, QLEN) == 0);
    CHECK(esp_amp_rpmsg_create_endpoint_rxq(&dev, 11, &rxq2, &ept) != NULL);
    sub_burst(QLEN, 11);
    CHECK(sub_burst_wait(pdMS_TO_TICKS(2000)));
    vTaskDelay(pdMS_TO_TICKS(20));
    CHECK(esp_amp_rpmsg_rxq_waiting(&rxq2) == QLEN);
    CHECK(esp_amp_rpmsg_delete_endpoint(&dev, 11) == &ept);
    esp_amp_rpmsg_rxq_delete(&rxq2);
    return true;
}

static bool test_rxq_static_and_timeout(void)
{
    static esp_amp_rpmsg_rxq_t rxq;
    static esp_amp_rpmsg_ept_t ept;
    static uint8_t storage[ESP_AMP_RPMSG_RXQ_STORAGE_SIZE(QLEN)];
    static StaticQueue_t qbuf;
    CHECK(esp_amp_rpmsg_rxq_create_static(&rxq, &dev, QLEN, storage, &qbuf) == 0);
    CHECK(esp_amp_rpmsg_create_endpoint_rxq(&dev, 12, &rxq, &ept) != NULL);
    esp_amp_rpmsg_rx_msg_t m;
    TickType_t t0 = now();
    CHECK(esp_amp_rpmsg_rxq_receive(&rxq, &m, pdMS_TO_TICKS(50)) == -1);
    TickType_t dt = now() - t0;
    CHECK(dt >= pdMS_TO_TICKS(50) && dt < pdMS_TO_TICKS(250));
    sub_burst(3, 12);
    for (int i = 0; i < 3; i++) {
        CHECK(esp_amp_rpmsg_rxq_receive(&rxq, &m, pdMS_TO_TICKS(2000)) == 0);
        CHECK(esp_amp_rpmsg_rxq_release(&rxq, &m) == 0);
    }
    CHECK(esp_amp_rpmsg_rxq_release(&rxq, &m) == -1); /* not held any more */
    CHECK(esp_amp_get_last_error() == ESP_AMP_ERR_NOT_OWNED);
    CHECK(esp_amp_rpmsg_rxq_receive(NULL, &m, 0) == -1);
    CHECK(esp_amp_rpmsg_create_endpoint_rxq(&dev, 12, NULL, &ept) == NULL);
    CHECK(esp_amp_rpmsg_delete_endpoint(&dev, 12) == &ept);
    esp_amp_rpmsg_rxq_delete(&rxq);
    return true;
}

/* A full ring: send_wait blocks (lower-priority tasks run), tries about
 * once per tick, and fails with NO_BUF when the timeout ends. */
static bool test_send_wait_times_out_blocking(void)
{
    CHECK(fill_tx() == QLEN);
    uint32_t tries0 = tx_no_buf();
    unsigned spin0 = spin_count;
    vTaskResume(spinner);
    char m[8] = "late";
    TickType_t t0 = now();
    int rc = esp_amp_rpmsg_send_wait(&dev, &ept_src, SUB_SINK, m, sizeof m,
                                     pdMS_TO_TICKS(100));
    esp_amp_err_t err = esp_amp_get_last_error();
    TickType_t dt = now() - t0;
    vTaskSuspend(spinner);
    unsigned spun = spin_count - spin0;
    uint32_t tries = tx_no_buf() - tries0;
    CHECK(rc == -1);
    CHECK(err == ESP_AMP_ERR_NO_BUF);
    CHECK(dt >= pdMS_TO_TICKS(100) && dt < pdMS_TO_TICKS(300));
    CHECK(spun > 1000);             /* the waiting task left the CPU */
    CHECK(tx_wait_word() == 0);     /* disarmed on the way out */
    CHECK(tries >= 2 && tries <= 100 / ESP_AMP_FREERTOS_TX_RETRY_TICKS + 3);
    out("     send_wait timed out after %lu ticks, %u tries, spinner ran %u loops",
        (unsigned long)dt, (unsigned)tries, spun);
    CHECK(sub_drain());
    return true;
}

/* A full ring that the peer empties 50 ms later: send_wait succeeds then. */
static bool test_send_wait_succeeds_when_freed(void)
{
    CHECK(fill_tx() == QLEN);
    uint32_t resume = esp_amp_platform_get_time_ms() + 50;
    atomic_store(&ctl->resume_at, resume);
    char m[8] = "wait";
    TickType_t t0 = now();
    int rc = esp_amp_rpmsg_send_wait(&dev, &ept_src, SUB_SINK, m, sizeof m,
                                     pdMS_TO_TICKS(2000));
    uint32_t done = esp_amp_platform_get_time_ms();
    TickType_t dt = now() - t0;
    CHECK(rc == 0);
    CHECK((int32_t)(done - resume) >= 0); /* only after the peer freed one */
    CHECK(dt > 0 && dt < pdMS_TO_TICKS(1000));
    CHECK(sub_drain());
    /* portMAX_DELAY works the same */
    CHECK(fill_tx() == QLEN);
    atomic_store(&ctl->resume_at, esp_amp_platform_get_time_ms() + 20);
    CHECK(esp_amp_rpmsg_send_wait(&dev, &ept_src, SUB_SINK, m, sizeof m,
                                  portMAX_DELAY) == 0);
    CHECK(sub_drain());
    return true;
}

static bool test_create_message_wait(void)
{
    CHECK(fill_tx() == QLEN);
    TickType_t t0 = now();
    void *buf = esp_amp_rpmsg_create_message_wait(&dev, 16,
                                                  ESP_AMP_RPMSG_DATA_DEFAULT,
                                                  pdMS_TO_TICKS(30));
    esp_amp_err_t err = esp_amp_get_last_error();
    TickType_t dt = now() - t0;
    CHECK(buf == NULL);
    CHECK(err == ESP_AMP_ERR_NO_BUF);
    CHECK(dt >= pdMS_TO_TICKS(30) && dt < pdMS_TO_TICKS(200));
    CHECK(tx_wait_word() == 0);
    uint32_t resume = esp_amp_platform_get_time_ms() + 30;
    atomic_store(&ctl->resume_at, resume);
    buf = esp_amp_rpmsg_create_message_wait(&dev, 16, ESP_AMP_RPMSG_DATA_DEFAULT,
                                            pdMS_TO_TICKS(2000));
    CHECK(buf != NULL);
    CHECK((int32_t)(esp_amp_platform_get_time_ms() - resume) >= 0);
    memcpy(buf, "zero-copy", 10);
    CHECK(esp_amp_rpmsg_send_nocopy(&dev, &ept_src, SUB_SINK, buf, 10) == 0);
    CHECK(sub_drain());
    return true;
}

/* Failures that waiting cannot fix return at once; timeout 0 is one try. */
static bool test_send_wait_fails_fast(void)
{
    uint16_t max = esp_amp_rpmsg_get_max_size(&dev);
    static char big[ITEM + 8];
    TickType_t t0 = now();
    CHECK(esp_amp_rpmsg_send_wait(&dev, &ept_src, SUB_SINK, big,
                                  (uint16_t)(max + 1), pdMS_TO_TICKS(1000)) == -1);
    CHECK(esp_amp_get_last_error() == ESP_AMP_ERR_TOO_BIG);
    CHECK(esp_amp_rpmsg_send_wait(&dev, NULL, SUB_SINK, big, 4,
                                  pdMS_TO_TICKS(1000)) == -1);
    CHECK(esp_amp_get_last_error() == ESP_AMP_ERR_INVALID_ARG);
    CHECK(esp_amp_rpmsg_send_wait(NULL, &ept_src, SUB_SINK, big, 4,
                                  pdMS_TO_TICKS(1000)) == -1);
    CHECK(esp_amp_rpmsg_create_message_wait(&dev, (uint32_t)max + 1, 0,
                                            pdMS_TO_TICKS(1000)) == NULL);
    CHECK(esp_amp_get_last_error() == ESP_AMP_ERR_TOO_BIG);
    CHECK(now() - t0 < pdMS_TO_TICKS(20));
    CHECK(fill_tx() == QLEN);
    t0 = now();
    CHECK(esp_amp_rpmsg_send_wait(&dev, &ept_src, SUB_SINK, big, 4, 0) == -1);
    CHECK(esp_amp_get_last_error() == ESP_AMP_ERR_NO_BUF);
    CHECK(now() - t0 < pdMS_TO_TICKS(20));
    CHECK(sub_drain());
    /* A zero-length message is fine. */
    CHECK(esp_amp_rpmsg_send_wait(&dev, &ept_src, SUB_SINK, NULL, 0,
                                  pdMS_TO_TICKS(10)) == 0);
    CHECK(sub_drain());
    return true;
}

/* In an ISR the waiting send never blocks. */
static bool test_send_wait_in_isr_does_not_block(void)
{
    CHECK(fill_tx() == QLEN);
    atomic_store(&isr8_rc, 99);
    esp_amp_sw_intr_trigger_self(SW_INTR_ID_8);
    vTaskDelay(pdMS_TO_TICKS(5));
    CHECK(atomic_load(&isr8_rc) == -1);
    CHECK(atomic_load(&isr8_err) == ESP_AMP_ERR_NO_BUF);
    CHECK(atomic_load(&isr8_ticks) == 0);
    CHECK(tx_wait_word() == 0); /* an ISR never asks to be woken */
    CHECK(sub_drain());
    atomic_store(&isr8_rc, 99);
    esp_amp_sw_intr_trigger_self(SW_INTR_ID_8);
    vTaskDelay(pdMS_TO_TICKS(5));
    CHECK(atomic_load(&isr8_rc) == 0);
    CHECK(sub_drain());
    return true;
}

/* Several tasks share the device: waiting senders on a ring the peer keeps
 * emptying; every message arrives. */
static atomic_int share_done, share_fail;
static void share_task(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < 100; i++) {
        char m[16];
        snprintf(m, sizeof m, "t%d-%d", id, i);
        if (esp_amp_rpmsg_send_wait(&dev, &ept_src, SUB_SINK, m, sizeof m,
                                    pdMS_TO_TICKS(2000)) != 0) {
            atomic_fetch_add(&share_fail, 1);
        }
    }
    atomic_fetch_add(&share_done, 1);
    vTaskDelete(NULL);
}

static bool test_send_wait_many_tasks(void)
{
    atomic_store(&share_done, 0);
    atomic_store(&share_fail, 0);
    atomic_store(&ctl->consume, 1);
    unsigned rx0 = atomic_load(&ctl->sub_rx);
    for (int i = 0; i < 3; i++) {
        CHECK(xTaskCreate(share_task, "share", TASK_STACK, (void *)(intptr_t)i,
                          2, NULL) == pdPASS);
    }
    for (int i = 0; i < 1000 && atomic_load(&share_done) < 3; i++) {
        vTaskDelay(pdMS_TO_TICKS(10));
    }
    CHECK(atomic_load(&share_done) == 3);
    CHECK(atomic_load(&share_fail) == 0);
    CHECK(sub_drain());
    CHECK(atomic_load(&ctl->sub_rx) - rx0 == 300);
    return true;
}


/* Waiting senders (tasks of priority 3, above the test task) and what they
 * report. */
typedef struct {
    TaskHandle_t task;
    atomic_int started, rc, done;
    atomic_uint done_ms;
    TickType_t timeout;
    bool zero_copy;
} waiter_t;

static void waiter_task(void *arg)
{
    waiter_t *w = arg;
    char m[8] = "woken";
    atomic_store(&w->started, 1);
    int rc;
    if (w->zero_copy) {
        void *buf = esp_amp_rpmsg_create_message_wait(&dev, sizeof m, 0,
                                                      w->timeout);
        rc = buf == NULL ? -1 : 0;
        atomic_store(&w->done_ms, esp_amp_platform_get_time_ms());
        if (buf != NULL) {
            memcpy(buf, m, sizeof m);
            rc = esp_amp_rpmsg_send_nocopy(&dev, &ept_src, SUB_SINK, buf, sizeof m);
        }
    } else {
        rc = esp_amp_rpmsg_send_wait(&dev, &ept_src, SUB_SINK, m, sizeof m,
                                     w->timeout);
        atomic_store(&w->done_ms, esp_amp_platform_get_time_ms());
    }
    atomic_store(&w->rc, rc);
    atomic_store(&w->done, 1);
    vTaskDelete(NULL);
}

static bool waiter_start(waiter_t *w, bool zero_copy)
{
    atomic_store(&w->started, 0);
    atomic_store(&w->done, 0);
    atomic_store(&w->rc, 99);
    w->timeout = pdMS_TO_TICKS(5000);
    w->zero_copy = zero_copy;
    if (xTaskCreate(waiter_task, "waiter", TASK_STACK, w, 3, &w->task) != pdPASS) {
        return false;
    }
    /* priority 3: it has run and blocked by now */
    return atomic_load(&w->started) == 1 && atomic_load(&w->done) == 0;
}

static bool waiter_wait(waiter_t *w, TickType_t timeout)
{
    TickType_t t0 = now();
    while (!atomic_load(&w->done) && now() - t0 < timeout) {
        vTaskDelay(1);
    }
    return atomic_load(&w->done) == 1;
}

/* Latest acceptable wake-up after the peer's free: a few ticks, against a
 * fallback sleep of 1000. */
#define WAKE_MS 20u

/* A sender blocked on a full ring is woken by the peer's destroy, long
 * before its 1000-tick fallback; tx_wait is 1 only while it waits. */
static bool test_send_wait_woken_by_destroy(void)
{
    for (int zc = 0; zc < 2; zc++) {
        CHECK(fill_tx() == QLEN);
        CHECK(tx_wait_word() == 0);
        static waiter_t w;
        CHECK(waiter_start(&w, zc == 1));
        vTaskDelay(pdMS_TO_TICKS(30)); /* it sleeps: nobody frees anything */
        CHECK(atomic_load(&w.done) == 0);
        CHECK(tx_wait_word() == 1);
        uint32_t freed_ms;
        CHECK(sub_poll_one(&freed_ms));
        CHECK(waiter_wait(&w, pdMS_TO_TICKS(3000)));
        uint32_t lat = atomic_load(&w.done_ms) - freed_ms;
        CHECK(atomic_load(&w.rc) == 0);
        CHECK((int32_t)lat >= 0);
        CHECK(lat <= WAKE_MS);
        CHECK(tx_wait_word() == 0);
        out("     %s woken %u ms after the peer's destroy (fallback 1000 ticks)",
            zc ? "create_message_wait" : "send_wait", (unsigned)lat);
        CHECK(sub_drain());
    }
    CHECK(tx_wait_word() == 0); /* steady traffic: nobody waits */
    return true;
}

/* Two tasks wait on one device: one free wakes both, one of them gets the
 * buffer, the other waits on with tx_wait still set; a second free ends
 * its wait, and only then is tx_wait cleared. */
static bool test_send_wait_two_waiters(void)
{
    CHECK(fill_tx() == QLEN);
    static waiter_t a, b;
    CHECK(waiter_start(&a, false));
    CHECK(waiter_start(&b, true));
    vTaskDelay(pdMS_TO_TICKS(20));
    CHECK(tx_wait_word() == 1);
    uint32_t t1, t2;
    CHECK(sub_poll_one(&t1));
    TickType_t t0 = now();
    while (atomic_load(&a.done) + atomic_load(&b.done) < 1 &&
           now() - t0 < pdMS_TO_TICKS(3000)) {
        vTaskDelay(1);
    }
    vTaskDelay(pdMS_TO_TICKS(30));
    CHECK(atomic_load(&a.done) + atomic_load(&b.done) == 1);
    waiter_t *first = atomic_load(&a.done) ? &a : &b;
    waiter_t *second = first == &a ? &b : &a;
    CHECK(atomic_load(&first->rc) == 0);
    CHECK(atomic_load(&first->done_ms) - t1 <= WAKE_MS);
    CHECK(tx_wait_word() == 1); /* the other one still waits */
    CHECK(sub_poll_one(&t2));
    CHECK(waiter_wait(second, pdMS_TO_TICKS(3000)));
    CHECK(atomic_load(&second->rc) == 0);
    CHECK(atomic_load(&second->done_ms) - t2 <= WAKE_MS);
    CHECK(tx_wait_word() == 0);
    out("     first woken %u ms after a free, second %u ms after the next",
        (unsigned)(atomic_load(&first->done_ms) - t1),
        (unsigned)(atomic_load(&second->done_ms) - t2));
    CHECK(sub_drain());
    return true;
}

/* A waiter that times out leaves tx_wait set for the one still waiting. */
static bool test_send_wait_timeout_keeps_other_waiter(void)
{
    CHECK(fill_tx() == QLEN);
    static waiter_t a;
    CHECK(waiter_start(&a, false));
    char m[8] = "short";
    TickType_t t0 = now();
    int rc = esp_amp_rpmsg_send_wait(&dev, &ept_src, SUB_SINK, m, sizeof m,
                                     pdMS_TO_TICKS(40));
    TickType_t dt = now() - t0;
    CHECK(rc == -1);
    CHECK(esp_amp_get_last_error() == ESP_AMP_ERR_NO_BUF);
    CHECK(dt >= pdMS_TO_TICKS(40) && dt < pdMS_TO_TICKS(200));
    CHECK(tx_wait_word() == 1); /* a still waits */
    uint32_t t1;
    CHECK(sub_poll_one(&t1));
    CHECK(waiter_wait(&a, pdMS_TO_TICKS(3000)));
    CHECK(atomic_load(&a.rc) == 0);
    CHECK(atomic_load(&a.done_ms) - t1 <= WAKE_MS);
    CHECK(tx_wait_word() == 0);
    CHECK(sub_drain());
    return true;
}

/* A task notification of the helper's index left over from the wait is
 * cleared on return; other indexes are untouched. */
static bool test_send_wait_notification_state(void)
{
    CHECK(fill_tx() == QLEN);
    atomic_store(&ctl->resume_at, esp_amp_platform_get_time_ms() + 20);
    char m[8] = "notif";
    CHECK(esp_amp_rpmsg_send_wait(&dev, &ept_src, SUB_SINK, m, sizeof m,
                                  pdMS_TO_TICKS(3000)) == 0);
    CHECK(ulTaskNotifyTakeIndexed(ESP_AMP_FREERTOS_TX_NOTIFY_INDEX, pdTRUE, 0) == 0);
    CHECK(tx_wait_word() == 0);
    CHECK(sub_drain());
    return true;
}

/* ---------------------------------------------------------- main core */

typedef bool (*test_fn)(void);
static const struct {
    const char *name;
    test_fn fn;
} tests[] = {
    {"in_isr_false_in_task", test_in_isr_false_in_task},
    {"critical_masks_own_doorbell", test_critical_masks_own_doorbell},
    {"critical_masks_peer_doorbell", test_critical_masks_peer_doorbell},
    {"critical_nests_in_isr", test_critical_nests_in_isr},
    {"yield_from_isr", test_yield_from_isr},
    {"rxq_handoff", test_rxq_handoff},
    {"rxq_full_drops_and_frees", test_rxq_full_drops_and_frees},
    {"rxq_static_and_timeout", test_rxq_static_and_timeout},
    {"send_wait_times_out_blocking", test_send_wait_times_out_blocking},
    {"send_wait_succeeds_when_freed", test_send_wait_succeeds_when_freed},
    {"create_message_wait", test_create_message_wait},
    {"send_wait_fails_fast", test_send_wait_fails_fast},
    {"send_wait_in_isr_does_not_block", test_send_wait_in_isr_does_not_block},
    {"send_wait_many_tasks", test_send_wait_many_tasks},
    {"send_wait_woken_by_destroy", test_send_wait_woken_by_destroy},
    {"send_wait_two_waiters", test_send_wait_two_waiters},
    {"send_wait_timeout_keeps_other_waiter", test_send_wait_timeout_keeps_other_waiter},
    {"send_wait_notification_state", test_send_wait_notification_state},
};

static void test_task(void *arg)
{
    (void)arg;
    if (esp_amp_init() != 0 ||
        esp_amp_rpmsg_main_init(&dev, QLEN, ITEM, true, false) != 0 ||
        esp_amp_rpmsg_intr_enable(&dev) != 0 ||
        esp_amp_rpmsg_create_endpoint(&dev, MAIN_SRC, NULL, NULL, &ept_src) == NULL ||
        esp_amp_sw_intr_add_handler(SW_INTR_ID_0, sub_ready_isr, NULL) != 0 ||
        esp_amp_sw_intr_add_handler(SW_INTR_ID_5, isr5, NULL) != 0 ||
        esp_amp_sw_intr_add_handler(SW_INTR_ID_6, isr6, NULL) != 0 ||
        esp_amp_sw_intr_add_handler(SW_INTR_ID_7, isr7, NULL) != 0 ||
        esp_amp_sw_intr_add_handler(SW_INTR_ID_8, isr8, NULL) != 0 ||
        esp_amp_sw_intr_add_handler(SW_INTR_ID_9, isr9, NULL) != 0) {
        out("MAIN: init failed: %s", esp_amp_err_name(esp_amp_get_last_error()));
        esp_amp_freertos_sim_end(1);
    }
    (void)!write(start_pipe[1], "S", 1);
    if (xSemaphoreTake(ready, pdMS_TO_TICKS(10000)) != pdTRUE) {
        out("MAIN: the sub core did not report ready");
        esp_amp_freertos_sim_end(1);
    }
    out("FreeRTOS %s, tick %u Hz, tx retry %u tick(s)", tskKERNEL_VERSION_NUMBER,
        (unsigned)configTICK_RATE_HZ, (unsigned)ESP_AMP_FREERTOS_TX_RETRY_TICKS);
    xTaskCreate(spinner_task, "spin", TASK_STACK, NULL, 1, &spinner);
    vTaskSuspend(spinner); /* runs only in send_wait_times_out_blocking */
    xTaskCreate(high_task, "high", TASK_STACK, NULL, 4, NULL);

    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (tests[i].fn()) {
            passed++;
            out("ok   %s", tests[i].name);
        } else {
            failed++;
        }
    }
    atomic_store(&ctl->quit, 1);
    out("%d passed, %d failed", passed, failed);
    esp_amp_freertos_sim_end(failed == 0 ? 0 : 1);
}

static int main_app(void *arg)
{
    (void)arg;
    ready = xSemaphoreCreateBinary();
    wake_sem = xSemaphoreCreateBinary();
    if (ready == NULL || wake_sem == NULL ||
        xTaskCreate(test_task, "test", TASK_STACK, NULL, 2, NULL) != pdPASS) {
        return 1;
    }
    vTaskStartScheduler();
    return 1;
}

static int main_core(void *arg)
{
    int rc = esp_amp_freertos_sim_run(main_app, arg);
    atomic_store(&ctl->quit, 1); /* whatever happened, let the sub core end */
    return rc;
}

/* ------------------------------------------------------------- the chip */

int main(void)
{
    ctl = mmap(NULL, sizeof *ctl, PROT_READ | PROT_WRITE,
               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (ctl == MAP_FAILED || pipe(start_pipe) != 0 || sim_init(256 * 1024) != 0) {
        perror("setup");
        return 1;
    }
    atomic_store(&ctl->consume, 1);
    if (sim_start_core(ESP_AMP_CORE_MAIN, SIM_PROCESS, main_core, NULL) != 0) {
        return 1;
    }
    close(start_pipe[1]);
    char c;
    int rc_main = 1, rc_sub = 1;
    if (read(start_pipe[0], &c, 1) == 1 &&
        sim_start_core(ESP_AMP_CORE_SUB, SIM_PROCESS, sub_core, NULL) == 0) {
        sim_join_core(ESP_AMP_CORE_SUB, &rc_sub);
    }
    sim_join_core(ESP_AMP_CORE_MAIN, &rc_main);
    sim_deinit();
    if (rc_main != 0 || rc_sub != 0) {
        printf("test_freertos_helpers: main core exit %d, sub core exit %d\n",
               rc_main, rc_sub);
    }
    return rc_main == 0 && rc_sub == 0 ? 0 : 1;
}
