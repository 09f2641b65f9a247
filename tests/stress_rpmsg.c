/*
 * stress_rpmsg - both cores send to each other at once, as fast as they
 * can, and check every message.
 *
 * Each core has 8 endpoints (addresses 0..7). Every message goes from a
 * random local endpoint s to a random remote endpoint d; the pair (s, d)
 * is a stream with its own sequence number. Messages are those of
 * traffic.h (stream number: direction, s, d); the length (1..max payload)
 * of message `seq` of a stream is a pure function of (stream, seq) too, so
 * the receiver, which knows the next sequence number it expects on each
 * stream, checks it got exactly that message (tr_expect: header, pattern
 * and checksum from TR_HDR_SIZE bytes on, the short-message encoding
 * below): a lost, duplicated, reordered or corrupted message is a
 * mismatch.
 * Half the messages go by copy (esp_amp_rpmsg_send), half zero-copy
 * (create_message + send_nocopy).
 *
 * At the end each core announces DONE to the peer's endpoint 100 and, once
 * it has the peer's DONE, checks that every one of its transmit buffers has
 * come back (it can create queue_len messages again), that it holds no
 * received buffer, and that no counter reports a refused message.
 *
 * usage: stress_rpmsg [--messages N (total, both directions)]
 *                     [--main-intr] [--sub-intr] [--threads]
 *                     [--queue-len L] [--item-size S]
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_amp.h"
#include "esp_amp_env.h"
#include "esp_amp_platform.h"
#include "sim.h"
#include "traffic.h"

#define EPTS 8
#define EPT_DONE 100
#define TIMEOUT_MS 120000

static struct {
    uint32_t per_dir;           /* messages each core sends */
    bool intr[2];               /* receive by interrupt, per core */
    uint16_t queue_len, item_size;
} cfg = {500000, {false, false}, 32, 256};

typedef struct {
    esp_amp_rpmsg_dev_t dev;
    esp_amp_rpmsg_ept_t ept[EPTS], done_ept;
    uint32_t tx_seq[EPTS][EPTS];          /* [src][dst] next to send  */
    volatile uint32_t rx_seq[EPTS][EPTS]; /* [src][dst] next expected */
    volatile uint32_t received, errors;
    volatile bool peer_done;
    uint16_t max;
    int core;
} side_t;

static _Thread_local side_t *me;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

/* Stream number of (dir, s, d) and the length of its message `seq`. */
static uint16_t stream_of(int dir, unsigned s, unsigned d)
{
    return (uint16_t)((unsigned)dir * EPTS * EPTS + s * EPTS + d);
}
static uint16_t msg_len(uint16_t stream, uint32_t seq, uint16_t max)
{
    return tr_len(seq, stream, 1, max);
}

static int rx_cb(void *data, uint16_t len, uint16_t src, void *arg)
{
    side_t *sd = me;
    unsigned d = (unsigned)(uintptr_t)arg;
    if (src >= EPTS) {
        sd->errors++;
    } else {
        uint32_t seq = sd->rx_seq[src][d], next = seq, bad;
        uint16_t stream = stream_of(sd->core ^ 1, src, d);
        bool ok = len == msg_len(stream, seq, sd->max) &&
                  tr_expect(data, len, stream, &next, &bad) == TR_OK;
        sd->errors += !ok;
        sd->rx_seq[src][d] = seq + 1;
    }
    sd->received++;
    if (esp_amp_rpmsg_destroy(&sd->dev, data) != 0) {
        sd->errors++;
    }
    return 0;
}

static int done_cb(void *data, uint16_t len, uint16_t src, void *arg)
{
    (void)len, (void)src, (void)arg;
    me->peer_done = true;
    if (esp_amp_rpmsg_destroy(&me->dev, data) != 0) {
        me->errors++;
    }
    return 0;
}

static void service(side_t *sd)
{
    if (!cfg.intr[sd->core]) {
        for (int i = 0; i < 64 && esp_amp_rpmsg_poll(&sd->dev) == 0; i++) {
        }
    }
}

