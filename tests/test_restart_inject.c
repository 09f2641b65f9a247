/*
 * test_restart_inject.c - a restart of the other core injected inside every
 * critical section of a sequence of API calls, on both cores.
 *
 * A real second core is not stopped by this core's critical section: it may
 * restart between this core's link check and its ring write. The POSIX env
 * port's test hook (esp_amp_env_posix_set_critical_hook) calls us right
 * after each critical-section entry and right before each exit, i.e. just
 * before the link check and just after the ring operation of every call.
 * At the k-th such event the hook runs the other core's restart on a helper
 * thread (the simulator does not let a thread switch cores inside a
 * critical section; a helper thread is the other core, running while this
 * one is stopped inside its section), waits for it, and lets the
 * interrupted call go on.
 *
 * Scenario on the acting core X (after `warm` messages each way, so the
 * rings are at every lap offset, and with one received buffer held and one
 * more message waiting):
 *   create_message, send_nocopy of it, send, destroy of the held buffer,
 *   poll (keeps the buffer), destroy of that one.
 * k sweeps every hook event of the scenario. After each injection:
 *   - a call whose operation came before the restart (injection at its
 *     pre-exit event or later) succeeded; one that came after (injection at
 *     its entry or earlier) succeeded in the new session, or - for a buffer
 *     of the old session - failed with NOT_OWNED / LINK_DOWN;
 *   - no message taken after the restart is one of the old session;
 *   - both cores come back UP; what X sent in the new session arrives at the
 *     restarted peer exactly once, nothing X sent in the old one does;
 *   - a message each way afterwards arrives exactly once, intact;
 *   - no refused descriptor (rx_corrupt/tx_corrupt 0: a stale write into a
 *     new ring would wedge it), every queue holds nothing at the end.
 * Variants: X = sub core with the main core restarting in each of four
 * geometries (same, 32 x 12 - the longest ring of the default
 * ESP_AMP_CONFIG_QUEUE_MAX_LEN -, 2 x 16, 4 x 65532), and X = main core
 * with the sub core restarting.
 *
 * Traffic (tests/traffic.h): every message is a 4-byte session message of
 * traffic.h (tr_fill_session; stream: the sending core; session: its device
 * generation, which its restart raises; sequence: from 0 in each session).
 * Too short to name itself, it is checked on the receiving side against the
 * message expected there (tr_expect_gen, whose bytes depend on stream,
 * session and sequence): a lost, doubled, reordered or changed message, or
 * one of the old session where the new one is expected, differs from it
 * (4 bytes: all but 2^-32 of the time). One message is not compared: the
 * one a poll took just before the restart when its callback ran after it
 * (its buffer was of the old session, which the restarted core's format
 * may overwrite).
 */
#define _GNU_SOURCE

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"
#include "traffic.h"

#define EPT_M 10
#define EPT_S 20
#define LEN 4
#define ITEM 32
#define PAYLOAD 4 /* fits the smallest geometry (item 12) */
#define RX_MAX 64
#define REC_DATA 16 /* bytes of a received message kept (PAYLOAD sent) */
#define STEPS 6

typedef struct {
    uint16_t len, item;
} geo_t;

/* A received message as the callback saw it. */
typedef struct {
    uint16_t len;
    uint8_t data[REC_DATA]; /* its first bytes */
    bool after_inj;   /* the restart had been injected when it ran */
} rx_rec_t;

/* The message a core expects next from its peer: session, sequence. */
typedef struct {
    uint32_t gen, next;
} rx_exp_t;

typedef struct {
    int n;
    rx_rec_t r[RX_MAX];
    bool keep;        /* hold the buffer instead of destroying it */
    void *held;
    int destroy_fail;
} rx_log_t;

typedef struct {
    long ev_before, ev_after;
    int rc;
    esp_amp_err_t err;
    bool called;
} step_t;

static struct {
    tu_pair_t p;
    esp_amp_rpmsg_ept_t me, se;
    rx_log_t log[2];         /* by core id */
    int x, y;                /* acting core, restarting core */
    geo_t geo;               /* main core's geometry after its restart */
    uint32_t gen[2];         /* each core's session (device generation) */
    uint32_t serial[2];      /* its next sequence number in that session */
    rx_exp_t exp[2];         /* by receiving core: what it expects next */
    /* hook */
    bool counting;
    long ev;
    long k;                  /* event to inject at; -1: none */
    bool injected;
    char helper_err[160];
    step_t step[STEPS];
    long split_calls;        /* calls seen with more than one section */
    /* messages X sent in the scenario: serial, and in the new session? */
    int nsent;
    uint32_t sent_serial[4];
    int sent_cls[4];
} T;

static esp_amp_rpmsg_dev_t *dev_of(int core)
{
    return core == ESP_AMP_CORE_MAIN ? &T.p.main : &T.p.sub;
}

static esp_amp_rpmsg_ept_t *ept_of(int core)
{
    return core == ESP_AMP_CORE_MAIN ? &T.me : &T.se;
}

static uint16_t peer_ept(int core)
{
    return core == ESP_AMP_CORE_MAIN ? EPT_S : EPT_M;
}

static void enter(int core)
{
    if (core == ESP_AMP_CORE_MAIN) {
        tu_main();
    } else {
        tu_sub();
    }
}

