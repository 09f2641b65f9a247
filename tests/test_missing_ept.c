/*
 * test_missing_ept.c - DESIGN: "A message for an endpoint that does not
 * exist, or whose callback is NULL, is returned to the sender's pool (not
 * leaked) and counted."
 */
#include <string.h>

#include "test_util.h"

#define QLEN 4
#define MAIN_EPT 1
#define SUB_EPT 2
#define NOWHERE 99

static tu_pair_t p;
static tu_log_t slog;
static esp_amp_rpmsg_ept_t me, se;

TestSuite(missing_ept, .init = tu_setup, .fini = tu_teardown);

static void bring_up(tu_cfg_t cfg)
{
    tu_pair_up(&p, cfg);
    tu_sub();
    tu_log_init(&slog, &p.sub);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.main, MAIN_EPT, NULL, NULL, &me), &me);
}

/* After dropping 3x the queue length of undeliverable messages, a message
 * to a real endpoint still arrives. */
static void check_real_endpoint_still_works(bool sub_polls)
{
    tu_sub();
    if (esp_amp_rpmsg_search_endpoint(&p.sub, SUB_EPT) == NULL) {
        cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, SUB_EPT, tu_log_cb, &slog, &se), &se);
    } else {
        cr_assert_eq(esp_amp_rpmsg_rebind_endpoint(&p.sub, SUB_EPT, tu_log_cb, &slog), &se);
    }
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "real", 4), 0);
    tu_sub();
    if (sub_polls) {
        cr_assert_eq(tu_drain(&p.sub), 1);
    }
    cr_assert_eq(slog.count, 1);
    cr_assert_arr_eq(slog.msg[0].data, "real", 4);
    tu_main();
    cr_assert_eq(tu_fill(&p.main), QLEN, "a buffer leaked");
}

static void send_and_poll_undeliverable(uint16_t dst, int n)
{
    for (int i = 0; i < n; i++) {
        tu_main();
        cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, dst, "lost", 4), 0,
                     "send %d of %d: %s (buffer not returned?)", i, n,
                     esp_amp_err_name(esp_amp_get_last_error()));
        tu_sub();
        cr_assert_eq(esp_amp_rpmsg_poll(&p.sub), 0, "poll %d: message not handled", i);
    }
    tu_sub();
    esp_amp_rpmsg_stats_t s = tu_stats(&p.sub);
    cr_assert_eq(s.rx_no_ept, (uint32_t)n);
    cr_assert_eq(s.rx_msgs, 0);
    cr_assert_eq(slog.count, 0);
}

Test(missing_ept, messages_to_a_missing_endpoint_return_to_the_sender_and_are_counted)
{
    bring_up(TU_POLL(QLEN, 32));
    send_and_poll_undeliverable(NOWHERE, 3 * QLEN);
    check_real_endpoint_still_works(true);
}

/* Sent in bursts of a full queue, then polled. */
Test(missing_ept, full_queues_of_undeliverable_messages_are_all_returned)
{
    bring_up(TU_POLL(QLEN, 32));
    for (int round = 0; round < 3; round++) {
        tu_main();
        for (int i = 0; i < QLEN; i++) {
            cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, NOWHERE, "lost", 4), 0,
                         "round %d send %d", round, i);
        }
        tu_sub();
        cr_assert_eq(tu_drain(&p.sub), QLEN);
    }
    cr_assert_eq(tu_stats(&p.sub).rx_no_ept, 3 * QLEN);
    check_real_endpoint_still_works(true);
}

Test(missing_ept, messages_to_an_endpoint_with_null_callback_return_to_the_sender)
{
    bring_up(TU_POLL(QLEN, 32));
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, SUB_EPT, NULL, &slog, &se), &se);
    send_and_poll_undeliverable(SUB_EPT, 3 * QLEN);
    check_real_endpoint_still_works(true);
}

Test(missing_ept, messages_to_a_deleted_endpoint_return_to_the_sender)
{
    bring_up(TU_POLL(QLEN, 32));
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, SUB_EPT, tu_log_cb, &slog, &se), &se);
    cr_assert_eq(esp_amp_rpmsg_del_endpoint(&p.sub, SUB_EPT), &se);
    send_and_poll_undeliverable(SUB_EPT, 3 * QLEN);
    check_real_endpoint_still_works(true);
}

Test(missing_ept, interrupt_mode_receiver_also_returns_undeliverable_messages)
{
    bring_up(TU_SUB_INTR(QLEN, 32));
    for (int i = 0; i < 3 * QLEN; i++) {
        tu_main();
        cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, NOWHERE, "lost", 4), 0, "send %d", i);
        tu_sub();
    }
    cr_assert_eq(tu_stats(&p.sub).rx_no_ept, 3 * QLEN);
    check_real_endpoint_still_works(false);
}
