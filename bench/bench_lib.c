/*
 * bench_lib.c - the library trials: two simulated cores started as
 * processes (sim_start_core(..., SIM_PROCESS, ...)), each pinned to its CPU.
 *
 * T_LIB_RTT     main sends a message from endpoint k to sub's endpoint k;
 *               sub's callback copies the payload out, sends it back (copy
 *               or zero-copy, like main) and destroys the received buffer;
 *               main's callback copies the reply out and destroys it.
 *               Polling: both cores call esp_amp_rpmsg_poll() in a loop.
 *               Interrupt: both devices have poll = false, notify = true and
 *               the rx interrupt enabled; both cores sleep in
 *               sim_wait_interrupt() (optionally after spinning spin_us), so
 *               every callback runs in the doorbell ISR.
 * T_LIB_STREAM  main sends as fast as the ring allows (retrying on
 *               ESP_AMP_ERR_NO_BUF); sub's callback copies out, checks the
 *               sequence number and destroys. Polling: sub polls. Interrupt:
 *               sub sleeps, its doorbell ISR drains the ring; main notifies
 *               (doorbell suppression decides whether a doorbell is rung).
 * With nept = 8, eight endpoint pairs share the device, used round-robin.
 */
#define _GNU_SOURCE
#include "bench.h"
#include "bench_stream.h"
#include "esp_amp.h"
#include "esp_amp_platform.h"
#include "sim.h"

#include <stdio.h>

#define EPT_MAIN_BASE 1u
#define EPT_SUB_BASE 101u
#define LIB_SHM_SIZE (256u * 1024u)
#define MAX_EPT 8

typedef struct {
    esp_amp_rpmsg_ept_t ept;
    uint16_t peer;
} ept_ctx_t;

/* Per process (each simulated core is its own process). */
static const trial_t *g_t;
static esp_amp_rpmsg_dev_t g_dev;
static ept_ctx_t g_ep[MAX_EPT];
static _Atomic uint32_t g_got;       /* main: replies received (RTT)       */
static _Atomic uint32_t g_handled;   /* messages handled by callbacks      */
static stream_rx_t g_rx;
static uint8_t g_src[65536];
static uint8_t g_dst[65536];

static bool is_no_buf(void)
{
    return esp_amp_get_last_error() == ESP_AMP_ERR_NO_BUF;
}

/* Send len bytes of data from e to dst: 0, or -1 (last error says why). */
static int lib_send(ept_ctx_t *e, uint16_t dst, const uint8_t *data,
                    uint16_t len)
{
    if (g_t->zc) {
        void *p = esp_amp_rpmsg_create_message(&g_dev, len, 0);
        if (p == NULL) {
            return -1;
        }
        memcpy(p, data, len);
        if (esp_amp_rpmsg_send_nocopy(&g_dev, &e->ept, dst, p, len) != 0) {
            bench_fail("send_nocopy: %s",
                       esp_amp_err_name(esp_amp_get_last_error()));
            return -1;
        }
        return 0;
    }
    return esp_amp_rpmsg_send(&g_dev, &e->ept, dst, (void *)data, len);
}

static bool check_msg(const void *data, uint16_t len, uint32_t seq)
{
    if (len != g_t->size ||
        bench_read_seq(data, len) != (len >= 4 ? seq : 0u)) {
        bench_fail("bad message: len %u (want %u), seq %u (want %u)", len,
                   g_t->size, bench_read_seq(data, len), seq);
        return false;
    }
    return true;
}

/* ---- callbacks (ISR context in interrupt mode) -------------------------- */
static int main_rtt_cb(void *data, uint16_t len, uint16_t src, void *priv)
{
    (void)src;
    (void)priv;
    uint32_t n = atomic_load_explicit(&g_got, memory_order_relaxed) + 1u;
    memcpy(g_dst, data, len);
    (void)check_msg(g_dst, len, n);
    if (esp_amp_rpmsg_destroy(&g_dev, data) != 0) {
        bench_fail("main destroy failed");
    }
    atomic_store_explicit(&g_got, n, memory_order_release);
    return 0;
}