static int rx_cb(void *data, uint16_t len, uint16_t src, void *arg)
{
    (void)src;
    int core = (int)(intptr_t)arg;
    rx_log_t *l = &T.log[core];
    if (l->n < RX_MAX) {
        rx_rec_t *r = &l->r[l->n];
        r->len = len;
        r->after_inj = T.injected;
        memcpy(r->data, data, len < REC_DATA ? len : REC_DATA);
    }
    l->n++;
    if (l->keep && l->held == NULL) {
        l->held = data;
    } else if (esp_amp_rpmsg_destroy(dev_of(core), data) != 0) {
        l->destroy_fail++;
    }
    return 0;
}

/* Message T.serial[core] of the core's session, as the core would send it
 * (the number is used up, sent or not); returns its number. */
static uint32_t fill(uint8_t *b, int core)
{
    uint32_t s = T.serial[core]++;
    tr_fill_session(b, PAYLOAD, (uint16_t)core, T.gen[core], s);
    return s;
}

/* Record i of core c's log checked as message `seq` of session `gen` of
 * the peer's stream (tr_expect_gen): TR_OK if it is that one. */
static int rec_is(int c, int i, uint32_t gen, uint32_t seq, uint32_t *bad)
{
    const rx_rec_t *r = &T.log[c].r[i];
    *bad = 0;
    if (i >= RX_MAX || r->len > REC_DATA) {
        return TR_E_LEN;
    }
    return tr_expect_gen(r->data, r->len, (uint16_t)(c ^ 1), gen, &seq, bad);
}

static const char *ctx(void);

/* Core c took records [n0, n) of its log: each must be the message it
 * expects next from its peer (T.exp[c], which moves on past each). */
static void check_taken(int c, int n0, const char *what)
{
    for (int i = n0; i < T.log[c].n; i++) {
        uint32_t seq = T.exp[c].next++, bad = 0;
        int rc = rec_is(c, i, T.exp[c].gen, seq, &bad);
        cr_assert_eq(rc, TR_OK, "%s: the %s core took a message that is not "
                     "message %u of session %u of the %s core (lost, "
                     "doubled, stale or changed): error %d at byte %u %s",
                     what, c ? "sub" : "main", seq, T.exp[c].gen,
                     c ? "main" : "sub", rc, bad, ctx());
    }
}

static void make_endpoint(int core)
{
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(
                     dev_of(core), core == ESP_AMP_CORE_MAIN ? EPT_M : EPT_S,
                     rx_cb, (void *)(intptr_t)core, ept_of(core)),
                 ept_of(core));
}

/* As the current core: send its next message (asserts success). */
static void send_one(int core)
{
    uint8_t b[PAYLOAD];
    (void)fill(b, core);
    int rc = esp_amp_rpmsg_send(dev_of(core), ept_of(core), peer_ept(core), b,
                                PAYLOAD);
    cr_assert_eq(rc, 0, "send as %s: %s", core ? "sub" : "main",
                 esp_amp_err_name(esp_amp_get_last_error()));
}

/* As the current core: drain; exactly one message taken, the expected. */
static void take_one(int core, const char *what)
{
    int n0 = T.log[core].n;
    cr_assert_eq(tu_drain(dev_of(core)), 1, "%s: the %s core took %d "
                 "messages %s", what, core ? "sub" : "main",
                 T.log[core].n - n0, ctx());
    check_taken(core, n0, what);
}

/* The other core's restart, on a helper thread (errors into helper_err:
 * no assertion outside the test's thread). */
static void *restart_thread(void *arg)
{
    (void)arg;
    int y = T.y;
    const char *what = NULL;
    if (sim_enter_core(y) != 0) {
        what = "enter core";
    } else if (memset(dev_of(y), 0, sizeof(esp_amp_rpmsg_dev_t)),
               esp_amp_init() != 0) {
        what = "esp_amp_init";
    } else if (y == ESP_AMP_CORE_MAIN
                   ? esp_amp_rpmsg_main_init(&T.p.main, T.geo.len, T.geo.item,
                                             false, true) != 0
                   : esp_amp_rpmsg_sub_init(&T.p.sub, false, true) != 0) {
        what = "rpmsg init";
    } else {
        memset(&T.log[y], 0, sizeof(T.log[y]));
        T.gen[y]++;          /* a new session of its stream, from 0 */
        T.serial[y] = 0;
        if (esp_amp_rpmsg_create_endpoint(
                dev_of(y), y == ESP_AMP_CORE_MAIN ? EPT_M : EPT_S, rx_cb,
                (void *)(intptr_t)y, ept_of(y)) != ept_of(y)) {
            what = "create_endpoint";
        }
    }
    if (what != NULL) {
        snprintf(T.helper_err, sizeof(T.helper_err), "%s restart: %s: %s",
                 y ? "sub" : "main", what,
                 esp_amp_err_name(esp_amp_get_last_error()));
    }
    return NULL;
}

static void hook(void *arg, bool entering, int depth)
{
    (void)arg;
    (void)entering;
    (void)depth;
    if (!T.counting || sim_current_core() != T.x) {
        return;
    }
    if (T.ev++ == T.k) {
        pthread_t th;
        if (pthread_create(&th, NULL, restart_thread, NULL) != 0) {
            snprintf(T.helper_err, sizeof(T.helper_err), "pthread_create");
            return;
        }
        pthread_join(th, NULL);
        T.injected = true;
    }
}

