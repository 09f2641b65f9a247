/*
 * test_restart.c - a core is killed (SIGKILL) in the middle of traffic and
 * started again, with both cores as processes (SIM_PROCESS), in poll mode
 * and in interrupt mode. What must hold (docs/layout.md section 7,
 * docs/threat-model.md item 7):
 *   - the surviving core notices: after a sub restart the main core counts
 *     one link reset (link_resets); after a main restart the sub core's link
 *     goes DOWN, then UP again (session number);
 *   - no message sent after the new session began is lost, doubled or
 *     reordered, and none from before it shows up afterwards: every message
 *     carries (sender incarnation, sender epoch, sequence number) as a
 *     session message of traffic.h (session: incarnation << 16 | epoch,
 *     both only grow); a new epoch must start at sequence 0, an epoch never
 *     comes back (nor does an older one appear after a newer);
 *   - messages of every length from 1 byte up to the largest. One shorter
 *     than TR_GEN_MIN (16) bytes cannot name its session: its bytes depend
 *     on (session, sequence, stream, length) without saying them
 *     (tr_fill_session), and the receiver compares it with the message it
 *     expects next (tr_session_expect). So that the receiver knows the
 *     session, the first message (sequence 0) of every session is sent with
 *     at least TR_GEN_MIN bytes, naming it. A short message of an older
 *     session after a newer one began, or one after a lost or doubled
 *     message, is then compared with another message and differs: a 1-byte
 *     one with probability 255/256 (k bytes: all but about 2^-8k). If one
 *     slips through, the expected sequence number stays off by one: each
 *     later short message fails with 255/256 again, and the next message of
 *     TR_GEN_MIN bytes or more (5 in 6 of them: lengths are uniform in
 *     1..88) for certain; at the end the count of messages taken in the
 *     last session (rx_complete) is off too, and the run times out;
 *   - traffic resumes in both directions;
 *   - no buffer leaks: at the end, after both sides gave back everything,
 *     each core can create queue_len messages again.
 *
 * Each core is a forked process running core_main(); the test process only
 * starts, kills and joins them, and talks to them through a small block of
 * its own (coord_t, MAP_SHARED | MAP_ANONYMOUS, created before the cores).
 *
 * Senders use create_message + send_nocopy: the epoch is read after the
 * buffer was allocated, and a reset between the two calls makes
 * send_nocopy fail (the buffer is forgotten), so a message is never sent
 * with the tag of an epoch it does not belong to.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L

#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "test_util.h"
#include "traffic.h"

#define VQ_ID 0x0300
#define QLEN 16
#define ITEM 96
#define EPT_MAIN 0x31
#define EPT_SUB 0x32
#define HOLD_MAX 3
#define CORE_TIMEOUT_MS 60000

enum { PH_RUN = 0, PH_STOP = 1 };

typedef struct {
    _Atomic uint32_t incarnation;  /* set by the test before each start */
    _Atomic uint32_t ready;        /* device and endpoint are up */
    _Atomic uint32_t err;          /* first error (line number), 0 = none */
    char errmsg[200];
    _Atomic uint32_t tx_total, rx_total;
    _Atomic uint32_t rx_peer_inc;  /* incarnation of the last message taken */
    _Atomic uint32_t rx_in_inc;    /* messages taken from that incarnation */
    _Atomic uint32_t rx_peer_tag;  /* tag of the last message taken */
    _Atomic uint32_t rx_in_tag;    /* messages taken with that tag */
    _Atomic uint32_t link_resets;  /* main: stats.link_resets */
    _Atomic uint32_t session;      /* the device's session */
    _Atomic uint32_t n_link;       /* link callback transitions */
    _Atomic uint32_t link_log[16];
    _Atomic uint32_t saw_down;     /* get_link_state returned DOWN or
                                      JOINING at least once */
    _Atomic uint32_t initial_link; /* link state right after init */
    _Atomic uint32_t stopped;      /* stopped sending; final_* valid */
    _Atomic uint32_t final_tag, final_count;
    _Atomic uint32_t drained;      /* got everything, gave back all held */
    _Atomic uint32_t free_tx;      /* create_message count at the end */
    _Atomic uint32_t spurious_corrupt; /* see send_one() */
    _Atomic uint32_t done;
} core_coord_t;

