/*
 * rpmsg_send_recv_main.c - rpmsg_send_recv on an ESP chip, main core (the HP
 * core, FreeRTOS). The exchange of the simulator and QEMU demos:
 *   - the sub core sends "Normal Msg: N" alternately to main endpoints 0
 *     and 1;
 *   - main endpoint 1 answers each with "Rsp from EPT1: N" to sub endpoint
 *     0, which answers with "Extra Msg: N" to main endpoint 0;
 *   - main endpoint 2 asks sub endpoint 1 to add and sub endpoint 2 to
 *     multiply pairs of numbers, and checks every answer.
 * After DEMO_ROUNDS normal messages and DEMO_ROUNDS checked answers the
 * main core sends "quit" to sub endpoint 3 and waits for the sub core's
 * goodbye (software interrupt), then prints PASS or FAIL.
 *
 * Sub core: the LP core (ESP32-C6/C5; image lp_rpmsg_sub, built by
 * esp_amp_add_lp_app) or HP core 1 (ESP32-P4; a task pinned to it).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "esp_amp.h"
#include "esp_amp_env.h"
#include "esp_amp_platform.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "sdkconfig.h"

#include "demo_cfg.h"

#if CONFIG_IDF_TARGET_ESP32P4
#define SUB_NAME "HP core 1"
#else
#include "ulp_lp_core.h"
#define SUB_NAME "LP core"
extern const uint8_t lp_bin_start[] asm("_binary_lp_rpmsg_sub_bin_start");
extern const uint8_t lp_bin_end[] asm("_binary_lp_rpmsg_sub_bin_end");
#endif

#define BOX_LEN QUEUE_LEN

/* Received messages handed from the callback (ISR or poll) to the task. */
typedef struct {
    void *msg[BOX_LEN];
    uint16_t len[BOX_LEN];
    volatile unsigned head, tail;
} mailbox_t;

static esp_amp_rpmsg_dev_t m_dev;
static esp_amp_rpmsg_ept_t m_ept[3];
static mailbox_t m_box[3];
static volatile bool m_sub_ready, m_sub_bye;

static bool mailbox_put(mailbox_t *mb, void *msg, uint16_t len)
{
    if (mb->head - mb->tail == BOX_LEN) {
        return false;
    }
    mb->msg[mb->head % BOX_LEN] = msg;
    mb->len[mb->head % BOX_LEN] = len;
    mb->head++;
    return true;
}

static bool mailbox_get(mailbox_t *mb, void **msg, uint16_t *len)
{
    bool ok = false;
    esp_amp_env_enter_critical();
    if (mb->head != mb->tail) {
        *msg = mb->msg[mb->tail % BOX_LEN];
        *len = mb->len[mb->tail % BOX_LEN];
        mb->tail++;
        ok = true;
    }
    esp_amp_env_exit_critical();
    return ok;
}

static int main_ept_cb(void *msg, uint16_t len, uint16_t src, void *arg)
{
    (void)src;
    if (!mailbox_put(arg, msg, len)) {
        esp_amp_rpmsg_destroy(&m_dev, msg);
    }
    return 0;
}

static int on_sw_intr(void *arg)
{
    *(volatile bool *)arg = true;
    return 0;
}

static void poll_if_needed(void)
{
    if (!MAIN_INTR) {
        while (esp_amp_rpmsg_poll(&m_dev) == 0) {
        }
    }
}

static bool wait_flag(volatile bool *flag, uint32_t ms)
{
    uint32_t t0 = esp_amp_platform_get_time_ms();
    while (!*flag) {
        poll_if_needed();
        if (esp_amp_platform_get_time_ms() - t0 > ms) {
            return false;
        }
        vTaskDelay(1);
    }
    return true;
}

#if CONFIG_IDF_TARGET_ESP32P4
void demo_sub_idle(void)
{
    vTaskDelay(1);
}

static void sub_task(void *arg)
{
    (void)arg;
    int rc = demo_sub_run();
    if (rc != 0) {
        printf("SUB: init failed (%d): %s\n", rc, esp_amp_err_name(esp_amp_get_last_error()));
    }
    vTaskDelete(NULL);
}

static bool start_sub(void)
{
    return xTaskCreatePinnedToCore(sub_task, "amp_sub", 4096, NULL, 5, NULL, 1) == pdPASS;
}
#else
static bool start_sub(void)
{
    ulp_lp_core_cfg_t cfg = {
        .wakeup_source = ULP_LP_CORE_WAKEUP_SOURCE_HP_CPU,
    };
    if (ulp_lp_core_load_binary(lp_bin_start, (size_t)(lp_bin_end - lp_bin_start)) != ESP_OK) {
        return false;
    }
    return ulp_lp_core_run(&cfg) == ESP_OK;
}
#endif

static uint32_t s_seed = 42;
static int rand1000(void)
{
    s_seed = s_seed * 1103515245u + 12345u;
    return (int)((s_seed >> 16) % 1000u);
}