static void fresh(void)
{
    sim_deinit();
    memset(&T.p, 0, sizeof(T.p));
    memset(T.log, 0, sizeof(T.log));
    T.gen[0] = T.gen[1] = 0;
    T.serial[0] = T.serial[1] = 0;
    memset(T.exp, 0, sizeof(T.exp));
    T.injected = false;
    T.counting = false;
    T.ev = 0;
    T.helper_err[0] = 0;
    T.nsent = 0;
    memset(T.step, 0, sizeof(T.step));
    tu_setup();
    tu_pair_up(&T.p, TU_POLL(LEN, ITEM));
    tu_main();
    make_endpoint(ESP_AMP_CORE_MAIN);
    tu_sub();
    make_endpoint(ESP_AMP_CORE_SUB);
}

/* Where the restart fell for the scenario's call `s`: NEW, at its first
 * event (the entry, before the link check) or earlier; OLD, at its last
 * event (before the exit, after the ring operation) or later, or no
 * restart; MID, between two of its critical sections (a call whose link
 * check and ring operation are in different sections). */
enum { OLD, NEW, MID };
static int op_cls(int s)
{
    if (T.injected && T.k <= T.step[s].ev_before) {
        return NEW;
    }
    if (!T.injected || T.k >= T.step[s].ev_after - 1) {
        return OLD;
    }
    return MID;
}
static bool op_new(int s)
{
    return op_cls(s) == NEW;
}

static void step_begin(int s)
{
    T.step[s].called = true;
    T.step[s].ev_before = T.ev;
    esp_amp_clear_last_error();
}

static void step_end(int s, int rc)
{
    T.step[s].ev_after = T.ev;
    T.step[s].rc = rc;
    T.step[s].err = esp_amp_get_last_error();
}

static const char *ctx(void)
{
    static char buf[128];
    snprintf(buf, sizeof(buf), "[acting %s, k %ld of %ld, geometry %ux%u]",
             T.x ? "sub" : "main", T.k, T.ev, T.geo.len, T.geo.item);
    return buf;
}

static bool refused(const step_t *st)
{
    return st->rc != 0 && (st->err == ESP_AMP_ERR_NOT_OWNED ||
                           st->err == ESP_AMP_ERR_LINK_DOWN);
}

/* One run: warm-up, scenario with the injection at event k (-1: none),
 * checks. Returns the number of hook events of the scenario. */
