/*
 * test_recovery.c - what a core writes, and whether the link comes back,
 * when the other core restarts with the region (or part of it) gone.
 *
 * Both cores are driven from the test's thread (tu_main / tu_sub); the test
 * plays the restarting core.
 *
 * stale: a sub core whose main core restarted and put another block where
 *   the old pair block was writes nothing there: its doorbell handler
 *   touches kick_me only once the link check passed (or, stopping, in a
 *   pair block it is bound to), and esp_amp_rpmsg_tx_wait() checks the link
 *   first (LINK_DOWN).
 *
 * wipe: a sub core restarts after the region was cleared (all of it, or
 *   the parts named in each test) while the main core keeps running. The
 *   main core repairs the region header, the registry and the pair header
 *   while it waits for a request, and when it finds its own answer gone
 *   it restarts the link (esp_amp_link.c, link_restart): the sub core
 *   joins again with a first join, which formats the rings.
 *
 * first_join: the pair block's join words are cleared (its magic and
 *   geometry intact), and the sub core, at its next call, finds its
 *   request gone and makes a first join: it formats both rings and writes
 *   req = 1. The main core had answered request 1, so its per-operation
 *   check (session word, req == its last answer) passes; what keeps it from
 *   going on with the old rings' counters on the rings the sub core just
 *   formatted is the look at its answer (ack) after each take
 *   (esp_amp_rpmsg.c, ring_moved): it restarts the link, nothing is
 *   delivered or sent by the stale counters.
 *
 * idle_main: a sub core restarts after clearing the whole region while the
 *   main core receives by interrupt and its application makes no call. The
 *   sub core raises a source on the main core, as docs/layout.md section 1
 *   says ("one that cannot attach may raise any source on the main core to
 *   hurry the repair"): the header and registry are written again; the sub
 *   core then finds its block with a cleared header and rings RPMsg itself,
 *   whose handler writes the pair header again.
 *
 * refusal_doorbell: each core's doorbell handler refuses the slot at head
 *   of its receive ring and rings the other core, whose handler refuses its
 *   own and would ring back. The refusal rings once per refused
 *   descriptor (docs/layout.md section 7, rule 5), so the exchange ends
 *   after a few runs: no doorbell ping-pong between the two handlers, no
 *   link restart (the main core's answer is in place), each refusal
 *   counted once, and the links stay UP.
 */
#include <stdio.h>
#include <string.h>

#include "test_util.h"

#define EPT_M 0x10
#define EPT_S 0x20
#define LEN 4
#define ITEM 32
#define APP_ID 0x0101   /* an application block of the main core */
#define PAIR2_ID 0x0102 /* a second device pair */
#define PATTERN 0xA5

static struct {
    tu_pair_t p;
    esp_amp_rpmsg_ept_t me, se;
    tu_log_t mlog, slog;
} R;

TestSuite(stale, .init = tu_setup, .fini = tu_teardown);
TestSuite(wipe, .init = tu_setup, .fini = tu_teardown);
TestSuite(first_join, .init = tu_setup, .fini = tu_teardown);
TestSuite(idle_main, .init = tu_setup, .fini = tu_teardown);
TestSuite(refusal_doorbell, .init = tu_setup, .fini = tu_teardown, .timeout = 30);

/* Region offset of a pointer of the current core's mapping. */
static uint32_t off_of(const void *p)
{
    return (uint32_t)((const uint8_t *)p -
                      (const uint8_t *)esp_amp_platform_shm_base());
}

/* The first byte of [b, b + n) that is not PATTERN, or -1. */
static long first_changed(const uint8_t *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (b[i] != PATTERN) {
            return (long)i;
        }
    }
    return -1;
}

static void endpoints(void)
{
    tu_main();
    tu_log_init(&R.mlog, &R.p.main);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&R.p.main, EPT_M, tu_log_cb,
                                               &R.mlog, &R.me), &R.me);
    tu_sub();
    tu_log_init(&R.slog, &R.p.sub);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&R.p.sub, EPT_S, tu_log_cb,
                                               &R.slog, &R.se), &R.se);
}

/* Session 1: an application block of 256 bytes, then the default pair right
 * after it; the sub core bound to it (receiving by interrupt if
 * `sub_intr`). Returns the old pair block's region offset. */
static uint32_t session1(bool sub_intr)
{
    memset(&R, 0, sizeof(R));
    tu_main();
    cr_assert_not_null(esp_amp_sys_info_alloc(APP_ID, 256));
    tu_pair_up(&R.p, sub_intr ? TU_SUB_INTR(LEN, ITEM) : TU_POLL(LEN, ITEM));
    endpoints();
    tu_main();
    return off_of(R.p.main.pair);
}