static bool timed_out(uint32_t t0)
{
    return esp_amp_platform_get_time_ms() - t0 > TIMEOUT_MS;
}

static int send_one(side_t *sd, uint32_t n)
{
    unsigned s = (unsigned)(mix(n * 2654435761u + (uint64_t)sd->core) % EPTS);
    unsigned d = (unsigned)(mix(n + 0x9e3779b9u) % EPTS);
    uint32_t seq = sd->tx_seq[s][d];
    uint16_t stream = stream_of(sd->core, s, d);
    uint16_t len = msg_len(stream, seq, sd->max);
    if (seq & 1) {
        uint8_t *m = esp_amp_rpmsg_create_message(&sd->dev, len, 0);
        if (m == NULL) {
            return -1;
        }
        tr_fill(m, len, stream, seq);
        if (esp_amp_rpmsg_send_nocopy(&sd->dev, &sd->ept[s], (uint16_t)d, m,
                                      len) != 0) {
            sd->errors++;
        }
    } else {
        uint8_t buf[0x10000];
        tr_fill(buf, len, stream, seq);
        if (esp_amp_rpmsg_send(&sd->dev, &sd->ept[s], (uint16_t)d, buf, len)) {
            return -1;
        }
    }
    sd->tx_seq[s][d] = seq + 1;
    return 0;
}