typedef struct {
    _Atomic uint32_t phase;
    bool intr;
    core_coord_t c[2];
} coord_t;

static coord_t *g_co;

/* ---------------------------------------------------------------------- */
/* Inside a core process                                                   */

typedef struct {
    int me;                      /* ESP_AMP_CORE_MAIN / _SUB */
    core_coord_t *cc, *peer;
    esp_amp_rpmsg_dev_t dev;
    esp_amp_queue_t vq[2];
    esp_amp_rpmsg_ept_t ept;
    uint16_t max;
    /* sending */
    _Atomic uint32_t epoch;      /* sub: link DOWN count; main: resets */
    uint32_t tx_tag, tx_seq;
    /* receiving (task or ISR) */
    tr_session_t rx;             /* session (tag) and next sequence */
    /* buffers the application keeps for a while (poll mode) */
    void *held[HOLD_MAX];
    uint32_t held_epoch[HOLD_MAX];
    int nheld;
    uint32_t rng;
} core_t;

static core_t g_core; /* one per process */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void fail_at(core_t *c, int line, const char *fmt, ...)
{
    uint32_t zero = 0;
    if (atomic_compare_exchange_strong(&c->cc->err, &zero, (uint32_t)line)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->cc->errmsg, sizeof(c->cc->errmsg), fmt, ap);
        va_end(ap);
    }
}
#define FAIL(c, ...) fail_at((c), __LINE__, __VA_ARGS__)

static uint32_t local_epoch(core_t *c)
{
    if (c->me == ESP_AMP_CORE_MAIN) {
        esp_amp_rpmsg_stats_t s;
        (void)esp_amp_rpmsg_get_stats(&c->dev, &s);
        return s.link_resets;
    }
    return atomic_load(&c->epoch);
}

static void link_cb(esp_amp_rpmsg_dev_t *dev, esp_amp_link_state_t st,
                    void *arg)
{
    (void)dev;
    core_t *c = arg;
    uint32_t n = atomic_fetch_add(&c->cc->n_link, 1);
    if (n < 16) {
        atomic_store(&c->cc->link_log[n], (uint32_t)st);
    }
    if (st == ESP_AMP_LINK_DOWN) {
        atomic_fetch_add(&c->epoch, 1); /* what we held is gone */
    }
}

static int rx_cb(void *data, uint16_t len, uint16_t src, void *arg)
{
    core_t *c = arg;
    uint16_t peer = c->me == ESP_AMP_CORE_MAIN ? ESP_AMP_CORE_SUB
                                               : ESP_AMP_CORE_MAIN;
    tr_hdr_t h = {0, 0, 0, 0};
    uint32_t tag = 0, bad = 0;
    int rc;
    if (src != (c->me == ESP_AMP_CORE_MAIN ? EPT_SUB : EPT_MAIN) ||
        len == 0) {
        FAIL(c, "message from %#x, %u bytes", src, len);
        goto out;
    }
    uint32_t last_tag = c->rx.gen, expected = c->rx.next;
    bool known = c->rx.any, fresh = false;
    rc = tr_session_expect(&c->rx, data, len, peer, &h, &tag, &fresh, &bad);
    uint32_t seq = h.seq;
    if (rc != TR_OK && len < TR_GEN_MIN) {
        if (!known) {
            FAIL(c, "first message is %u bytes: it does not name its tag",
                 len);
        } else {
            FAIL(c, "%u-byte message is not seq %u of tag %#x (lost, "
                    "doubled, reordered, of an older tag, or damaged): "
                    "error %d at %u", len, expected, last_tag, rc, bad);
        }
        goto out;
    }
    if (rc != TR_OK && rc != TR_E_SESSION && rc != TR_E_SEQ) {
        FAIL(c, "message of tag %#x seq %u (stream %u, %u bytes) damaged: "
                "error %d at %u", tag, h.seq, h.stream, len, rc, bad);
        goto out;
    }
    if (rc == TR_E_SESSION) {
        FAIL(c, "tag %#x came back after tag %#x", tag, last_tag);
        goto out;
    }
    if (rc != TR_OK && known && tag == last_tag) {
        FAIL(c, "tag %#x: got seq %u, expected %u (lost, doubled or "
                "reordered)", tag, seq, expected);
        goto out;
    }
    if (rc != TR_OK) {
        FAIL(c, "first message of tag %#x has seq %u: %u lost", tag, seq,
             seq);
        goto out;
    }
    if (fresh) {
        atomic_store(&c->cc->rx_in_tag, 0);
        if ((tag >> 16) != atomic_load(&c->cc->rx_peer_inc)) {
            atomic_store(&c->cc->rx_in_inc, 0);
        }
    }
    atomic_store(&c->cc->rx_peer_tag, tag);
    atomic_store(&c->cc->rx_peer_inc, tag >> 16);
    atomic_fetch_add(&c->cc->rx_in_tag, 1);
    atomic_fetch_add(&c->cc->rx_in_inc, 1);
    atomic_fetch_add(&c->cc->rx_total, 1);
out:
    /* Poll mode: keep some buffers a while, give them back later. */
    if (!g_co->intr && c->nheld < HOLD_MAX && (tu_rand(&c->rng) & 3u) == 0) {
        c->held[c->nheld] = data;
        c->held_epoch[c->nheld++] = local_epoch(c);
        return 0;
    }
    uint32_t e = local_epoch(c);
    if (esp_amp_rpmsg_destroy(&c->dev, data) != 0 && local_epoch(c) == e) {
        FAIL(c, "destroy in callback: %s",
             esp_amp_err_name(esp_amp_get_last_error()));
    }
    return 0;
}