static int sub_rtt_cb(void *data, uint16_t len, uint16_t src, void *priv)
{
    ept_ctx_t *e = priv;
    memcpy(g_dst, data, len);
    if (lib_send(e, src, g_dst, len) != 0) {
        bench_fail("sub reply failed: %s",
                   esp_amp_err_name(esp_amp_get_last_error()));
    }
    if (esp_amp_rpmsg_destroy(&g_dev, data) != 0) {
        bench_fail("sub destroy failed");
    }
    atomic_fetch_add_explicit(&g_handled, 1u, memory_order_relaxed);
    return 0;
}

static int sub_stream_cb(void *data, uint16_t len, uint16_t src, void *priv)
{
    (void)src;
    (void)priv;
    memcpy(g_dst, data, len);
    (void)check_msg(g_dst, len, (uint32_t)stream_rx_count(&g_rx));
    if (esp_amp_rpmsg_destroy(&g_dev, data) != 0) {
        bench_fail("sub destroy failed");
    }
    stream_rx_note(&g_rx);
    return 0;
}

/* ---- set-up ------------------------------------------------------------- */
static int lib_setup(int core)
{
    const trial_t *t = g_t;
    bool stream = t->kind == T_LIB_STREAM;
    bool notify, poll;
    if (stream) {
        notify = core == ESP_AMP_CORE_MAIN && t->intr;   /* sub may sleep  */
        poll = core == ESP_AMP_CORE_MAIN || !t->intr;
    } else {
        notify = t->intr;
        poll = !t->intr;
    }
    if (esp_amp_init() != 0) {
        return bench_fail("core %d: esp_amp_init: %s", core,
                          esp_amp_err_name(esp_amp_get_last_error()));
    }
    int rc = core == ESP_AMP_CORE_MAIN
                 ? esp_amp_rpmsg_main_init(&g_dev, t->qlen, t->item, notify,
                                           poll)
                 : esp_amp_rpmsg_sub_init(&g_dev, notify, poll);
    if (rc != 0) {
        return bench_fail("core %d: rpmsg init: %s", core,
                          esp_amp_err_name(esp_amp_get_last_error()));
    }
    esp_amp_ept_cb_t cb = core == ESP_AMP_CORE_MAIN
                              ? main_rtt_cb
                              : (stream ? sub_stream_cb : sub_rtt_cb);
    for (int k = 0; k < t->nept; k++) {
        uint16_t own = (uint16_t)((core == ESP_AMP_CORE_MAIN ? EPT_MAIN_BASE
                                                             : EPT_SUB_BASE) + k);
        g_ep[k].peer = (uint16_t)((core == ESP_AMP_CORE_MAIN ? EPT_SUB_BASE
                                                             : EPT_MAIN_BASE) + k);
        if (esp_amp_rpmsg_create_endpoint(&g_dev, own, cb, &g_ep[k],
                                          &g_ep[k].ept) == NULL) {
            return bench_fail("core %d: create_endpoint %u failed", core, own);
        }
    }
    if (!poll && esp_amp_rpmsg_intr_enable(&g_dev) != 0) {
        return bench_fail("core %d: intr_enable: %s", core,
                          esp_amp_err_name(esp_amp_get_last_error()));
    }
    if (core == ESP_AMP_CORE_MAIN) {
        uint32_t size = 0;
        if (esp_amp_sys_info_get(SYS_INFO_RESERVED_ID_VQUEUE, &size) != NULL) {
            g_ctl->shm_block = size;
        }
        if (esp_amp_rpmsg_get_max_size(&g_dev) < t->size) {
            return bench_fail("payload %u > max %u", t->size,
                              esp_amp_rpmsg_get_max_size(&g_dev));
        }
    }
    return 0;
}

static void save_stats(void)
{
    esp_amp_rpmsg_stats_t st;
    if (esp_amp_rpmsg_get_stats(&g_dev, &st) == 0) {
        g_ctl->notifies = st.notifies;
        g_ctl->tx_msgs = st.tx_msgs;
    }
}

