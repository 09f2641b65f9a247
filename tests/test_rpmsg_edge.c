/*
 * test_rpmsg_edge.c - receive paths of esp_amp_rpmsg.c that only a busy or
 * restarting peer reaches, made deterministic:
 *   - the doorbell handler's budget (ESP_AMP_CONFIG_RX_ISR_BUDGET ring
 *     lengths per run): the sub core's callback, in ISR context, plays the
 *     main core and sends again, so the ring never empties;
 *   - a main core that restarts between the sub core's link check and its
 *     take from the ring: the sub core's link callback (called inside that
 *     critical section when the link goes UP) moves the session on, as the
 *     restart would at that moment;
 *   - intr_enable with a full handler table; send_nocopy on a link that
 *     went down.
 */
#include <string.h>

#include "test_util.h"
#include "../src/esp_amp_rpmsg_priv.h"   /* DEV_F_INTR: the device flags */

#define EPT_M 0x10
#define EPT_S 0x20
#define LEN 4
#define ITEM 32

TestSuite(rpmsg_edge, .init = tu_setup, .fini = tu_teardown);

/* ---- Budget ------------------------------------------------------------ */

static struct {
    tu_pair_t p;
    esp_amp_rpmsg_ept_t me, se;
    int total, received, next;
    bool order_ok, ctx_ok;
} B;

static int budget_cb(void *data, uint16_t len, uint16_t src, void *arg)
{
    (void)src;
    (void)arg;
    int seq;
    if (len != sizeof(seq)) {
        B.order_ok = false;
        return 0;
    }
    memcpy(&seq, data, sizeof(seq));
    B.order_ok &= seq == B.received;
    B.ctx_ok &= esp_amp_env_in_isr();
    B.received++;
    (void)esp_amp_rpmsg_destroy(&B.p.sub, data);
    /* The main core keeps sending while the sub core's ISR drains. */
    if (B.next < B.total) {
        seq = B.next;
        if (esp_amp_rpmsg_send(&B.p.main, &B.me, EPT_S, &seq, sizeof(seq)) == 0) {
            B.next++;
        }
    }
    return 0;
}

Test(rpmsg_edge, a_doorbell_run_stops_after_its_budget_and_rings_itself_again)
{
    memset(&B, 0, sizeof(B));
    B.order_ok = B.ctx_ok = true;
    const int budget = ESP_AMP_CONFIG_RX_ISR_BUDGET * LEN;
    B.total = 2 * budget + 3;
    /* The main core does not ring: only the first doorbell is raised by
     * hand, every later one is the handler's own. */
    tu_cfg_t cfg = { .queue_len = LEN, .item_size = ITEM, .main_notify = false,
                     .main_poll = true, .sub_notify = false, .sub_poll = false };
    tu_pair_up(&B.p, cfg);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&B.p.main, EPT_M, tu_log_cb, NULL, &B.me), &B.me);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&B.p.sub, EPT_S, budget_cb, NULL, &B.se), &B.se);
    tu_main();
    for (; B.next < LEN; B.next++) {
        int seq = B.next;
        cr_assert_eq(esp_amp_rpmsg_send(&B.p.main, &B.me, EPT_S, &seq, sizeof(seq)), 0);
    }
    tu_sub();
    uint64_t isr0 = sim_isr_count();
    tu_main();
    cr_assert_eq(esp_amp_sw_intr_trigger(SW_INTR_RESERVED_ID_RPMSG), 0);
    for (int i = 0; i < 10 && B.received < B.total; i++) {
        tu_main();
        tu_sub();            /* pending doorbells of the sub core run here */
    }
    cr_assert_eq(B.received, B.total, "received %d of %d", B.received, B.total);
    cr_assert(B.order_ok && B.ctx_ok);
    /* Ran in at least three handler runs: the first one raised by hand,
     * then one per exhausted budget. */
    tu_sub();
    cr_assert_geq(sim_isr_count() - isr0, 3, "handler runs: %llu",
                  (unsigned long long)(sim_isr_count() - isr0));
    cr_assert_eq(tu_stats(&B.p.sub).rx_msgs, (uint32_t)B.total);
}