static long run(int x, geo_t geo, int warm, long k)
{
    fresh();
    T.x = x;
    T.y = x ^ 1;
    T.geo = geo;
    T.k = k;
    int y = T.y;
    esp_amp_rpmsg_dev_t *dx = dev_of(x);

    for (int i = 0; i < warm; i++) {
        enter(x);
        send_one(x);
        enter(y);
        send_one(y);
        take_one(y, "warm-up");
        enter(x);
        take_one(x, "warm-up");
    }
    /* Two messages for X; X takes the first and keeps it. */
    enter(y);
    uint32_t y_gen0 = T.gen[y];
    send_one(y);
    send_one(y);
    enter(x);
    T.log[x].keep = true;
    int n0 = T.log[x].n;
    cr_assert_eq(esp_amp_rpmsg_poll(dx), 0);
    check_taken(x, n0, "before the scenario");
    void *h1 = T.log[x].held;
    cr_assert_not_null(h1);
    T.log[x].held = NULL;
    int x_rx_before = T.log[x].n;
    int y_rx_before = T.log[y].n;

    esp_amp_env_posix_set_critical_hook(hook, NULL);
    T.counting = true;

    step_begin(0);
    uint8_t *p = esp_amp_rpmsg_create_message(dx, PAYLOAD, 0);
    step_end(0, p != NULL ? 0 : -1);
    if (p != NULL) {
        uint32_t s = fill(p, x);
        step_begin(1);
        int rc = esp_amp_rpmsg_send_nocopy(dx, ept_of(x), peer_ept(x), p,
                                           PAYLOAD);
        step_end(1, rc);
        if (rc == 0) {
            T.sent_serial[T.nsent] = s;
            T.sent_cls[T.nsent++] = op_cls(1);
        }
    }
    {
        uint8_t b[PAYLOAD];
        uint32_t s = fill(b, x);
        step_begin(2);
        int rc = esp_amp_rpmsg_send(dx, ept_of(x), peer_ept(x), b, PAYLOAD);
        step_end(2, rc);
        if (rc == 0) {
            T.sent_serial[T.nsent] = s;
            T.sent_cls[T.nsent++] = op_cls(2);
        }
    }
    step_begin(3);
    step_end(3, esp_amp_rpmsg_destroy(dx, h1));
    step_begin(4);
    step_end(4, esp_amp_rpmsg_poll(dx));
    void *h2 = T.log[x].held;
    T.log[x].keep = false;
    if (h2 != NULL) {
        step_begin(5);
        step_end(5, esp_amp_rpmsg_destroy(dx, h2));
    }

    T.counting = false;
    esp_amp_env_posix_set_critical_hook(NULL, NULL);
    cr_assert_eq(T.helper_err[0], 0, "%s %s", T.helper_err, ctx());
    cr_assert_eq(T.injected, k >= 0 && k < T.ev, "%s", ctx());

    /* Every call of the library has one critical section (an entry and an
     * exit event); a call with more has its link check and its ring
     * operation apart, and a restart can fall between them (MID). */
    for (int s = 0; s < STEPS; s++) {
        if (T.step[s].called && T.step[s].ev_after - T.step[s].ev_before != 2) {
            T.split_calls++;
        }
    }

    /* create_message and send: succeed, in one session or the other. */
    cr_assert(T.step[0].rc == 0 || (op_cls(0) == MID && refused(&T.step[0])),
              "create_message: %s %s",
                 esp_amp_err_name(T.step[0].err), ctx());
    cr_assert(T.step[2].rc == 0 || (op_cls(2) == MID && refused(&T.step[2])),
              "send: %s %s",
                 esp_amp_err_name(T.step[2].err), ctx());
    /* send_nocopy of a buffer created in the old session into the new one
     * is refused; otherwise it succeeds. */
    bool stale_p = op_new(1) && !op_new(0);
    if (op_cls(1) == MID || op_cls(0) == MID) {
        cr_assert(T.step[1].rc == 0 || refused(&T.step[1]), "%s", ctx());
    } else if (stale_p) {
        cr_assert(refused(&T.step[1]),
                  "send_nocopy of a buffer of the old session into the new "
                  "one: rc %d %s %s", T.step[1].rc,
                  esp_amp_err_name(T.step[1].err), ctx());
    } else {
        cr_assert_eq(T.step[1].rc, 0, "send_nocopy: %s %s",
                     esp_amp_err_name(T.step[1].err), ctx());
    }
    /* destroy of h1 (received before the scenario). */
    if (op_cls(3) == MID) {
        cr_assert(T.step[3].rc == 0 || refused(&T.step[3]), "%s", ctx());
    } else if (op_new(3)) {
        cr_assert(refused(&T.step[3]), "destroy of a buffer of the old "
                  "session in the new one: rc %d %s %s", T.step[3].rc,
                  esp_amp_err_name(T.step[3].err), ctx());
    } else {
        cr_assert_eq(T.step[3].rc, 0, "destroy: %s %s",
                     esp_amp_err_name(T.step[3].err), ctx());
    }
    /* poll: in the old session it takes the waiting message; in the new
     * one there is nothing (the peer sent nothing since its restart). */
    if (op_cls(4) == MID) {
        /* either */
    } else if (op_new(4)) {
        cr_assert_eq(T.step[4].rc, -1, "poll in the new session delivered "
                     "a message %s", ctx());
        cr_assert(T.step[4].err == ESP_AMP_ERR_EMPTY ||
                      T.step[4].err == ESP_AMP_ERR_LINK_DOWN,
                  "poll: %s %s", esp_amp_err_name(T.step[4].err), ctx());
        cr_assert_null(h2);
    } else {
        cr_assert_eq(T.step[4].rc, 0, "poll: %s %s",
                     esp_amp_err_name(T.step[4].err), ctx());
        cr_assert_not_null(h2, "%s", ctx());
        if (op_cls(5) == MID) {
            cr_assert(T.step[5].rc == 0 || refused(&T.step[5]), "%s", ctx());
        } else if (op_new(5)) {
            cr_assert(refused(&T.step[5]), "destroy of a buffer of the old "
                      "session in the new one: rc %d %s %s", T.step[5].rc,
                      esp_amp_err_name(T.step[5].err), ctx());
        } else {
            cr_assert_eq(T.step[5].rc, 0, "destroy: %s %s",
                         esp_amp_err_name(T.step[5].err), ctx());
        }
    }
    if (op_cls(4) != MID) {
        cr_assert_eq(T.log[x].n - x_rx_before, op_new(4) ? 0 : 1, "%s", ctx());
    }

    /* The link comes back on both cores. */
    for (int i = 0; i < 4; i++) {
        enter(ESP_AMP_CORE_MAIN);
        (void)esp_amp_rpmsg_get_link_state(&T.p.main);
        enter(ESP_AMP_CORE_SUB);
        (void)esp_amp_rpmsg_get_link_state(&T.p.sub);
    }
    enter(ESP_AMP_CORE_MAIN);
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.main), ESP_AMP_LINK_UP,
                 "main core link %s", ctx());
    enter(ESP_AMP_CORE_SUB);
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub), ESP_AMP_LINK_UP,
                 "sub core link %s", ctx());

    /* The peer receives what X sent: exactly once if sent in the session
     * the peer is in now, never if sent in an older one. A record is
     * message m when tr_expect_gen finds it is. */
    enter(y);
    (void)tu_drain(dev_of(y));
    int mid_seen = 0;
    for (int m = 0; m < T.nsent; m++) {
        int seen = 0;
        for (int i = 0; i < T.log[y].n && i < RX_MAX; i++) {
            uint32_t bad;
            if (rec_is(y, i, T.gen[x], T.sent_serial[m], &bad) == TR_OK) {
                seen++;
            }
        }
        int cls = T.injected ? T.sent_cls[m] : NEW;
        if (cls == MID) {
            cr_assert_leq(seen, 1, "message %u of %s arrived %d times %s",
                          T.sent_serial[m], x ? "sub" : "main", seen, ctx());
            mid_seen += seen;
            continue;
        }
        cr_assert_eq(seen, cls == NEW ? 1 : 0,
                     "message %u of %s (%s session) arrived %d times %s",
                     T.sent_serial[m], x ? "sub" : "main",
                     cls == NEW ? "new" : "old", seen, ctx());
    }
    int expected = 0;
    for (int m = 0; m < T.nsent; m++) {
        expected += !T.injected || T.sent_cls[m] == NEW;
    }
    int got = T.log[y].n - (T.injected ? 0 : y_rx_before) - mid_seen;
    cr_assert_eq(got, expected, "the peer received %d messages, expected "
                 "%d %s", got, expected, ctx());
    /* ... and in the order X sent them: what the peer took in its session
     * is, one after the other, the messages it expects (those X sent in
     * that session, and those split by the restart that arrived). */
    {
        int i = T.injected ? 0 : y_rx_before;
        for (int m = 0; m < T.nsent; m++) {
            int cls = T.injected ? T.sent_cls[m] : NEW;
            if (cls == OLD) {
                continue;
            }
            uint32_t bad = 0;
            int rc = i < T.log[y].n ? rec_is(y, i, T.gen[x], T.sent_serial[m],
                                             &bad)
                                    : TR_E_SEQ;
            if (rc == TR_OK) {
                i++;
            } else {
                cr_assert_eq(cls, MID, "message %u of %s: the peer's message "
                             "%d is not it (error %d at byte %u) %s",
                             T.sent_serial[m], x ? "sub" : "main", i, rc,
                             bad, ctx());
            }
        }
        cr_assert_eq(i, T.log[y].n, "the peer took %d message(s) more than "
                     "%s sent in its session %s", T.log[y].n - i,
                     x ? "sub" : "main", ctx());
    }
    /* The peer expects X's next message from now on. */
    T.exp[y].gen = T.gen[x];
    T.exp[y].next = T.serial[x];
    /* X receives nothing more of the old session. */
    enter(x);
    int before = T.log[x].n;
    (void)tu_drain(dx);
    if (T.injected) {
        cr_assert_eq(T.log[x].n, before, "%d message(s) of the restarted "
                     "core's old session arrived after its restart %s",
                     T.log[x].n - before, ctx());
    }
    /* What X took in the scenario: the message waiting for it (its first
     * take, in the old session, may follow the restart: the poll's
     * operation came before it; its content is checked if its callback ran
     * before the restart), then only messages of the restarted core's new
     * session, which begins at 0 (tr_expect_gen against that: a message of
     * the old session differs). */
    cr_assert_eq(T.exp[x].gen, y_gen0);
    bool switched = false;
    for (int i = x_rx_before; i < T.log[x].n && i < RX_MAX; i++) {
        const rx_rec_t *r = &T.log[x].r[i];
        if (r->after_inj && i != x_rx_before && !switched) {
            T.exp[x] = (rx_exp_t){ T.gen[y], 0 };
            switched = true;
        }
        uint32_t seq = T.exp[x].next, gen = T.exp[x].gen, bad = 0;
        T.exp[x].next++;
        if (i == x_rx_before && r->after_inj) {
            /* Taken before the restart, read by the callback after it: the
             * buffer was of the old session, which the restarted core's
             * format may have overwritten (all zeros then). */
            continue;
        }
        int rc = rec_is(x, i, gen, seq, &bad);
        cr_assert_eq(rc, TR_OK, "%s took a message that is not message %u "
                     "of session %u of %s (an old-session message delivered "
                     "after the restart, or lost, doubled or changed): error "
                     "%d at byte %u %s", x ? "sub" : "main", seq, gen,
                     y ? "sub" : "main", rc, bad, ctx());
    }
    if (T.injected && !switched) {
        T.exp[x] = (rx_exp_t){ T.gen[y], 0 };
    }

    /* And one more message each way, exactly once, intact. */
    for (int dir = 0; dir < 2; dir++) {
        int from = dir ? y : x, to = from ^ 1;
        enter(from);
        uint32_t s = T.serial[from];
        send_one(from);
        enter(to);
        int n1 = T.log[to].n;
        cr_assert_eq(tu_drain(dev_of(to)), 1, "final message %s -> %s %s",
                     from ? "sub" : "main", to ? "sub" : "main", ctx());
        /* The one the receiver expects, and the one just sent. */
        cr_assert(T.exp[to].gen == T.gen[from] && T.exp[to].next == s,
                  "final message: %s expects message %u of session %u, %s "
                  "sent %u of %u %s", to ? "sub" : "main", T.exp[to].next,
                  T.exp[to].gen, from ? "sub" : "main", s, T.gen[from],
                  ctx());
        check_taken(to, n1, "final message content");
    }

    /* No refused descriptor, nothing held, no failed destroy in callbacks. */
    for (int c = 0; c < 2; c++) {
        enter(c);
        esp_amp_rpmsg_stats_t st = tu_stats(dev_of(c));
        cr_assert_eq(st.rx_corrupt + st.tx_corrupt, 0,
                     "%s: rx_corrupt %u tx_corrupt %u %s", c ? "sub" : "main",
                     st.rx_corrupt, st.tx_corrupt, ctx());
        cr_assert_eq(esp_amp_queue_held(&dev_of(c)->vq[0]), 0, "%s", ctx());
        cr_assert_eq(esp_amp_queue_held(&dev_of(c)->vq[1]), 0, "%s", ctx());
        cr_assert_eq(T.log[c].destroy_fail, 0, "%s", ctx());
    }
    return T.ev;
}

