/*
 * rpmsg_send_recv_freertos - the rpmsg_send_recv demo with the main core
 * under FreeRTOS (the kernel's POSIX port) and a bare-metal-style sub core,
 * in the simulator. ESP-AMP's usual set-up: FreeRTOS on the main core,
 * bare metal on the sub core.
 *
 * The exchange is that of examples/rpmsg_send_recv:
 *   - the sub core sends "Normal Msg: N" alternately to main endpoints 0
 *     and 1;
 *   - main endpoint 1 answers each with "Rsp from EPT1: N" to sub endpoint
 *     0, which answers with "Extra Msg: N" to main endpoint 0;
 *   - main endpoint 2 asks sub endpoint 1 to add and sub endpoint 2 to
 *     multiply pairs of numbers, and checks every answer.
 * Main core: the endpoint callbacks run in the doorbell ISR and only queue
 * message pointers (esp_amp_rpmsg_rxq_cb); one task per endpoint takes them,
 * prints, answers and gives the buffers back (esp_amp_rpmsg_rxq_release).
 * Answers and requests are sent with the waiting sends
 * (esp_amp_rpmsg_create_message_wait, esp_amp_rpmsg_send_wait). The sub
 * core's "ready" software interrupt gives a semaphore from the ISR.
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

#include "demo_common.h"
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

static esp_amp_rpmsg_dev_t m_dev;
static esp_amp_rpmsg_ept_t m_ept[3];
static esp_amp_rpmsg_rxq_t m_rxq[3];
static SemaphoreHandle_t m_ready;
static TaskHandle_t m_main_task;
static atomic_int m_normal_seen, m_rpc_done, m_failures;
static atomic_uint m_isr_deliveries, m_task_deliveries;

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

/* Software interrupt 0 from the sub core (ISR context): "ready". */
static int main_ready_isr(void *arg)
{
    (void)arg;
    BaseType_t woken = pdFALSE;
    xSemaphoreGiveFromISR(m_ready, &woken);
    esp_amp_freertos_yield_from_isr(woken);
    return 0;
}

static void normal_seen(const char *msg)
{
    if (strncmp(msg, "Normal", 6) == 0 &&
        atomic_fetch_add(&m_normal_seen, 1) + 1 == cfg.rounds) {
        xTaskNotifyGive(m_main_task);
    }
}

static void ept0_task(void *arg)
{
    (void)arg;
    esp_amp_rpmsg_rx_msg_t m;
    for (;;) {
        if (esp_amp_rpmsg_rxq_receive(&m_rxq[0], &m, portMAX_DELAY) != 0) {
            continue;
        }
        say("MAIN", "EPT0: Message from Sub core ==> %.*s", (int)m.len,
            (char *)m.data);
        normal_seen(m.data);
        esp_amp_rpmsg_rxq_release(&m_rxq[0], &m);
    }
}

static void ept1_task(void *arg)
{
    (void)arg;
    int rsp_count = 0;
    esp_amp_rpmsg_rx_msg_t m;
    for (;;) {
        if (esp_amp_rpmsg_rxq_receive(&m_rxq[1], &m, portMAX_DELAY) != 0) {
            continue;
        }
        say("MAIN", "EPT1: Message from Sub core ==> %.*s", (int)m.len,
            (char *)m.data);
        normal_seen(m.data);
        esp_amp_rpmsg_rxq_release(&m_rxq[1], &m);
        char *rsp = esp_amp_rpmsg_create_message_wait(
            &m_dev, 32, ESP_AMP_RPMSG_DATA_DEFAULT, pdMS_TO_TICKS(1000));
        if (rsp == NULL) {
            say("MAIN", "EPT1: Failed to create new message!");
            atomic_fetch_add(&m_failures, 1);
            continue;
        }
        int n = snprintf(rsp, 32, "Rsp from EPT1: %d", rsp_count++);
        if (esp_amp_rpmsg_send_nocopy(&m_dev, &m_ept[1], 0, rsp,
                                      (uint16_t)(n + 1)) != 0) {
            atomic_fetch_add(&m_failures, 1);
        }
    }
}

static void rpc_task(void *arg)
{
    (void)arg;
    srand(42);
    for (int i = 0; i < cfg.rounds; i++) {
        int ab[2] = {rand() % 1000, rand() % 1000};
        bool add = i & 1;
        int expect = add ? ab[0] + ab[1] : ab[0] * ab[1];
        say("MAIN", "Generating %d %s %d = %d", ab[0], add ? "+" : "x", ab[1],
            expect);
        if (esp_amp_rpmsg_send_wait(&m_dev, &m_ept[2], add ? 1 : 2, ab,
                                    sizeof ab, pdMS_TO_TICKS(1000)) != 0) {
            say("MAIN", "Failed to send requests! (%s)",
                esp_amp_err_name(esp_amp_get_last_error()));
            atomic_fetch_add(&m_failures, 1);
            continue;
        }
        esp_amp_rpmsg_rx_msg_t m;
        if (esp_amp_rpmsg_rxq_receive(&m_rxq[2], &m, pdMS_TO_TICKS(5000)) != 0) {
            say("MAIN", "No answer to request %d", i);
            atomic_fetch_add(&m_failures, 1);
            continue;
        }
        int got = 0;
        if (m.len == sizeof got) {
            memcpy(&got, m.data, sizeof got);
        }
        bool ok = m.len == sizeof got && got == expect;
        esp_amp_rpmsg_rxq_release(&m_rxq[2], &m);
        say("MAIN", "Expected %d, got %d, %s", expect, got,
            ok ? "PASS" : "INVALID");
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
        while (esp_amp_rpmsg_poll(&m_dev) == 0) {
        }
        vTaskDelay(1);
    }
}