static void release(core_t *c, bool all)
{
    while (c->nheld > 0) {
        if (!all && (tu_rand(&c->rng) & 7u) != 0) {
            return;
        }
        int i = (int)(tu_rand(&c->rng) % (uint32_t)c->nheld);
        void *p = c->held[i];
        uint32_t e = c->held_epoch[i];
        c->held[i] = c->held[c->nheld - 1];
        c->held_epoch[i] = c->held_epoch[--c->nheld];
        if (local_epoch(c) != e) {
            continue; /* a reset: the buffer is not ours any more */
        }
        if (esp_amp_rpmsg_destroy(&c->dev, p) != 0 && local_epoch(c) == e) {
            FAIL(c, "destroy of a held buffer: %s",
                 esp_amp_err_name(esp_amp_get_last_error()));
        }
    }
}

/* 1 sent, 0 not now (queue full / link down / reset on the way). Any
 * length from 1 byte to the largest; the buffer is created with room for
 * TR_GEN_MIN bytes at least, as the first message of a tag (known only once
 * the buffer is taken) is sent with that many, so that it names its tag
 * (send_nocopy sends up to the size created). */
static int send_one(core_t *c)
{
    uint16_t len = (uint16_t)(1u + tu_rand(&c->rng) % c->max);
    uint8_t *p = esp_amp_rpmsg_create_message(
        &c->dev, len < TR_GEN_MIN ? TR_GEN_MIN : len, 0);
    if (p == NULL) {
        esp_amp_err_t e = esp_amp_get_last_error();
        if (e == ESP_AMP_ERR_CORRUPT && c->me == ESP_AMP_CORE_SUB) {
            /* The main core may have formatted the rings between the
             * sub's session check and its read of the slot (the sub task
             * was preempted there): the slot of the new session looks
             * corrupt to the old counters. Transient if the very next call
             * finds the new session (fuzz/README.md, BUG-RESTART-RACE). */
            uint32_t before = c->dev.session;
            (void)esp_amp_rpmsg_get_link_state(&c->dev);
            if (c->dev.session != before) {
                atomic_fetch_add(&c->cc->spurious_corrupt, 1);
                return 0;
            }
        }
        if (e != ESP_AMP_ERR_NO_BUF && e != ESP_AMP_ERR_LINK_DOWN) {
            const esp_amp_queue_t *q = &c->dev.vq[0];
            FAIL(c, "create_message: %s (tx head %u tail %u, session %u)",
                 esp_amp_err_name(e), q->head, q->tail, c->dev.session);
        }
        return 0;
    }
    uint32_t tag = (atomic_load(&c->cc->incarnation) << 16) |
                   (local_epoch(c) & 0xffffu);
    if (tag != c->tx_tag) {
        c->tx_tag = tag;
        c->tx_seq = 0;
    }
    if (c->tx_seq == 0 && len < TR_GEN_MIN) {
        len = TR_GEN_MIN;
    }
    tr_fill_session(p, len, (uint16_t)c->me, tag, c->tx_seq);
    uint16_t dst = c->me == ESP_AMP_CORE_MAIN ? EPT_SUB : EPT_MAIN;
    if (esp_amp_rpmsg_send_nocopy(&c->dev, &c->ept, dst, p, len) != 0) {
        esp_amp_err_t e = esp_amp_get_last_error();
        if ((e != ESP_AMP_ERR_NOT_OWNED && e != ESP_AMP_ERR_LINK_DOWN) ||
            (local_epoch(c) & 0xffffu) == (tag & 0xffffu)) {
            FAIL(c, "send_nocopy without a reset: %s", esp_amp_err_name(e));
        }
        return 0;
    }
    c->tx_seq++;
    atomic_fetch_add(&c->cc->tx_total, 1);
    return 1;
}

