/*
 * bench_wake.c - waking a sender that waits for a free buffer: the two
 * strategies a sender that finds its transmit ring full can use, built on
 * the simulator directly (no RTOS), and what each costs.
 *
 *   tick polling  the sender sleeps until the next 1 ms boundary of
 *                 CLOCK_MONOTONIC (as vTaskDelay(1) wakes at the next tick
 *                 of FreeRTOS's default 1 kHz tick) and tries again;
 *   doorbell      the sender sets tx_wait (esp_amp_rpmsg_tx_wait), tries
 *                 once more, then sleeps in sim_wait_interrupt() until the
 *                 RPMSG_TX software interrupt (rung by the receiver's
 *                 destroy) and tries again; it clears tx_wait once sent.
 *
 * T_WAKE_LAT     latency from the receiver's destroy of one buffer of a
 *                full ring to the sender's successful send. The sub core
 *                polls and holds every message, so the main core's ring
 *                stays full; per trial step the main core fails a send,
 *                says so, and waits; the sub core waits a random 20..1020
 *                us (a uniform phase against the 1 ms tick), stamps the
 *                time and destroys its oldest buffer; the main core stamps
 *                the time of its successful send. Both stamps are TSC
 *                reads on two CPUs, as in the futex baseline. Trial value:
 *                p50 of (send - destroy).
 * T_WAKE_STREAM  steady traffic main -> sub: the sub core polls and
 *                destroys each message at once; the main core sends as
 *                fast as it can (spin_us = 0) or one message every spin_us
 *                microseconds, with the doorbell strategy whenever the ring
 *                is full. Reported: Mmsg/s and doorbells per message (ISRs
 *                of the RPMSG_TX source on the main core / messages sent).
 */
#define _GNU_SOURCE
#include "bench.h"
#include "bench_stream.h"
#include "esp_amp.h"
#include "esp_amp_platform.h"
#include "sim.h"

#include <stdio.h>
#include <time.h>

#define WAKE_SHM_SIZE (256u * 1024u)
#define EPT_MAIN 1u
#define EPT_SUB 101u
#define MAX_HELD 256u

/* Shared between the two cores of a trial (in g_ctl->scratch). */
typedef struct {
    _Alignas(64) _Atomic uint32_t waiting;  /* main: step i failed, waits  */
    _Alignas(64) _Atomic uint64_t t_free;   /* sub: tick of step i's free   */
    _Atomic uint32_t freed;                 /* sub: step i's free done      */
} wake_shared_t;

static const trial_t *g_t;
static esp_amp_rpmsg_dev_t g_dev;
static esp_amp_rpmsg_ept_t g_ept;
static wake_shared_t *g_ws;
static uint8_t g_src[65536];
static uint8_t g_dst[65536];
static volatile uint32_t g_tx_isrs;     /* main: RPMSG_TX interrupts       */
/* sub: messages held (T_WAKE_LAT), oldest first */
static void *g_held[MAX_HELD];
static uint32_t g_held_head, g_held_n, g_rx_seq;
static stream_rx_t g_rx;

static int tx_isr(void *arg)
{
    (void)arg;
    g_tx_isrs++;
    return 0;
}

static bool no_buf(void)
{
    return esp_amp_get_last_error() == ESP_AMP_ERR_NO_BUF;
}

static int try_send(uint32_t seq)
{
    bench_stamp_seq(g_src, g_t->size, seq);
    return esp_amp_rpmsg_send(&g_dev, &g_ept, EPT_SUB, g_src, g_t->size);
}

/* Sleep until the next 1 ms boundary of CLOCK_MONOTONIC: one "tick". */
static void sleep_one_tick(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec = (ts.tv_nsec / 1000000 + 1) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0) {
    }
}

/* Send message seq, waiting with the trial's strategy while the ring is
 * full. *waited: whether it had to wait. 0, or 2 on failure. */
static int send_waiting(uint32_t seq, uint64_t deadline, bool announce,
                        bool *waited)
{
    *waited = false;
    if (try_send(seq) == 0) {
        return 0;
    }
    if (!no_buf()) {
        return bench_fail("send: %s", esp_amp_err_name(esp_amp_get_last_error()));
    }
    *waited = true;
    if (announce) {
        atomic_store_explicit(&g_ws->waiting, seq, memory_order_release);
    }
    bool doorbell = g_t->intr;
    if (doorbell) {
        esp_amp_rpmsg_tx_wait(&g_dev, true);   /* then try once more */
    }
    int rc = 0;
    while (try_send(seq) != 0) {
        if (!no_buf()) {
            rc = bench_fail("send: %s",
                            esp_amp_err_name(esp_amp_get_last_error()));
            break;
        }
        if (doorbell) {
            (void)sim_wait_interrupt(2000);
        } else {
            sleep_one_tick();
        }
        if (atomic_load(&g_ctl->failed) || bench_timed_out(deadline, "wait send")) {
            rc = 2;
            break;
        }
    }
    if (doorbell) {
        esp_amp_rpmsg_tx_wait(&g_dev, false);
    }
    return rc;
}

