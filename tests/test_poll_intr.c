/*
 * test_poll_intr.c - receiving by polling and by interrupt: seed
 * "Receive and consume data", the notify/poll rule and intr_enable, and the
 * note that callbacks run in ISR context when interrupts are enabled.
 */
#include <string.h>

#include "test_util.h"

#define MAIN_EPT 1
#define SUB_EPT 2

static tu_pair_t p;
static tu_log_t slog, mlog;
static esp_amp_rpmsg_ept_t me, se;

static void endpoints(void)
{
    tu_sub();
    tu_log_init(&slog, &p.sub);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, SUB_EPT, tu_log_cb, &slog, &se), &se);
    tu_main();
    tu_log_init(&mlog, &p.main);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.main, MAIN_EPT, tu_log_cb, &mlog, &me), &me);
}

TestSuite(poll, .init = tu_setup, .fini = tu_teardown);
TestSuite(intr, .init = tu_setup, .fini = tu_teardown);

/* esp_amp_rpmsg_poll: 0 when a message was handled, -1 when none waited;
 * one message per call. */
Test(poll, poll_returns_0_per_handled_message_and_minus_1_when_none)
{
    tu_pair_up(&p, TU_POLL(8, 32));
    endpoints();
    tu_sub();
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_poll(&p.sub), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_EMPTY);
    tu_main();
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "m", 1), 0);
    }
    tu_sub();
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(esp_amp_rpmsg_poll(&p.sub), 0);
        cr_assert_eq(slog.count, i + 1, "one callback per poll");
    }
    cr_assert_eq(esp_amp_rpmsg_poll(&p.sub), -1);
    cr_assert_eq(esp_amp_rpmsg_poll(&p.sub), -1);
    cr_assert_eq(slog.count, 3);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_poll(NULL), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
}

/* In poll mode the callback runs in task context, from poll only - even if
 * the sender notifies. */
Test(poll, poll_mode_callback_runs_in_task_context_only_from_poll)
{
    tu_cfg_t c = TU_POLL(4, 32);
    c.main_notify = true;   /* notify, but the sub core polls */
    tu_pair_up(&p, c);
    endpoints();
    uint64_t isr_before;
    tu_sub();
    isr_before = sim_isr_count();
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "m", 1), 0);
    tu_sub();
    cr_assert_eq(slog.count, 0, "callback ran without poll");
    cr_assert_eq(esp_amp_rpmsg_poll(&p.sub), 0);
    cr_assert_eq(slog.count, 1);
    cr_assert_eq(slog.msg[0].in_isr, false);
    cr_assert_eq(sim_isr_count(), isr_before, "poll mode ran an ISR");
}

/* "the endpoint's callback function runs in ISR context if inter-core
 * interrupts ... are enabled": receiver poll=false + intr_enable, sender
 * notify=true -> delivered without any poll call, in ISR context. */
Test(intr, interrupt_mode_callback_runs_in_isr_without_poll)
{
    tu_pair_up(&p, TU_SUB_INTR(4, 32));
    endpoints();
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "i1", 2), 0);
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "i2", 2), 0);
    cr_assert_gt(tu_stats(&p.main).notifies, 0, "sender rang no doorbell");
    tu_sub();   /* the doorbell is delivered here */
    cr_assert_eq(slog.count, 2, "callbacks without poll: %d", slog.count);
    cr_assert_eq(slog.msg[0].in_isr, true);
    cr_assert_eq(slog.msg[1].in_isr, true);
    cr_assert_arr_eq(slog.msg[0].data, "i1", 2);
    cr_assert_arr_eq(slog.msg[1].data, "i2", 2);
    cr_assert_gt(sim_isr_count(), 0);
    cr_assert_eq(slog.destroy_rc, 0, "destroy from ISR context");
    cr_assert_eq(esp_amp_rpmsg_poll(&p.sub), -1, "nothing left for poll");
    /* Many more, in several bursts: buffers destroyed in the ISR come back. */
    for (int burst = 0; burst < 10; burst++) {
        tu_main();
        for (int i = 0; i < 4; i++) {
            cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "b", 1), 0,
                         "burst %d msg %d", burst, i);
        }
        tu_sub();
        cr_assert_eq(slog.count, 2 + 4 * (burst + 1));
    }
    /* The main core still polls for the other direction. */
    cr_assert_eq(esp_amp_rpmsg_send(&p.sub, &se, MAIN_EPT, "up", 2), 0);
    tu_main();
    cr_assert_eq(mlog.count, 0);
    cr_assert_eq(tu_drain(&p.main), 1);
    cr_assert_eq(mlog.msg[0].in_isr, false);
}

/* Interrupt mode on both cores: a callback may answer from ISR context. */
static int echo_cb(void *msg_data, uint16_t len, uint16_t src, void *data)
{
    tu_log_t *log = data;
    int rc = esp_amp_rpmsg_send(&p.sub, &se, src, msg_data, len);
    tu_log_cb(msg_data, len, src, log);
    return rc;
}

Test(intr, both_cores_interrupt_mode_echo_from_isr)
{
    tu_pair_up(&p, TU_BOTH_INTR(4, 32));
    endpoints();
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_rebind_endpoint(&p.sub, SUB_EPT, echo_cb, &slog), &se);
    for (int i = 0; i < 20; i++) {
        uint8_t v = (uint8_t)i;
        tu_main();
        cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, &v, 1), 0, "msg %d", i);
        tu_sub();    /* sub's ISR echoes */
        cr_assert_eq(slog.count, i + 1);
        tu_main();   /* main's ISR gets the echo */
        cr_assert_eq(mlog.count, i + 1, "echo %d", i);
        cr_assert_eq(mlog.msg[i].data[0], i);
        cr_assert_eq(mlog.msg[i].in_isr, true);
        cr_assert_eq(mlog.msg[i].src, SUB_EPT);
    }
    cr_assert_eq(mlog.destroy_rc, 0);
}