static int init_device(core_t *c, uint64_t deadline)
{
    bool main_core = c->me == ESP_AMP_CORE_MAIN;
    bool intr = g_co->intr;
    if (main_core) {
        if (esp_amp_init() != 0 ||
            esp_amp_rpmsg_main_init_by_id(&c->dev, c->vq, QLEN, ITEM, intr,
                                          !intr, VQ_ID) != 0) {
            FAIL(c, "main init: %s", esp_amp_err_name(esp_amp_get_last_error()));
            return -1;
        }
    } else {
        while (esp_amp_init() != 0 ||
               esp_amp_rpmsg_sub_init_by_id(&c->dev, c->vq, intr, !intr,
                                            VQ_ID) != 0) {
            if (now_ms() > deadline) {
                FAIL(c, "sub init: %s",
                     esp_amp_err_name(esp_amp_get_last_error()));
                return -1;
            }
            esp_amp_platform_delay_us(200);
        }
    }
    c->max = esp_amp_rpmsg_get_max_size(&c->dev);
    atomic_store(&c->cc->initial_link, c->dev.link);
    if (esp_amp_rpmsg_set_link_callback(&c->dev, link_cb, c) != 0 ||
        esp_amp_rpmsg_create_endpoint(&c->dev, main_core ? EPT_MAIN : EPT_SUB,
                                      rx_cb, c, &c->ept) != &c->ept ||
        (intr && esp_amp_rpmsg_intr_enable(&c->dev) != 0)) {
        FAIL(c, "endpoint / interrupts: %s",
             esp_amp_err_name(esp_amp_get_last_error()));
        return -1;
    }
    return 0;
}

static bool rx_complete(core_t *c)
{
    uint32_t n = atomic_load(&c->peer->final_count);
    return n == 0 || (atomic_load(&c->cc->rx_peer_tag) ==
                          atomic_load(&c->peer->final_tag) &&
                      atomic_load(&c->cc->rx_in_tag) == n);
}

