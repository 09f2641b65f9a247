/*
 * test_overflow.c - seed "Deal with Buffer Overflow", and a full queue.
 */
#include <string.h>

#include "test_util.h"

#define QLEN 4
#define ITEM 48          /* max payload 40 */
#define MAX (ITEM - 8)
#define MAIN_EPT 1
#define SUB_EPT 2

static tu_pair_t p;
static tu_log_t slog;
static esp_amp_rpmsg_ept_t me, se;

static void pair_setup(void)
{
    tu_setup();
    tu_pair_up(&p, TU_POLL(QLEN, ITEM));
    tu_sub();
    tu_log_init(&slog, &p.sub);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, SUB_EPT, tu_log_cb, &slog, &se), &se);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.main, MAIN_EPT, NULL, NULL, &me), &me);
    cr_assert_eq(esp_amp_rpmsg_get_max_size(&p.main), MAX);
}

TestSuite(overflow, .init = pair_setup, .fini = tu_teardown);
TestSuite(queue_full, .init = pair_setup, .fini = tu_teardown);

/* "esp_amp_rpmsg_create_message() will return NULL pointer (i.e. refuse to
 * allocate the rpmsg buffer whose size is expected to be larger than the
 * maximum settings)" - and nothing is allocated. */
Test(overflow, create_message_too_big_returns_null_and_allocates_nothing)
{
    static const uint32_t sizes[] = {
        MAX + 1, ITEM, 1000, 0xffff, 0x10000, 0x10000 + 4, 0xfffffff8u, 0xffffffffu,
    };
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        esp_amp_clear_last_error();
        cr_assert_null(esp_amp_rpmsg_create_message(&p.main, sizes[i], 0),
                       "create_message(%u) succeeded", sizes[i]);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_TOO_BIG, "%u: %s", sizes[i],
                     esp_amp_err_name(esp_amp_get_last_error()));
    }
    cr_assert_eq(tu_stats(&p.main).tx_too_big, sizeof(sizes) / sizeof(sizes[0]));
    /* Every buffer is still allocatable. */
    cr_assert_eq(tu_fill(&p.main), QLEN);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 0);
}

/* "esp_amp_rpmsg_send_nocopy() will return -1 (i.e. refuse to send this
 * rpmsg)" - and, seed approach 2, "re-send a special small message using
 * the same rpmsg buffer ... when esp_amp_rpmsg_create_message() succeeds
 * while esp_amp_rpmsg_send_nocopy() fails". */
Test(overflow, send_nocopy_too_big_fails_and_buffer_can_be_resent_smaller)
{
    uint8_t *m = esp_amp_rpmsg_create_message(&p.main, MAX, 0);
    cr_assert_not_null(m);
    memset(m, 'm', MAX);
    static const uint16_t lens[] = { MAX + 1, ITEM, 1000, 0xffff };
    for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        esp_amp_clear_last_error();
        cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, m, lens[i]), -1,
                     "send_nocopy(%u) accepted", lens[i]);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_TOO_BIG);
    }
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 0, "nothing was sent");
    tu_main();
    /* Still held: the other QLEN-1 buffers, and not more, are free. */
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.main, m), -1, "not a received buffer");
    memcpy(m, "ABORT", 5);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, m, 5), 0);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 1);
    cr_assert_eq(slog.msg[0].len, 5);
    cr_assert_arr_eq(slog.msg[0].data, "ABORT", 5);
    tu_main();
    cr_assert_eq(tu_fill(&p.main), QLEN, "no buffer leaked");
}

/* "esp_amp_rpmsg_send() will return -1 (i.e. refuse to copy and send this
 * rpmsg)" - nothing sent, no buffer taken. */
Test(overflow, send_too_big_fails_and_sends_nothing)
{
    static uint8_t big[0x10000];
    static const uint16_t lens[] = { MAX + 1, ITEM, 1000, 0xffff };
    for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        esp_amp_clear_last_error();
        cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, big, lens[i]), -1,
                     "send(%u) accepted", lens[i]);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_TOO_BIG);
    }
    esp_amp_rpmsg_stats_t s = tu_stats(&p.main);
    cr_assert_eq(s.tx_msgs, 0);
    cr_assert_eq(s.tx_too_big, 4);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 0);
    tu_main();
    cr_assert_eq(tu_fill(&p.main), QLEN);
}