static void main_task(void *arg)
{
    (void)arg;
    const char *T = "MAIN";
    if (esp_amp_init() != 0 ||
        esp_amp_rpmsg_main_init(&m_dev, QUEUE_LEN, ITEM_SIZE, true,
                                !cfg.main_intr) != 0) {
        say(T, "init failed: %s", esp_amp_err_name(esp_amp_get_last_error()));
        esp_amp_freertos_sim_end(1);
    }
    for (uint16_t i = 0; i < 3; i++) {
        if (esp_amp_rpmsg_rxq_create(&m_rxq[i], &m_dev, QUEUE_LEN) != 0 ||
            esp_amp_rpmsg_create_endpoint(&m_dev, i, main_ept_cb, &m_rxq[i],
                                          &m_ept[i]) == NULL) {
            esp_amp_freertos_sim_end(1);
        }
    }
    if (cfg.main_intr && esp_amp_rpmsg_intr_enable(&m_dev) != 0) {
        esp_amp_freertos_sim_end(1);
    }
    esp_amp_sw_intr_add_handler(SW_INTR_ID_0, main_ready_isr, NULL);
    say(T, "FreeRTOS %s: %s-based RPMsg handling on the main core",
        tskKERNEL_VERSION_NUMBER, cfg.main_intr ? "interrupt" : "polling");
    if (!cfg.main_intr) {
        xTaskCreate(poll_task, "poll", TASK_STACK, NULL, 3, NULL);
    }

    /* Release the sub core from reset, then wait for its ready interrupt. */
    (void)!write(cfg.start_pipe[1], "S", 1);
    if (xSemaphoreTake(m_ready, pdMS_TO_TICKS(10000)) != pdTRUE) {
        say(T, "the sub core did not report ready");
        esp_amp_freertos_sim_end(1);
    }
    say(T, "sub core is ready");

    xTaskCreate(ept0_task, "ept0", TASK_STACK, NULL, 2, NULL);
    xTaskCreate(ept1_task, "ept1", TASK_STACK, NULL, 2, NULL);
    xTaskCreate(rpc_task, "rpc", TASK_STACK, NULL, 2, NULL);

    /* Two notifications: enough normal messages, all answers checked. */
    int got = 0;
    while (got < 2 && ulTaskNotifyTake(pdFALSE, pdMS_TO_TICKS(30000)) != 0) {
        got++;
    }
    if (got < 2) {
        say(T, "timed out: %d normal messages, %d answers",
            atomic_load(&m_normal_seen), atomic_load(&m_rpc_done));
        atomic_fetch_add(&m_failures, 1);
    }
    /* Tell the sub core to stop. */
    if (esp_amp_rpmsg_send_wait(&m_dev, &m_ept[0], EPT_QUIT, "quit", 5,
                                pdMS_TO_TICKS(2000)) != 0) {
        atomic_fetch_add(&m_failures, 1);
    }
    esp_amp_rpmsg_stats_t st;
    esp_amp_rpmsg_get_stats(&m_dev, &st);
    int failures = atomic_load(&m_failures);
    say(T, "done: %d failures; sent %u, received %u (%u in ISR context, %u in "
        "task context), doorbell interrupts %llu",
        failures, (unsigned)st.tx_msgs, (unsigned)st.rx_msgs,
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
    m_ready = xSemaphoreCreateBinary();
    if (m_ready == NULL ||
        xTaskCreate(main_task, "main", TASK_STACK, NULL, 3, &m_main_task) != pdPASS) {
        return 1;
    }
    vTaskStartScheduler();
    return 1; /* only if the scheduler could not start */
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
    demo_sub_cfg_t sub_cfg = {cfg.sub_intr, cfg.rounds, " (bare metal)"};
    if (read(cfg.start_pipe[0], &c, 1) == 1 &&
        sim_start_core(ESP_AMP_CORE_SUB, SIM_PROCESS, demo_sub_core,
                       &sub_cfg) == 0) {
        sim_join_core(ESP_AMP_CORE_SUB, &rc_sub);
    }
    sim_join_core(ESP_AMP_CORE_MAIN, &rc_main);
    sim_deinit();
    printf("rpmsg_send_recv_freertos: main core (FreeRTOS) exit %d, sub core "
           "exit %d: %s\n",
           rc_main, rc_sub, rc_main == 0 && rc_sub == 0 ? "PASS" : "FAIL");
    return rc_main == 0 && rc_sub == 0 ? 0 : 1;
}