static int core_main(void *arg)
{
    (void)arg;
    core_t *c = &g_core;
    memset(c, 0, sizeof(*c));
    c->me = sim_current_core();
    c->cc = &g_co->c[c->me];
    c->peer = &g_co->c[c->me ^ 1];
    c->rng = 0x9e3779b9u ^ (atomic_load(&c->cc->incarnation) << 8) ^ (uint32_t)c->me;
    uint64_t deadline = now_ms() + CORE_TIMEOUT_MS;
    if (init_device(c, deadline) != 0) {
        return 1;
    }
    atomic_store(&c->cc->ready, 1);
    bool intr = g_co->intr;
    unsigned loops = 0;
    while (atomic_load(&c->cc->err) == 0) {
        bool progress = false;
        if (now_ms() > deadline) {
            FAIL(c, "timeout (stopped %u drained %u, peer stopped %u "
                    "drained %u; rx tag %#x n %u, peer final %#x n %u)",
                 atomic_load(&c->cc->stopped), atomic_load(&c->cc->drained),
                 atomic_load(&c->peer->stopped), atomic_load(&c->peer->drained),
                 atomic_load(&c->cc->rx_peer_tag), atomic_load(&c->cc->rx_in_tag),
                 atomic_load(&c->peer->final_tag),
                 atomic_load(&c->peer->final_count));
            break;
        }
        uint32_t phase = atomic_load(&g_co->phase);
        if (phase == PH_RUN) {
            for (int k = 0; k < 8; k++) {
                if (!send_one(c)) {
                    break;
                }
                progress = true;
            }
        } else if (!atomic_load(&c->cc->stopped)) {
            atomic_store(&c->cc->final_tag, c->tx_tag);
            atomic_store(&c->cc->final_count, c->tx_seq);
            atomic_store(&c->cc->stopped, 1);
        }
        if (!intr) {
            for (int k = 0; k < 16 && esp_amp_rpmsg_poll(&c->dev) == 0; k++) {
                progress = true;
            }
            release(c, !progress);
        }
        if ((++loops & 63u) == 0 || !progress) {
            esp_amp_link_state_t st = esp_amp_rpmsg_get_link_state(&c->dev);
            if (st != ESP_AMP_LINK_UP) {
                atomic_store(&c->cc->saw_down, 1);
            }
            esp_amp_rpmsg_stats_t s;
            (void)esp_amp_rpmsg_get_stats(&c->dev, &s);
            atomic_store(&c->cc->link_resets, s.link_resets);
            atomic_store(&c->cc->session, c->dev.session);
        }
        if (atomic_load(&c->cc->stopped) && atomic_load(&c->peer->stopped) &&
            !atomic_load(&c->cc->drained) && rx_complete(c)) {
            release(c, true);
            atomic_store(&c->cc->drained, 1);
        }
        if (atomic_load(&c->cc->drained) && atomic_load(&c->peer->drained)) {
            unsigned n = 0;
            while (esp_amp_rpmsg_create_message(&c->dev, 1, 0) != NULL) {
                n++;
            }
            atomic_store(&c->cc->free_tx, n);
            atomic_store(&c->cc->done, 1);
            /* Leave only when the peer is done too: no doorbell may go to
             * a core that has ended. */
            while (!atomic_load(&c->peer->done) && now_ms() < deadline) {
                sched_yield();
            }
            return 0;
        }
        if (!progress) {
            if (intr) {
                (void)sim_wait_interrupt(500);
            } else {
                sched_yield();
            }
        }
    }
    return 2;
}

/* ---------------------------------------------------------------------- */
/* The test process                                                        */

static void fresh_coord(core_coord_t *cc, uint32_t inc)
{
    memset(cc, 0, sizeof(*cc));
    atomic_store(&cc->incarnation, inc);
}

static void setup(void)
{
    g_co = mmap(NULL, sizeof(coord_t), PROT_READ | PROT_WRITE,
                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(g_co, MAP_FAILED);
    memset(g_co, 0, sizeof(*g_co));
    tu_setup_bare();
}

static void teardown(void)
{
    tu_teardown(); /* kills cores still running */
    munmap(g_co, sizeof(coord_t));
}

static void check_no_error(void)
{
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(atomic_load(&g_co->c[k].err), 0, "%s core, line %u: %s",
                     k ? "sub" : "main", atomic_load(&g_co->c[k].err),
                     g_co->c[k].errmsg);
    }
}

/* Wait for cond (re-evaluated) or fail after ms. */
#define WAIT_FOR(cond, ms, ...)                                              \
    do {                                                                     \
        uint64_t end_ = now_ms() + (ms);                                     \
        while (!(cond)) {                                                    \
            check_no_error();                                                \
            cr_assert(now_ms() < end_, __VA_ARGS__);                         \
            struct timespec ts_ = { 0, 1000000 };                            \
            nanosleep(&ts_, NULL);                                           \
        }                                                                    \
    } while (0)

static void start(int core, uint32_t inc)
{
    fresh_coord(&g_co->c[core], inc);
    cr_assert_eq(sim_start_core(core, SIM_PROCESS, core_main, NULL), 0,
                 "start core %d", core);
}