/* The main core restarts (region kept): its first block is an application
 * block of 1024 bytes, which covers the old pair block's header; it fills
 * it with PATTERN. Returns the block (main core's mapping). */
static uint8_t *main_restart_with_app_block(uint32_t old_pair)
{
    tu_main();
    memset(&R.p.main, 0, sizeof(R.p.main));
    cr_assert_eq(esp_amp_init(), 0);
    uint8_t *u = esp_amp_sys_info_alloc(APP_ID, 1024);
    cr_assert_not_null(u);
    uint32_t u_off = off_of(u);
    cr_assert(u_off <= old_pair &&
                  old_pair + sizeof(esp_amp_shm_vq_pair_t) <= u_off + 1024,
              "the new application block [%u, %u) does not cover the old "
              "pair header at %u", u_off, u_off + 1024, old_pair);
    memset(u, PATTERN, 1024);
    return u;
}

/* The main core restarts and, before it creates the pair again, puts an
 * application block where the old pair block was; its main_init rings the
 * sub core (an interrupt-mode receiver). The doorbell handler of the sub
 * core's device, still bound to the old pair block, clears kick_me there
 * before its link check: a word of the main core's application block
 * becomes 0. */
Test(stale, a_doorbell_after_a_main_restart_writes_nothing_outside_the_new_pair)
{
    uint32_t old_pair = session1(true);
    uint8_t *u = main_restart_with_app_block(old_pair);
    cr_assert_eq(esp_amp_rpmsg_main_init(&R.p.main, LEN, ITEM, true, true), 0);
    uint32_t new_pair = off_of(R.p.main.pair);
    cr_assert_neq(new_pair, old_pair);

    tu_sub(); /* the doorbell of main_init: the handler runs here */
    (void)esp_amp_rpmsg_get_link_state(&R.p.sub);
    tu_main();
    long at = first_changed(u, 1024);
    cr_assert_eq(at, -1, "the sub core wrote into the main core's application "
                         "block: byte %ld (region offset %u = old pair + %ld) "
                         "is 0x%02x, not 0x%02x",
                 at, off_of(u) + (uint32_t)at,
                 (long)(off_of(u) + (uint32_t)at) - (long)old_pair,
                 at >= 0 ? u[at] : 0, PATTERN);
}

/* The same with a new session that has no default pair yet (the main core
 * created another device first; its main_init rings the sub core): the
 * handler's link check says LINK_DOWN and it stores kick_me = 1 into the
 * old pair block's extent, i.e. into the application block. */
Test(stale, a_handler_that_finds_the_link_down_writes_nothing_outside_a_pair)
{
    uint32_t old_pair = session1(true);
    uint8_t *u = main_restart_with_app_block(old_pair);
    static esp_amp_rpmsg_dev_t d2;
    static esp_amp_queue_t vq2[2];
    cr_assert_eq(esp_amp_rpmsg_main_init_by_id(&d2, vq2, LEN, ITEM, true, true,
                                               PAIR2_ID), 0);

    tu_sub(); /* the doorbell: the default device's handler runs too */
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&R.p.sub), ESP_AMP_LINK_DOWN);
    tu_main();
    long at = first_changed(u, 1024);
    cr_assert_eq(at, -1, "the sub core wrote into the main core's application "
                         "block: byte %ld (old pair + %ld) is 0x%02x",
                 at, (long)(off_of(u) + (uint32_t)at) - (long)old_pair,
                 at >= 0 ? u[at] : 0);
}

/* A sub core whose link is down (the main core restarted and has not
 * created the pair again) asks to be rung when a buffer comes back:
 * esp_amp_rpmsg_tx_wait() returns 0 and stores tx_wait into the old pair
 * block's extent, now the main core's application block. */
Test(stale, tx_wait_on_a_link_that_is_down_writes_nothing_outside_a_pair)
{
    uint32_t old_pair = session1(false);
    uint8_t *u = main_restart_with_app_block(old_pair);

    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&R.p.sub), ESP_AMP_LINK_DOWN,
                 "the sub core should see that the main core restarted");
    int rc = esp_amp_rpmsg_tx_wait(&R.p.sub, true);
    tu_main();
    long at = first_changed(u, 1024);
    cr_assert_eq(at, -1, "tx_wait returned %d and wrote into the main core's "
                         "application block: byte %ld (old pair + %ld) is "
                         "0x%02x", rc, at,
                 (long)(off_of(u) + (uint32_t)at) - (long)old_pair,
                 at >= 0 ? u[at] : 0);
}

/* ---------------------------------------------------------------------- */