static long sweep(int x, geo_t geo)
{
    long injections = 0;
    for (int warm = 0; warm < 2 * LEN; warm++) {
        long n = run(x, geo, warm, -1);
        cr_assert_geq(n, 10, "scenario had %ld hook events", n);
        for (long k = 0; k < n; k++) {
            /* After an injection a call may be left out (no buffer taken,
             * none to destroy): fewer events, k may then inject nothing. */
            long n2 = run(x, geo, warm, k);
            cr_assert_leq(n2, n);
            injections += T.injected;
        }
    }
    return injections;
}

TestSuite(inject, .init = tu_setup_bare, .fini = tu_teardown, .timeout = 60);

static const geo_t GEOS[] = {
    { LEN, ITEM }, { ESP_AMP_CONFIG_QUEUE_MAX_LEN, 12 }, { 2, 16 }, { 4, 65532 },
};

Test(inject, main_restart_inside_every_sub_core_critical_section)
{
    long total = 0;
    for (unsigned g = 0; g < sizeof(GEOS) / sizeof(GEOS[0]); g++) {
        long n = sweep(ESP_AMP_CORE_SUB, GEOS[g]);
        printf("inject: main restart (%ux%u) inside sub-core calls: %ld "
               "injections\n", GEOS[g].len, GEOS[g].item, n);
        total += n;
    }
    printf("inject: main restarts injected into the sub core: %ld (calls "
           "with more than one critical section: %ld)\n", total,
           T.split_calls);
    fflush(stdout);
}

