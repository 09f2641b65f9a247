/*
 * test_send.c - seed "Workflow and Data Sending", "Send Data" and "Receive
 * and consume data": copy and zero-copy send, destroy, ownership rules.
 */
#include <string.h>

#include "test_util.h"

#define QLEN 8
#define ITEM 64
#define MAIN_EPT 1
#define SUB_EPT 2

static tu_pair_t p;
static tu_log_t slog;   /* sub endpoint's log; destroys unless told not to */
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
}

TestSuite(send, .init = pair_setup, .fini = tu_teardown);

/* "just invoke esp_amp_rpmsg_send() with data to be sent is enough" - and
 * it is a copy: the caller's buffer may change right after. */
Test(send, copy_send_delivers_the_bytes)
{
    uint8_t data[40];
    for (int i = 0; i < 40; i++) {
        data[i] = (uint8_t)(i * 3 + 1);
    }
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, data, sizeof(data)), 0);
    uint8_t expect[40];
    memcpy(expect, data, sizeof(data));
    memset(data, 0xee, sizeof(data));
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_poll(&p.sub), 0);
    cr_assert_eq(slog.count, 1);
    cr_assert_eq(slog.msg[0].len, 40);
    cr_assert_arr_eq(slog.msg[0].data, expect, 40);
    cr_assert_eq(slog.msg[0].src, MAIN_EPT);
    cr_assert_eq(slog.destroy_rc, 0);
    esp_amp_rpmsg_stats_t s = tu_stats(&p.sub);
    cr_assert_eq(s.rx_msgs, 1);
    tu_main();
    cr_assert_eq(tu_stats(&p.main).tx_msgs, 1);
}

/* "esp_amp_rpmsg_create_message() ... reserve one rpmsg buffer internally
 * and return its pointer. ... in-place read/write can be performed. ...
 * esp_amp_rpmsg_send_nocopy() ... send this exact rpmsg buffer". The two
 * cores map the shared memory at different addresses: the receiver's
 * msg_data is the same shared-memory offset, with the bytes written in
 * place. */
Test(send, create_message_and_send_nocopy_deliver_in_place)
{
    uint8_t *m = esp_amp_rpmsg_create_message(&p.main, 16, ESP_AMP_RPMSG_DATA_DEFAULT);
    cr_assert_not_null(m);
    uint8_t *mbase = sim_shm_base();
    cr_assert(m >= mbase && m + 16 <= mbase + sim_shm_size(), "not in shared memory");
    uintptr_t off = (uintptr_t)(m - mbase);
    memcpy(m, "0123456789abcdef", 16);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, m, 16), 0);

    slog.destroy = false;
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_poll(&p.sub), 0);
    cr_assert_eq(slog.count, 1);
    cr_assert_eq(slog.msg[0].len, 16);
    cr_assert_arr_eq(slog.msg[0].data, "0123456789abcdef", 16);
    uint8_t *r = slog.msg[0].ptr;
    uint8_t *sbase = sim_shm_base();
    cr_assert_eq((uintptr_t)(r - sbase), off, "receiver's buffer is not the sender's buffer");
    cr_assert_arr_eq(r, "0123456789abcdef", 16);
    /* The receiver may write in place too ("for reading/writing data"). */
    memcpy(r, "ABCD", 4);
    cr_assert_arr_eq(sbase + off, "ABCD", 4);
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, r), 0);
}

/* create_message's flags travel in the message header (public layout
 * esp_amp_rpmsg_head_t); esp_amp_rpmsg_send uses the default flags. */
static int flags_seen[4];
static int flags_count;
static int flags_cb(void *msg_data, uint16_t len, uint16_t src, void *data)
{
    (void)data;
    const esp_amp_rpmsg_head_t *h =
        (const esp_amp_rpmsg_head_t *)((const uint8_t *)msg_data - sizeof(*h));
    if (flags_count < 4 && h->data_len == len && h->src_addr == src &&
        h->dst_addr == SUB_EPT) {
        flags_seen[flags_count] = h->data_flags;
    } else if (flags_count < 4) {
        flags_seen[flags_count] = -1;
    }
    flags_count++;
    return esp_amp_rpmsg_destroy(&p.sub, msg_data);
}

