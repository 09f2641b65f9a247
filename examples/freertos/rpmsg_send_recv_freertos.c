/*
 * rpmsg_send_recv_freertos - the rpmsg_send_recv demo with the main core
 * under FreeRTOS (the kernel's POSIX port) and a bare-metal-style sub core,
 * in the simulator. ESP-AMP's usual set-up: FreeRTOS on the main core,
 * bare metal on the sub core.
 *
 * The exchange and the sub core are those of
 * examples/rpmsg_send_recv/demo_exchange.c; this file is the FreeRTOS way
 * of running the main core's steps, and its I/O layer.
 * Main core: the endpoint callbacks run in the doorbell ISR and only queue
 * message pointers (esp_amp_rpmsg_rxq_cb); one task per endpoint takes them,
 * prints, answers and gives the buffers back (esp_amp_rpmsg_rxq_release).
 * Answers and requests are sent with the waiting sends
 * (esp_amp_rpmsg_create_message_wait, esp_amp_rpmsg_send_wait). The sub
 * core's "ready" and "bye" software interrupts give a semaphore from the ISR.
 * With --main-poll a task polls instead (callbacks then run in that task).
 *
 * usage: rpmsg_send_recv_freertos [--main-intr|--main-poll]
 *                                 [--sub-poll|--sub-intr] [--rounds N]
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "FreeRTOS.h"
#include "semphr.h"
#include "task.h"

#include "demo_exchange.h"
#include "demo_io_sim.h"
#include "esp_amp.h"
#include "esp_amp_env.h"
#include "esp_amp_freertos.h"
#include "esp_amp_freertos_sim.h"
#include "esp_amp_platform.h"
#include "sim.h"

#define TASK_STACK 16384      /* words */

static struct {
    bool main_intr, sub_intr;
    int rounds;
    int start_pipe[2];        /* main core -> chip: "start the sub core" */
} cfg = {true, false, 6, {-1, -1}};

/* ------------------------------------------------- main core (FreeRTOS) */

static demo_main_t m;
static demo_cfg_t m_cfg;
static esp_amp_rpmsg_rxq_t m_rxq[3];
static SemaphoreHandle_t m_wake;
static TaskHandle_t m_main_task;
static atomic_int m_normal_seen, m_rpc_done, m_failures;
static atomic_uint m_isr_deliveries, m_task_deliveries;

/* ------------------------------------------------- the I/O layer */

static void frt_vsay(const char *core, const char *fmt, va_list ap)
{
    demo_io_sim.vsay(core, fmt, ap);
}

/* Block this task until an ISR gives m_wake (or the timeout). */
static bool frt_wait(bool (*done)(void *), void *arg, uint32_t timeout_us)
{
    if (done != NULL && done(arg)) {
        return true;
    }
    TickType_t t = pdMS_TO_TICKS((timeout_us + 999u) / 1000u);
    (void)xSemaphoreTake(m_wake, t > 0 ? t : 1);
    return done != NULL && done(arg);
}

/* The sub core's software interrupts (ISR context). */
static void frt_wake_from_isr(void)
{
    BaseType_t woken = pdFALSE;
    xSemaphoreGiveFromISR(m_wake, &woken);
    esp_amp_freertos_yield_from_isr(woken);
}

static void frt_start_sub(void)
{
    (void)!write(cfg.start_pipe[1], "S", 1);
}

static void *frt_create_message(esp_amp_rpmsg_dev_t *dev, uint16_t size)
{
    return esp_amp_rpmsg_create_message_wait(dev, size, ESP_AMP_RPMSG_DATA_DEFAULT,
                                             pdMS_TO_TICKS(1000));
}

static int frt_send(esp_amp_rpmsg_dev_t *dev, esp_amp_rpmsg_ept_t *ept,
                    uint16_t dst, void *data, uint16_t len)
{
    return esp_amp_rpmsg_send_wait(dev, ept, dst, data, len, pdMS_TO_TICKS(2000));
}

static const demo_io_t frt_io = {
    .vsay = frt_vsay,
    .wait = frt_wait,
    .start_sub = frt_start_sub,
    .wake_from_isr = frt_wake_from_isr,
    .create_message = frt_create_message,
    .send = frt_send,
};