Test(inject, sub_restart_inside_every_main_core_critical_section)
{
    long n = sweep(ESP_AMP_CORE_MAIN, (geo_t){ LEN, ITEM });
    printf("inject: sub restarts injected into the main core: %ld (calls "
           "with more than one critical section: %ld)\n", n, T.split_calls);
    fflush(stdout);
}

/* The window no hook at a critical-section boundary reaches: a sub-core
 * send that passed its link check in the old session and writes its
 * descriptor after the new main core formatted the region (the sub core is
 * stalled between the check's load and the write's store; its critical
 * section does not stop the main core). Modelled by writing exactly what
 * that send would write - header, payload, descriptor at the old tail with
 * the old lap's flags, through the sub's old ring binding - after the main
 * core's restart. The main core must not take it (it uses no ring before it
 * answered a join), the sub core's first join must wipe it, and the link
 * must work afterwards, in every geometry and at every lap offset. The
 * payload is the sub's next message (that send used its number up). */
static void stale_write(const esp_amp_queue_t *q, uint16_t slot_buf)
{
    uint16_t c = q->tail;
    unsigned w = (c & (q->mask + 1u)) == 0;   /* the lap's wrap bit */
    esp_amp_queue_desc_t *d = &q->desc[c & q->mask];
    uint8_t *b = q->buf + (uint32_t)slot_buf * q->max_item_size;
    esp_amp_rpmsg_head_t h = { .src_addr = EPT_S, .dst_addr = EPT_M,
                               .data_len = PAYLOAD, .data_flags = 0 };
    uint8_t payload[PAYLOAD];
    (void)fill(payload, ESP_AMP_CORE_SUB);
    memcpy(b, &h, sizeof(h));
    memcpy(b + sizeof(h), payload, PAYLOAD);
    __atomic_store_n(d,
                     ESP_AMP_DESC(w ? ESP_AMP_DESC_F_AVAIL : ESP_AMP_DESC_F_USED,
                                  slot_buf, sizeof(h) + PAYLOAD),
                     __ATOMIC_RELEASE);
}