static int run_demo(void)
{
    int failures = 0, normal_seen = 0, rpc_done = 0, rsp_count = 0;
    int expect = 0, outstanding = 0, algo = 0;

    printf("MAIN: rpmsg_send_recv: main core = HP core, sub core = %s; "
           "main %s, sub %s\n", SUB_NAME, MAIN_INTR ? "interrupt" : "polling",
           SUB_INTR ? "interrupt" : "polling");
    if (esp_amp_init() != 0 ||
        esp_amp_rpmsg_main_init(&m_dev, QUEUE_LEN, ITEM_SIZE, true, !MAIN_INTR) != 0) {
        printf("MAIN: init failed: %s\n", esp_amp_err_name(esp_amp_get_last_error()));
        return 1;
    }
    for (uint16_t i = 0; i < 3; i++) {
        if (esp_amp_rpmsg_create_endpoint(&m_dev, i, main_ept_cb, &m_box[i], &m_ept[i]) == NULL) {
            return 1;
        }
    }
    if (MAIN_INTR && esp_amp_rpmsg_intr_enable(&m_dev) != 0) {
        return 1;
    }
    esp_amp_sw_intr_add_handler(SW_INTR_READY, on_sw_intr, (void *)&m_sub_ready);
    esp_amp_sw_intr_add_handler(SW_INTR_BYE, on_sw_intr, (void *)&m_sub_bye);

    if (!start_sub()) {
        printf("MAIN: could not start the sub core: FAIL\n");
        return 2;
    }
    if (!wait_flag(&m_sub_ready, 5000)) {
        printf("MAIN: sub core never became ready: FAIL\n");
        return 2;
    }
    printf("MAIN: sub core is ready\n");

    uint32_t t0 = esp_amp_platform_get_time_ms();
    while (normal_seen < DEMO_ROUNDS || rpc_done < DEMO_ROUNDS) {
        if (esp_amp_platform_get_time_ms() - t0 > DEMO_DEADLINE_MS) {
            printf("MAIN: timeout (%d normal, %d answers): FAIL\n", normal_seen, rpc_done);
            return 3;
        }
        poll_if_needed();
        void *msg;
        uint16_t len;
        while (mailbox_get(&m_box[0], &msg, &len)) {
            printf("MAIN: EPT0: Message from Sub core ==> %.*s\n", (int)len, (char *)msg);
            normal_seen += len >= 6 && memcmp(msg, "Normal", 6) == 0;
            esp_amp_rpmsg_destroy(&m_dev, msg);
        }
        while (mailbox_get(&m_box[1], &msg, &len)) {
            printf("MAIN: EPT1: Message from Sub core ==> %.*s\n", (int)len, (char *)msg);
            normal_seen += len >= 6 && memcmp(msg, "Normal", 6) == 0;
            esp_amp_rpmsg_destroy(&m_dev, msg);
            char *rsp = esp_amp_rpmsg_create_message(&m_dev, 32, ESP_AMP_RPMSG_DATA_DEFAULT);
            if (rsp == NULL) {
                printf("MAIN: EPT1: Failed to create new message!\n");
                failures++;
                continue;
            }
            int n = snprintf(rsp, 32, "Rsp from EPT1: %d", rsp_count++);
            if (esp_amp_rpmsg_send_nocopy(&m_dev, &m_ept[1], 0, rsp, (uint16_t)(n + 1)) != 0) {
                failures++;
            }
        }
        while (mailbox_get(&m_box[2], &msg, &len)) {
            int got = 0;
            if (len == sizeof got) {
                memcpy(&got, msg, sizeof got);
            }
            esp_amp_rpmsg_destroy(&m_dev, msg);
            bool ok = len == sizeof got && got == expect;
            printf("MAIN: Expected %d, got %d, %s\n", expect, got, ok ? "PASS" : "INVALID");
            failures += !ok;
            rpc_done++;
            outstanding = 0;
        }
        if (!outstanding && rpc_done < DEMO_ROUNDS) {
            int ab[2] = {rand1000(), rand1000()};
            uint16_t dst = algo ? 1 : 2;
            expect = algo ? ab[0] + ab[1] : ab[0] * ab[1];
            printf("MAIN: Generating %d %s %d = %d\n", ab[0], algo ? "+" : "x", ab[1], expect);
            algo = !algo;
            if (esp_amp_rpmsg_send(&m_dev, &m_ept[2], dst, ab, sizeof ab) == 0) {
                outstanding = 1;
            } else {
                printf("MAIN: Failed to send requests!\n");
            }
        }
        vTaskDelay(1);
    }

    /* Stop the sub core (retry while its queue is full), wait for its bye. */
    while (esp_amp_rpmsg_send(&m_dev, &m_ept[0], EPT_QUIT, "quit", 5) != 0) {
        vTaskDelay(1);
    }
    if (!wait_flag(&m_sub_bye, 5000)) {
        printf("MAIN: no goodbye from the sub core\n");
        failures++;
    }
    poll_if_needed();
    for (int i = 0; i < 3; i++) {
        void *msg;
        uint16_t len;
        while (mailbox_get(&m_box[i], &msg, &len)) {
            esp_amp_rpmsg_destroy(&m_dev, msg);
        }
    }
    esp_amp_rpmsg_stats_t st;
    esp_amp_rpmsg_get_stats(&m_dev, &st);
    printf("MAIN: done: %d failures; sent %" PRIu32 ", received %" PRIu32
           ", doorbells rung %" PRIu32 "\n",
           failures, st.tx_msgs, st.rx_msgs, st.notifies);
    return failures ? 1 : 0;
}

void app_main(void)
{
    int rc = run_demo();
    printf("rpmsg_send_recv: %s\n", rc == 0 ? "PASS" : "FAIL");
}