/* ---- A main restart inside the sub core's receive ---------------------- */

static struct {
    tu_pair_t p;
    esp_amp_rpmsg_dev_t s2;       /* the sub core's device after its restart */
    esp_amp_rpmsg_ept_t me, se;
    tu_log_t slog;
    int bumped;
} R;

static void restart_on_up(esp_amp_rpmsg_dev_t *dev, esp_amp_link_state_t st, void *arg)
{
    (void)dev;
    (void)arg;
    if (st == ESP_AMP_LINK_UP && !R.bumped) {
        R.bumped = 1;
        ((esp_amp_shm_header_t *)esp_amp_platform_shm_base())->session++;
    }
}

/* The sub core restarts (JOINING), the main answers and sends one message;
 * the sub core's next poll goes UP inside its critical section, where the
 * main core "restarts" again. Returns the pair block. */
static esp_amp_shm_vq_pair_t *rejoin_then_send(void)
{
    memset(&R, 0, sizeof(R));
    tu_pair_up(&R.p, TU_POLL(LEN, ITEM));
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_sub_init_by_id(&R.s2, R.p.sub_vq, false, true,
                                              SYS_INFO_RESERVED_ID_VQUEUE), 0);
    cr_assert_eq(R.s2.link, ESP_AMP_LINK_JOINING);
    tu_log_init(&R.slog, &R.s2);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&R.s2, EPT_S, tu_log_cb, &R.slog, &R.se), &R.se);
    cr_assert_eq(esp_amp_rpmsg_set_link_callback(&R.s2, restart_on_up, NULL), 0);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&R.p.main, EPT_M, tu_log_cb, NULL, &R.me), &R.me);
    cr_assert_eq(esp_amp_rpmsg_send(&R.p.main, &R.me, EPT_S, "gone", 4), 0);
    tu_sub();
    return R.p.main.pair;
}

Test(rpmsg_edge, a_message_taken_after_a_main_restart_is_not_delivered)
{
    (void)rejoin_then_send();
    esp_amp_rpmsg_stats_t s0 = tu_stats(&R.s2);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_poll(&R.s2), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_LINK_DOWN);
    cr_assert_eq(R.bumped, 1);
    cr_assert_eq(R.slog.count, 0, "a message of the old session was delivered");
    cr_assert_eq(tu_stats(&R.s2).rx_msgs, s0.rx_msgs);
    cr_assert_neq(R.s2.link, ESP_AMP_LINK_UP);
}

Test(rpmsg_edge, a_refused_descriptor_after_a_main_restart_is_not_counted_as_corrupt)
{
    esp_amp_shm_vq_pair_t *pair = rejoin_then_send();
    /* Ring 0, slot 0: the main's message ("sent" in lap 0: AVAIL), now
     * with flags no state of this slot has in this lap (AVAIL | USED:
     * "freed" in lap 0, which only the consumer writes, after a take). */
    esp_amp_queue_desc_t *d =
        (esp_amp_queue_desc_t *)(void *)((uint8_t *)pair + sizeof(esp_amp_shm_vq_pair_t));
    cr_assert_eq(ESP_AMP_DESC_FLAGS(*d), ESP_AMP_DESC_F_AVAIL);
    *d |= ESP_AMP_DESC_F_AVAIL | ESP_AMP_DESC_F_USED;
    esp_amp_rpmsg_stats_t s0 = tu_stats(&R.s2);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_poll(&R.s2), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_LINK_DOWN);
    cr_assert_eq(R.bumped, 1);
    cr_assert_eq(tu_stats(&R.s2).rx_corrupt, s0.rx_corrupt,
                 "a ring of another session is not this session's corruption");
    cr_assert_eq(R.slog.count, 0);
}

/* ---- Local refusals ---------------------------------------------------- */

static int dummy(void *arg)
{
    (void)arg;
    return 0;
}