static void warm(int n)
{
    for (int i = 0; i < n; i++) {
        tu_main();
        cr_assert_eq(esp_amp_rpmsg_send(&R.p.main, &R.me, EPT_S, "w", 1), 0);
        tu_sub();
        cr_assert_eq(tu_drain(&R.p.sub), 1);
        cr_assert_eq(esp_amp_rpmsg_send(&R.p.sub, &R.se, EPT_M, "w", 1), 0);
        tu_main();
        cr_assert_eq(tu_drain(&R.p.main), 1);
    }
}

/* The sub core's restart: library state and device from scratch; true
 * when its sub_init succeeded. */
static bool sub_restart_try(void)
{
    tu_sub();
    memset(&R.p.sub, 0, sizeof(R.p.sub));
    cr_assert_eq(esp_amp_init(), 0);
    return esp_amp_rpmsg_sub_init(&R.p.sub, false, true) == 0;
}

/* One message each way after the sub core's restart; `what` names the
 * case. */
static void both_ways(const char *what)
{
    tu_sub();
    tu_log_init(&R.slog, &R.p.sub);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&R.p.sub, EPT_S, tu_log_cb,
                                               &R.slog, &R.se), &R.se);
    tu_main();
    int m0 = R.mlog.count;
    esp_amp_clear_last_error();
    int rc = esp_amp_rpmsg_send(&R.p.main, &R.me, EPT_S, "ping", 4);
    cr_assert_eq(rc, 0, "%s: main send: %s", what,
                 esp_amp_err_name(esp_amp_get_last_error()));
    tu_sub();
    int got = tu_drain(&R.p.sub);
    esp_amp_rpmsg_stats_t ms = tu_stats(&R.p.main);
    cr_assert_eq(got, 1, "%s: the restarted sub core received %d of 1 "
                         "message (main core: link %d, link_resets %u, "
                         "tx_msgs %u; sub rx_corrupt %u)",
                 what, got, R.p.main.link, ms.link_resets, ms.tx_msgs,
                 tu_stats(&R.p.sub).rx_corrupt);
    esp_amp_clear_last_error();
    rc = esp_amp_rpmsg_send(&R.p.sub, &R.se, EPT_M, "pong", 4);
    cr_assert_eq(rc, 0, "%s: sub send: %s", what,
                 esp_amp_err_name(esp_amp_get_last_error()));
    tu_main();
    cr_assert_eq(tu_drain(&R.p.main), 1, "%s: main received nothing", what);
    cr_assert_eq(R.mlog.count, m0 + 1);
}

/* The sub core restarts with the whole region cleared (its reboot clears
 * the shared RAM) while the main core keeps running and asks for its link
 * state and polls. The main core repairs the region header and registry,
 * but the pair block stays all zero - no magic -, so the sub core's
 * sub_init finds no device, for ever: the link never comes back. */
Test(wipe, a_sub_restart_with_the_region_cleared_gets_the_link_back)
{
    memset(&R, 0, sizeof(R));
    tu_pair_up(&R.p, TU_POLL(LEN, ITEM));
    endpoints();
    warm(3);

    tu_sub();
    memset(esp_amp_platform_shm_base(), 0, esp_amp_platform_shm_size());
    bool attached = false;
    esp_amp_err_t err = ESP_AMP_OK;
    for (int round = 0; round < 32 && !attached; round++) {
        tu_main();
        (void)esp_amp_rpmsg_get_link_state(&R.p.main);
        (void)esp_amp_rpmsg_poll(&R.p.main);
        attached = sub_restart_try();
        err = esp_amp_get_last_error();
    }
    tu_main();
    const esp_amp_shm_vq_pair_t *pair = R.p.main.pair;
    cr_assert(attached, "the restarted sub core never attached: %s (region "
                        "header %s; pair block magic 0x%08x)",
              esp_amp_err_name(err),
              esp_amp_sys_info_session() != 0 ? "repaired" : "not repaired",
              pair->magic);
    for (int i = 0; i < 4; i++) {
        tu_main();
        (void)esp_amp_rpmsg_get_link_state(&R.p.main);
        tu_sub();
        (void)esp_amp_rpmsg_get_link_state(&R.p.sub);
    }
    both_ways("region cleared");
}

/* The same clearing as far as the join protocol sees it: the pair block's
 * two join words are 0 when the sub core restarts (its header left
 * intact). The sub core reads req = ack = 0, takes the first-join path -
 * formats both rings, req = 1, UP at once. The main core answered request
 * 1 before; its counters (3 messages each way) do not match the rings the
 * sub core just formatted. It must not take the 1 for its old request
 * scribbled back: its answer is gone, so it restarts the link (without
 * touching the rings), the sub core joins again, and messages flow. */
