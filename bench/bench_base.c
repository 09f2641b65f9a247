/*
 * bench_base.c - the baselines, run in the same pinned process pair as the
 * library trials:
 *   T_PINGPONG     one atomic flag each way, both sides spin (the floor of
 *                  any polling round trip between the two CPUs);
 *   T_RING_RTT     two ideal SPSC rings with memcpy, ping-pong;
 *   T_RING_STREAM  one ideal SPSC ring with memcpy, main -> sub (the limit
 *                  for streaming);
 *   T_FUTEX        futex ping-pong, both sides sleep (cheapest kernel
 *                  wake-up), T_EVENTFD the same with eventfd, T_PIPE with a
 *                  pipe (1 byte); T_SIGNAL a signal ping-pong built like the
 *                  simulator's doorbell (handler + ppoll with the signal
 *                  blocked outside it), i.e. the simulator's own floor.
 * Round trips are timed per iteration on main; streams are time-stamped
 * every BENCH_CHUNK messages on sub.
 */
#define _GNU_SOURCE
#include "bench.h"
#include "bench_ring.h"
#include "bench_stream.h"

#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STOP_WORD 0xffffffffu

int g_base_fd[4] = {-1, -1, -1, -1};   /* eventfd / pipe ends, see main */

typedef struct {
    _Alignas(64) _Atomic uint32_t a;   /* main -> sub */
    _Alignas(64) _Atomic uint32_t b;   /* sub -> main */
} flags_t;

static inline uint32_t spin_load(_Atomic uint32_t *p)
{
    return atomic_load_explicit(p, memory_order_acquire);
}

static uint64_t side_deadline(const trial_t *t)
{
    return bench_deadline_s(t->dur_ms / 1e3 + 10.0);
}

/* ---- ideal cache-line ping-pong ----------------------------------------- */
static int pingpong(int core, const trial_t *t)
{
    flags_t *f = (flags_t *)(void *)g_ctl->scratch;
    uint64_t deadline = side_deadline(t);
    if (core == 0) {
        RTT_MAIN_LOOP(t, {
            atomic_store_explicit(&f->a, i, memory_order_release);
            SPIN_UNTIL(spin_load(&f->b) == i, deadline, "ping-pong main");
        });
        atomic_store_explicit(&f->a, STOP_WORD, memory_order_release);
        return 0;
    }
    uint32_t last = 0;
    for (;;) {
        uint32_t v;
        SPIN_UNTIL((v = spin_load(&f->a)) != last, deadline, "ping-pong sub");
        if (v == STOP_WORD) {
            return 0;
        }
        last = v;
        atomic_store_explicit(&f->b, v, memory_order_release);
    }
}

/* ---- ideal ring, round trip --------------------------------------------- */
static int ring_rtt(int core, const trial_t *t)
{
    uint32_t bytes = (bring_bytes(t->qlen, t->item) + 4095u) & ~4095u;
    bring_t *ra = (bring_t *)(void *)g_ctl->scratch;
    bring_t *rb = (bring_t *)(void *)(g_ctl->scratch + bytes);
    bring_side_t tx, rx;
    uint8_t src[4096], dst[4096];
    uint64_t deadline = side_deadline(t);
    uint32_t len;
    uint8_t *p;
    memset(src, 0x5a, sizeof(src));
    if (core == 0) {
        bring_side_init(&tx, ra, t->qlen, t->item);
        bring_side_init(&rx, rb, t->qlen, t->item);
        RTT_MAIN_LOOP(t, {
            SPIN_UNTIL((p = bring_prod_try(&tx)) != NULL, deadline, "ring");
            bench_stamp_seq(src, t->size, i);
            memcpy(p, src, t->size);
            bring_prod_publish(&tx, p, t->size);
            SPIN_UNTIL((p = bring_cons_try(&rx, &len)) != NULL, deadline,
                       "ring reply");
            memcpy(dst, p, len);
            bring_cons_release(&rx);
            if (len != t->size || bench_read_seq(dst, t->size) !=
                                      (t->size >= 4 ? i : 0u)) {
                return bench_fail("ring rtt: bad reply %u", i);
            }
        });
        SPIN_UNTIL((p = bring_prod_try(&tx)) != NULL, deadline, "ring stop");
        bring_prod_publish(&tx, p, STOP_WORD);
        return 0;
    }
    bring_side_init(&rx, ra, t->qlen, t->item);
    bring_side_init(&tx, rb, t->qlen, t->item);
    for (;;) {
        SPIN_UNTIL((p = bring_cons_try(&rx, &len)) != NULL, deadline,
                   "ring sub");
        if (len == STOP_WORD) {
            return 0;
        }
        memcpy(dst, p, len);
        bring_cons_release(&rx);
        SPIN_UNTIL((p = bring_prod_try(&tx)) != NULL, deadline, "ring sub tx");
        memcpy(p, dst, len);
        bring_prod_publish(&tx, p, len);
    }
}