Test(inject, sub_write_landing_after_a_main_restart_is_wiped_by_the_first_join)
{
    long runs = 0;
    for (unsigned g = 0; g < sizeof(GEOS) / sizeof(GEOS[0]); g++) {
        for (int warm = 0; warm < 2 * LEN; warm++) {
            fresh();
            T.x = ESP_AMP_CORE_SUB;
            T.y = ESP_AMP_CORE_MAIN;
            T.geo = GEOS[g];
            for (int i = 0; i < warm; i++) {
                tu_sub();
                send_one(ESP_AMP_CORE_SUB);
                tu_main();
                take_one(ESP_AMP_CORE_MAIN, "warm-up");
                send_one(ESP_AMP_CORE_MAIN);
                tu_sub();
                take_one(ESP_AMP_CORE_SUB, "warm-up");
            }
            tu_sub();
            esp_amp_queue_t old = T.p.sub.vq[0]; /* the sub's binding */
            /* The main core restarts (no critical section is open here, so
             * the test thread itself can act as the main core). */
            T.y = ESP_AMP_CORE_MAIN;
            restart_thread(NULL);
            cr_assert_eq(T.helper_err[0], 0, "%s", T.helper_err);
            tu_sub();
            stale_write(&old, (uint16_t)(old.head & old.mask));
            const char *c = ctx();
            /* The main core takes nothing before it answered a join. */
            tu_main();
            esp_amp_clear_last_error();
            cr_assert_eq(esp_amp_rpmsg_poll(&T.p.main), -1, "the main core "
                         "took a message before any join %s", c);
            cr_assert_eq(T.log[ESP_AMP_CORE_MAIN].n, 0, "%s", c);
            /* Both come UP; the write in flight is never delivered. */
            tu_sub();
            cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub),
                         ESP_AMP_LINK_UP, "%s", c);
            tu_main();
            cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.main),
                         ESP_AMP_LINK_UP, "%s", c);
            cr_assert_eq(tu_drain(&T.p.main), 0, "a write of the old session "
                         "was delivered in the new one %s", c);
            /* The new main expects the sub's next message (it cannot know
             * its number: it is told), the sub the new main's first. */
            T.exp[ESP_AMP_CORE_MAIN].gen = T.gen[ESP_AMP_CORE_SUB];
            T.exp[ESP_AMP_CORE_MAIN].next = T.serial[ESP_AMP_CORE_SUB];
            T.exp[ESP_AMP_CORE_SUB].gen = T.gen[ESP_AMP_CORE_MAIN];
            T.exp[ESP_AMP_CORE_SUB].next = 0;
            for (int i = 0; i < 2 * (int)GEOS[g].len + 1; i++) {
                char what[32];
                tu_sub();
                send_one(ESP_AMP_CORE_SUB);
                tu_main();
                T.log[ESP_AMP_CORE_MAIN].n = 0;
                cr_assert_eq(tu_drain(&T.p.main), 1, "message %d %s", i, c);
                snprintf(what, sizeof(what), "message %d content", i);
                check_taken(ESP_AMP_CORE_MAIN, 0, what);
                send_one(ESP_AMP_CORE_MAIN);
                tu_sub();
                T.log[ESP_AMP_CORE_SUB].n = 0;
                cr_assert_eq(tu_drain(&T.p.sub), 1, "reply %d %s", i, c);
                snprintf(what, sizeof(what), "reply %d content", i);
                check_taken(ESP_AMP_CORE_SUB, 0, what);
            }
            for (int core = 0; core < 2; core++) {
                enter(core);
                esp_amp_rpmsg_stats_t st = tu_stats(dev_of(core));
                cr_assert_eq(st.rx_corrupt + st.tx_corrupt, 0, "%s", c);
                cr_assert_eq(esp_amp_queue_held(&dev_of(core)->vq[0]), 0);
                cr_assert_eq(esp_amp_queue_held(&dev_of(core)->vq[1]), 0);
            }
            runs++;
        }
    }
    printf("inject: sub-core writes landed after a main restart: %ld\n", runs);
    fflush(stdout);
}

/* A send or create_message whose size fits the current binding, where the
 * link check inside the critical section rebinds the sub core to a new
 * main core's pair with a smaller item size: the size must be checked
 * against the ring the data goes into (TOO_BIG, or LINK_DOWN), and no byte
 * written past the buffer (a check made only before the section would
 * copy data_len bytes past the smaller buffer - up to ~64 KB with a
 * 4 x 65532 -> 32 x 12 change - and create_message would return a buffer
 * smaller than asked for). The core checks the size after the link check
 * (tx_take); this guards it. */
Test(inject, send_after_a_restart_to_a_smaller_item_writes_no_further)
{
    fresh();
    tu_sub();
    uint16_t big = esp_amp_rpmsg_get_max_size(&T.p.sub); /* 24 (4 x 32) */
    /* The main core restarts with 32 x 12 items (4 payload bytes). */
    T.y = ESP_AMP_CORE_MAIN;
    T.geo = (geo_t){ ESP_AMP_CONFIG_QUEUE_MAX_LEN, 12 };
    restart_thread(NULL);
    cr_assert_eq(T.helper_err[0], 0, "%s", T.helper_err);
    tu_sub();
    uint8_t data[64];
    memset(data, 0xa5, sizeof(data));
    esp_amp_clear_last_error();
    int rc = esp_amp_rpmsg_send(&T.p.sub, &T.se, EPT_M, data, big);
    esp_amp_err_t err = esp_amp_get_last_error();
    uint16_t now_max = esp_amp_rpmsg_get_max_size(&T.p.sub);
    /* Bytes past the first buffer of the sub's send ring (its 2nd
     * buffer's header and payload): zero since the block was allocated. */
    const uint8_t *next = T.p.sub.vq[0].buf + T.p.sub.vq[0].max_item_size;
    int dirty = 0;
    for (int i = 0; i < 12; i++) {
        dirty += next[i] == 0xa5;
    }
    cr_expect_eq(dirty, 0, "send of %u bytes after the sub core rebound to "
                 "items of %u payload bytes (rc %d, %s) wrote %d bytes into "
                 "the next buffer", big, now_max, rc, esp_amp_err_name(err),
                 dirty);
    cr_expect(rc != 0 && (err == ESP_AMP_ERR_TOO_BIG ||
                          err == ESP_AMP_ERR_LINK_DOWN),
              "send of %u bytes into %u-byte payloads: rc %d %s", big,
              now_max, rc, esp_amp_err_name(err));

    /* create_message: the same, through the buffer it returns. */
    fresh();
    tu_sub();
    T.geo = (geo_t){ ESP_AMP_CONFIG_QUEUE_MAX_LEN, 12 };
    restart_thread(NULL);
    cr_assert_eq(T.helper_err[0], 0, "%s", T.helper_err);
    tu_sub();
    void *p = esp_amp_rpmsg_create_message(&T.p.sub, big, 0);
    now_max = esp_amp_rpmsg_get_max_size(&T.p.sub);
    cr_expect(p == NULL || now_max >= big,
              "create_message(%u) returned a buffer with room for %u bytes",
              big, now_max);
}