Test(wipe, a_sub_first_join_after_the_join_words_were_cleared_resets_the_main)
{
    memset(&R, 0, sizeof(R));
    tu_pair_up(&R.p, TU_POLL(LEN, ITEM));
    endpoints();
    warm(3);

    tu_sub();
    esp_amp_shm_vq_pair_t *pair = R.p.sub.pair;
    pair->ctl[0].join = 0;
    pair->ctl[1].join = 0;
    cr_assert(sub_restart_try(), "sub_init: %s",
              esp_amp_err_name(esp_amp_get_last_error()));
    cr_assert_eq(pair->ctl[0].join, 1, "the sub core did not make a first join");
    tu_main();
    esp_amp_rpmsg_stats_t m0 = tu_stats(&R.p.main);
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&R.p.main), ESP_AMP_LINK_JOINING);
    cr_assert_eq(tu_stats(&R.p.main).link_resets, m0.link_resets + 1);
    cr_assert_eq(pair->ctl[0].join, 0);
    cr_assert_eq(pair->ctl[1].join, 0);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&R.p.sub), ESP_AMP_LINK_UP);
    cr_assert_eq(pair->ctl[0].join, 1, "a first join again");
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&R.p.main), ESP_AMP_LINK_UP);
    both_ways("join words cleared");
}

/* A sub core that cleared the region header and its control line (the
 * part of a wipe that matters here) restarts while the main core polls, as
 * a polling main core does. The main core's link goes to JOINING (request
 * 0), so every poll fails with LINK_DOWN, not EMPTY; the repair runs only
 * every 256th empty poll (and from a doorbell handler, which a polling
 * core without handlers does not have - the sub core rings it all the
 * same, as docs/layout.md suggests): the header is never repaired and the
 * sub core never attaches. */
Test(wipe, a_polling_main_core_repairs_the_header_while_its_link_is_down)
{
    memset(&R, 0, sizeof(R));
    tu_pair_up(&R.p, TU_POLL(LEN, ITEM));
    endpoints();
    warm(1);

    tu_sub();
    esp_amp_shm_header_t *h = esp_amp_platform_shm_base();
    esp_amp_shm_vq_pair_t *pair = R.p.sub.pair;
    memset(&pair->ctl[0], 0, sizeof(pair->ctl[0]));
    h->magic = 0;
    bool attached = sub_restart_try();
    int polls = 0;
    esp_amp_err_t main_err = ESP_AMP_OK;
    for (int round = 0; round < 16 && !attached; round++) {
        tu_sub();
        (void)esp_amp_sw_intr_trigger(0);   /* "hurry the repair" */
        tu_main();
        for (int k = 0; k < 256; k++, polls++) {
            (void)esp_amp_rpmsg_poll(&R.p.main);
            main_err = esp_amp_get_last_error();
        }
        attached = sub_restart_try();
    }
    cr_assert(attached, "the sub core never attached after %d polls of the "
                        "main core (each failed with %s): the region header "
                        "was not repaired", polls, esp_amp_err_name(main_err));
}

/* ---------------------------------------------------------------------- */

static esp_amp_shm_vq_pair_t *s_pair;
static uint32_t s_req;
static int s_states[8], s_nstates;
/* Link callback of the main core: as its link leaves UP, the sub core's
 * request lands again (it was scribbled to 0 a moment before). */
static void request_back_cb(esp_amp_rpmsg_dev_t *dev, esp_amp_link_state_t st,
                            void *arg)
{
    (void)dev;
    (void)arg;
    if (s_nstates < 8) {
        s_states[s_nstates++] = (int)st;
    }
    if (st == ESP_AMP_LINK_JOINING) {
        s_pair->ctl[0].join = s_req;
    }
}

/* The main core's doorbell handler finds the link down (the request is 0)
 * and arms kick_me; a request that landed between its look and that store
 * rang nothing, so it looks once more: here the request comes back inside
 * the first look (through the link callback), the second look finds the
 * link up, and the message waiting in the ring is taken in the same run. */
