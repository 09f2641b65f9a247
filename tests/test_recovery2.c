/*
 * test_recovery2.c - the main core's recovery when parts of the region are
 * cleared, seen from its data path (sends and polls) and from a main core
 * that receives by interrupt and whose application is idle.
 *
 * Both cores are driven from the test's thread (tu_main / tu_sub); the test
 * plays the core that clears.
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
 */
#include <stdio.h>
#include <string.h>

#include "test_util.h"

#define EPT_M 0x10
#define EPT_S 0x20
#define LEN 4
#define ITEM 32

static struct {
    tu_pair_t p;
    esp_amp_rpmsg_ept_t me, se;
    tu_log_t mlog, slog;
} R;

TestSuite(first_join, .init = tu_setup, .fini = tu_teardown);
TestSuite(idle_main, .init = tu_setup, .fini = tu_teardown);

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

/* n messages each way: every ring counter of both cores ends at n. */
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