/* ---- D3: software-interrupt handlers that delete handlers ------------- */

#define SRC SW_INTR_ID_5
static int calls[8];
static int order[32], norder;

static void rec(int who)
{
    calls[who]++;
    if (norder < 32) {
        order[norder++] = who;
    }
}
static int h0(void *a) { (void)a; rec(0); return 0; }
static int h1(void *a) { (void)a; rec(1); return 0; }
static int h2(void *a) { (void)a; rec(2); return 0; }
static int h3(void *a) { (void)a; rec(3); return 0; }
static int h_other(void *a) { (void)a; rec(7); return 0; }
/* Deletes the handler given as its argument (itself, or another; on a
 * later trigger that one may be gone already). */
static int h_del(void *a)
{
    rec(4);
    (void)esp_amp_sw_intr_delete_handler(SRC, (esp_amp_sw_intr_handler_t)a);
    return 0;
}
/* Deletes itself and re-registers itself (moves to the end). */
static int h_readd(void *a)
{
    (void)a;
    rec(5);
    cr_assert_eq(esp_amp_sw_intr_delete_handler(SRC, h_readd), 0);
    cr_assert_eq(esp_amp_sw_intr_add_handler(SRC, h_readd, NULL), 0);
    return 0;
}

static void trigger(void)
{
    memset(calls, 0, sizeof(calls));
    norder = 0;
    cr_assert_eq(esp_amp_sw_intr_trigger_self(SRC), 0);
}

typedef struct {
    const char *name;
    esp_amp_sw_intr_handler_t fn[5];
    void *arg[5];
    int expect1[8], expect2[8]; /* calls per handler, 1st and 2nd trigger */
} d3_case_t;

Test(sw_intr, a_handler_deleting_itself_or_a_neighbour_skips_no_other,
     .init = tu_setup, .fini = tu_teardown)
{
    const d3_case_t cases[] = {
        { "self-delete in the middle", { h0, h_del, h2, h3 },
          { 0, (void *)h_del, 0, 0 },
          { 1, 0, 1, 1, 1 }, { 1, 0, 1, 1, 0 } },
        { "self-delete first", { h_del, h1, h2 }, { (void *)h_del, 0, 0 },
          { 0, 1, 1, 0, 1 }, { 0, 1, 1, 0, 0 } },
        { "self-delete last", { h0, h1, h_del }, { 0, 0, (void *)h_del },
          { 1, 1, 0, 0, 1 }, { 1, 1, 0, 0, 0 } },
        { "deletes the handler before it", { h0, h_del, h2, h3 },
          { 0, (void *)h0, 0, 0 },
          { 1, 0, 1, 1, 1 }, { 0, 0, 1, 1, 1 } },
        { "deletes the handler after it", { h0, h_del, h2, h3 },
          { 0, (void *)h2, 0, 0 },
          { 1, 0, 0, 1, 1 }, { 1, 0, 0, 1, 1 } },
        { "self-delete with another source between", { h0, h_other, h_del, h3 },
          { 0, 0, (void *)h_del, 0 },
          { 1, 0, 0, 1, 1, 0, 0, 0 }, { 1, 0, 0, 1, 0, 0, 0, 0 } },
    };
    for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const d3_case_t *k = &cases[c];
        tu_main();
        cr_assert_eq(esp_amp_init(), 0);
        for (int i = 0; i < 5 && k->fn[i] != NULL; i++) {
            cr_assert_eq(esp_amp_sw_intr_add_handler(
                             k->fn[i] == h_other ? SW_INTR_ID_6 : SRC,
                             k->fn[i], k->arg[i]), 0);
        }
        for (int round = 0; round < 2; round++) {
            trigger();
            const int *e = round ? k->expect2 : k->expect1;
            for (int h = 0; h < 8; h++) {
                cr_assert_eq(calls[h], e[h], "%s, trigger %d: handler %d ran "
                             "%d times, expected %d", k->name, round + 1, h,
                             calls[h], e[h]);
            }
        }
    }
}

/* A handler that deletes and re-registers itself during a dispatch is
 * called once per trigger, like every other handler (it once ran twice:
 * the walk reached it again in its new slot). */
Test(sw_intr, a_handler_re_registering_itself_runs_once_per_trigger,
     .init = tu_setup, .fini = tu_teardown)
{
    tu_main();
    cr_assert_eq(esp_amp_sw_intr_add_handler(SRC, h0, NULL), 0);
    cr_assert_eq(esp_amp_sw_intr_add_handler(SRC, h_readd, NULL), 0);
    cr_assert_eq(esp_amp_sw_intr_add_handler(SRC, h2, NULL), 0);
    for (int round = 0; round < 3; round++) {
        trigger();
        cr_expect_eq(calls[0], 1, "trigger %d", round + 1);
        cr_expect_eq(calls[2], 1, "trigger %d", round + 1);
        cr_expect_eq(calls[5], 1, "trigger %d: the re-registering handler "
                     "ran %d times", round + 1, calls[5]);
    }
}
