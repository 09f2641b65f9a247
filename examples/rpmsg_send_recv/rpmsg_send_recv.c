/*
 * rpmsg_send_recv - two cores exchanging RPMsg messages in the simulator.
 *
 * The exchange of ESP-AMP's example of the same name:
 *   - the sub core sends "Normal Msg: N" alternately to main endpoints 0
 *     and 1;
 *   - main endpoint 1 answers each with "Rsp from EPT1: N" to sub endpoint 0,
 *     which answers with "Extra Msg: N" to main endpoint 0;
 *   - main endpoint 2 asks sub endpoint 1 to add and sub endpoint 2 to
 *     multiply pairs of numbers, and checks every answer.
 * The main core receives by interrupt and the sub core by polling, unless
 * told otherwise. The sub core reports ready with a software interrupt; the
 * main core, when it has seen `rounds` normal messages and checked `rounds`
 * answers, tells the sub core to stop, and both exit 0.
 *
 * usage: rpmsg_send_recv [--main-poll|--main-intr] [--sub-poll|--sub-intr]
 *                        [--rounds N] [--threads]
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo_common.h"
#include "esp_amp.h"
#include "esp_amp_env.h"
#include "esp_amp_platform.h"
#include "sim.h"


static struct {
    bool main_intr, sub_intr;
    int rounds;
    int start_pipe[2];        /* main core -> chip: "start the sub core" */
} cfg = {true, false, 6, {-1, -1}};

/* A tiny single-producer (ISR or poll) / single-consumer (main loop) mailbox
 * of received message pointers, like a FreeRTOS queue in the original. */
typedef struct {
    void *msg[QUEUE_LEN];
    uint16_t len[QUEUE_LEN];
    volatile unsigned head, tail;
} mailbox_t;

static bool mailbox_put(mailbox_t *mb, void *msg, uint16_t len)
{
    if (mb->head - mb->tail == QUEUE_LEN) {
        return false;
    }
    mb->msg[mb->head % QUEUE_LEN] = msg;
    mb->len[mb->head % QUEUE_LEN] = len;
    mb->head++;
    return true;
}

static bool mailbox_get(mailbox_t *mb, void **msg, uint16_t *len)
{
    bool ok = false;
    esp_amp_env_enter_critical();
    if (mb->head != mb->tail) {
        *msg = mb->msg[mb->tail % QUEUE_LEN];
        *len = mb->len[mb->tail % QUEUE_LEN];
        mb->tail++;
        ok = true;
    }
    esp_amp_env_exit_critical();
    return ok;
}

/* ------------------------------------------------------------ main core */

static esp_amp_rpmsg_dev_t m_dev;
static esp_amp_rpmsg_ept_t m_ept[3];
static mailbox_t m_box[3];
static volatile bool m_sub_ready;

static int main_ept_cb(void *msg, uint16_t len, uint16_t src, void *arg)
{
    (void)src;
    mailbox_t *mb = arg;
    if (!mailbox_put(mb, msg, len)) {
        esp_amp_rpmsg_destroy(&m_dev, msg);
    }
    return 0;
}

static int main_ready_isr(void *arg)
{
    (void)arg;
    m_sub_ready = true;
    return 0;
}