/* ---- ideal ring, stream ------------------------------------------------- */
static int ring_stream(int core, const trial_t *t)
{
    bring_t *r = (bring_t *)(void *)g_ctl->scratch;
    bring_side_t s;
    uint8_t src[4096], dst[4096];
    uint64_t deadline = side_deadline(t);
    uint8_t *p;
    uint32_t len;
    memset(src, 0x5a, sizeof(src));
    bring_side_init(&s, r, t->qlen, t->item);
    if (core == 0) {
        uint64_t start = bench_ticks();
        uint64_t end = start + bench_ns_to_ticks(t->dur_ms * 1e6);
        uint64_t sent = 0;
        for (;;) {
            if ((sent & 63u) == 0 && bench_ticks() > end) {
                break;
            }
            SPIN_UNTIL((p = bring_prod_try(&s)) != NULL, deadline, "stream");
            bench_stamp_seq(src, t->size, (uint32_t)sent);
            memcpy(p, src, t->size);
            bring_prod_publish(&s, p, t->size);
            sent++;
        }
        g_ctl->send_ticks = bench_ticks() - start;
        atomic_store_explicit(&g_ctl->sent_total, sent, memory_order_relaxed);
        atomic_store_explicit(&g_ctl->stop, 1u, memory_order_release);
        return 0;
    }
    stream_rx_t rx;
    stream_rx_init(&rx);
    uint32_t spins = 0;
    for (;;) {
        p = bring_cons_try(&s, &len);
        if (p == NULL) {
            if (atomic_load_explicit(&g_ctl->stop, memory_order_acquire) &&
                stream_rx_count(&rx) == atomic_load(&g_ctl->sent_total)) {
                break;
            }
            bench_relax();
            if ((++spins & 0xfffu) == 0 &&
                bench_timed_out(deadline, "stream sub")) {
                return 2;
            }
            continue;
        }
        memcpy(dst, p, len);
        bring_cons_release(&s);
        if (len != t->size ||
            bench_read_seq(dst, t->size) != (t->size >= 4 ? (uint32_t)stream_rx_count(&rx) : 0u)) {
            return bench_fail("ring stream: bad message %llu",
                              (unsigned long long)stream_rx_count(&rx));
        }
        stream_rx_note(&rx);
    }
    stream_rx_finish(&rx);
    return 0;
}

/* ---- futex ping-pong ---------------------------------------------------- */
static long futex_op(_Atomic uint32_t *w, int op, uint32_t val)
{
    struct timespec ts = {1, 0};
    return syscall(SYS_futex, (uint32_t *)w, op, val,
                   op == FUTEX_WAIT ? &ts : NULL, NULL, 0);
}

/* A futex round trip made of two wake-ups of a peer that is certainly
 * asleep. Each side announces "about to sleep, waiting for value v"
 * (asleep_*) and the other side, after seeing it, lets 20 us pass before it
 * stores and wakes (a waiter that announced but has not slept yet would see
 * the value and not sleep at all: with the guest's halt-polling that made a
 * 1 us "wake-up"). The settling time is not counted: the round trip is
 * (sub woke - main stored) + (main woke - sub stored), from TSC stamps taken
 * on both CPUs (the TSC is the kernel's clocksource, so it is synchronised). */