Test(wipe, a_doorbell_run_looks_at_the_link_again_after_arming)
{
    memset(&R, 0, sizeof(R));
    tu_pair_up(&R.p, TU_BOTH_INTR(LEN, ITEM));
    endpoints();
    s_pair = R.p.main.pair;
    s_req = s_pair->ctl[0].join;
    s_nstates = 0;
    cr_assert_eq(esp_amp_rpmsg_set_link_callback(&R.p.main, request_back_cb, NULL), 0);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_send(&R.p.sub, &R.se, EPT_M, "hi", 2), 0);
    s_pair->ctl[0].join = 0;          /* scribbled, back in a moment */
    int before = R.mlog.count;
    tu_main();                         /* the doorbell handler runs here */
    cr_assert_eq(s_nstates, 2, "%d link changes", s_nstates);
    cr_assert_eq(s_states[0], ESP_AMP_LINK_JOINING);
    cr_assert_eq(s_states[1], ESP_AMP_LINK_UP);
    cr_assert_eq(R.mlog.count, before + 1, "the message waits for a doorbell");
    cr_assert_eq(tu_stats(&R.p.main).link_resets, 0);
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&R.p.main), ESP_AMP_LINK_UP);
}

/* A polling sub core whose request was scribbled (the session unchanged)
 * sees it at its next call, a poll after an empty one (its shortcut) or a
 * send: it forgets the rings and joins again (a rejoin: the main core's
 * answer is there), and the link comes back. */
Test(wipe, a_sub_core_whose_request_changed_joins_again)
{
    memset(&R, 0, sizeof(R));
    tu_pair_up(&R.p, TU_POLL(LEN, ITEM));
    endpoints();
    esp_amp_shm_vq_pair_t *pair = R.p.sub.pair;
    for (int k = 0; k < 2; k++) {
        warm(1);                       /* ends with an empty poll on each */
        uint32_t req = pair->ctl[0].join;
        pair->ctl[0].join = 100u * (uint32_t)(k + 1);
        tu_sub();
        esp_amp_clear_last_error();
        int rc = k == 0 ? esp_amp_rpmsg_poll(&R.p.sub)
                        : esp_amp_rpmsg_send(&R.p.sub, &R.se, EPT_M, "x", 1);
        cr_assert_eq(rc, -1);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_LINK_DOWN, "%s",
                     esp_amp_err_name(esp_amp_get_last_error()));
        cr_assert_eq(pair->ctl[0].join, 100u * (uint32_t)(k + 1) + 1u, "request %u (was %u)",
                     pair->ctl[0].join, req);
        tu_main();
        cr_assert_eq(esp_amp_rpmsg_get_link_state(&R.p.main), ESP_AMP_LINK_UP);
        tu_sub();
        cr_assert_eq(esp_amp_rpmsg_get_link_state(&R.p.sub), ESP_AMP_LINK_UP);
        tu_check_link(&R.p.main, true, &R.p.sub, true);
    }
}

/* The pair header's geometry is changed (magic intact) and the sub core
 * restarts: it cannot attach (the geometry does not fit the block) until
 * the main core, at its next whole look, writes the header again. */
Test(wipe, the_main_core_writes_a_changed_pair_header_again)
{
    memset(&R, 0, sizeof(R));
    tu_pair_up(&R.p, TU_POLL(LEN, ITEM));
    endpoints();
    warm(1);
    esp_amp_shm_vq_pair_t *pair = R.p.sub.pair;
    pair->item_size = ITEM + 4;
    cr_assert(!sub_restart_try(), "attached to a pair of the wrong geometry");
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_CORRUPT, "%s",
                 esp_amp_err_name(esp_amp_get_last_error()));
    tu_main();
    (void)esp_amp_rpmsg_get_link_state(&R.p.main);
    cr_assert_eq(pair->magic, ESP_AMP_VQ_MAGIC);
    cr_assert_eq(pair->queue_len, LEN);
    cr_assert_eq(pair->item_size, ITEM);
    cr_assert(sub_restart_try(), "sub_init: %s",
              esp_amp_err_name(esp_amp_get_last_error()));
    for (int i = 0; i < 2; i++) {
        tu_main();
        (void)esp_amp_rpmsg_get_link_state(&R.p.main);
        tu_sub();
        (void)esp_amp_rpmsg_get_link_state(&R.p.sub);
    }
    both_ways("pair header changed");
}

/* Link callback of the sub core: as its link comes up, a new main core
 * (its region wiped at reset, so the session number is the same) clears
 * the join words. */
static void wipe_on_up_cb(esp_amp_rpmsg_dev_t *dev, esp_amp_link_state_t st,
                          void *arg)
{
    (void)arg;
    if (st == ESP_AMP_LINK_UP) {
        dev->pair->ctl[0].join = 0;
        dev->pair->ctl[1].join = 0;
    }
}

/* A message taken right after the link check that brought the link up,
 * while a new main core cleared the join words, is not this session's:
 * the take's re-check sees the request gone, and nothing is delivered. */