Test(send, create_message_flags_are_carried_in_the_header)
{
    static const uint16_t flags[3] = { ESP_AMP_RPMSG_DATA_DEFAULT, 0x0001, 0xa55a };
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_rebind_endpoint(&p.sub, SUB_EPT, flags_cb, NULL), &se);
    tu_main();
    for (int i = 0; i < 3; i++) {
        uint8_t *m = esp_amp_rpmsg_create_message(&p.main, 4, flags[i]);
        cr_assert_not_null(m, "create_message with flags 0x%x", flags[i]);
        memset(m, i, 4);
        cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, m, 4), 0);
    }
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "abcd", 4), 0);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 4);
    cr_assert_eq(flags_count, 4);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(flags_seen[i], flags[i], "message %d: flags 0x%x", i, flags_seen[i]);
    }
    cr_assert_eq(flags_seen[3], ESP_AMP_RPMSG_DATA_DEFAULT);
}

Test(send, zero_byte_messages_are_delivered)
{
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, NULL, 0), 0);
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "ignored", 0), 0);
    void *m = esp_amp_rpmsg_create_message(&p.main, 0, 0);
    cr_assert_not_null(m);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, m, 0), 0);
    /* Created bigger, sent empty. */
    m = esp_amp_rpmsg_create_message(&p.main, 10, 0);
    cr_assert_not_null(m);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, m, 0), 0);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 4);
    cr_assert_eq(slog.count, 4);
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(slog.msg[i].len, 0);
        cr_assert_eq(slog.msg[i].src, MAIN_EPT);
    }
    cr_assert_eq(slog.destroy_rc, 0);
}

Test(send, max_size_message_works_with_copy_and_nocopy)
{
    uint16_t max = esp_amp_rpmsg_get_max_size(&p.main);
    cr_assert_eq(max, ITEM - 8);
    uint8_t data[ITEM];
    for (int i = 0; i < max; i++) {
        data[i] = (uint8_t)(0xff - i);
    }
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, data, max), 0);
    uint8_t *m = esp_amp_rpmsg_create_message(&p.main, max, 0);
    cr_assert_not_null(m);
    memcpy(m, data, max);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, m, max), 0);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 2);
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(slog.msg[i].len, max);
        cr_assert_arr_eq(slog.msg[i].data, data, max);
    }
    /* Same from the sub core. */
    cr_assert_eq(esp_amp_rpmsg_get_max_size(&p.sub), max);
    cr_assert_eq(esp_amp_rpmsg_send(&p.sub, &se, MAIN_EPT, data, max), 0);
}

/* Messages arrive in the order they were sent (not created). */
Test(send, messages_arrive_in_send_order)
{
    uint8_t *a = esp_amp_rpmsg_create_message(&p.main, 1, 0);
    uint8_t *b = esp_amp_rpmsg_create_message(&p.main, 1, 0);
    cr_assert_not_null(a);
    cr_assert_not_null(b);
    *a = 'A';
    *b = 'B';
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "C", 1), 0);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, b, 1), 0);
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "D", 1), 0);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, a, 1), 0);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 4);
    const char *order = "CBDA";
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(slog.msg[i].data[0], order[i], "message %d is '%c'", i, slog.msg[i].data[0]);
    }
}

/* "After finishing using the data buffer completely, the following API MUST
 * BE called on this rpmsg buffer": destroy gives the buffer back to the
 * sender, which can then fill the whole queue again - many times over. */
Test(send, destroy_on_receiver_returns_the_buffer)
{
    for (int round = 0; round < 10; round++) {
        tu_main();
        for (int i = 0; i < QLEN; i++) {
            uint8_t v = (uint8_t)(round * QLEN + i);
            cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, &v, 1), 0,
                         "round %d message %d: %s", round, i,
                         esp_amp_err_name(esp_amp_get_last_error()));
        }
        cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "x", 1), -1);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_BUF);
        tu_sub();
        slog.count = 0;
        cr_assert_eq(tu_drain(&p.sub), QLEN);
        for (int i = 0; i < QLEN; i++) {
            cr_assert_eq(slog.msg[i].data[0], (uint8_t)(round * QLEN + i));
        }
        cr_assert_eq(slog.destroy_rc, 0);
    }
}