typedef struct {
    _Alignas(64) _Atomic uint32_t a;          /* main -> sub              */
    _Alignas(64) _Atomic uint32_t b;          /* sub -> main              */
    _Alignas(64) _Atomic uint32_t asleep_sub; /* sub waits for a == this  */
    _Alignas(64) _Atomic uint32_t asleep_main;/* main waits for b == this */
    _Alignas(64) uint64_t t_main_store;       /* written before a         */
    _Alignas(64) uint64_t t_sub_woke;         /* written before b         */
    uint64_t t_sub_store;
} futex_words_t;

#define FUTEX_SETTLE_NS 20000.0

static void settle(void)
{
    uint64_t end = bench_ticks() + bench_ns_to_ticks(FUTEX_SETTLE_NS);
    while (bench_ticks() < end) {
        bench_relax();
    }
}

static int futex_pp(int core, const trial_t *t)
{
    futex_words_t *f = (futex_words_t *)(void *)g_ctl->scratch;
    uint64_t deadline = side_deadline(t);
    if (core == 0) {
        uint32_t warm = t->max_iter / 20u + 10u, n = 0;
        uint64_t end = UINT64_MAX;
        memset(g_ctl->samples, 0, sizeof(g_ctl->samples));
        for (uint32_t i = 1;; i++) {
            SPIN_UNTIL(spin_load(&f->asleep_sub) == i, deadline, "futex sub");
            settle();
            f->t_main_store = bench_ticks();
            atomic_store_explicit(&f->a, i, memory_order_release);
            futex_op(&f->a, FUTEX_WAKE, 1);
            atomic_store_explicit(&f->asleep_main, i, memory_order_release);
            uint32_t v;
            while ((v = spin_load(&f->b)) != i) {
                futex_op(&f->b, FUTEX_WAIT, v);
                if (bench_timed_out(deadline, "futex main")) {
                    return 2;
                }
            }
            uint64_t woke = bench_ticks();
            uint64_t rt = (f->t_sub_woke - f->t_main_store) + (woke - f->t_sub_store);
            if (i == warm) {
                end = woke + bench_ns_to_ticks(t->dur_ms * 1e6);
            } else if (i > warm) {
                g_ctl->samples[n++] = rt;
                if (n >= t->max_iter || n >= BENCH_MAX_SAMPLES || woke > end) {
                    break;
                }
            }
        }
        g_ctl->nsamples = n;
        SPIN_UNTIL(spin_load(&f->asleep_sub) != 0, deadline, "futex stop");
        atomic_store_explicit(&f->a, STOP_WORD, memory_order_release);
        futex_op(&f->a, FUTEX_WAKE, 1);
        return 0;
    }
    uint32_t last = 0;
    for (;;) {
        uint32_t v;
        atomic_store_explicit(&f->asleep_sub, last + 1u, memory_order_release);
        while ((v = spin_load(&f->a)) == last) {
            futex_op(&f->a, FUTEX_WAIT, last);
            if (bench_timed_out(deadline, "futex sub")) {
                return 2;
            }
        }
        f->t_sub_woke = bench_ticks();
        if (v == STOP_WORD) {
            return 0;
        }
        last = v;
        SPIN_UNTIL(spin_load(&f->asleep_main) == v, deadline, "futex main");
        settle();
        f->t_sub_store = bench_ticks();
        atomic_store_explicit(&f->b, v, memory_order_release);
        futex_op(&f->b, FUTEX_WAKE, 1);
    }
}

/* ---- eventfd / pipe ping-pong -------------------------------------------
 * fds: [0] main -> sub (read end / eventfd), [1] its write end,
 *      [2] sub -> main, [3] its write end (eventfd: [1] == [0]). */
static int full_io(int fd, void *buf, size_t n, bool wr)
{
    for (;;) {
        ssize_t r = wr ? write(fd, buf, n) : read(fd, buf, n);
        if (r == (ssize_t)n) {
            return 0;
        }
        if (r < 0 && errno == EINTR) {
            continue;
        }
        return -1;
    }
}