Test(wipe, a_message_taken_as_the_join_words_are_cleared_is_not_delivered)
{
    memset(&R, 0, sizeof(R));
    tu_pair_up(&R.p, TU_POLL(LEN, ITEM));
    endpoints();
    warm(1);
    esp_amp_shm_vq_pair_t *pair = R.p.sub.pair;
    pair->ctl[0].join = 0;                 /* the sub core rejoins ...    */
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_poll(&R.p.sub), -1);
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&R.p.sub), ESP_AMP_LINK_JOINING);
    tu_main();                             /* ... the main core answers,  */
    cr_assert_eq(esp_amp_rpmsg_send(&R.p.main, &R.me, EPT_S, "m", 1), 0);
    tu_sub();                              /* and has sent a message      */
    cr_assert_eq(esp_amp_rpmsg_set_link_callback(&R.p.sub, wipe_on_up_cb, NULL), 0);
    int before = R.slog.count;
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_poll(&R.p.sub), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_LINK_DOWN, "%s",
                 esp_amp_err_name(esp_amp_get_last_error()));
    cr_assert_eq(R.slog.count, before, "a message of the old session came");
    cr_assert_eq(esp_amp_queue_held(&R.p.sub.vq[1]), 0);
    cr_assert_eq(tu_stats(&R.p.sub).rx_corrupt, 0);
}

/* A sub core that receives by interrupt and does nothing else learns of a
 * link restart by its doorbell: the main core rings it as after a format,
 * and its handler joins again (a first join); the main core answers at its
 * next look, and messages flow both ways without any call of the sub
 * core's application. */
Test(wipe, an_interrupt_mode_sub_core_learns_of_a_link_restart_by_its_doorbell)
{
    memset(&R, 0, sizeof(R));
    tu_pair_up(&R.p, TU_SUB_INTR(LEN, ITEM));
    endpoints();
    esp_amp_shm_vq_pair_t *pair = R.p.main.pair;
    pair->ctl[1].join = 0;            /* the main core's answer is gone */
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&R.p.main), ESP_AMP_LINK_JOINING);
    cr_assert_eq(pair->ctl[0].join, 0);
    tu_sub();                         /* its doorbell handler runs here */
    cr_assert_eq(pair->ctl[0].join, 1, "no first join: request %u",
                 pair->ctl[0].join);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&R.p.main), ESP_AMP_LINK_UP);
    cr_assert_eq(esp_amp_rpmsg_send(&R.p.main, &R.me, EPT_S, "ping", 4), 0);
    int before = R.slog.count;
    tu_sub();                         /* delivered by the handler */
    cr_assert_eq(R.slog.count, before + 1);
    cr_assert_eq(esp_amp_rpmsg_send(&R.p.sub, &R.se, EPT_M, "pong", 4), 0);
    tu_main();
    cr_assert_eq(tu_drain(&R.p.main), 1);
}

/* ---------------------------------------------------------------------- */

/* Both join words cleared; the sub core's next poll makes a first join
 * (rings formatted, req = 1) and it is UP. Returns the pair block. */
static esp_amp_shm_vq_pair_t *clear_join_words_and_first_join(void)
{
    tu_sub();
    esp_amp_shm_vq_pair_t *pair = R.p.sub.pair;
    pair->ctl[0].join = 0;
    pair->ctl[1].join = 0;
    cr_assert_eq(esp_amp_rpmsg_poll(&R.p.sub), -1);
    cr_assert_eq(pair->ctl[0].join, 1, "no first join: request %u",
                 pair->ctl[0].join);
    cr_assert_eq(R.p.sub.link, ESP_AMP_LINK_UP);
    return pair;
}

/* After three messages each way, the join words are cleared and the sub
 * core makes a first join (rings formatted, its counters 0), then sends
 * s0..s3. The main core, polling, still at counter 3 of its receive ring,
 * would take slot 3 first and deliver s3 as the next message. Every
 * message the main core delivers must be the next one the sub core sent
 * (the take of slot 3 finds the answer gone and restarts the link), and
 * the link comes back. */