/* "whenever the size of data to be sent (including rpmsg header) is larger
 * than the queue_item_size": header + data == item size is fine. */
Test(overflow, exactly_max_size_works_and_max_plus_one_fails)
{
    uint8_t data[ITEM];
    memset(data, 0x5a, sizeof(data));
    /* copy */
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, data, MAX), 0);
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, data, MAX + 1), -1);
    /* zero-copy */
    cr_assert_null(esp_amp_rpmsg_create_message(&p.main, MAX + 1, 0));
    uint8_t *m = esp_amp_rpmsg_create_message(&p.main, MAX, 0);
    cr_assert_not_null(m);
    memset(m, 0xa5, MAX);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, m, MAX + 1), -1);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, m, MAX), 0);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 2);
    cr_assert_eq(slog.msg[0].len, MAX);
    cr_assert_eq(slog.msg[1].len, MAX);
    cr_assert_eq(slog.msg[0].data[MAX - 1], 0x5a);
    cr_assert_eq(slog.msg[1].data[MAX - 1], 0xa5);
    /* The other direction has the same limit. */
    cr_assert_eq(esp_amp_rpmsg_send(&p.sub, &se, MAIN_EPT, data, MAX), 0);
    cr_assert_eq(esp_amp_rpmsg_send(&p.sub, &se, MAIN_EPT, data, MAX + 1), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_TOO_BIG);
}

/* Queue full: create_message NULL, send -1, reason ESP_AMP_ERR_NO_BUF; the
 * receiver's poll + destroy makes room again. */
Test(queue_full, send_and_create_fail_with_no_buf_until_receiver_destroys)
{
    for (int i = 0; i < QLEN; i++) {
        uint8_t v = (uint8_t)i;
        cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, &v, 1), 0);
    }
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_rpmsg_create_message(&p.main, 1, 0));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_BUF);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "x", 1), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_BUF);
    cr_assert_geq(tu_stats(&p.main).tx_no_buf, 2);

    /* The receiver takes one but keeps it: still full. */
    slog.destroy = false;
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_poll(&p.sub), 0);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "x", 1), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_BUF);

    /* It destroys it: exactly one more message fits. */
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, slog.msg[0].ptr), 0);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "y", 1), 0);
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "z", 1), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_BUF);

    slog.destroy = true;
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), QLEN);
    cr_assert_eq(slog.count, QLEN + 1);
    for (int i = 0; i < QLEN; i++) {
        cr_assert_eq(slog.msg[i].data[0], i);
    }
    cr_assert_eq(slog.msg[QLEN].data[0], 'y');
    tu_main();
    cr_assert_eq(tu_fill(&p.main), QLEN);
}

/* Created-but-unsent buffers count against the queue too. */
Test(queue_full, created_but_unsent_buffers_fill_the_queue)
{
    void *m[QLEN];
    for (int i = 0; i < QLEN; i++) {
        m[i] = esp_amp_rpmsg_create_message(&p.main, 1, 0);
        cr_assert_not_null(m[i]);
    }
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "x", 1), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_BUF);
    for (int i = QLEN - 1; i >= 0; i--) {
        *(uint8_t *)m[i] = (uint8_t)i;
        cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, m[i], 1), 0);
    }
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), QLEN);
    for (int i = 0; i < QLEN; i++) {
        cr_assert_eq(slog.msg[i].data[0], QLEN - 1 - i);
    }
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "x", 1), 0);
}

/* A full queue in one direction does not block the other. */
Test(queue_full, full_in_one_direction_does_not_block_the_other)
{
    static tu_log_t mlog;
    tu_log_init(&mlog, &p.main);
    cr_assert_eq(esp_amp_rpmsg_rebind_endpoint(&p.main, MAIN_EPT, tu_log_cb, &mlog), &me);
    cr_assert_eq(tu_fill(&p.main), QLEN);
    tu_sub();
    for (int i = 0; i < QLEN; i++) {
        cr_assert_eq(esp_amp_rpmsg_send(&p.sub, &se, MAIN_EPT, "s", 1), 0);
    }
    tu_main();
    cr_assert_eq(tu_drain(&p.main), QLEN);
    cr_assert_eq(mlog.count, QLEN);
}