/* ---- main core ---------------------------------------------------------- */
static int send_retry(ept_ctx_t *e, uint16_t dst, uint64_t deadline)
{
    uint32_t spins = 0;
    while (lib_send(e, dst, g_src, g_t->size) != 0) {
        if (!is_no_buf() || atomic_load(&g_ctl->failed)) {
            return bench_fail("send: %s",
                              esp_amp_err_name(esp_amp_get_last_error()));
        }
        bench_relax();
        if ((++spins & 0xfffu) == 0 && bench_timed_out(deadline, "send")) {
            return 2;
        }
    }
    return 0;
}

static int main_rtt(uint64_t deadline)
{
    const trial_t *t = g_t;
    uint64_t spin_ticks = bench_ns_to_ticks(t->spin_us * 1e3);
    RTT_MAIN_LOOP(t, {
        ept_ctx_t *e = &g_ep[i % t->nept];
        bench_stamp_seq(g_src, t->size, i);
        if (send_retry(e, e->peer, deadline) != 0) {
            return 2;
        }
        if (!t->intr) {
            uint32_t spins = 0;
            while (atomic_load_explicit(&g_got, memory_order_acquire) != i) {
                if (esp_amp_rpmsg_poll(&g_dev) != 0) {
                    bench_relax();
                    if ((++spins & 0xfffu) == 0 &&
                        bench_timed_out(deadline, "rtt reply (poll)")) {
                        return 2;
                    }
                }
            }
        } else {
            uint64_t spin_end = bench_ticks() + spin_ticks;
            while (atomic_load_explicit(&g_got, memory_order_acquire) != i &&
                   bench_ticks() < spin_end) {
                bench_relax();
            }
            while (atomic_load_explicit(&g_got, memory_order_acquire) != i) {
                (void)sim_wait_interrupt(2000);
                if (bench_timed_out(deadline, "rtt reply (intr)")) {
                    return 2;
                }
            }
        }
        if (atomic_load(&g_ctl->failed)) {
            return 2;
        }
    });
    return 0;
}

static int main_stream(uint64_t deadline)
{
    const trial_t *t = g_t;
    uint64_t start = bench_ticks();
    uint64_t end = start + bench_ns_to_ticks(t->dur_ms * 1e6);
    uint64_t sent = 0;
    for (;;) {
        if ((sent & 63u) == 0 &&
            (bench_ticks() > end || atomic_load(&g_ctl->failed))) {
            break;
        }
        ept_ctx_t *e = &g_ep[sent % t->nept];
        bench_stamp_seq(g_src, t->size, (uint32_t)sent);
        if (send_retry(e, e->peer, deadline) != 0) {
            return 2;
        }
        sent++;
    }
    g_ctl->send_ticks = bench_ticks() - start;
    atomic_store_explicit(&g_ctl->sent_total, sent, memory_order_relaxed);
    return 0;
}

/* ---- sub core ----------------------------------------------------------- */
/* Messages handled by this core's callbacks so far. */
static uint64_t handled(void)
{
    return atomic_load(&g_handled) + stream_rx_count(&g_rx);
}

static bool sub_done(void)
{
    if (!atomic_load_explicit(&g_ctl->stop, memory_order_acquire)) {
        return false;
    }
    if (g_t->kind != T_LIB_STREAM || atomic_load(&g_ctl->failed)) {
        return true;
    }
    return stream_rx_count(&g_rx) == atomic_load(&g_ctl->sent_total);
}

static int sub_loop(uint64_t deadline)
{
    const trial_t *t = g_t;
    bool intr = t->intr;
    uint64_t spin_ticks = bench_ns_to_ticks(t->spin_us * 1e3);
    uint32_t spins = 0;
    while (!sub_done()) {
        if (!intr) {
            if (esp_amp_rpmsg_poll(&g_dev) == 0) {
                continue;
            }
            bench_relax();
        } else {
            uint64_t seen = handled();
            uint64_t spin_end = bench_ticks() + spin_ticks;
            while (spin_ticks && handled() == seen &&
                   bench_ticks() < spin_end && !sub_done()) {
                bench_relax();
            }
            if (handled() == seen) {
                (void)sim_wait_interrupt(1000);
            }
            spins = 0xfffu;   /* check the deadline every wake-up */
        }
        if ((++spins & 0xfffu) == 0 && bench_timed_out(deadline, "sub loop")) {
            return 2;
        }
    }
    return 0;
}