/* "If you set poll to false ..., the notify parameter MUST BE set to true on
 * the other core": without notify, an interrupt-mode receiver gets no
 * callback; the message stays queued and a later poll delivers it. */
Test(intr, sender_without_notify_rings_no_interrupt_but_poll_still_delivers)
{
    tu_cfg_t c = TU_SUB_INTR(4, 32);
    c.main_notify = false;
    tu_pair_up(&p, c);
    endpoints();
    tu_sub();
    uint64_t isr_before = sim_isr_count();
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "q", 1), 0);
    cr_assert_eq(tu_stats(&p.main).notifies, 0);
    tu_sub();
    cr_assert_eq(slog.count, 0, "callback ran although nobody notified");
    cr_assert_eq(sim_isr_count(), isr_before);
    tu_main();
    tu_sub();
    cr_assert_eq(slog.count, 0);
    cr_assert_eq(esp_amp_rpmsg_poll(&p.sub), 0);
    cr_assert_eq(slog.count, 1);
    cr_assert_eq(slog.msg[0].in_isr, false);
    cr_assert_arr_eq(slog.msg[0].data, "q", 1);
}

/* "esp_amp_rpmsg_intr_enable SHOULD BE manually invoked after
 * initialization on the core where interrupt mechanism is used": before it,
 * nothing runs in ISR context; messages already queued are delivered once
 * it is called. */
Test(intr, messages_queued_before_intr_enable_are_delivered_after_it)
{
    /* By hand: sub in interrupt mode, intr_enable not called yet. */
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_main_init(&p.main, 4, 32, true, true), 0);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_sub_init(&p.sub, false, false), 0);
    endpoints();
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "e1", 2), 0);
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "e2", 2), 0);
    tu_sub();
    cr_assert_eq(slog.count, 0, "delivered before intr_enable");
    cr_assert_eq(esp_amp_rpmsg_intr_enable(&p.sub), 0);
    tu_main();
    tu_sub();
    cr_assert_eq(slog.count, 2, "queued messages not delivered after intr_enable");
    cr_assert_eq(slog.msg[0].in_isr, true);
    cr_assert_eq(slog.msg[1].in_isr, true);
    /* Enabling twice is harmless. */
    cr_assert_eq(esp_amp_rpmsg_intr_enable(&p.sub), 0);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "e3", 2), 0);
    tu_sub();
    cr_assert_eq(slog.count, 3, "one callback per message after double enable");
}

Test(intr, intr_enable_on_a_polling_device_fails)
{
    tu_pair_up(&p, TU_POLL(4, 32));
    tu_sub();
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_intr_enable(&p.sub), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_intr_enable(&p.main), -1);
    cr_assert_eq(esp_amp_rpmsg_intr_enable(NULL), -1);
    /* Still a working polling pair. */
    tu_check_link(&p.main, true, &p.sub, true);
}

/* A callback may keep the buffer and destroy it later from task context. */
Test(intr, isr_callback_may_keep_buffers_and_task_destroys_them_later)
{
    tu_pair_up(&p, TU_SUB_INTR(4, 32));
    endpoints();
    slog.destroy = false;
    tu_main();
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "k", 1), 0);
    }
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "k", 1), -1);
    tu_sub();
    cr_assert_eq(slog.count, 4);
    for (int i = 3; i >= 0; i--) {
        cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, slog.msg[i].ptr), 0);
    }
    tu_main();
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "l", 1), 0);
    }
    tu_sub();
    cr_assert_eq(slog.count, 8, "messages after the buffers came back: %d", slog.count);
}

/* "One or more ESP-AMP RPMsg devices can be created on one core" with
 * "esp_amp_rpmsg_intr_enable ... on the core where interrupt mechanism is
 * used": two interrupt-mode devices on the same core both get their
 * messages in ISR context. */
Test(intr, two_interrupt_mode_devices_on_one_core)
{
    static tu_pair_t a, b;
    static tu_log_t la, lb;
    static esp_amp_rpmsg_ept_t ea_s, eb_s, ea_m, eb_m;
    tu_cfg_t ca = TU_SUB_INTR(4, 32), cb = TU_SUB_INTR(8, 64);
    ca.id = 0x31;
    cb.id = 0x32;
    tu_pair_up(&a, ca);   /* asserts intr_enable of a.sub succeeds */
    tu_pair_up(&b, cb);   /* asserts intr_enable of b.sub succeeds */
    tu_sub();
    tu_log_init(&la, &a.sub);
    tu_log_init(&lb, &b.sub);
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&a.sub, SUB_EPT, tu_log_cb, &la, &ea_s));
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&b.sub, SUB_EPT, tu_log_cb, &lb, &eb_s));
    tu_main();
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&a.main, MAIN_EPT, NULL, NULL, &ea_m));
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&b.main, MAIN_EPT, NULL, NULL, &eb_m));
    cr_assert_eq(esp_amp_rpmsg_send(&a.main, &ea_m, SUB_EPT, "A", 1), 0);
    cr_assert_eq(esp_amp_rpmsg_send(&b.main, &eb_m, SUB_EPT, "B", 1), 0);
    tu_sub();
    cr_assert_eq(la.count, 1, "device A: %d callbacks", la.count);
    cr_assert_eq(lb.count, 1, "device B: %d callbacks", lb.count);
    cr_assert_eq(la.msg[0].data[0], 'A');
    cr_assert_eq(lb.msg[0].data[0], 'B');
    cr_assert(la.msg[0].in_isr && lb.msg[0].in_isr);
}