Test(rpmsg_edge, intr_enable_with_a_full_handler_table_fails_and_changes_nothing)
{
    static esp_amp_rpmsg_dev_t m, s;
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_main_init(&m, LEN, ITEM, true, true), 0);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_sub_init(&s, false, false), 0);
    for (intptr_t i = 0; i < ESP_AMP_SW_INTR_HANDLERS; i++) {
        cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_0, dummy, (void *)i), 0);
    }
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_intr_enable(&s), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_MEM);
    cr_assert(!(s.flags & DEV_F_INTR));
    cr_assert_eq(s.pair->ctl[0].kick_me, 0, "asked for doorbells it cannot take");
    cr_assert_eq(esp_amp_sw_intr_delete_handler(SW_INTR_ID_0, dummy), 0);
    cr_assert_eq(esp_amp_rpmsg_intr_enable(&s), 0);
    cr_assert(s.flags & DEV_F_INTR);
}

/* A polling pair whose main core has endpoint EPT_M in *e and holds one
 * created 4-byte buffer (returned). */
static uint8_t *main_holds_created(tu_pair_t *p, esp_amp_rpmsg_ept_t *e)
{
    tu_pair_up(p, TU_POLL(LEN, ITEM));
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p->main, EPT_M, tu_log_cb, NULL, e), e);
    uint8_t *buf = esp_amp_rpmsg_create_message(&p->main, 4, ESP_AMP_RPMSG_DATA_DEFAULT);
    cr_assert_not_null(buf);
    return buf;
}

Test(rpmsg_edge, send_nocopy_on_a_link_gone_down_is_refused_and_sends_nothing)
{
    static tu_pair_t p;
    esp_amp_rpmsg_ept_t e;
    void *buf = main_holds_created(&p, &e);
    p.main.pair->ctl[0].join = 0;     /* the peer withdrew its request */
    esp_amp_rpmsg_stats_t s0 = tu_stats(&p.main);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &e, EPT_S, buf, 4), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_LINK_DOWN);
    cr_assert_eq(tu_stats(&p.main).tx_msgs, s0.tx_msgs);
    /* Ring 0, slot 0 still holds the free descriptor the format wrote:
     * {flags 0, index 0, len 0}. */
    esp_amp_queue_desc_t *d =
        (esp_amp_queue_desc_t *)(void *)((uint8_t *)p.main.pair + sizeof(esp_amp_shm_vq_pair_t));
    cr_assert_eq(*d, ESP_AMP_DESC(0, 0, 0), "a descriptor was sent: %#x", *d);
}

/* A received buffer given back on a link that went down: refused with
 * LINK_DOWN, no descriptor is written; the buffer stays held, and is given
 * back once the request it answered is back. */
Test(rpmsg_edge, destroy_on_a_link_gone_down_is_refused_and_writes_nothing)
{
    static tu_pair_t p;
    static tu_log_t mlog;
    esp_amp_rpmsg_ept_t me, se;
    tu_pair_up(&p, TU_POLL(LEN, ITEM));
    tu_main();
    tu_log_init(&mlog, NULL);          /* keep what arrives */
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.main, EPT_M, tu_log_cb, &mlog, &me), &me);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, EPT_S, tu_log_cb, NULL, &se), &se);
    cr_assert_eq(esp_amp_rpmsg_send(&p.sub, &se, EPT_M, "held", 4), 0);
    tu_main();
    cr_assert_eq(tu_drain(&p.main), 1);
    cr_assert_eq(mlog.count, 1);
    cr_assert_eq(esp_amp_queue_held(&p.main.vq[1]), 1);
    /* Ring 1 (sub -> main), slot 0: sent by the sub core. */
    esp_amp_queue_desc_t *d = (esp_amp_queue_desc_t *)(void *)((uint8_t *)p.main.pair +
                                                               sizeof(esp_amp_shm_vq_pair_t)) + LEN;
    esp_amp_queue_desc_t before = *d;
    p.main.pair->ctl[0].join = 0;     /* the peer withdrew its request */
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.main, mlog.msg[0].ptr), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_LINK_DOWN);
    cr_assert_eq(*d, before, "a descriptor was written: %#x", *d);
    cr_assert_eq(esp_amp_queue_held(&p.main.vq[1]), 1);
    p.main.pair->ctl[0].join = 1;     /* the request it answered is back */
    cr_assert_eq(esp_amp_rpmsg_destroy(&p.main, mlog.msg[0].ptr), 0);
    cr_assert_eq(esp_amp_queue_held(&p.main.vq[1]), 0);
    cr_assert_eq(ESP_AMP_DESC_FLAGS(*d), ESP_AMP_DESC_F_AVAIL | ESP_AMP_DESC_F_USED,
                 "freed in lap 0");
    cr_assert_eq(ESP_AMP_DESC_LEN(*d), 0, "a freed slot carries len 0");
}