static int core_main(void *arg)
{
    (void)arg;
    static side_t sides[2];   /* thread cores share the process */
    int core = esp_amp_platform_core_id();
    side_t *sd = me = &sides[core];
    memset(sd, 0, sizeof *sd);
    sd->core = core;
    const char *name = core == ESP_AMP_CORE_MAIN ? "main" : "sub";
    int rc;
    if (core == ESP_AMP_CORE_MAIN) {
        rc = esp_amp_init() ||
             esp_amp_rpmsg_main_init(&sd->dev, cfg.queue_len, cfg.item_size,
                                     true, !cfg.intr[core]);
    } else {
        uint32_t t0 = esp_amp_platform_get_time_ms();
        while ((rc = esp_amp_init() || esp_amp_rpmsg_sub_init(
                         &sd->dev, true, !cfg.intr[core])) != 0 &&
               !timed_out(t0)) {
            sched_yield();   /* wait for the main core to format */
        }
    }
    if (rc != 0) {
        fprintf(stderr, "%s: init failed: %s\n", name,
                esp_amp_err_name(esp_amp_get_last_error()));
        return 1;
    }
    sd->max = esp_amp_rpmsg_get_max_size(&sd->dev);
    for (unsigned i = 0; i < EPTS; i++) {
        esp_amp_rpmsg_create_endpoint(&sd->dev, (uint16_t)i, rx_cb,
                                      (void *)(uintptr_t)i, &sd->ept[i]);
    }
    esp_amp_rpmsg_create_endpoint(&sd->dev, EPT_DONE, done_cb, NULL,
                                  &sd->done_ept);
    if (cfg.intr[core] && esp_amp_rpmsg_intr_enable(&sd->dev) != 0) {
        return 1;
    }
    /* The main core's hello is queued behind nothing and sent only once its
     * endpoints exist; the sub core sends nothing before it has it, and it
     * creates its own endpoints before it receives anything. */
    uint32_t t0 = esp_amp_platform_get_time_ms();
    if (core == ESP_AMP_CORE_MAIN) {
        while (esp_amp_rpmsg_send(&sd->dev, &sd->done_ept, EPT_DONE, "hi", 3) &&
               !timed_out(t0)) {
            service(sd);
        }
    } else {
        while (!sd->peer_done && !timed_out(t0)) {
            service(sd);
            sched_yield();
        }
        sd->peer_done = false;
    }

    for (uint32_t n = 0; n < cfg.per_dir && !timed_out(t0);) {
        if (send_one(sd, n) == 0) {
            n++;
        } else {
            service(sd);
            sched_yield();
        }
        if ((n & 15) == 0) {
            service(sd);
        }
    }
    while (sd->received < cfg.per_dir && !timed_out(t0)) {
        service(sd);
        sched_yield();
    }
    while (esp_amp_rpmsg_send(&sd->dev, &sd->done_ept, EPT_DONE, "done", 5) &&
           !timed_out(t0)) {
        service(sd);
    }
    while (!sd->peer_done && !timed_out(t0)) {
        service(sd);
        sched_yield();
    }
    /* Every transmit buffer must come back: create queue_len messages. */
    void *held[1024];
    unsigned got = 0;
    while (got < cfg.queue_len && !timed_out(t0)) {
        void *m = esp_amp_rpmsg_create_message(&sd->dev, 1, 0);
        if (m != NULL) {
            held[got++] = m;
        } else {
            service(sd);
            sched_yield();
        }
    }
    (void)held;
    esp_amp_rpmsg_stats_t st;
    esp_amp_rpmsg_get_stats(&sd->dev, &st);
    uint32_t expect_rx = cfg.per_dir;
    bool ok = !timed_out(t0) && sd->errors == 0 &&
              sd->received == expect_rx && got == cfg.queue_len &&
              esp_amp_queue_held(&sd->dev.vq[1]) == 0 &&
              st.rx_no_ept == 0 && st.rx_corrupt == 0 &&
              st.rx_bad_header == 0 && st.bad_ptr == 0;
    printf("%s (%s): sent %u, received %u, errors %u, tx buffers back %u/%u,"
           " doorbells %u, refused %u/%u/%u: %s\n",
           name, cfg.intr[core] ? "interrupt" : "poll", (unsigned)st.tx_msgs,
           (unsigned)sd->received, (unsigned)sd->errors, got,
           (unsigned)cfg.queue_len, (unsigned)st.notifies,
           (unsigned)st.rx_no_ept, (unsigned)st.rx_corrupt,
           (unsigned)st.rx_bad_header, ok ? "ok" : "FAILED");
    fflush(stdout);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    sim_mode_t mode = SIM_PROCESS;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--messages") && i + 1 < argc) {
            cfg.per_dir = (uint32_t)strtoul(argv[++i], NULL, 0) / 2;
        } else if (!strcmp(argv[i], "--main-intr")) {
            cfg.intr[ESP_AMP_CORE_MAIN] = true;
        } else if (!strcmp(argv[i], "--sub-intr")) {
            cfg.intr[ESP_AMP_CORE_SUB] = true;
        } else if (!strcmp(argv[i], "--threads")) {
            mode = SIM_THREAD;
        } else if (!strcmp(argv[i], "--queue-len") && i + 1 < argc) {
            cfg.queue_len = (uint16_t)strtoul(argv[++i], NULL, 0);
        } else if (!strcmp(argv[i], "--item-size") && i + 1 < argc) {
            cfg.item_size = (uint16_t)strtoul(argv[++i], NULL, 0);
        } else {
            fprintf(stderr, "usage: %s [--messages N] [--main-intr] "
                    "[--sub-intr] [--threads] [--queue-len L] "
                    "[--item-size S]\n", argv[0]);
            return 2;
        }
    }
    if (cfg.queue_len > 1024 || sim_init(4u << 20) != 0) {
        return 1;
    }
    int rc[2] = {1, 1};
    if (sim_start_core(ESP_AMP_CORE_MAIN, mode, core_main, NULL) != 0 ||
        sim_start_core(ESP_AMP_CORE_SUB, mode, core_main, NULL) != 0) {
        return 1;
    }
    sim_join_core(ESP_AMP_CORE_MAIN, &rc[0]);
    sim_join_core(ESP_AMP_CORE_SUB, &rc[1]);
    sim_deinit();
    bool pass = rc[0] == 0 && rc[1] == 0;
    printf("stress_rpmsg: %u messages each way: %s\n", (unsigned)cfg.per_dir,
           pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
}