static void both_running_and_exchanging(uint32_t n)
{
    WAIT_FOR(atomic_load(&g_co->c[0].rx_total) >= n &&
                 atomic_load(&g_co->c[1].rx_total) >= n,
             20000, "no traffic: main got %u, sub got %u",
             atomic_load(&g_co->c[0].rx_total), atomic_load(&g_co->c[1].rx_total));
}

/* Stop, let both sides take everything and give everything back, check
 * the end state of both. */
static void finish(void)
{
    atomic_store(&g_co->phase, PH_STOP);
    WAIT_FOR(atomic_load(&g_co->c[0].done) && atomic_load(&g_co->c[1].done),
             30000, "no clean end: main stopped %u drained %u, sub stopped %u "
             "drained %u", atomic_load(&g_co->c[0].stopped),
             atomic_load(&g_co->c[0].drained), atomic_load(&g_co->c[1].stopped),
             atomic_load(&g_co->c[1].drained));
    int rc[2] = { -1, -1 };
    cr_assert_eq(sim_join_core(ESP_AMP_CORE_MAIN, &rc[0]), 0);
    cr_assert_eq(sim_join_core(ESP_AMP_CORE_SUB, &rc[1]), 0);
    check_no_error();
    cr_assert_eq(rc[0], 0, "main exit code %d", rc[0]);
    cr_assert_eq(rc[1], 0, "sub exit code %d", rc[1]);
    for (int k = 0; k < 2; k++) {
        core_coord_t *cc = &g_co->c[k];
        cr_log_info("%s (incarnation %u): sent %u, received %u (%u from the "
                    "peer's incarnation %u, last tag %#x: %u), final tag %#x "
                    "count %u, link_resets %u, link changes %u, free tx %u, "
                    "transient CORRUPT at a restart %u",
                    k ? "sub" : "main", atomic_load(&cc->incarnation),
                    atomic_load(&cc->tx_total), atomic_load(&cc->rx_total),
                    atomic_load(&cc->rx_in_inc), atomic_load(&cc->rx_peer_inc),
                    atomic_load(&cc->rx_peer_tag), atomic_load(&cc->rx_in_tag),
                    atomic_load(&cc->final_tag), atomic_load(&cc->final_count),
                    atomic_load(&cc->link_resets), atomic_load(&cc->n_link),
                    atomic_load(&cc->free_tx), atomic_load(&cc->spurious_corrupt));
        if (atomic_load(&cc->spurious_corrupt) != 0) {
            cr_log_warn("%s core: create_message failed %u time(s) with "
                        "ESP_AMP_ERR_CORRUPT while the peer restarted "
                        "(BUG-RESTART-RACE)", k ? "sub" : "main",
                        atomic_load(&cc->spurious_corrupt));
        }
        cr_assert_eq(atomic_load(&g_co->c[k].free_tx), QLEN,
                     "%s core: %u of %u tx buffers free at the end (leak)",
                     k ? "sub" : "main", atomic_load(&g_co->c[k].free_tx), QLEN);
    }
}

#define CYCLES 4

static void pause_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void kill_sub_mid_traffic(bool intr)
{
    g_co->intr = intr;
    start(ESP_AMP_CORE_MAIN, 1);
    start(ESP_AMP_CORE_SUB, 1);
    both_running_and_exchanging(3000);
    cr_assert_eq(atomic_load(&g_co->c[0].link_resets), 0);

    for (uint32_t cycle = 1; cycle <= CYCLES; cycle++) {
        /* Kill it at some point of its loop: sending, receiving, holding. */
        pause_ms((long)(cycle % 3));
        cr_assert_eq(sim_kill_core(ESP_AMP_CORE_SUB), 0, "kill the sub core");
        /* The main core goes on (its sends stop at a full ring). */
        uint32_t tx = atomic_load(&g_co->c[0].tx_total);
        pause_ms(10);
        check_no_error();
        cr_assert_geq(atomic_load(&g_co->c[0].tx_total), tx);

        start(ESP_AMP_CORE_SUB, cycle + 1);
        /* The main core notices (one reset per restart), the new sub's
         * messages arrive from its first one on, the new sub gets the
         * main's. */
        WAIT_FOR(atomic_load(&g_co->c[0].link_resets) == cycle, 10000,
                 "restart %u: the main core did not notice (link_resets %u)",
                 cycle, atomic_load(&g_co->c[0].link_resets));
        WAIT_FOR(atomic_load(&g_co->c[0].rx_peer_inc) == cycle + 1 &&
                     atomic_load(&g_co->c[0].rx_in_inc) >= 1000 &&
                     atomic_load(&g_co->c[1].rx_total) >= 1000,
                 20000, "restart %u: traffic did not resume: main got %u from "
                 "the new sub, the new sub got %u", cycle,
                 atomic_load(&g_co->c[0].rx_in_inc),
                 atomic_load(&g_co->c[1].rx_total));
        /* The new sub rejoined: it waited (JOINING) for the answer. */
        cr_assert_eq(atomic_load(&g_co->c[1].initial_link),
                     ESP_AMP_LINK_JOINING);
    }
    finish();
    cr_assert_eq(atomic_load(&g_co->c[0].link_resets), CYCLES,
                 "%u restarts, %u resets", CYCLES,
                 atomic_load(&g_co->c[0].link_resets));
    cr_assert_geq(atomic_load(&g_co->c[1].n_link), 1);
    cr_assert_eq(atomic_load(&g_co->c[1].link_log[0]), ESP_AMP_LINK_UP);
}