/* A buffer created for 40 bytes; the main core restarts with 16-byte items
 * before send_nocopy. The link check inside the critical section rebinds
 * the sub core to the new, smaller items and forgets every buffer it held:
 * the old buffer is refused (NOT_OWNED, before its size is looked at; the
 * format-2 core refused it as TOO_BIG, checking the size first), nothing
 * is written to the new rings and nothing is sent. A size check against
 * the new geometry follows for a new buffer. */
Test(rpmsg_edge, send_nocopy_after_a_rebind_to_smaller_items_is_refused)
{
    static tu_pair_t p;
    esp_amp_rpmsg_ept_t se;
    tu_pair_up(&p, TU_POLL(LEN, 64));
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, EPT_S, tu_log_cb, NULL, &se), &se);
    void *buf = esp_amp_rpmsg_create_message(&p.sub, 40, ESP_AMP_RPMSG_DATA_DEFAULT);
    cr_assert_not_null(buf);
    tu_main();
    cr_assert_eq(esp_amp_init(), 0);
    cr_assert_eq(p.cfg.id == 0 ? esp_amp_rpmsg_main_init(&p.main, LEN, 16, false, true)
                               : esp_amp_rpmsg_main_init_by_id(&p.main, p.main_vq, LEN, 16,
                                                               false, true, p.cfg.id), 0);
    /* The new pair block, as the main core formatted it. */
    static uint8_t block[4096];
    uint32_t bsize = esp_amp_queue_pair_size(LEN, 16);
    cr_assert_leq(bsize, sizeof(block));
    size_t boff = (size_t)((uint8_t *)p.main.pair - (uint8_t *)esp_amp_platform_shm_base());
    memcpy(block, p.main.pair, bsize);
    tu_sub();
    esp_amp_rpmsg_stats_t s0 = tu_stats(&p.sub);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.sub, &se, EPT_M, buf, 20), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_OWNED, "%s",
                 esp_amp_err_name(esp_amp_get_last_error()));
    cr_assert_eq(tu_stats(&p.sub).bad_ptr, s0.bad_ptr + 1);
    cr_assert_eq(tu_stats(&p.sub).tx_msgs, s0.tx_msgs);
    cr_assert_eq(esp_amp_rpmsg_get_max_size(&p.sub), 16 - 8, "not rebound");
    cr_assert_eq(esp_amp_queue_held(&p.sub.vq[0]), 0, "the old buffer is not forgotten");
    /* Nothing of the new block was written but the sub core's join. */
    uint8_t *now = (uint8_t *)esp_amp_platform_shm_base() + boff;
    size_t desc = sizeof(esp_amp_shm_vq_pair_t);
    cr_assert(memcmp(now + desc, block + desc, bsize - desc) == 0,
              "the rings or buffers were written");
    /* The new geometry decides the size of a new buffer. */
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_rpmsg_create_message(&p.sub, 9, ESP_AMP_RPMSG_DATA_DEFAULT));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_TOO_BIG);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_poll(&p.main), -1, "something was sent");
}

/* The created size lives in the buffer's header in shared memory, where
 * the peer can overwrite it while this core holds the buffer: a send_nocopy
 * larger than a buffer is refused even when the header says it was created
 * that large, and the buffer stays held. */