/* ------------------------------------------------- the tasks */

/* The endpoint callback: note the context, then queue the pointer. */
static int main_ept_cb(void *msg, uint16_t len, uint16_t src, void *rxq)
{
    if (esp_amp_env_in_isr()) {
        atomic_fetch_add(&m_isr_deliveries, 1);
    } else {
        atomic_fetch_add(&m_task_deliveries, 1);
    }
    return esp_amp_rpmsg_rxq_cb(msg, len, src, rxq);
}

static void count_normal(bool normal)
{
    if (normal && atomic_fetch_add(&m_normal_seen, 1) + 1 == cfg.rounds) {
        xTaskNotifyGive(m_main_task);
    }
}

static void ept0_task(void *arg)
{
    (void)arg;
    esp_amp_rpmsg_rx_msg_t r;
    for (;;) {
        if (esp_amp_rpmsg_rxq_receive(&m_rxq[0], &r, portMAX_DELAY) != 0) {
            continue;
        }
        count_normal(demo_main_show(&m, 0, r.data, r.len));
        esp_amp_rpmsg_rxq_release(&m_rxq[0], &r);
    }
}

static void ept1_task(void *arg)
{
    (void)arg;
    esp_amp_rpmsg_rx_msg_t r;
    for (;;) {
        if (esp_amp_rpmsg_rxq_receive(&m_rxq[1], &r, portMAX_DELAY) != 0) {
            continue;
        }
        bool normal = demo_main_show(&m, 1, r.data, r.len);
        esp_amp_rpmsg_rxq_release(&m_rxq[1], &r);
        count_normal(normal);
        if (demo_main_answer(&m) != 0) {
            atomic_fetch_add(&m_failures, 1);
        }
    }
}

static void rpc_task(void *arg)
{
    (void)arg;
    for (int i = 0; i < cfg.rounds; i++) {
        int ab[2], expect;
        uint16_t dst;
        demo_main_request(&m, ab, &dst, &expect);
        if (frt_send(&m.dev, &m.ept[2], dst, ab, sizeof ab) != 0) {
            demo_say(&m_cfg, "MAIN", "Failed to send requests! (%s)",
                     esp_amp_err_name(esp_amp_get_last_error()));
            atomic_fetch_add(&m_failures, 1);
            continue;
        }
        esp_amp_rpmsg_rx_msg_t r;
        if (esp_amp_rpmsg_rxq_receive(&m_rxq[2], &r, pdMS_TO_TICKS(5000)) != 0) {
            demo_say(&m_cfg, "MAIN", "No answer to request %d", i);
            atomic_fetch_add(&m_failures, 1);
            continue;
        }
        bool ok = demo_main_check(&m, expect, r.data, r.len);
        esp_amp_rpmsg_rxq_release(&m_rxq[2], &r);
        if (!ok) {
            atomic_fetch_add(&m_failures, 1);
        }
        atomic_fetch_add(&m_rpc_done, 1);
    }
    xTaskNotifyGive(m_main_task);
    vTaskDelete(NULL);
}

static void poll_task(void *arg)
{
    (void)arg;
    for (;;) {
        while (esp_amp_rpmsg_poll(&m.dev) == 0) {
        }
        vTaskDelay(1);
    }
}