static int fd_pp(int core, const trial_t *t)
{
    bool efd = t->kind == T_EVENTFD;
    size_t n = efd ? 8 : 1;
    uint64_t one = 1, stop = 2, v = 0;
    uint8_t c1 = 'p', cstop = 'q';
    void *msg = efd ? (void *)&one : (void *)&c1;
    void *smsg = efd ? (void *)&stop : (void *)&cstop;
    int to_sub_r = g_base_fd[0], to_sub_w = g_base_fd[1];
    int to_main_r = g_base_fd[2], to_main_w = g_base_fd[3];
    if (core == 0) {
        RTT_MAIN_LOOP(t, {
            if (full_io(to_sub_w, msg, n, true) ||
                full_io(to_main_r, &v, n, false)) {
                return bench_fail("fd ping-pong main: %s", strerror(errno));
            }
        });
        if (full_io(to_sub_w, smsg, n, true)) {
            return bench_fail("fd ping-pong stop: %s", strerror(errno));
        }
        return 0;
    }
    for (;;) {
        v = 0;
        if (full_io(to_sub_r, &v, n, false)) {
            return bench_fail("fd ping-pong sub: %s", strerror(errno));
        }
        if (efd ? v != 1 : (uint8_t)v != 'p') {
            return 0;
        }
        if (full_io(to_main_w, msg, n, true)) {
            return bench_fail("fd ping-pong sub: %s", strerror(errno));
        }
    }
}

/* ---- signal ping-pong (the simulator's doorbell mechanism, no library) -- */
static volatile sig_atomic_t g_sig_flag;

void bench_signal_handler(int sig)
{
    (void)sig;
    g_sig_flag = 1;
}

/* Like sim_wait_interrupt(): block, check, ppoll with it unblocked. */
static int sig_wait(uint64_t deadline)
{
    sigset_t block, old, sleep_mask;
    sigemptyset(&block);
    sigaddset(&block, BENCH_PP_SIGNAL);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    sleep_mask = old;
    sigdelset(&sleep_mask, BENCH_PP_SIGNAL);
    int rc = 0;
    while (!g_sig_flag) {
        struct timespec ts = {1, 0};
        ppoll(NULL, 0, &ts, &sleep_mask);
        if (!g_sig_flag && bench_timed_out(deadline, "signal ping-pong")) {
            rc = 2;
            break;
        }
    }
    g_sig_flag = 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

static int signal_pp(int core, const trial_t *t)
{
    uint64_t deadline = side_deadline(t);
    pid_t peer = (pid_t)atomic_load(&g_ctl->pid[core ^ 1]);
    if (core == 0) {
        RTT_MAIN_LOOP(t, {
            if (kill(peer, BENCH_PP_SIGNAL) != 0) {
                return bench_fail("kill: %s", strerror(errno));
            }
            if (sig_wait(deadline) != 0) {
                return 2;
            }
        });
        atomic_store(&g_ctl->stop, 1u);
        kill(peer, BENCH_PP_SIGNAL);
        return 0;
    }
    for (;;) {
        if (sig_wait(deadline) != 0) {
            return 2;
        }
        if (atomic_load(&g_ctl->stop)) {
            return 0;
        }
        if (kill(peer, BENCH_PP_SIGNAL) != 0) {
            return bench_fail("kill: %s", strerror(errno));
        }
    }
}

/* Both processes exist and are on their CPUs before anything is timed. */
static int pair_sync(int core, const trial_t *t)
{
    uint64_t deadline = side_deadline(t);
    atomic_store(&g_ctl->pid[core], (int32_t)getpid());
    atomic_store(core == 0 ? &g_ctl->main_ready : &g_ctl->sub_ready, 1u);
    _Atomic uint32_t *peer = core == 0 ? &g_ctl->sub_ready : &g_ctl->main_ready;
    SPIN_UNTIL(atomic_load(peer) != 0, deadline, "peer ready");
    return 0;
}

int bench_baseline_side(int core, const trial_t *t)
{
    if (pair_sync(core, t) != 0) {
        return 2;
    }
    switch (t->kind) {
    case T_PINGPONG:
        return pingpong(core, t);
    case T_RING_RTT:
        return ring_rtt(core, t);
    case T_RING_STREAM:
        return ring_stream(core, t);
    case T_FUTEX:
        return futex_pp(core, t);
    case T_EVENTFD:
    case T_PIPE:
        return fd_pp(core, t);
    case T_SIGNAL:
        return signal_pp(core, t);
    default:
        return bench_fail("not a baseline kind: %d", (int)t->kind);
    }
}