Test(first_join, a_polling_main_core_delivers_no_message_out_of_order)
{
    memset(&R, 0, sizeof(R));
    tu_pair_up(&R.p, TU_POLL(LEN, ITEM));
    endpoints();
    warm(3);
    (void)clear_join_words_and_first_join();

    static char msg[LEN][3] = {"s0", "s1", "s2", "s3"};
    for (int i = 0; i < LEN; i++) {
        cr_assert_eq(esp_amp_rpmsg_send(&R.p.sub, &R.se, EPT_M, msg[i], 2), 0,
                     "sub send %d: %s", i,
                     esp_amp_err_name(esp_amp_get_last_error()));
    }
    tu_main();
    int before = R.mlog.count;
    esp_amp_rpmsg_stats_t m0 = tu_stats(&R.p.main);
    for (int k = 0; k < 300; k++) {
        (void)esp_amp_rpmsg_poll(&R.p.main);
    }
    esp_amp_rpmsg_stats_t m1 = tu_stats(&R.p.main);
    int got = R.mlog.count - before;
    for (int i = 0; i < got && i < LEN; i++) {
        const tu_msg_t *m = &R.mlog.msg[before + i];
        cr_assert(m->len == 2 && memcmp(m->data, msg[i], 2) == 0,
                  "the main core's delivery #%d is \"%.*s\", not \"%s\" "
                  "(%d delivered of %d sent; main link %d, link_resets "
                  "+%u, rx_corrupt +%u)",
                  i, (int)m->len, (const char *)m->data, msg[i], got, LEN,
                  R.p.main.link, m1.link_resets - m0.link_resets,
                  m1.rx_corrupt - m0.rx_corrupt);
    }
    for (int i = 0; i < 2; i++) {
        tu_sub();
        (void)esp_amp_rpmsg_get_link_state(&R.p.sub);
        tu_main();
        (void)esp_amp_rpmsg_get_link_state(&R.p.main);
    }
    tu_check_link(&R.p.main, true, &R.p.sub, true);
}

/* After four messages each way (the main core's counters at 4: lap 1 of a
 * ring of 4), the join words are cleared and the sub core makes a first
 * join. The main core, a polling core that polls and sends, finds a slot
 * the format wrote as "freed, lap -1" at the head of both rings, which its
 * old counters refuse (n = 3); its polls never find the ring empty, and
 * its per-operation check passes (req is 1, its old answer). The refusal
 * must not stop the link for ever: the look at its answer after the take
 * restarts the link, and what it sends afterwards reaches the sub core. */
Test(first_join, a_polling_main_core_restarts_the_link_after_a_first_join)
{
    memset(&R, 0, sizeof(R));
    tu_pair_up(&R.p, TU_POLL(LEN, ITEM));
    endpoints();
    warm(LEN);
    esp_amp_shm_vq_pair_t *pair = clear_join_words_and_first_join();

    int sent = 0, polls = 0, delivered = 0;
    esp_amp_err_t send_err = ESP_AMP_OK, poll_err = ESP_AMP_OK;
    int before = R.slog.count;
    for (int round = 0; round < 8 && delivered == 0; round++) {
        tu_main();
        for (int k = 0; k < 512; k++, polls++) {
            if (esp_amp_rpmsg_poll(&R.p.main) != 0) {
                poll_err = esp_amp_get_last_error();
            }
        }
        esp_amp_clear_last_error();
        if (esp_amp_rpmsg_send(&R.p.main, &R.me, EPT_S, "m", 1) == 0) {
            sent++;
        } else {
            send_err = esp_amp_get_last_error();
        }
        tu_sub();
        (void)tu_drain(&R.p.sub);
        delivered = R.slog.count - before;
    }
    tu_main();
    esp_amp_rpmsg_stats_t ms = tu_stats(&R.p.main);
    cr_assert(delivered > 0,
              "after %d polls and 8 sends of the main core, nothing reached "
              "the sub core (main: %d sends succeeded, last send error %s, "
              "last poll error %s, link %d, link_resets %u, rx_corrupt %u, "
              "tx_corrupt %u; join words req %u ack %u; sub link %d)",
              polls, sent, esp_amp_err_name(send_err),
              esp_amp_err_name(poll_err), R.p.main.link, ms.link_resets,
              ms.rx_corrupt, ms.tx_corrupt, pair->ctl[0].join,
              pair->ctl[1].join, R.p.sub.link);
}

/* The sub core restarts after clearing the whole region; the main core
 * receives by interrupt and its application is idle (no call). The sub
 * core tries its init and, when that fails, raises source 0 on the main
 * core, as the layout says it may. The main core's doorbell handler writes
 * the region header and registry again; the pair block's header (magic,
 * geometry) is written again at a whole look of the RPMsg device, which
 * the sub core's init asks for (it raises RPMsg) when it finds the block
 * with a header that is not right. The sub core attaches. */