/* Buffers may be destroyed in any order, and held across later receives. */
Test(send, out_of_order_destroy_keeps_everything_flowing)
{
    void *held[QLEN];
    int nheld = 0;
    uint32_t rng = 42;
    uint32_t next_tx = 0, next_rx = 0;
    slog.destroy = false;
    for (int round = 0; round < 200; round++) {
        tu_main();
        int sent = 0;
        for (;;) {
            uint32_t v = next_tx;
            if (esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, &v, 4) != 0) {
                cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_BUF);
                break;
            }
            next_tx++;
            sent++;
        }
        /* Exactly the buffers the receiver does not hold are free. */
        cr_assert_eq(sent + nheld, QLEN, "round %d: sent %d, receiver holds %d",
                     round, sent, nheld);
        tu_sub();
        slog.count = 0;
        cr_assert_eq(tu_drain(&p.sub), sent);
        for (int i = 0; i < sent; i++) {
            uint32_t v;
            memcpy(&v, slog.msg[i].data, 4);
            cr_assert_eq(v, next_rx, "round %d: got %u, expected %u", round, v, next_rx);
            next_rx++;
            held[nheld++] = slog.msg[i].ptr;
        }
        /* Destroy a random subset in random order (everything some rounds). */
        int keep = (round % 5 == 4) ? 0 : (int)(tu_rand(&rng) % (QLEN / 2 + 1));
        while (nheld > keep) {
            int i = (int)(tu_rand(&rng) % (uint32_t)nheld);
            cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, held[i]), 0);
            held[i] = held[--nheld];
        }
    }
    tu_sub();
    while (nheld > 0) {
        cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, held[--nheld]), 0);
    }
    tu_main();
    cr_assert_eq(tu_fill(&p.main), QLEN, "all buffers came back");
    tu_sub();
    cr_assert_eq(tu_stats(&p.sub).bad_ptr, 0);
}

/* Same, in reverse order, with the sub core sending. */
Test(send, reverse_order_destroy_from_the_sub_core_direction)
{
    static tu_log_t mlog;
    void *held[QLEN];
    tu_main();
    tu_log_init(&mlog, NULL);
    cr_assert_eq(esp_amp_rpmsg_rebind_endpoint(&p.main, MAIN_EPT, tu_log_cb, &mlog), &me);
    for (int round = 0; round < 5; round++) {
        tu_sub();
        for (int i = 0; i < QLEN; i++) {
            uint8_t v = (uint8_t)(round * 16 + i);
            cr_assert_eq(esp_amp_rpmsg_send(&p.sub, &se, MAIN_EPT, &v, 1), 0);
        }
        tu_main();
        mlog.count = 0;
        cr_assert_eq(tu_drain(&p.main), QLEN);
        for (int i = 0; i < QLEN; i++) {
            cr_assert_eq(mlog.msg[i].data[0], (uint8_t)(round * 16 + i));
            held[i] = mlog.msg[i].ptr;
        }
        for (int i = QLEN - 1; i >= 0; i--) {
            cr_assert_eq(esp_amp_rpmsg_destroy(&p.main, held[i]), 0);
        }
    }
}

/* "Invoking this API on sender side ... can lead to UNDEFINED BEHAVIOR!" -
 * here it is refused: a created buffer is not a received one. */
Test(send, sender_side_destroy_of_created_buffer_fails)
{
    uint8_t *m = esp_amp_rpmsg_create_message(&p.main, 4, 0);
    cr_assert_not_null(m);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.main, m), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_OWNED);
    /* Still held by the sender: it can be sent. */
    memcpy(m, "okay", 4);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, m, 4), 0);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 1);
    cr_assert_arr_eq(slog.msg[0].data, "okay", 4);
    /* And a sent one can no more be destroyed by the sender. */
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.main, m), -1);
    cr_assert_eq(tu_fill(&p.main), QLEN);
}

Test(send, double_destroy_fails_with_not_owned)
{
    slog.destroy = false;
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "a", 1), 0);
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "b", 1), 0);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 2);
    void *a = slog.msg[0].ptr;
    void *b = slog.msg[1].ptr;
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, a), 0);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, a), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_OWNED);
    cr_assert_eq(tu_stats(&p.sub).bad_ptr, 1);
    /* The ring was not damaged: b is still ours, and exactly QLEN buffers
     * circulate afterwards (a is not handed out twice). */
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, b), 0);
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, b), -1);
    tu_main();
    slog.destroy = true;
    slog.count = 0;
    for (int round = 0; round < 3; round++) {
        tu_main();
        for (int i = 0; i < QLEN; i++) {
            cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "z", 1), 0);
        }
        cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "z", 1), -1);
        tu_sub();
        cr_assert_eq(tu_drain(&p.sub), QLEN);
    }
    cr_assert_eq(tu_stats(&p.sub).rx_corrupt, 0);
}

Test(send, destroy_of_foreign_pointers_fails)
{
    uint8_t stack_buf[64];
    static uint8_t static_buf[64];
    slog.destroy = false;
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "a", 1), 0);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 1);
    uint8_t *r = slog.msg[0].ptr;

    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, stack_buf + 8), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_OWNED);
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, static_buf), -1);
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, (void *)(uintptr_t)4), -1);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, NULL), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    cr_assert_eq(esp_amp_rpmsg_destroy(NULL, r), -1);
    /* Inside a received buffer but not its start. */
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, r + 1), -1);
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, r - 1), -1);
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, r + ITEM), -1);
    /* A buffer of the other direction's ring (sub's own tx buffer). */
    uint8_t *own = esp_amp_rpmsg_create_message(&p.sub, 1, 0);
    cr_assert_not_null(own);
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, own), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_OWNED);
    /* The real one still works afterwards. */
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, r), 0);
    /* The received buffer, seen from the main core: not main's to destroy. */
    uintptr_t off = (uintptr_t)(r - (uint8_t *)sim_shm_base());
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.main, (uint8_t *)sim_shm_base() + off), -1);
    cr_assert_eq(tu_fill(&p.main), QLEN);
}