/* ---- callbacks (sub core, polling: task context) ------------------------ */
static int sub_hold_cb(void *data, uint16_t len, uint16_t src, void *priv)
{
    (void)src;
    (void)priv;
    memcpy(g_dst, data, len);
    if (len != g_t->size || bench_read_seq(g_dst, len) != (len >= 4 ? g_rx_seq : 0u)) {
        bench_fail("bad message: len %u, seq %u (want %u)", len,
                   bench_read_seq(g_dst, len), g_rx_seq);
    }
    g_rx_seq++;
    if (g_held_n >= MAX_HELD) {
        bench_fail("too many held");
        return 0;
    }
    g_held[(g_held_head + g_held_n++) % MAX_HELD] = data;
    return 0;
}

static int sub_stream_cb(void *data, uint16_t len, uint16_t src, void *priv)
{
    (void)src;
    (void)priv;
    memcpy(g_dst, data, len);
    uint32_t want = (uint32_t)stream_rx_count(&g_rx);
    if (len != g_t->size || bench_read_seq(g_dst, len) != (len >= 4 ? want : 0u)) {
        bench_fail("bad message: len %u, seq %u (want %u)", len,
                   bench_read_seq(g_dst, len), want);
    }
    if (esp_amp_rpmsg_destroy(&g_dev, data) != 0) {
        bench_fail("sub destroy failed");
    }
    stream_rx_note(&g_rx);
    return 0;
}

/* ---- set-up --------------------------------------------------------------*/
static int setup(int core)
{
    bool lat = g_t->kind == T_WAKE_LAT;
    if (esp_amp_init() != 0) {
        return bench_fail("core %d: esp_amp_init failed", core);
    }
    /* Both devices poll: the only doorbell is the sender's RPMSG_TX. */
    int rc = core == ESP_AMP_CORE_MAIN
                 ? esp_amp_rpmsg_main_init(&g_dev, g_t->qlen, g_t->item, false, true)
                 : esp_amp_rpmsg_sub_init(&g_dev, false, true);
    if (rc != 0) {
        return bench_fail("core %d: rpmsg init: %s", core,
                          esp_amp_err_name(esp_amp_get_last_error()));
    }
    esp_amp_ept_cb_t cb = core == ESP_AMP_CORE_MAIN ? NULL
                          : (lat ? sub_hold_cb : sub_stream_cb);
    if (esp_amp_rpmsg_create_endpoint(&g_dev,
                                      core == ESP_AMP_CORE_MAIN ? EPT_MAIN : EPT_SUB,
                                      cb, NULL, &g_ept) == NULL) {
        return bench_fail("core %d: create_endpoint failed", core);
    }
    if (core == ESP_AMP_CORE_MAIN && g_t->intr &&
        esp_amp_sw_intr_add_handler(SW_INTR_RESERVED_ID_RPMSG_TX, tx_isr, NULL) != 0) {
        return bench_fail("add_handler: %s", esp_amp_err_name(esp_amp_get_last_error()));
    }
    return 0;
}

/* ---- main core ---------------------------------------------------------- */
static int main_lat(uint64_t deadline)
{
    const trial_t *t = g_t;
    bool waited;
    /* Fill the ring: qlen messages, all held by the sub core. */
    uint32_t seq = 0;
    while (try_send(seq) == 0) {
        seq++;
    }
    if (!no_buf() || seq != t->qlen) {
        return bench_fail("fill: %u sent: %s", seq,
                          esp_amp_err_name(esp_amp_get_last_error()));
    }
    uint32_t warm = 5, n = 0;
    uint64_t end = 0;
    uint32_t step;
    for (step = 1;; step++, seq++) {
        int rc = send_waiting(seq, deadline, true, &waited);
        uint64_t t_sent = bench_ticks();
        if (rc != 0) {
            return rc;
        }
        if (!waited) {
            return bench_fail("step %u: the ring was not full", step);
        }
        SPIN_UNTIL(atomic_load_explicit(&g_ws->freed, memory_order_acquire) == seq,
                   deadline, "free stamp");
        uint64_t t_free = atomic_load(&g_ws->t_free);
        if (step == warm) {
            end = t_sent + bench_ns_to_ticks(t->dur_ms * 1e6);
        } else if (step > warm) {
            g_ctl->samples[n++] = t_sent > t_free ? t_sent - t_free : 0;
            if (n >= t->max_iter || n >= BENCH_MAX_SAMPLES ||
                (t_sent > end && n >= 5)) {
                break;
            }
        }
    }
    g_ctl->nsamples = n;
    g_ctl->tx_msgs = step;   /* db of this trial: doorbells per wait */
    g_ctl->notifies = g_tx_isrs;
    return 0;
}