static int main_core(void *arg)
{
    (void)arg;
    const char *T = "MAIN";
    int failures = 0, normal_seen = 0, rpc_done = 0, rsp_count = 0;
    int expect = 0, outstanding = 0, algo = 0;

    if (esp_amp_init() != 0 ||
        esp_amp_rpmsg_main_init(&m_dev, QUEUE_LEN, ITEM_SIZE, true,
                                !cfg.main_intr) != 0) {
        say(T, "init failed: %s", esp_amp_err_name(esp_amp_get_last_error()));
        return 1;
    }
    for (uint16_t i = 0; i < 3; i++) {
        if (esp_amp_rpmsg_create_endpoint(&m_dev, i, main_ept_cb, &m_box[i],
                                          &m_ept[i]) == NULL) {
            return 1;
        }
    }
    if (cfg.main_intr && esp_amp_rpmsg_intr_enable(&m_dev) != 0) {
        return 1;
    }
    esp_amp_sw_intr_add_handler(SW_INTR_ID_0, main_ready_isr, NULL);
    say(T, "%s-based RPMsg handling on the main core",
        cfg.main_intr ? "interrupt" : "polling");

    /* Release the sub core from reset, then wait for its ready interrupt. */
    (void)!write(cfg.start_pipe[1], "S", 1);
    while (!m_sub_ready) {
        sim_wait_interrupt(100000);
    }
    say(T, "sub core is ready");

    srand(42);
    while (normal_seen < cfg.rounds || rpc_done < cfg.rounds) {
        if (!cfg.main_intr) {
            while (esp_amp_rpmsg_poll(&m_dev) == 0) {
            }
        }
        void *msg;
        uint16_t len;
        while (mailbox_get(&m_box[0], &msg, &len)) {
            say(T, "EPT0: Message from Sub core ==> %.*s", (int)len,
                (char *)msg);
            normal_seen += strncmp(msg, "Normal", 6) == 0;
            esp_amp_rpmsg_destroy(&m_dev, msg);
        }
        while (mailbox_get(&m_box[1], &msg, &len)) {
            say(T, "EPT1: Message from Sub core ==> %.*s", (int)len,
                (char *)msg);
            normal_seen += strncmp(msg, "Normal", 6) == 0;
            esp_amp_rpmsg_destroy(&m_dev, msg);
            char *rsp = esp_amp_rpmsg_create_message(&m_dev, 32,
                                                     ESP_AMP_RPMSG_DATA_DEFAULT);
            if (rsp == NULL) {
                say(T, "EPT1: Failed to create new message!");
                failures++;
                continue;
            }
            int n = snprintf(rsp, 32, "Rsp from EPT1: %d", rsp_count++);
            if (esp_amp_rpmsg_send_nocopy(&m_dev, &m_ept[1], 0, rsp,
                                          (uint16_t)(n + 1)) != 0) {
                failures++;
            }
        }
        while (mailbox_get(&m_box[2], &msg, &len)) {
            int got;
            memcpy(&got, msg, sizeof got);
            esp_amp_rpmsg_destroy(&m_dev, msg);
            bool ok = len == sizeof got && got == expect;
            say(T, "Expected %d, got %d, %s", expect, got,
                ok ? "PASS" : "INVALID");
            failures += !ok;
            rpc_done++;
            outstanding = 0;
        }
        if (!outstanding && rpc_done < cfg.rounds && rpc_done <= normal_seen) {
            int ab[2] = {rand() % 1000, rand() % 1000};
            uint16_t dst = algo ? 1 : 2;
            expect = algo ? ab[0] + ab[1] : ab[0] * ab[1];
            say(T, "Generating %d %s %d = %d", ab[0], algo ? "+" : "x", ab[1],
                expect);
            algo = !algo;
            if (esp_amp_rpmsg_send(&m_dev, &m_ept[2], dst, ab, sizeof ab) == 0) {
                outstanding = 1;
            } else {
                say(T, "Failed to send requests!");
            }
        }
        sim_wait_interrupt(cfg.main_intr ? 100000 : 1000);
    }
    /* Tell the sub core to stop; retry while its queue is full. */
    while (esp_amp_rpmsg_send(&m_dev, &m_ept[0], EPT_QUIT, "quit", 5) != 0) {
        sim_wait_interrupt(1000);
    }
    esp_amp_rpmsg_stats_t st;
    esp_amp_rpmsg_get_stats(&m_dev, &st);
    say(T, "done: %d failures; sent %u, received %u, doorbells rung %u",
        failures, (unsigned)st.tx_msgs, (unsigned)st.rx_msgs,
        (unsigned)st.notifies);
    return failures ? 1 : 0;
}

/* ------------------------------------------------------------- the chip */

int main(int argc, char **argv)
{
    sim_mode_t mode = SIM_PROCESS;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--main-poll")) {
            cfg.main_intr = false;
        } else if (!strcmp(argv[i], "--main-intr")) {
            cfg.main_intr = true;
        } else if (!strcmp(argv[i], "--sub-poll")) {
            cfg.sub_intr = false;
        } else if (!strcmp(argv[i], "--sub-intr")) {
            cfg.sub_intr = true;
        } else if (!strcmp(argv[i], "--threads")) {
            mode = SIM_THREAD;
        } else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
            cfg.rounds = atoi(argv[++i]);
        } else {
            fprintf(stderr,
                    "usage: %s [--main-poll|--main-intr] "
                    "[--sub-poll|--sub-intr] [--rounds N] [--threads]\n",
                    argv[0]);
            return 2;
        }
    }
    if (pipe(cfg.start_pipe) != 0 || sim_init(256 * 1024) != 0) {
        perror("setup");
        return 1;
    }
    if (sim_start_core(ESP_AMP_CORE_MAIN, mode, main_core, NULL) != 0) {
        return 1;
    }
    char c;
    int rc_main = 1, rc_sub = 1;
    demo_sub_cfg_t sub_cfg = {cfg.sub_intr, cfg.rounds, ""};
    if (read(cfg.start_pipe[0], &c, 1) == 1 &&
        sim_start_core(ESP_AMP_CORE_SUB, mode, demo_sub_core, &sub_cfg) == 0) {
        sim_join_core(ESP_AMP_CORE_SUB, &rc_sub);
    }
    sim_join_core(ESP_AMP_CORE_MAIN, &rc_main);
    sim_deinit();
    printf("rpmsg_send_recv: main core exit %d, sub core exit %d: %s\n",
           rc_main, rc_sub, rc_main == 0 && rc_sub == 0 ? "PASS" : "FAIL");
    return rc_main == 0 && rc_sub == 0 ? 0 : 1;
}