static void main_task(void *arg)
{
    (void)arg;
    static char label[48];
    snprintf(label, sizeof label, "FreeRTOS %s: ", tskKERNEL_VERSION_NUMBER);
    m_cfg = (demo_cfg_t){&frt_io, cfg.main_intr, cfg.rounds, label};
    void *rxq[3] = {&m_rxq[0], &m_rxq[1], &m_rxq[2]};
    for (int i = 0; i < 3; i++) {
        if (esp_amp_rpmsg_rxq_create(&m_rxq[i], &m.dev, QUEUE_LEN) != 0) {
            esp_amp_freertos_sim_end(1);
        }
    }
    if (demo_main_setup(&m, &m_cfg, main_ept_cb, rxq) != 0) {
        esp_amp_freertos_sim_end(1);
    }
    if (!cfg.main_intr) {
        xTaskCreate(poll_task, "poll", TASK_STACK, NULL, 3, NULL);
    }
    if (!demo_main_wait_ready(&m)) {
        esp_amp_freertos_sim_end(1);
    }
    xTaskCreate(ept0_task, "ept0", TASK_STACK, NULL, 2, NULL);
    xTaskCreate(ept1_task, "ept1", TASK_STACK, NULL, 2, NULL);
    xTaskCreate(rpc_task, "rpc", TASK_STACK, NULL, 2, NULL);

    /* Two notifications: enough normal messages, all answers checked. */
    int got = 0;
    while (got < 2 && ulTaskNotifyTake(pdFALSE, pdMS_TO_TICKS(30000)) != 0) {
        got++;
    }
    if (got < 2) {
        demo_say(&m_cfg, "MAIN", "timed out: %d normal messages, %d answers",
                 atomic_load(&m_normal_seen), atomic_load(&m_rpc_done));
        atomic_fetch_add(&m_failures, 1);
    }
    if (!demo_main_quit(&m)) {
        atomic_fetch_add(&m_failures, 1);
    }
    int failures = atomic_load(&m_failures);
    demo_main_report(&m, failures);
    demo_say(&m_cfg, "MAIN", "deliveries: %u in ISR context, %u in task context; "
             "doorbell interrupts %llu",
             atomic_load(&m_isr_deliveries), atomic_load(&m_task_deliveries),
             (unsigned long long)esp_amp_freertos_sim_irq_count());
    if (cfg.main_intr && atomic_load(&m_isr_deliveries) == 0) {
        failures++;
    }
    esp_amp_freertos_sim_end(failures ? 1 : 0);
}

static int main_app(void *arg)
{
    (void)arg;
    m_wake = xSemaphoreCreateBinary();
    if (m_wake == NULL ||
        xTaskCreate(main_task, "main", TASK_STACK, NULL, 3, &m_main_task) != pdPASS) {
        return 1;
    }
    vTaskStartScheduler();
    return 1; /* only if the scheduler could not start */
}

static int sub_core(void *arg)
{
    return demo_sub_core(arg);
}

static int main_core(void *arg)
{
    return esp_amp_freertos_sim_run(main_app, arg);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--main-poll")) {
            cfg.main_intr = false;
        } else if (!strcmp(argv[i], "--main-intr")) {
            cfg.main_intr = true;
        } else if (!strcmp(argv[i], "--sub-poll")) {
            cfg.sub_intr = false;
        } else if (!strcmp(argv[i], "--sub-intr")) {
            cfg.sub_intr = true;
        } else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
            cfg.rounds = atoi(argv[++i]);
        } else {
            fprintf(stderr,
                    "usage: %s [--main-intr|--main-poll] [--sub-poll|--sub-intr] "
                    "[--rounds N]\n", argv[0]);
            return 2;
        }
    }
    if (cfg.rounds < 1) {
        cfg.rounds = 1;
    }
    if (pipe(cfg.start_pipe) != 0 || sim_init(256 * 1024) != 0) {
        perror("setup");
        return 1;
    }
    /* The FreeRTOS core must be a process of its own (SIM_PROCESS). */
    if (sim_start_core(ESP_AMP_CORE_MAIN, SIM_PROCESS, main_core, NULL) != 0) {
        return 1;
    }
    close(cfg.start_pipe[1]); /* read() sees EOF if the main core dies */
    char c;
    int rc_main = 1, rc_sub = 1;
    demo_cfg_t sub_cfg = {&demo_io_sim, cfg.sub_intr, cfg.rounds, " (bare metal)"};
    if (read(cfg.start_pipe[0], &c, 1) == 1 &&
        sim_start_core(ESP_AMP_CORE_SUB, SIM_PROCESS, sub_core, &sub_cfg) == 0) {
        sim_join_core(ESP_AMP_CORE_SUB, &rc_sub);
    }
    sim_join_core(ESP_AMP_CORE_MAIN, &rc_main);
    sim_deinit();
    printf("rpmsg_send_recv_freertos: main core (FreeRTOS) exit %d, sub core "
           "exit %d: %s\n",
           rc_main, rc_sub, rc_main == 0 && rc_sub == 0 ? "PASS" : "FAIL");
    return rc_main == 0 && rc_sub == 0 ? 0 : 1;
}