Test(rpmsg_edge, send_nocopy_larger_than_a_buffer_is_refused_whatever_the_header_says)
{
    static tu_pair_t p;
    esp_amp_rpmsg_ept_t me;
    uint8_t *buf = main_holds_created(&p, &me);
    esp_amp_rpmsg_head_t *h = (esp_amp_rpmsg_head_t *)(void *)(buf - sizeof(*h));
    cr_assert_eq(h->data_len, 4);
    h->data_len = 0xffff;                /* the peer scribbles */
    esp_amp_rpmsg_stats_t s0 = tu_stats(&p.main);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, EPT_S, buf, ITEM - 8 + 1), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_TOO_BIG);
    cr_assert_eq(tu_stats(&p.main).tx_too_big, s0.tx_too_big + 1);
    cr_assert_eq(tu_stats(&p.main).tx_msgs, s0.tx_msgs);
    cr_assert_eq(esp_amp_queue_held(&p.main.vq[0]), 1, "the buffer stays held");
    /* It can still be sent within a buffer. */
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&p.main, &me, EPT_S, buf, ITEM - 8), 0);
    cr_assert_eq(esp_amp_queue_held(&p.main.vq[0]), 0);
}

/* ---- The empty-poll shortcut --------------------------------------------- */

static struct {
    tu_pair_t p;
    esp_amp_rpmsg_ept_t me, se;
    tu_log_t slog;
} E;

static void shortcut_up(void)
{
    memset(&E, 0, sizeof(E));
    tu_pair_up(&E.p, TU_POLL(LEN, ITEM));
    tu_main();
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&E.p.main, EPT_M, NULL, NULL, &E.me));
    tu_sub();
    tu_log_init(&E.slog, NULL);            /* the sub application keeps them */
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&E.p.sub, EPT_S, tu_log_cb,
                                                     &E.slog, &E.se));
}

static void sub_poll_fails(esp_amp_err_t want, const char *what)
{
    tu_sub();
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_poll(&E.p.sub), -1, "%s", what);
    cr_assert_eq(esp_amp_get_last_error(), want, "%s: %s", what,
                 esp_amp_err_name(esp_amp_get_last_error()));
}

/* A receiver that holds every buffer finds nothing, through the full path
 * and then through the shortcut; given back, the buffers carry traffic. */
Test(rpmsg_edge, a_receiver_holding_every_buffer_polls_empty_then_receives_again)
{
    shortcut_up();
    for (int round = 0; round < 2; round++) {
        tu_main();
        for (int i = 0; i < LEN; i++) {
            uint8_t b = (uint8_t)(round * LEN + i);
            cr_assert_eq(esp_amp_rpmsg_send(&E.p.main, &E.me, EPT_S, &b, 1), 0);
        }
        tu_sub();
        for (int i = 0; i < LEN; i++) {
            cr_assert_eq(esp_amp_rpmsg_poll(&E.p.sub), 0);
        }
        cr_assert_eq(esp_amp_queue_held(&E.p.sub.vq[1]), LEN);
        sub_poll_fails(ESP_AMP_ERR_EMPTY, "all held, full path");
        sub_poll_fails(ESP_AMP_ERR_EMPTY, "all held, shortcut");
        cr_assert_eq(E.slog.count, (round + 1) * LEN);
        for (int i = 0; i < LEN; i++) {
            const tu_msg_t *m = &E.slog.msg[round * LEN + i];
            cr_assert_eq(m->len, 1);
            cr_assert_eq(m->data[0], round * LEN + i, "message order");
            cr_assert_eq(esp_amp_rpmsg_destroy(&E.p.sub, m->ptr), 0);
        }
    }
}

/* A main core that restarts while the sub core polls an empty ring is
 * noticed by the next poll, not hidden by the shortcut: in that poll the
 * sub core drops the old session and makes the first join of the new one
 * (UP at once, so the poll finds the new ring empty), and traffic flows. */