/* "these two APIs should always be called in pair": send_nocopy only takes a
 * buffer from create_message that has not been sent yet. */
Test(send, send_nocopy_of_pointer_not_from_create_message_fails_and_sends_nothing)
{
    uint8_t stack_buf[64] = "not a message";
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, stack_buf + 8, 4), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_OWNED);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, NULL, 0), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);

    /* A buffer already sent cannot be sent again. */
    uint8_t *m = esp_amp_rpmsg_create_message(&p.main, 4, 0);
    cr_assert_not_null(m);
    memcpy(m, "once", 4);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, m, 4), 0);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, m, 4), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_OWNED);
    /* A free buffer of the ring that was never created (the next one). */
    uint8_t *base_ring_buf = m + ITEM;
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, base_ring_buf, 4), -1);
    /* Misaligned pointer into a created buffer. */
    uint8_t *m2 = esp_amp_rpmsg_create_message(&p.main, 8, 0);
    cr_assert_not_null(m2);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, m2 + 4, 4), -1);
    cr_assert_eq(tu_stats(&p.main).tx_msgs, 1);

    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 1, "only the one good message arrives");
    cr_assert_arr_eq(slog.msg[0].data, "once", 4);

    /* A received buffer cannot be sent back in place by the receiver. */
    slog.destroy = false;
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "back", 4), 0);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 1);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.sub, &se, MAIN_EPT, slog.msg[1].ptr, 4), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_OWNED);
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.sub, slog.msg[1].ptr), 0);
    tu_main();
    cr_assert_eq(tu_drain(&p.main), 0);
}

/* "make the size allocating (creating) the rpmsg larger or equal to the size
 * sending the data": sending more than was created is refused. */
Test(send, send_nocopy_longer_than_created_fails)
{
    uint8_t *m = esp_amp_rpmsg_create_message(&p.main, 10, 0);
    cr_assert_not_null(m);
    memcpy(m, "0123456789", 10);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, m, 11), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_TOO_BIG);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 0, "nothing sent");
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, m, 10), 0);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 1);
    cr_assert_eq(slog.msg[0].len, 10);
    cr_assert_arr_eq(slog.msg[0].data, "0123456789", 10);
}

Test(send, send_with_bad_arguments_fails)
{
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, NULL, SUB_EPT, "a", 1), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    cr_assert_eq(esp_amp_rpmsg_send(NULL, &me, SUB_EPT, "a", 1), -1);
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, NULL, 1), -1);
    cr_assert_null(esp_amp_rpmsg_create_message(NULL, 1, 0));
    void *m = esp_amp_rpmsg_create_message(&p.main, 1, 0);
    cr_assert_not_null(m);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, NULL, SUB_EPT, m, 1), -1);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(NULL, &me, SUB_EPT, m, 1), -1);
    /* None of these sent anything or lost the created buffer. */
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, SUB_EPT, m, 1), 0);
    cr_assert_eq(tu_stats(&p.main).tx_msgs, 1);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 1);
}

/* Both directions at once on one pair ("bidirectional"). */
Test(send, both_directions_at_once)
{
    static tu_log_t mlog;
    tu_main();
    tu_log_init(&mlog, &p.main);
    cr_assert_eq(esp_amp_rpmsg_rebind_endpoint(&p.main, MAIN_EPT, tu_log_cb, &mlog), &me);
    for (int i = 0; i < QLEN; i++) {
        uint8_t v = (uint8_t)i;
        tu_main();
        cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, &v, 1), 0);
        tu_sub();
        v = (uint8_t)(100 + i);
        cr_assert_eq(esp_amp_rpmsg_send(&p.sub, &se, MAIN_EPT, &v, 1), 0);
    }
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), QLEN);
    tu_main();
    cr_assert_eq(tu_drain(&p.main), QLEN);
    for (int i = 0; i < QLEN; i++) {
        cr_assert_eq(slog.msg[i].data[0], i);
        cr_assert_eq(mlog.msg[i].data[0], 100 + i);
        cr_assert_eq(mlog.msg[i].src, SUB_EPT);
    }
}