static void spin_us(uint32_t us)
{
    uint64_t end = bench_ticks() + bench_ns_to_ticks(us * 1e3);
    while (bench_ticks() < end) {
        bench_relax();
    }
}

static int main_stream(uint64_t deadline)
{
    const trial_t *t = g_t;
    uint64_t start = bench_ticks();
    uint64_t end = start + bench_ns_to_ticks(t->dur_ms * 1e6);
    uint32_t sent = 0;
    bool waited;
    for (;;) {
        if ((sent & 63u) == 0 &&
            (bench_ticks() > end || atomic_load(&g_ctl->failed))) {
            break;
        }
        if (send_waiting(sent, deadline, false, &waited) != 0) {
            return 2;
        }
        sent++;
        if (t->spin_us) {
            spin_us(t->spin_us);
        }
    }
    g_ctl->send_ticks = bench_ticks() - start;
    g_ctl->tx_msgs = sent;
    g_ctl->notifies = g_tx_isrs;
    atomic_store_explicit(&g_ctl->sent_total, sent, memory_order_relaxed);
    return 0;
}

/* ---- sub core ----------------------------------------------------------- */
static int sub_lat(uint64_t deadline)
{
    const trial_t *t = g_t;
    uint32_t rng = 12345u;
    /* Hold the qlen messages of the fill. */
    SPIN_UNTIL((esp_amp_rpmsg_poll(&g_dev), g_held_n == t->qlen || atomic_load(&g_ctl->stop)),
               deadline, "fill");
    for (uint32_t seq = t->qlen; !atomic_load_explicit(&g_ctl->stop, memory_order_acquire);
         seq++) {
        /* Step: the main core failed to send seq and waits. */
        while (atomic_load_explicit(&g_ws->waiting, memory_order_acquire) != seq) {
            if (atomic_load_explicit(&g_ctl->stop, memory_order_acquire)) {
                return 0;
            }
            bench_relax();
            if (bench_timed_out(deadline, "main waiting")) {
                return 2;
            }
        }
        rng = rng * 1664525u + 1013904223u;
        spin_us(20u + (rng >> 8) % 1000u);
        void *oldest = g_held[g_held_head];
        g_held_head = (g_held_head + 1u) % MAX_HELD;
        g_held_n--;
        atomic_store(&g_ws->t_free, bench_ticks());
        if (esp_amp_rpmsg_destroy(&g_dev, oldest) != 0) {
            return bench_fail("sub destroy: %s",
                              esp_amp_err_name(esp_amp_get_last_error()));
        }
        atomic_store_explicit(&g_ws->freed, seq, memory_order_release);
        /* Take the message it lets through, and hold it. */
        SPIN_UNTIL((esp_amp_rpmsg_poll(&g_dev), g_held_n == t->qlen ||
                    atomic_load(&g_ctl->stop)),
                   deadline, "next message");
        if (atomic_load(&g_ctl->failed)) {
            return 2;
        }
    }
    return 0;
}

static int sub_stream(uint64_t deadline)
{
    uint32_t spins = 0;
    for (;;) {
        if (esp_amp_rpmsg_poll(&g_dev) == 0) {
            continue;
        }
        if (atomic_load_explicit(&g_ctl->stop, memory_order_acquire) &&
            (atomic_load(&g_ctl->failed) ||
             stream_rx_count(&g_rx) == atomic_load(&g_ctl->sent_total))) {
            return 0;
        }
        bench_relax();
        if ((++spins & 0xfffu) == 0 && bench_timed_out(deadline, "sub loop")) {
            return 2;
        }
    }
}

static int wake_core(void *arg)
{
    g_t = arg;
    int core = sim_current_core();
    bench_pin(core);
    memset(g_src, 0x5a, sizeof(g_src));
    uint64_t deadline = bench_deadline_s(g_t->dur_ms / 1e3 + 10.0);
    int rc;
    if (core == ESP_AMP_CORE_MAIN) {
        rc = bench_bring_up(core, setup, &g_dev, deadline);
        if (rc != 0) {
            return rc;
        }
        rc = g_t->kind == T_WAKE_LAT ? main_lat(deadline) : main_stream(deadline);
        atomic_store_explicit(&g_ctl->stop, 1u, memory_order_release);
        return rc;
    }
    stream_rx_init(&g_rx);
    rc = bench_bring_up(core, setup, &g_dev, deadline);
    if (rc != 0) {
        return rc;
    }
    rc = g_t->kind == T_WAKE_LAT ? sub_lat(deadline) : sub_stream(deadline);
    stream_rx_finish(&g_rx);
    return rc;
}

int bench_wake_trial(const trial_t *t)
{
    g_ws = (wake_shared_t *)(void *)g_ctl->scratch;
    memset(g_ws, 0, sizeof(*g_ws));
    atomic_store(&g_ws->waiting, UINT32_MAX);
    atomic_store(&g_ws->freed, UINT32_MAX);
    return bench_run_sim_cores(WAKE_SHM_SIZE, wake_core, t, "wake trial");
}