Test(rpmsg_edge, a_main_restart_is_seen_by_a_poll_after_an_empty_poll)
{
    shortcut_up();
    sub_poll_fails(ESP_AMP_ERR_EMPTY, "empty");
    sub_poll_fails(ESP_AMP_ERR_EMPTY, "empty, shortcut");
    tu_main();
    cr_assert_eq(esp_amp_init(), 0);
    cr_assert_eq(esp_amp_rpmsg_main_init(&E.p.main, LEN, ITEM, false, true), 0);
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&E.p.main, EPT_M, NULL, NULL, &E.me));
    esp_amp_shm_vq_pair_t *pair = E.p.main.pair;
    tu_sub();
    uint32_t old = E.p.sub.session, now = esp_amp_sys_info_session();
    cr_assert_neq(old, now, "the restart made no new session");
    cr_assert_eq(pair->ctl[0].join, 0);
    sub_poll_fails(ESP_AMP_ERR_EMPTY, "first poll after the restart");
    cr_assert_eq(E.p.sub.session, now, "the poll did not see the restart");
    cr_assert_eq(pair->ctl[0].join, 1, "no first join of the new session");
    cr_assert_eq(E.p.sub.link, ESP_AMP_LINK_UP);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&E.p.main, &E.me, EPT_S, "n", 1), 0);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_poll(&E.p.sub), 0);
    cr_assert_eq(E.slog.count, 1);
    cr_assert_eq(E.slog.msg[0].data[0], 'n');
    cr_assert_eq(esp_amp_rpmsg_destroy(&E.p.sub, E.slog.msg[0].ptr), 0);

    /* A main core whose region was wiped may count sessions from 1 again:
     * then only the sub core's join request, gone, tells of the restart. */
    sub_poll_fails(ESP_AMP_ERR_EMPTY, "empty again");
    sub_poll_fails(ESP_AMP_ERR_EMPTY, "empty again, shortcut");
    pair->ctl[0].join = 0;
    sub_poll_fails(ESP_AMP_ERR_LINK_DOWN, "request gone");
    cr_assert_eq(E.p.sub.link, ESP_AMP_LINK_JOINING);
    cr_assert_geq(pair->ctl[0].join, 2, "no rejoin request");
    sub_poll_fails(ESP_AMP_ERR_LINK_DOWN, "joining, after a failed poll");
    /* and while joining after an empty poll (another call took the link
     * down meanwhile) */
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&E.p.main), ESP_AMP_LINK_UP);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&E.p.sub), ESP_AMP_LINK_UP);
    sub_poll_fails(ESP_AMP_ERR_EMPTY, "up again");
    pair->ctl[0].join = 0;
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&E.p.sub), ESP_AMP_LINK_JOINING);
    sub_poll_fails(ESP_AMP_ERR_LINK_DOWN, "joining after an empty poll");
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&E.p.main), ESP_AMP_LINK_UP);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&E.p.sub), ESP_AMP_LINK_UP);
}

static int nested_rc, nested_err;
static int poll_inside_cb(void *data, uint16_t len, uint16_t src, void *arg)
{
    (void)len;
    (void)src;
    (void)arg;
    esp_amp_clear_last_error();
    nested_rc = esp_amp_rpmsg_poll(&E.p.sub);
    nested_err = (int)esp_amp_get_last_error();
    (void)esp_amp_rpmsg_destroy(&E.p.sub, data);
    return 0;
}

/* After empty polls of the task, a callback that the doorbell handler runs
 * polls the same device: the shortcut does not answer "empty" for a device
 * whose callback runs; the full path answers BUSY. */
Test(rpmsg_edge, a_poll_inside_a_callback_after_empty_polls_is_busy)
{
    memset(&E, 0, sizeof(E));
    tu_pair_up(&E.p, TU_SUB_INTR(LEN, ITEM));
    tu_main();
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&E.p.main, EPT_M, NULL, NULL, &E.me));
    tu_sub();
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&E.p.sub, EPT_S, poll_inside_cb,
                                                     NULL, &E.se));
    sub_poll_fails(ESP_AMP_ERR_EMPTY, "task: empty");
    sub_poll_fails(ESP_AMP_ERR_EMPTY, "task: empty, shortcut");
    nested_rc = 0;
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&E.p.main, &E.me, EPT_S, "b", 1), 0);
    tu_sub();                              /* the doorbell handler runs here */
    cr_assert_eq(nested_rc, -1);
    cr_assert_eq(nested_err, ESP_AMP_ERR_BUSY, "%s", esp_amp_err_name(nested_err));
    cr_assert_eq(esp_amp_queue_held(&E.p.sub.vq[1]), 0);
    cr_assert_eq(tu_stats(&E.p.sub).rx_msgs, 1);
}
