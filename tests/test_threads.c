/*
 * test_threads.c - both cores as threads (SIM_THREAD) of this process,
 * exchanging checked messages in both directions at full speed: by
 * polling, by interrupt on both receiving sides, and mixed.
 */
#define _POSIX_C_SOURCE 200809L

#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "test_util.h"

#define N_MSGS 100000u

TestSuite(threads, .init = tu_setup_bare, .fini = tu_teardown, .timeout = 120);

Test(threads, both_cores_polling_100k_messages_each_way)
{
    static const tu_stream_cfg_t cfg = {
        .n_msgs = N_MSGS, .queue_len = 16, .item_size = 64,
        .main_notify = false, .main_poll = true,
        .sub_notify = false, .sub_poll = true,
        .timeout_ms = 60000,
    };
    tu_stream_run(SIM_THREAD, &cfg);
}

Test(threads, both_cores_interrupt_driven_100k_messages_each_way)
{
    static const tu_stream_cfg_t cfg = {
        .n_msgs = N_MSGS, .queue_len = 16, .item_size = 64,
        .main_notify = true, .main_poll = false,
        .sub_notify = true, .sub_poll = false,
        .timeout_ms = 60000,
    };
    tu_stream_run(SIM_THREAD, &cfg);
}

/* Main polls, sub is interrupt-driven: the seed's rule is kept on both
 * sides (main notifies the interrupt-mode sub; sub need not notify). */
Test(threads, main_polling_sub_interrupt_driven_100k_messages_each_way)
{
    static const tu_stream_cfg_t cfg = {
        .n_msgs = N_MSGS, .queue_len = 8, .item_size = 40,
        .main_notify = true, .main_poll = true,
        .sub_notify = false, .sub_poll = false,
        .timeout_ms = 60000,
    };
    tu_stream_run(SIM_THREAD, &cfg);
}

/* A one-slot queue: every message waits for the previous one's destroy.
 * Main is interrupt-driven (sub notifies), sub polls. */
Test(threads, queue_of_one_20k_messages_each_way)
{
    static const tu_stream_cfg_t cfg = {
        .n_msgs = 20000, .queue_len = 1, .item_size = 16,
        .main_notify = false, .main_poll = false,
        .sub_notify = true, .sub_poll = true,
        .timeout_ms = 60000,
    };
    tu_stream_run(SIM_THREAD, &cfg);
}

/* The last error must be right when read right after the failing call,
 * even while doorbell interrupts keep arriving (the call itself leaves
 * critical sections, where a pending ISR runs). The sub core holds every
 * buffer of its tx queue, so each send fails with ESP_AMP_ERR_NO_BUF, while
 * the main core keeps sending to it, ringing its doorbell. */
#define ERR_VQ_ID 0x0300
#define ERR_RUN_MS 1500u

static _Atomic int err_sub_ready, err_stop;

static int err_destroy_cb(void *msg_data, uint16_t len, uint16_t src, void *data)
{
    (void)len;
    (void)src;
    return esp_amp_rpmsg_destroy(data, msg_data);
}

static int err_main(void *arg)
{
    (void)arg;
    esp_amp_rpmsg_dev_t dev;
    esp_amp_queue_t vq[2];
    esp_amp_rpmsg_ept_t ept;
    if (esp_amp_init() != 0 ||
        esp_amp_rpmsg_main_init_by_id(&dev, vq, 8, 32, true, true, ERR_VQ_ID) != 0 ||
        esp_amp_rpmsg_create_endpoint(&dev, 1, NULL, NULL, &ept) == NULL) {
        return 1;
    }
    for (int i = 0; !atomic_load(&err_sub_ready) && !atomic_load(&err_stop); i++) {
        sched_yield();
    }
    while (!atomic_load(&err_stop)) {
        if (esp_amp_rpmsg_send(&dev, &ept, 2, "ring", 4) != 0) {
            sched_yield();
        }
    }
    return 0;
}

static int err_sub(void *arg)
{
    (void)arg;
    esp_amp_rpmsg_dev_t dev;
    esp_amp_queue_t vq[2];
    esp_amp_rpmsg_ept_t ept;
    int rc = 0;
    for (int tries = 0; esp_amp_init() != 0 ||
                        esp_amp_rpmsg_sub_init_by_id(&dev, vq, false, false, ERR_VQ_ID) != 0;
         tries++) {
        if (tries > 100000) {
            atomic_store(&err_stop, 1);
            return 2;
        }
        sched_yield();
    }
    if (esp_amp_rpmsg_create_endpoint(&dev, 2, err_destroy_cb, &dev, &ept) == NULL ||
        esp_amp_rpmsg_intr_enable(&dev) != 0) {
        atomic_store(&err_stop, 1);
        return 3;
    }
    while (esp_amp_rpmsg_create_message(&dev, 1, 0) != NULL) {
    }
    atomic_store(&err_sub_ready, 1);
    uint64_t isr0 = sim_isr_count();
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint32_t wrong = 0, calls = 0;
    esp_amp_err_t seen = ESP_AMP_OK;
    for (;;) {
        esp_amp_clear_last_error();
        if (esp_amp_rpmsg_send(&dev, &ept, 1, "x", 1) != -1) {
            rc = 4;
            break;
        }
        esp_amp_err_t e = esp_amp_get_last_error();
        calls++;
        if (e != ESP_AMP_ERR_NO_BUF) {
            wrong++;
            seen = e;
        }
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > ERR_RUN_MS) {
            break;
        }
    }
    atomic_store(&err_stop, 1);
    uint64_t isrs = sim_isr_count() - isr0;
    fprintf(stderr, "[last error] %u failed sends, %u reported %s instead of "
            "ESP_AMP_ERR_NO_BUF, %llu ISRs\n", calls, wrong,
            esp_amp_err_name(seen), (unsigned long long)isrs);
    if (rc == 0 && isrs == 0) {
        rc = 5;   /* no interrupt arrived: the test proved nothing */
    }
    if (rc == 0 && wrong != 0) {
        rc = 6;
    }
    return rc;
}

Test(threads, last_error_is_right_after_a_failing_call_under_interrupts)
{
    int rc_main = -1, rc_sub = -1;
    cr_assert_eq(sim_start_core(ESP_AMP_CORE_MAIN, SIM_THREAD, err_main, NULL), 0);
    cr_assert_eq(sim_start_core(ESP_AMP_CORE_SUB, SIM_THREAD, err_sub, NULL), 0);
    cr_assert_eq(sim_join_core(ESP_AMP_CORE_MAIN, &rc_main), 0);
    cr_assert_eq(sim_join_core(ESP_AMP_CORE_SUB, &rc_sub), 0);
    cr_assert_eq(rc_main, 0, "main core exit %d", rc_main);
    cr_assert_neq(rc_sub, 5, "no doorbell interrupt reached the sub core");
    cr_assert_eq(rc_sub, 0, "sub core exit %d (6: the last error was overwritten "
                 "by the doorbell ISR inside the failing call)", rc_sub);
}
