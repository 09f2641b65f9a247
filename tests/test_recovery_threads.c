/*
 * test_recovery_threads.c - the main core's recovery after its answer to the join
 * (ack) is cleared or scribbled, with both cores running at once.
 *
 * stale_put: the join words are cleared while the main core's doorbell
 *   handler runs an endpoint callback (kick_me is 0 then, so the sub
 *   core's first join rings nothing), and the callback gives its message
 *   back. The main core's per-operation check compares the session word
 *   and req (1 again after the first join, equal to its old answer), not
 *   ack: the free is written by the old ring's counter into the ring the
 *   sub core has just formatted, and the sub core's sends are refused.
 *   The link must come back: the sub core rings the main core on its first
 *   refusal, whose doorbell handler looks at the link as a whole, finds
 *   its answer gone and restarts the link. Both cores are threads
 *   (SIM_THREAD); the interleaving is forced by handshakes, so it is the
 *   same in every run.
 *
 * transient_ack: the peer writes the main core's answer with another value
 *   and back again while the two cores exchange messages. A take that
 *   sees it changed (esp_amp_rpmsg.c, ring_moved) must not be dropped
 *   without a change of the link, even when the whole look that follows
 *   reads the restored value: the take tells it so (DEV_F_MOVED), and the
 *   link restarts. The cores are driven from the test's thread; a second
 *   thread scribbles.
 */
#define _GNU_SOURCE

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "test_util.h"

#define EPT_M 0x10
#define EPT_S 0x20
#define LEN 4
#define ITEM 32

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void st32(uint32_t *p, uint32_t v)
{
    atomic_store_explicit((_Atomic uint32_t *)p, v, memory_order_seq_cst);
}

static uint32_t ld32(const uint32_t *p)
{
    return atomic_load_explicit((_Atomic uint32_t *)(uintptr_t)p,
                                memory_order_seq_cst);
}

/* ---- stale_put ---------------------------------------------------------- */

#define WAIT_MS 2000u

static struct {
    atomic_int main_ready, in_cb, joined, cb_done, stop;
    atomic_int cb_calls, main_rx_b, destroy_rc, destroy_err;
    atomic_int sub_send_err, sub_ok_b, sub_link;
    atomic_uint main_link_resets, main_link, sub_tx_corrupt;
    atomic_int setup_err;
    char setup_msg[160];
} T;

static esp_amp_rpmsg_dev_t t_mdev, t_sdev;
static esp_amp_rpmsg_ept_t t_mept, t_sept;

static void t_fail(const char *msg)
{
    int zero = 0;
    if (atomic_compare_exchange_strong(&T.setup_err, &zero, 1)) {
        snprintf(T.setup_msg, sizeof(T.setup_msg), "%s (%s)", msg,
                 esp_amp_err_name(esp_amp_get_last_error()));
    }
}

static bool wait_flag(atomic_int *f)
{
    uint64_t end = now_ms() + WAIT_MS;
    while (!atomic_load(f)) {
        if (now_ms() > end || atomic_load(&T.setup_err)) {
            return false;
        }
        sched_yield();
    }
    return true;
}

/* The main core's callback, in its doorbell handler: the first message
 * ("a") is held until the sub core has made its first join, then given
 * back; a later one ("b") is counted. */
static int t_main_cb(void *data, uint16_t len, uint16_t src, void *arg)
{
    (void)src;
    (void)arg;
    int n = atomic_fetch_add(&T.cb_calls, 1);
    if (n == 0) {
        atomic_store(&T.in_cb, 1);
        (void)wait_flag(&T.joined);
    } else if (len == 1 && ((char *)data)[0] == 'b') {
        atomic_fetch_add(&T.main_rx_b, 1);
    }
    esp_amp_clear_last_error();
    int rc = esp_amp_rpmsg_destroy(&t_mdev, data);
    if (n == 0) {
        atomic_store(&T.destroy_rc, rc);
        atomic_store(&T.destroy_err, (int)esp_amp_get_last_error());
        atomic_store(&T.cb_done, 1);
    }
    return 0;
}

/* Main core: receives by interrupt, its application makes no call. */
static int t_main_core(void *arg)
{
    (void)arg;
    if (esp_amp_init() != 0 ||
        esp_amp_rpmsg_main_init(&t_mdev, LEN, ITEM, true, false) != 0 ||
        esp_amp_rpmsg_create_endpoint(&t_mdev, EPT_M, t_main_cb, NULL,
                                      &t_mept) != &t_mept ||
        esp_amp_rpmsg_intr_enable(&t_mdev) != 0) {
        t_fail("main init");
        return 1;
    }
    atomic_store(&T.main_ready, 1);
    while (!atomic_load(&T.stop)) {
        (void)sim_wait_interrupt(1000);
    }
    esp_amp_rpmsg_stats_t st;
    (void)esp_amp_rpmsg_get_stats(&t_mdev, &st);
    atomic_store(&T.main_link_resets, st.link_resets);
    atomic_store(&T.main_link, t_mdev.link);
    return 0;
}