/* ---- entry of both simulated cores -------------------------------------- */
static int lib_core(void *arg)
{
    g_t = arg;
    int core = sim_current_core();
    if (core != ESP_AMP_CORE_MAIN && core != ESP_AMP_CORE_SUB) {
        return bench_fail("sim_current_core() = %d", core);
    }
    bench_pin(core);
    memset(g_src, 0x5a, sizeof(g_src));
    memset(g_dst, 0, sizeof(g_dst));
    uint64_t deadline = bench_deadline_s(g_t->dur_ms / 1e3 + 10.0);
    int rc;
    if (core == ESP_AMP_CORE_MAIN) {
        rc = bench_bring_up(core, lib_setup, &g_dev, deadline);
        if (rc != 0) {
            return rc;
        }
        rc = g_t->kind == T_LIB_RTT ? main_rtt(deadline) : main_stream(deadline);
        save_stats();
        atomic_store_explicit(&g_ctl->stop, 1u, memory_order_release);
        return rc;
    }
    stream_rx_init(&g_rx);
    rc = bench_bring_up(core, lib_setup, &g_dev, deadline);
    if (rc != 0) {
        return rc;
    }
    rc = sub_loop(deadline);
    stream_rx_finish(&g_rx);
    g_ctl->isrs = sim_isr_count();
    return rc;
}

/* Both cores of a trial come up in order: the main core sets up, the sub
 * core then, and the main core waits until the sub core has joined (the
 * rings are used only then). 0, or what failed. */
int bench_bring_up(int core, int (*setup)(int), esp_amp_rpmsg_dev_t *dev,
                   uint64_t deadline)
{
    int rc;
    if (core == ESP_AMP_CORE_MAIN) {
        rc = setup(core);
        atomic_store(&g_ctl->main_ready, rc == 0 ? 1u : 2u);
        if (rc != 0) {
            return rc;
        }
        SPIN_UNTIL(atomic_load(&g_ctl->sub_ready) != 0, deadline, "sub ready");
        if (atomic_load(&g_ctl->sub_ready) != 1u) {
            return 2;
        }
        SPIN_UNTIL(esp_amp_rpmsg_get_link_state(dev) == ESP_AMP_LINK_UP,
                   deadline, "link up");
        return 0;
    }
    SPIN_UNTIL(atomic_load(&g_ctl->main_ready) != 0, deadline, "main ready");
    if (atomic_load(&g_ctl->main_ready) != 1u) {
        return 2;
    }
    rc = setup(core);
    atomic_store(&g_ctl->sub_ready, rc == 0 ? 1u : 2u);
    return rc;
}

/* Run `entry` as both simulated cores (processes) on a fresh region of
 * `shm_size` bytes and wait for both. 0, or 2 after a failure. */
int bench_run_sim_cores(uint32_t shm_size, int (*entry)(void *), const trial_t *t,
                        const char *what)
{
    if (sim_init(shm_size) != 0) {
        return bench_fail("sim_init failed");
    }
    int rc_main = -1, rc_sub = -1;
    fflush(NULL);
    if (sim_start_core(ESP_AMP_CORE_MAIN, SIM_PROCESS, entry, (void *)t) != 0) {
        sim_deinit();
        return bench_fail("sim_start_core(main) failed");
    }
    if (sim_start_core(ESP_AMP_CORE_SUB, SIM_PROCESS, entry, (void *)t) != 0) {
        bench_fail("sim_start_core(sub) failed");
        (void)sim_kill_core(ESP_AMP_CORE_MAIN);
        sim_deinit();
        return 2;
    }
    (void)sim_join_core(ESP_AMP_CORE_MAIN, &rc_main);
    (void)sim_join_core(ESP_AMP_CORE_SUB, &rc_sub);
    sim_deinit();
    if (rc_main != 0 || rc_sub != 0) {
        return bench_fail("%s: exit codes main %d, sub %d", what, rc_main, rc_sub);
    }
    return atomic_load(&g_ctl->failed) ? 2 : 0;
}

int bench_lib_trial(const trial_t *t)
{
    return bench_run_sim_cores(LIB_SHM_SIZE, lib_core, t, "library trial");
}