static void kill_main_mid_traffic(bool intr)
{
    g_co->intr = intr;
    start(ESP_AMP_CORE_MAIN, 1);
    start(ESP_AMP_CORE_SUB, 1);
    both_running_and_exchanging(3000);

    for (uint32_t cycle = 1; cycle <= CYCLES; cycle++) {
        uint32_t session = atomic_load(&g_co->c[1].session);
        uint32_t links = atomic_load(&g_co->c[1].n_link);
        pause_ms((long)(cycle % 3));
        cr_assert_eq(sim_kill_core(ESP_AMP_CORE_MAIN), 0, "kill the main core");
        pause_ms(10);
        check_no_error();

        start(ESP_AMP_CORE_MAIN, cycle + 1);
        /* The sub core sees the new session: DOWN, then UP again. */
        WAIT_FOR(atomic_load(&g_co->c[1].session) != session &&
                     atomic_load(&g_co->c[1].n_link) >= links + 2,
                 10000, "restart %u: the sub core did not rebind (session %u "
                 "-> %u, link changes %u -> %u)", cycle, session,
                 atomic_load(&g_co->c[1].session), links,
                 atomic_load(&g_co->c[1].n_link));
        WAIT_FOR(atomic_load(&g_co->c[1].rx_peer_inc) == cycle + 1 &&
                     atomic_load(&g_co->c[1].rx_in_inc) >= 1000 &&
                     atomic_load(&g_co->c[0].rx_total) >= 1000,
                 20000, "restart %u: traffic did not resume: sub got %u from "
                 "the new main, the new main got %u", cycle,
                 atomic_load(&g_co->c[1].rx_in_inc),
                 atomic_load(&g_co->c[0].rx_total));
        if (links + 1 < 16) {
            cr_assert_eq(atomic_load(&g_co->c[1].link_log[links]),
                         ESP_AMP_LINK_DOWN, "restart %u: first change %u",
                         cycle, atomic_load(&g_co->c[1].link_log[links]));
            cr_assert_eq(atomic_load(&g_co->c[1].link_log[links + 1]),
                         ESP_AMP_LINK_UP, "restart %u: second change %u",
                         cycle, atomic_load(&g_co->c[1].link_log[links + 1]));
        }
        /* The new main counts no reset: the sub joins its fresh pair. */
        cr_assert_eq(atomic_load(&g_co->c[0].link_resets), 0);
    }
    finish();
}

TestSuite(restart, .init = setup, .fini = teardown, .timeout = 120);

Test(restart, sub_killed_mid_traffic_poll_mode)
{
    kill_sub_mid_traffic(false);
}

Test(restart, sub_killed_mid_traffic_interrupt_mode)
{
    kill_sub_mid_traffic(true);
}

Test(restart, main_killed_mid_traffic_poll_mode)
{
    kill_main_mid_traffic(false);
}

Test(restart, main_killed_mid_traffic_interrupt_mode)
{
    kill_main_mid_traffic(true);
}