static int t_noop_cb(void *data, uint16_t len, uint16_t src, void *arg)
{
    (void)len;
    (void)src;
    (void)arg;
    (void)esp_amp_rpmsg_destroy(&t_sdev, data);
    return 0;
}

/* Sub core: polls, notifies. */
static int t_sub_core(void *arg)
{
    (void)arg;
    if (!wait_flag(&T.main_ready)) {
        t_fail("main not ready");
        return 1;
    }
    uint64_t end = now_ms() + WAIT_MS;
    while (esp_amp_init() != 0 ||
           esp_amp_rpmsg_sub_init(&t_sdev, true, true) != 0) {
        if (now_ms() > end) {
            t_fail("sub init");
            return 1;
        }
        sched_yield();
    }
    if (esp_amp_rpmsg_create_endpoint(&t_sdev, EPT_S, t_noop_cb, NULL,
                                      &t_sept) != &t_sept ||
        esp_amp_rpmsg_send(&t_sdev, &t_sept, EPT_M, "a", 1) != 0) {
        t_fail("sub endpoint / first send");
        return 1;
    }
    /* The main core's handler is in the callback of "a", kick_me 0. */
    if (!wait_flag(&T.in_cb)) {
        t_fail("the main core's callback never ran");
        return 1;
    }
    /* The join words are cleared; the sub core's next call makes a first
     * join (both rings formatted, req = 1), which rings nothing. */
    esp_amp_shm_vq_pair_t *pair = t_sdev.pair;
    st32(&pair->ctl[0].join, 0);
    st32(&pair->ctl[1].join, 0);
    (void)esp_amp_rpmsg_poll(&t_sdev);
    if (t_sdev.link != ESP_AMP_LINK_UP || ld32(&pair->ctl[0].join) != 1) {
        t_fail("no first join");
        atomic_store(&T.joined, 1);
        return 1;
    }
    atomic_store(&T.joined, 1);
    if (!wait_flag(&T.cb_done)) {
        t_fail("the main core's callback did not end");
        return 1;
    }
    /* "b" must reach the main core within WAIT_MS. */
    end = now_ms() + WAIT_MS;
    int err = 0;
    while (now_ms() < end && atomic_load(&T.main_rx_b) == 0) {
        if (!atomic_load(&T.sub_ok_b)) {
            esp_amp_clear_last_error();
            if (esp_amp_rpmsg_send(&t_sdev, &t_sept, EPT_M, "b", 1) == 0) {
                atomic_store(&T.sub_ok_b, 1);
            } else {
                err = (int)esp_amp_get_last_error();
            }
        }
        (void)esp_amp_rpmsg_poll(&t_sdev);
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    esp_amp_rpmsg_stats_t st;
    (void)esp_amp_rpmsg_get_stats(&t_sdev, &st);
    atomic_store(&T.sub_send_err, err);
    atomic_store(&T.sub_tx_corrupt, st.tx_corrupt);
    atomic_store(&T.sub_link, t_sdev.link);
    return 0;
}

TestSuite(stale_put, .init = tu_setup_bare, .fini = tu_teardown, .timeout = 30);

/* The main core receives by interrupt; its application is idle. The sub
 * core sends "a"; while the main core's callback holds it (kick_me 0), the
 * join words are cleared and the sub core makes a first join; then the
 * callback gives "a" back. The main core's check passes (req 1, its old
 * answer) and the free lands, by the old counter (0: "freed in this lap"),
 * on slot 0 of the sub core's freshly formatted send ring: its every alloc
 * is refused from then on, and nothing makes the main core look at the
 * link again (no doorbell, no call). The sub core's "b" must still reach
 * the main core. */
Test(stale_put, a_free_after_a_first_join_in_a_callback_does_not_wedge_the_link)
{
    memset(&T, 0, sizeof(T));
    int rc_main = -1, rc_sub = -1;
    cr_assert_eq(sim_start_core(ESP_AMP_CORE_MAIN, SIM_THREAD, t_main_core,
                                NULL), 0);
    cr_assert_eq(sim_start_core(ESP_AMP_CORE_SUB, SIM_THREAD, t_sub_core,
                                NULL), 0);
    cr_assert_eq(sim_join_core(ESP_AMP_CORE_SUB, &rc_sub), 0);
    atomic_store(&T.stop, 1);
    cr_assert_eq(sim_join_core(ESP_AMP_CORE_MAIN, &rc_main), 0);
    cr_assert_eq(atomic_load(&T.setup_err), 0, "%s", T.setup_msg);
    cr_assert_eq(rc_main, 0);
    cr_assert_eq(rc_sub, 0);
    cr_assert(atomic_load(&T.main_rx_b) == 1,
              "the sub core's message never reached the main core after the "
              "main core's callback gave back a message by the old ring's "
              "counter (destroy returned %d, %s): sub: \"b\" %s, last send "
              "error %s, tx_corrupt %u, link %d; main: link %u, link_resets "
              "%u",
              atomic_load(&T.destroy_rc),
              esp_amp_err_name((esp_amp_err_t)atomic_load(&T.destroy_err)),
              atomic_load(&T.sub_ok_b) ? "sent" : "never sent",
              esp_amp_err_name((esp_amp_err_t)atomic_load(&T.sub_send_err)),
              atomic_load(&T.sub_tx_corrupt), atomic_load(&T.sub_link),
              atomic_load(&T.main_link), atomic_load(&T.main_link_resets));
}

/* ---- transient_ack ------------------------------------------------------- */

#define RUN_MS 3000u

static struct {
    tu_pair_t p;
    esp_amp_rpmsg_ept_t me, se;
    atomic_int stop;
    atomic_ulong flips;
    unsigned long main_rx, sub_rx;
} A;

static int a_main_cb(void *data, uint16_t len, uint16_t src, void *arg)
{
    (void)len;
    (void)src;
    (void)arg;
    A.main_rx++;
    (void)esp_amp_rpmsg_destroy(&A.p.main, data);
    return 0;
}

static int a_sub_cb(void *data, uint16_t len, uint16_t src, void *arg)
{
    (void)len;
    (void)src;
    (void)arg;
    A.sub_rx++;
    (void)esp_amp_rpmsg_destroy(&A.p.sub, data);
    return 0;
}

/* The peer writes the main core's answer with another value and writes it
 * back, over and over (never while it is 0: a link restart's). */
static void *scribbler(void *arg)
{
    uint32_t *ack = arg;
    while (!atomic_load(&A.stop)) {
        uint32_t v = ld32(ack);
        if (v == 0) {
            continue;
        }
        st32(ack, v ^ 0x00100000u);
        for (volatile int k = 0; k < 4; k++) {
        }
        st32(ack, v);
        atomic_fetch_add(&A.flips, 1);
        for (volatile int k = 0; k < 4; k++) {
        }
    }
    return NULL;
}

TestSuite(transient_ack, .init = tu_setup, .fini = tu_teardown, .timeout = 30);

/* Both cores poll; one message each way per round. Whenever a take of the
 * main core fails with LINK_DOWN, the link restarted (link_resets moved)
 * and what it held was forgotten - or the take is undone. It must never
 * fail with the buffer still held, the link UP and no reset: that message
 * is lost (rx) or that buffer gone for the rest of the link (tx), and the
 * sub core sees no change. */
Test(transient_ack, a_take_that_saw_a_scribbled_ack_is_undone_or_restarts_the_link)
{
    memset(&A, 0, sizeof(A));
    tu_pair_up(&A.p, TU_POLL(LEN, ITEM));
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&A.p.main, EPT_M, a_main_cb,
                                               NULL, &A.me), &A.me);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&A.p.sub, EPT_S, a_sub_cb,
                                               NULL, &A.se), &A.se);
    tu_main();
    uint32_t *ack = &A.p.main.pair->ctl[1].join;
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, scribbler, ack), 0);

    const char *what = NULL;
    unsigned held = 0, resets0 = 0, resets1 = 0, link = 0;
    unsigned long rounds = 0, restarts = 0;
    uint64_t end = now_ms() + RUN_MS;
    while (what == NULL && now_ms() < end) {
        rounds++;
        tu_main();
        for (int dir = 0; dir < 2 && what == NULL; dir++) {
            unsigned r0 = tu_stats(&A.p.main).link_resets;
            esp_amp_clear_last_error();
            int rc = dir == 0 ? esp_amp_rpmsg_send(&A.p.main, &A.me, EPT_S,
                                                   "m", 1)
                              : esp_amp_rpmsg_poll(&A.p.main);
            esp_amp_err_t e = esp_amp_get_last_error();
            unsigned r1 = tu_stats(&A.p.main).link_resets;
            restarts += r1 - r0;
            unsigned h = esp_amp_queue_held(&A.p.main.vq[dir]);
            if (rc != 0 && e == ESP_AMP_ERR_LINK_DOWN && r1 == r0 && h != 0) {
                what = dir == 0 ? "send (alloc)" : "poll (receive)";
                held = h;
                resets0 = r0;
                resets1 = r1;
                link = A.p.main.link;
            }
        }
        tu_sub();
        for (int k = 0; k < 4; k++) {
            (void)esp_amp_rpmsg_poll(&A.p.sub);
        }
        (void)esp_amp_rpmsg_send(&A.p.sub, &A.se, EPT_M, "s", 1);
    }
    atomic_store(&A.stop, 1);
    pthread_join(th, NULL);
    tu_main();
    printf("transient_ack: %lu rounds, %lu flips of ack, %lu link restarts, "
           "%lu messages delivered to the main core, %lu to the sub core\n",
           rounds, atomic_load(&A.flips), restarts, A.main_rx, A.sub_rx);
    fflush(stdout);
    cr_assert(what == NULL,
              "a %s of the main core failed with LINK_DOWN and kept its "
              "buffer (%u held), link %u, link_resets %u -> %u, after "
              "%lu rounds: the message is lost without a link change",
              what, held, link, resets0, resets1, rounds);
    cr_assert(A.main_rx > 0 && A.sub_rx > 0, "no traffic: the run shows "
              "nothing (%lu / %lu delivered)", A.main_rx, A.sub_rx);
}