Test(idle_main, a_sub_core_that_raises_a_source_attaches_after_a_region_wipe)
{
    memset(&R, 0, sizeof(R));
    tu_pair_up(&R.p, TU_BOTH_INTR(LEN, ITEM));
    endpoints();
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&R.p.main, &R.me, EPT_S, "w", 1), 0);
    tu_sub();                          /* its doorbell handler takes it */
    cr_assert_eq(R.slog.count, 1);

    memset(esp_amp_platform_shm_base(), 0, esp_amp_platform_shm_size());
    bool attached = false;
    esp_amp_err_t err = ESP_AMP_OK;
    for (int round = 0; round < 32 && !attached; round++) {
        tu_sub();
        memset(&R.p.sub, 0, sizeof(R.p.sub));
        cr_assert_eq(esp_amp_init(), 0);
        attached = esp_amp_rpmsg_sub_init(&R.p.sub, false, true) == 0;
        err = esp_amp_get_last_error();
        if (!attached) {
            cr_assert_eq(esp_amp_sw_intr_trigger(0), 0);
            tu_main();                 /* its doorbell handler runs here */
        }
    }
    tu_main();
    const esp_amp_shm_header_t *h = esp_amp_platform_shm_base();
    cr_assert(attached, "the restarted sub core never attached: %s (region "
                        "header magic 0x%08x, pair block magic 0x%08x)",
              esp_amp_err_name(err), h->magic, R.p.main.pair->magic);
}

/* ---------------------------------------------------------------------- */

/* Format version 3 (include/esp_amp_shm.h): the descriptors follow the
 * 32-byte pair header, ring 0 (main -> sub) first. */
#define PAIR_HDR 32u
#define ROUNDS 50

static uint32_t *desc_at(esp_amp_shm_vq_pair_t *pair, unsigned ring, unsigned slot)
{
    return (uint32_t *)(void *)((uint8_t *)pair + PAIR_HDR) + ring * LEN + slot;
}

Test(refusal_doorbell, refusals_in_both_receive_rings_ring_each_core_a_bounded_number_of_times)
{
    static tu_pair_t p;
    tu_pair_up(&p, TU_BOTH_INTR(LEN, ITEM));
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&p.main), ESP_AMP_LINK_UP);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&p.sub), ESP_AMP_LINK_UP);
    tu_main();

    /* Slot 0 of both rings: "freed in this lap" (flags 3, n = 3 at lap 0),
     * which no receiver accepts. Nothing was sent yet: both receivers
     * are at slot 0. */
    esp_amp_shm_vq_pair_t *pair = p.main.pair;
    uint32_t bad = ESP_AMP_DESC(ESP_AMP_DESC_F_AVAIL | ESP_AMP_DESC_F_USED, 0, 0);
    __atomic_store_n(desc_at(pair, 0, 0), bad, __ATOMIC_SEQ_CST);
    __atomic_store_n(desc_at(pair, 1, 0), bad, __ATOMIC_SEQ_CST);

    uint64_t isr0_main = sim_isr_count();
    tu_sub();
    uint64_t isr0_sub = sim_isr_count();
    /* Start the exchange: the sub core's handler runs once. */
    tu_main();
    cr_assert_eq(esp_amp_sw_intr_trigger(SW_INTR_RESERVED_ID_RPMSG), 0);

    uint64_t runs_main = 0, runs_sub = 0;
    for (int k = 0; k < ROUNDS; k++) {
        tu_sub();
        runs_sub = sim_isr_count() - isr0_sub;
        tu_main();
        runs_main = sim_isr_count() - isr0_main;
    }
    /* Sub: the trigger's run (refuses, rings the main core), the run the
     * main core's refusal rings (refuses again, rings nobody). Main: the
     * run the sub core's refusal rings. */
    cr_assert_leq(runs_sub, 3, "the sub core's handler ran %llu times in %d "
                  "rounds (main: %llu): the refusal doorbells ping-pong",
                  (unsigned long long)runs_sub, ROUNDS,
                  (unsigned long long)runs_main);
    cr_assert_leq(runs_main, 3, "the main core's handler ran %llu times in %d "
                  "rounds (sub: %llu): the refusal doorbells ping-pong",
                  (unsigned long long)runs_main, ROUNDS,
                  (unsigned long long)runs_sub);
    cr_assert_geq(runs_main, 1, "the sub core's refusal rang nothing");

    esp_amp_rpmsg_stats_t sm = tu_stats(&p.main);
    tu_sub();
    esp_amp_rpmsg_stats_t ss = tu_stats(&p.sub);
    cr_assert_eq(ss.rx_corrupt, 1, "sub rx_corrupt %u", ss.rx_corrupt);
    cr_assert_eq(sm.rx_corrupt, 1, "main rx_corrupt %u", sm.rx_corrupt);
    cr_assert_eq(sm.link_resets, 0, "a refusal restarted the link");
    cr_assert_eq(p.sub.link, ESP_AMP_LINK_UP);
    tu_main();
    cr_assert_eq(p.main.link, ESP_AMP_LINK_UP);
}
