/*
 * bench_main.c - rpmsg_bench: the RPMsg benchmark.
 *
 *   rpmsg_bench [--quick] [--json FILE] [--reps N] [--item BYTES]
 *               [--only rtt,stream,wake,instr,mem] [--no-callgrind]
 *               [--callgrind-prog PATH]
 *
 * Every figure is the median over repetitions of a per-trial p50 (per
 * round trip, or per chunk of BENCH_CHUNK streamed messages), with the min
 * and max of those per-trial p50s. Each figure sits in a group with its
 * baseline(s); a repetition runs every trial of the group once, back to
 * back (order reversed on odd repetitions), and a ratio is the median over
 * repetitions of value / baseline within the same repetition, so slow
 * drifts of the machine cancel out. See bench/README.md.
 */
#define _GNU_SOURCE
#include "bench.h"
#include "bench_cg.h"
#include "esp_amp.h"
#include "esp_amp_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef BENCH_BUILD_TYPE
#define BENCH_BUILD_TYPE ""
#endif
#ifndef BENCH_CALLGRIND_MSGS
#define BENCH_CALLGRIND_MSGS "callgrind_msgs"
#endif
#ifndef BENCH_CALLGRIND_MSGS_O2
#define BENCH_CALLGRIND_MSGS_O2 "callgrind_msgs_O2"
#endif
#ifndef BENCH_CALLGRIND_MSGS_OS
#define BENCH_CALLGRIND_MSGS_OS "callgrind_msgs_Os"
#endif
#ifndef BENCH_CALLGRIND_OPT
#define BENCH_CALLGRIND_OPT "build"
#endif
/* The instruction counts also come from these builds of callgrind_msgs
 * (library and driver at -O2 and -Os, as firmware is built), printed
 * beside the counts of this build's own flags. */
#define CG_NALT 2
static const char *const g_cg_alt_prog[CG_NALT] = {BENCH_CALLGRIND_MSGS_O2,
                                                   BENCH_CALLGRIND_MSGS_OS};
static const char *const g_cg_alt_opt[CG_NALT] = {"-O2", "-Os"};
static bool g_cg_alt_ok[CG_NALT];

/* ---- options ------------------------------------------------------------ */
static struct {
    bool quick;
    const char *json;
    int reps;             /* 0 = default per section                      */
    uint16_t item;
    bool callgrind;
    bool do_rtt, do_stream, do_instr, do_mem;
    const char *cg_prog;
    bool do_wake;
} opt = {false, NULL, 0, 256, true, true, true, true, true, BENCH_CALLGRIND_MSGS,
         true};

/* ---- records (what the table and the JSON print) ------------------------ */
#define MAX_REC 256
#define MAX_REPS_REC 31
typedef struct {
    char name[48];
    double value;
    double ratio;
} base_t;

typedef struct {
    char section[16];
    char name[64];
    char unit[16];
    double p50, min, max;
    int reps;
    int nbase;
    base_t base[3];
    double mbps;          /* stream: payload MB/s at p50, else < 0        */
    double vals[MAX_REPS_REC]; /* per-repetition values (trial p50s)       */
    double doorbells;     /* library: doorbells per message, else < 0     */
    const trial_t *t;     /* parameters, NULL for non-trial figures       */
    trial_t tcopy;
    char note[64];
    double alt[CG_NALT];  /* instr: the figure at g_cg_alt_opt[k]          */
    bool has_alt;
} record_t;

static record_t g_rec[MAX_REC];
static int g_nrec;

static record_t *rec_new(const char *section, const char *name,
                         const char *unit)
{
    if (g_nrec >= MAX_REC) {
        fprintf(stderr, "rpmsg_bench: too many records\n");
        exit(1);
    }
    record_t *r = &g_rec[g_nrec++];
    memset(r, 0, sizeof(*r));
    snprintf(r->section, sizeof(r->section), "%s", section);
    snprintf(r->name, sizeof(r->name), "%s", name);
    snprintf(r->unit, sizeof(r->unit), "%s", unit);
    r->mbps = -1;
    r->doorbells = -1;
    return r;
}

static const record_t *rec_find(const char *section, const char *name)
{
    for (int i = 0; i < g_nrec; i++) {
        if (strcmp(g_rec[i].section, section) == 0 &&
            strcmp(g_rec[i].name, name) == 0) {
            return &g_rec[i];
        }
    }
    return NULL;
}

/* ---- running one trial -------------------------------------------------- */
static uint32_t g_seen_block[512];   /* pair block size seen, by qlen   */

static int open_fds(trial_kind_t kind)
{
    if (kind == T_EVENTFD) {
        int a = eventfd(0, EFD_CLOEXEC), b = eventfd(0, EFD_CLOEXEC);
        if (a < 0 || b < 0) {
            return -1;
        }
        g_base_fd[0] = g_base_fd[1] = a;
        g_base_fd[2] = g_base_fd[3] = b;
    } else if (kind == T_PIPE) {
        int p1[2], p2[2];
        if (pipe2(p1, O_CLOEXEC) || pipe2(p2, O_CLOEXEC)) {
            return -1;
        }
        g_base_fd[0] = p1[0];
        g_base_fd[1] = p1[1];
        g_base_fd[2] = p2[0];
        g_base_fd[3] = p2[1];
    }
    return 0;
}

static void close_fds(void)
{
    for (int i = 0; i < 4; i++) {
        if (g_base_fd[i] >= 0) {
            if (i == 0 || g_base_fd[i] != g_base_fd[i - 1]) {
                close(g_base_fd[i]);
            }
            g_base_fd[i] = -1;
        }
    }
}

static bool is_rtt(trial_kind_t k)
{
    return k != T_RING_STREAM && k != T_LIB_STREAM && k != T_WAKE_STREAM;
}

static bool is_lib(trial_kind_t k)
{
    return k == T_LIB_RTT || k == T_LIB_STREAM || k == T_WAKE_LAT ||
           k == T_WAKE_STREAM;
}

int bench_run_trial(const trial_t *t, trial_out_t *out)
{
    memset(out, 0, sizeof(*out));
    bench_ctl_reset();
    memset(g_ctl->scratch, 0, 256u * 1024u);
    int rc;
    if (t->kind == T_LIB_RTT || t->kind == T_LIB_STREAM) {
        rc = bench_lib_trial(t);
    } else if (t->kind == T_WAKE_LAT || t->kind == T_WAKE_STREAM) {
        rc = bench_wake_trial(t);
    } else {
        struct sigaction sa, old;
        if (t->kind == T_SIGNAL) {
            memset(&sa, 0, sizeof(sa));
            sa.sa_handler = bench_signal_handler;
            sa.sa_flags = SA_RESTART;
            sigemptyset(&sa.sa_mask);
            sigaction(BENCH_PP_SIGNAL, &sa, &old);
        }
        if (open_fds(t->kind) != 0) {
            bench_fail("eventfd/pipe: %s", strerror(errno));
            close_fds();
            return -1;
        }
        rc = bench_run_pair(bench_baseline_side, t, t->dur_ms / 1e3 + 20.0);
        close_fds();
        if (t->kind == T_SIGNAL) {
            sigaction(BENCH_PP_SIGNAL, &old, NULL);
        }
    }
    if (rc != 0 || atomic_load(&g_ctl->failed)) {
        if (g_ctl->errmsg[0] == '\0') {
            snprintf(g_ctl->errmsg, sizeof(g_ctl->errmsg), "trial failed");
        }
        return -1;
    }
    if (g_ctl->shm_block != 0 && t->qlen < 512) {
        g_seen_block[t->qlen] = g_ctl->shm_block;
    }
    if (g_ctl->tx_msgs != 0) {
        out->doorbells = (double)g_ctl->notifies / (double)g_ctl->tx_msgs;
        out->isrs = (double)g_ctl->isrs / (double)g_ctl->tx_msgs;
    }
    if (is_rtt(t->kind)) {
        uint32_t n = g_ctl->nsamples;
        if (n < 3) {
            bench_fail("only %u round trips timed", n);
            return -1;
        }
        out->count = n;
        out->value = bench_median_u64(g_ctl->samples, n) * g_ns_per_tick;
        return 0;
    }
    uint64_t sent = atomic_load(&g_ctl->sent_total);
    if (g_ctl->received != sent) {
        bench_fail("stream: %llu sent, %llu received",
                   (unsigned long long)sent,
                   (unsigned long long)g_ctl->received);
        return -1;
    }
    uint32_t nst = g_ctl->nstamps;
    out->count = sent;
    if (nst < 5) {
        /* Too few chunks to take a median of (very slow configuration or
         * --quick): messages over the sender's time. */
        if (sent == 0 || g_ctl->send_ticks == 0) {
            bench_fail("stream: no message sent in %.1f ms", t->dur_ms);
            return -1;
        }
        out->value = (double)sent / ((double)g_ctl->send_ticks * g_ns_per_tick * 1e-9);
        out->total_rate = out->value;
        return 0;
    }
    double span_ns = (double)(g_ctl->stamps[nst - 1] - g_ctl->stamps[0]) *
                     g_ns_per_tick;
    out->total_rate = (double)(nst - 1) * BENCH_CHUNK / (span_ns * 1e-9);
    /* Per-chunk times, the first chunk (warm-up) left out. */
    static uint64_t d[BENCH_MAX_SAMPLES];
    uint32_t nd = 0;
    for (uint32_t j = 1; j + 1 < nst; j++) {
        d[nd++] = g_ctl->stamps[j + 1] - g_ctl->stamps[j];
    }
    double chunk_ns = bench_median_u64(d, nd) * g_ns_per_tick;
    out->value = BENCH_CHUNK / (chunk_ns * 1e-9);
    return 0;
}

/* ---- groups ------------------------------------------------------------- */
#define MAX_REPS 31
#define MAX_ITEMS 24
#define BASE_NONE (-1)
#define BASE_KWAKE (-2)   /* per repetition: min(futex, eventfd) */

typedef struct {
    char label[64];
    trial_t t;
    int base[3];
    double v[MAX_REPS];
    double doorbells[MAX_REPS];
} item_t;

typedef struct {
    const char *section;
    const char *title;
    item_t it[MAX_ITEMS];
    int n;
    int kwake[2];
    int reps;
} group_t;

static int add_item(group_t *g, const trial_t *t, int b0, int b1,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int add_item(group_t *g, const trial_t *t, int b0, int b1,
                    const char *fmt, ...)
{
    if (g->n >= MAX_ITEMS) {
        fprintf(stderr, "rpmsg_bench: group %s too large\n", g->title);
        exit(1);
    }
    item_t *it = &g->it[g->n];
    memset(it, 0, sizeof(*it));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->label, sizeof(it->label), fmt, ap);
    va_end(ap);
    it->t = *t;
    it->base[0] = b0;
    it->base[1] = b1;
    it->base[2] = BASE_NONE;
    return g->n++;
}

static double base_value(const group_t *g, int b, int r)
{
    if (b == BASE_KWAKE) {
        return fmin(g->it[g->kwake[0]].v[r], g->it[g->kwake[1]].v[r]);
    }
    return g->it[b].v[r];
}

static const char *base_name(const group_t *g, int b)
{
    return b == BASE_KWAKE ? "min(futex, eventfd)" : g->it[b].label;
}

static double g_t_start;
static double g_busy_start = -1;

/* Fraction of the machine's CPU time that was busy over 200 ms, before the
 * benchmark starts anything (from /proc/stat): other work on the machine
 * disturbs the figures. -1 if unknown. */
static int read_cpu_times(unsigned long long *busy, unsigned long long *total)
{
    unsigned long long v[10] = {0};
    FILE *f = fopen("/proc/stat", "r");
    if (f == NULL) {
        return -1;
    }
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
                   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
                   &v[8], &v[9]);
    fclose(f);
    if (n < 5) {
        return -1;
    }
    *total = 0;
    for (int i = 0; i < 8; i++) {   /* guest times are included in user */
        *total += v[i];
    }
    *busy = *total - v[3] - v[4];   /* minus idle and iowait */
    return 0;
}

static double busy_fraction(void)
{
    unsigned long long b0, t0, b1, t1;
    if (read_cpu_times(&b0, &t0) != 0) {
        return -1;
    }
    usleep(200000);
    if (read_cpu_times(&b1, &t1) != 0 || t1 <= t0) {
        return -1;
    }
    return (double)(b1 - b0) / (double)(t1 - t0);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void run_group(group_t *g)
{
    fprintf(stderr, "[%6.1fs] %-44s %2d trials x %d reps\n",
            now_s() - g_t_start, g->title, g->n, g->reps);
    for (int r = 0; r < g->reps; r++) {
        for (int k = 0; k < g->n; k++) {
            int i = (r & 1) ? g->n - 1 - k : k;
            trial_out_t out;
            if (bench_run_trial(&g->it[i].t, &out) != 0) {
                fprintf(stderr, "rpmsg_bench: %s / %s: %s\n", g->title,
                        g->it[i].label, g_ctl->errmsg);
                exit(1);
            }
            g->it[i].v[r] = out.value;
            g->it[i].doorbells[r] = out.doorbells;
        }
    }
    /* Summarise into records. */
    for (int i = 0; i < g->n; i++) {
        item_t *it = &g->it[i];
        bool stream = !is_rtt(it->t.kind);
        record_t *rec = rec_new(g->section, it->label,
                                stream ? "Mmsg/s" : "ns");
        double v[MAX_REPS];
        for (int r = 0; r < g->reps; r++) {
            v[r] = stream ? it->v[r] / 1e6 : it->v[r];
        }
        rec->reps = g->reps;
        rec->min = v[0];
        rec->max = v[0];
        for (int r = 0; r < g->reps; r++) {
            rec->min = fmin(rec->min, v[r]);
            rec->max = fmax(rec->max, v[r]);
        }
        memcpy(rec->vals, v, sizeof(double) * (size_t)g->reps);
        rec->p50 = bench_median_d(v, (size_t)g->reps);
        rec->tcopy = it->t;
        rec->t = &rec->tcopy;
        if (stream) {
            rec->mbps = rec->p50 * it->t.size;   /* Mmsg/s * B = MB/s */
        }
        if (is_lib(it->t.kind)) {
            double d[MAX_REPS];
            memcpy(d, it->doorbells, sizeof(d));
            rec->doorbells = bench_median_d(d, (size_t)g->reps);
        }
        for (int k = 0; k < 3; k++) {
            int b = it->base[k];
            if (b == BASE_NONE || b == i) {
                continue;
            }
            double ratio[MAX_REPS], bv[MAX_REPS];
            for (int r = 0; r < g->reps; r++) {
                bv[r] = base_value(g, b, r);
                ratio[r] = it->v[r] / bv[r];
            }
            base_t *bs = &rec->base[rec->nbase++];
            snprintf(bs->name, sizeof(bs->name), "%s", base_name(g, b));
            bs->value = bench_median_d(bv, (size_t)g->reps);
            if (stream) {
                bs->value /= 1e6;
            }
            bs->ratio = bench_median_d(ratio, (size_t)g->reps);
        }
    }
}

/* ---- the plan ----------------------------------------------------------- */
static unsigned g_sizes[4];
static int g_nsizes;
static uint16_t g_max;

static trial_t mk(trial_kind_t kind, uint16_t size, uint16_t qlen, bool intr,
                  bool zc, uint8_t nept)
{
    trial_t t;
    memset(&t, 0, sizeof(t));
    t.kind = kind;
    t.size = size;
    t.qlen = qlen;
    t.item = opt.item;
    t.intr = intr;
    t.zc = zc;
    t.nept = nept;
    bool kernel = kind == T_FUTEX || kind == T_EVENTFD || kind == T_PIPE ||
                  kind == T_SIGNAL || ((kind == T_LIB_RTT) && intr);
    if (opt.quick) {
        t.dur_ms = 2;
        t.max_iter = kernel ? 40 : 300;
    } else if (is_rtt(kind)) {
        t.dur_ms = kernel ? 50 : 25;
        t.max_iter = kernel ? 4000 : 20000;
    } else {
        t.dur_ms = 30;
    }
    return t;
}

static int reps_for(bool stream)
{
    if (opt.reps > 0) {
        return opt.reps > MAX_REPS ? MAX_REPS : opt.reps;
    }
    if (opt.quick) {
        return 1;
    }
    return stream ? 7 : 11;
}

static group_t g_grp;   /* one at a time: items are copied into records */

static void plan_rtt(void)
{
    group_t *g = &g_grp;
    /* Polling: against the ideal ping-pong and the ideal ring. */
    memset(g, 0, sizeof(*g));
    g->section = "rtt-poll";
    g->title = "round trip, polling";
    g->reps = reps_for(false);
    trial_t t = mk(T_PINGPONG, 0, 16, false, false, 1);
    int pp = add_item(g, &t, BASE_NONE, BASE_NONE,
                      "ideal ping-pong (flags)");
    int ring[4];
    for (int s = 0; s < g_nsizes; s++) {
        t = mk(T_RING_RTT, (uint16_t)g_sizes[s], 16, false, false, 1);
        ring[s] = add_item(g, &t, pp, BASE_NONE, "ideal ring+memcpy %u B",
                           g_sizes[s]);
    }
    for (int s = 0; s < g_nsizes; s++) {
        uint16_t sz = (uint16_t)g_sizes[s];
        t = mk(T_LIB_RTT, sz, 16, false, false, 1);
        int copy = add_item(g, &t, pp, ring[s], "poll copy %u B", sz);
        t = mk(T_LIB_RTT, sz, 16, false, true, 1);
        add_item(g, &t, pp, copy, "poll zero-copy %u B", sz);
        t = mk(T_LIB_RTT, sz, 16, false, false, 8);
        add_item(g, &t, pp, copy, "poll copy %u B, 8 endpoints", sz);
    }
    run_group(g);

    /* Interrupt: against futex / eventfd ping-pong and a pipe. */
    memset(g, 0, sizeof(*g));
    g->section = "rtt-intr";
    g->title = "round trip, interrupt (doorbell)";
    g->reps = reps_for(false);
    t = mk(T_FUTEX, 0, 16, true, false, 1);
    t.max_iter = opt.quick ? 40 : 1000;   /* 40 us of settling per round trip */
    g->kwake[0] = add_item(g, &t, BASE_KWAKE, BASE_NONE, "futex ping-pong");
    t = mk(T_EVENTFD, 0, 16, true, false, 1);
    g->kwake[1] = add_item(g, &t, BASE_KWAKE, BASE_NONE, "eventfd ping-pong");
    t = mk(T_PIPE, 1, 16, true, false, 1);
    int pipe_i = add_item(g, &t, BASE_KWAKE, BASE_NONE, "pipe ping-pong (1 B)");
    t = mk(T_SIGNAL, 0, 16, true, false, 1);
    int sig_i = add_item(g, &t, BASE_KWAKE, BASE_NONE,
                         "signal ping-pong (sim)");
    int copy64 = -1;
    for (int s = 0; s < g_nsizes; s++) {
        uint16_t sz = (uint16_t)g_sizes[s];
        t = mk(T_LIB_RTT, sz, 16, true, false, 1);
        int copy = add_item(g, &t, BASE_KWAKE, sig_i, "intr copy %u B", sz);
        g->it[copy].base[2] = pipe_i;
        if (sz == 64) {
            copy64 = copy;
        }
        t = mk(T_LIB_RTT, sz, 16, true, true, 1);
        int zc = add_item(g, &t, BASE_KWAKE, sig_i, "intr zero-copy %u B", sz);
        g->it[zc].base[2] = copy;
        t = mk(T_LIB_RTT, sz, 16, true, false, 8);
        int e8 = add_item(g, &t, BASE_KWAKE, sig_i, "intr copy %u B, 8 endpoints",
                          sz);
        g->it[e8].base[2] = copy;
    }
    if (copy64 >= 0) {
        t = mk(T_LIB_RTT, 64, 16, true, false, 1);
        t.spin_us = 50;
        int sp = add_item(g, &t, BASE_KWAKE, sig_i,
                          "intr copy 64 B, spin 50us then sleep");
        g->it[sp].base[2] = copy64;
    }
    run_group(g);
}

static void plan_stream(void)
{
    /* The longest: the longest ring of the default ESP_AMP_CONFIG_QUEUE_MAX_LEN. */
    static const uint16_t qlens[] = {2, 16, 32};
    group_t *g = &g_grp;
    char title[64];
    for (int s = 0; s < g_nsizes; s++) {
        for (unsigned q = 0; q < sizeof(qlens) / sizeof(qlens[0]); q++) {
            uint16_t sz = (uint16_t)g_sizes[s], ql = qlens[q];
            memset(g, 0, sizeof(*g));
            g->section = "stream";
            snprintf(title, sizeof(title), "stream %u B, queue %u", sz, ql);
            g->title = title;
            g->reps = reps_for(true);
            trial_t t = mk(T_RING_STREAM, sz, ql, false, false, 1);
            int ideal = add_item(g, &t, BASE_NONE, BASE_NONE,
                                 "%u B q=%u ideal ring+memcpy", sz, ql);
            t = mk(T_LIB_STREAM, sz, ql, false, false, 1);
            int pc = add_item(g, &t, ideal, BASE_NONE, "%u B q=%u poll copy",
                              sz, ql);
            t = mk(T_LIB_STREAM, sz, ql, false, true, 1);
            int pz = add_item(g, &t, ideal, pc, "%u B q=%u poll zero-copy",
                              sz, ql);
            t = mk(T_LIB_STREAM, sz, ql, true, false, 1);
            int ic = add_item(g, &t, ideal, pc, "%u B q=%u intr copy", sz, ql);
            t = mk(T_LIB_STREAM, sz, ql, true, true, 1);
            add_item(g, &t, ideal, pz, "%u B q=%u intr zero-copy", sz, ql);
            t = mk(T_LIB_STREAM, sz, ql, true, false, 1);
            t.spin_us = 50;
            add_item(g, &t, ideal, ic, "%u B q=%u intr copy, sub spins 50us", sz,
                     ql);
            t = mk(T_LIB_STREAM, sz, ql, false, false, 8);
            add_item(g, &t, ideal, pc, "%u B q=%u poll copy, 8 endpoints", sz,
                     ql);
            t = mk(T_LIB_STREAM, sz, ql, true, false, 8);
            add_item(g, &t, ideal, ic, "%u B q=%u intr copy, 8 endpoints", sz,
                     ql);
            run_group(g);
        }
    }
}

/* ---- waking a sender ----------------------------------------------------- */
static void plan_wake(void)
{
    group_t *g = &g_grp;
    memset(g, 0, sizeof(*g));
    g->section = "wake";
    g->title = "waking a sender (tick polling, doorbell)";
    g->reps = reps_for(false);
    trial_t t = mk(T_FUTEX, 0, 16, true, false, 1);
    t.max_iter = opt.quick ? 40 : 1000;
    g->kwake[0] = add_item(g, &t, BASE_KWAKE, BASE_NONE, "futex ping-pong");
    t = mk(T_EVENTFD, 0, 16, true, false, 1);
    g->kwake[1] = add_item(g, &t, BASE_KWAKE, BASE_NONE, "eventfd ping-pong");
    t = mk(T_SIGNAL, 0, 16, true, false, 1);
    int sig_i = add_item(g, &t, BASE_KWAKE, BASE_NONE, "signal ping-pong (sim)");
    /* One wake-up per step of 20..1020 us plus the wake-up itself. */
    t = mk(T_WAKE_LAT, 64, 16, false, false, 1);
    t.dur_ms = opt.quick ? 10 : 150;
    t.max_iter = opt.quick ? 8 : 400;
    int tick = add_item(g, &t, sig_i, BASE_KWAKE,
                        "free -> send, tick polling (1 ms)");
    t.intr = true;
    int db = add_item(g, &t, sig_i, tick, "free -> send, doorbell");
    g->it[db].base[2] = BASE_KWAKE;
    /* Steady traffic: the receiver keeps up, the sender rarely waits. */
    trial_t s = mk(T_LIB_STREAM, 64, 16, false, false, 1);
    int spin = add_item(g, &s, BASE_NONE, BASE_NONE,
                        "64 B q=16 stream, spin retry");
    s = mk(T_WAKE_STREAM, 64, 16, true, false, 1);
    add_item(g, &s, spin, BASE_NONE, "64 B q=16 stream, doorbell wait");
    s.spin_us = 2;
    add_item(g, &s, spin, BASE_NONE, "64 B q=16 paced 2us, doorbell wait");
    run_group(g);
}

/* ---- instructions per message ------------------------------------------ */
static int plan_instr(void)
{
    cg_result_t cg;
    char err[256] = "";
    unsigned n = opt.quick ? 640u : 20000u;
    if (!opt.callgrind) {
        fprintf(stderr, "[%6.1fs] instructions: skipped (--no-callgrind)\n",
                now_s() - g_t_start);
        return 0;
    }
    if (access(opt.cg_prog, X_OK) != 0) {
        fprintf(stderr, "rpmsg_bench: %s not found: instructions skipped\n",
                opt.cg_prog);
        return 0;
    }
    fprintf(stderr, "[%6.1fs] instructions per message (callgrind, n=%u and %u)\n",
            now_s() - g_t_start, n, 2 * n);
    int rc = bench_callgrind(opt.cg_prog, n, opt.item, g_sizes, g_nsizes, &cg,
                             err, sizeof(err));
    if (rc == 1) {
        fprintf(stderr, "rpmsg_bench: valgrind not found: instructions "
                        "skipped\n");
        return 0;
    }
    if (rc != 0) {
        fprintf(stderr, "rpmsg_bench: callgrind: %s\n", err);
        return -1;
    }
    /* The same counts from the -O2 and -Os builds of the driver. */
    static cg_result_t alt[CG_NALT];
    for (int k = 0; k < CG_NALT; k++) {
        g_cg_alt_ok[k] = false;
        if (access(g_cg_alt_prog[k], X_OK) != 0) {
            fprintf(stderr, "rpmsg_bench: %s not found: no %s column\n",
                    g_cg_alt_prog[k], g_cg_alt_opt[k]);
            continue;
        }
        rc = bench_callgrind(g_cg_alt_prog[k], n, opt.item, g_sizes, g_nsizes,
                             &alt[k], err, sizeof(err));
        if (rc != 0) {
            fprintf(stderr, "rpmsg_bench: callgrind (%s): %s\n",
                    g_cg_alt_opt[k], err);
            return -1;
        }
        g_cg_alt_ok[k] = true;
    }
    record_t *r;
#define SET_ALT(field)                                                  \
    do {                                                                \
        r->has_alt = true;                                              \
        for (int k_ = 0; k_ < CG_NALT; k_++) {                          \
            r->alt[k_] = g_cg_alt_ok[k_] ? alt[k_].field : NAN;         \
        }                                                               \
    } while (0)
    for (int s = 0; s < cg.nsizes; s++) {
        r = rec_new("instr", "", "instr/msg");
        snprintf(r->name, sizeof(r->name), "ideal ring+memcpy %u B", cg.size[s]);
        r->p50 = r->min = r->max = cg.ideal[s];
        r->reps = 1;
        SET_ALT(ideal[s]);
        double ideal = cg.ideal[s];
        r = rec_new("instr", "", "instr/msg");
        snprintf(r->name, sizeof(r->name), "copy send+poll+destroy %u B",
                 cg.size[s]);
        r->p50 = r->min = r->max = cg.copy[s];
        r->reps = 1;
        SET_ALT(copy[s]);
        r->nbase = 1;
        snprintf(r->base[0].name, sizeof(r->base[0].name),
                 "ideal ring+memcpy %u B", cg.size[s]);
        r->base[0].value = ideal;
        r->base[0].ratio = cg.copy[s] / ideal;
        double copy = cg.copy[s];
        r = rec_new("instr", "", "instr/msg");
        snprintf(r->name, sizeof(r->name), "zero-copy create+send+poll+destroy %u B",
                 cg.size[s]);
        r->p50 = r->min = r->max = cg.zc[s];
        r->reps = 1;
        SET_ALT(zc[s]);
        r->nbase = 2;
        snprintf(r->base[0].name, sizeof(r->base[0].name),
                 "ideal ring+memcpy %u B", cg.size[s]);
        r->base[0].value = ideal;
        r->base[0].ratio = cg.zc[s] / ideal;
        snprintf(r->base[1].name, sizeof(r->base[1].name),
                 "copy send %u B", cg.size[s]);
        r->base[1].value = copy;
        r->base[1].ratio = cg.zc[s] / copy;
    }
    r = rec_new("instr", "esp_amp_rpmsg_poll, empty ring", "instr/call");
    r->p50 = r->min = r->max = cg.empty_poll;
    r->reps = 1;
    SET_ALT(empty_poll);
    r = rec_new("instr", "harness (removed from the above)", "instr/msg");
    r->p50 = r->min = r->max = cg.harness;
    r->reps = 1;
    SET_ALT(harness);
#undef SET_ALT
    return 0;
}

/* ---- memory ------------------------------------------------------------- */
static record_t *mem_rec(const char *name, double bytes)
{
    record_t *r = rec_new("memory", name, "bytes");
    r->p50 = r->min = r->max = bytes;
    r->reps = 1;
    return r;
}

static void plan_memory(void)
{
    char name[64];
    uint32_t dev = (uint32_t)sizeof(esp_amp_rpmsg_dev_t);
    uint32_t q2 = 2u * (uint32_t)sizeof(esp_amp_queue_t);
    mem_rec("RAM per device: esp_amp_rpmsg_dev_t", dev);
    mem_rec("RAM per device: 2 x esp_amp_queue_t", q2);
    mem_rec("RAM per device, total", dev + q2);
    mem_rec("RAM per endpoint: esp_amp_rpmsg_ept_t",
            (double)sizeof(esp_amp_rpmsg_ept_t));
    mem_rec("RAM per core: library state", (double)sizeof(esp_amp_core_state_t));
#if defined(BENCH_RV32_DEV) && defined(BENCH_RV32_QUEUE) && defined(BENCH_RV32_EPT)
    mem_rec("rv32: RAM per device, total",
            BENCH_RV32_DEV + 2.0 * BENCH_RV32_QUEUE);
    mem_rec("rv32: RAM per endpoint", BENCH_RV32_EPT);
#endif
#ifdef BENCH_RV32_CORE
    mem_rec("rv32: RAM per core: library state", BENCH_RV32_CORE);
#endif
    mem_rec("shm: region header + registry (once)",
            (double)sizeof(esp_amp_shm_header_t) +
                ESP_AMP_CONFIG_SYS_INFO_SLOTS * (double)sizeof(esp_amp_shm_sys_info_entry_t));
    static const uint16_t qlens[] = {2, 16, 32, 256};
    uint16_t item = (uint16_t)((opt.item + 3u) & ~3u);
    for (unsigned i = 0; i < sizeof(qlens) / sizeof(qlens[0]); i++) {
        uint32_t block = (esp_amp_queue_pair_size(qlens[i], item) + 7u) & ~7u;
        snprintf(name, sizeof(name), "shm: device pair, q=%u item=%u",
                 qlens[i], item);
        record_t *r = mem_rec(name, block);
        double cap = 2.0 * qlens[i] * g_max;
        r->nbase = 1;
        snprintf(r->base[0].name, sizeof(r->base[0].name),
                 "payload capacity 2x%ux%u B", qlens[i], g_max);
        r->base[0].value = cap;
        r->base[0].ratio = block / cap;
        uint32_t seen = g_seen_block[qlens[i]];
        if (seen != 0 && seen != block) {
            snprintf(r->note, sizeof(r->note), "live run: %u", seen);
        } else if (seen != 0) {
            snprintf(r->note, sizeof(r->note), "= live run");
        }
    }
    record_t *r = mem_rec("per message: rpmsg header + descriptor",
                          (double)(sizeof(esp_amp_rpmsg_head_t) +
                                   sizeof(esp_amp_queue_desc_t)));
    snprintf(r->note, sizeof(r->note), "header %zu in buffer + descriptor %zu",
             sizeof(esp_amp_rpmsg_head_t), sizeof(esp_amp_queue_desc_t));
    for (int s = 0; s < g_nsizes; s++) {
        snprintf(name, sizeof(name), "shm per message in flight, %u B",
                 g_sizes[s]);
        double bytes = item + (double)sizeof(esp_amp_queue_desc_t);
        r = mem_rec(name, bytes);
        r->nbase = 1;
        snprintf(r->base[0].name, sizeof(r->base[0].name), "payload %u B",
                 g_sizes[s]);
        r->base[0].value = g_sizes[s];
        r->base[0].ratio = bytes / g_sizes[s];
    }
}

/* ---- output ------------------------------------------------------------- */
static const char *section_title(const char *s)
{
    if (!strcmp(s, "rtt-poll")) {
        return "ROUND TRIP, POLLING on both cores (ns per round trip, lower is "
               "better; ratio = figure / baseline)";
    }
    if (!strcmp(s, "rtt-intr")) {
        return "ROUND TRIP, INTERRUPT (doorbell) on both cores (ns, lower is "
               "better; db = doorbells per message sent)";
    }
    if (!strcmp(s, "stream")) {
        return "ONE-WAY STREAM main -> sub (Mmsg/s, higher is better; ratio = "
               "figure / baseline; db = doorbells per message)";
    }
    if (!strcmp(s, "wake")) {
        return "WAKING A SENDER that waits for a free buffer (ns from the "
               "receiver's destroy to the send; db = RPMSG_TX doorbells per "
               "message)";
    }
    if (!strcmp(s, "instr")) {
        return "INSTRUCTIONS PER MESSAGE (callgrind, one process, slope "
               "between n and 2n messages; exact; one column per optimisation "
               "level of library and driver, ratios at the first)";
    }
    return "MEMORY (bytes; ratio = bytes / payload bytes)";
}

static void fmt_val(char *buf, size_t n, double v)
{
    if (fabs(v) >= 1000 || v == floor(v)) {
        snprintf(buf, n, "%.0f", v);
    } else if (fabs(v) >= 100) {
        snprintf(buf, n, "%.1f", v);
    } else if (fabs(v) >= 1) {
        snprintf(buf, n, "%.2f", v);
    } else {
        snprintf(buf, n, "%.3f", v);
    }
}

static void print_table(FILE *f)
{
    const char *sec = "";
    for (int i = 0; i < g_nrec; i++) {
        record_t *r = &g_rec[i];
        if (strcmp(sec, r->section) != 0) {
            sec = r->section;
            fprintf(f, "\n%s\n", section_title(sec));
            if (r->has_alt) {
                fprintf(f, "%-40s %9s %9s %9s  %-30s %6s  %-26s %6s  %s\n",
                        "figure", BENCH_CALLGRIND_OPT, g_cg_alt_opt[0],
                        g_cg_alt_opt[1], "vs baseline", "ratio",
                        "vs 2nd baseline", "ratio", "notes");
            } else {
                fprintf(f, "%-40s %9s %9s %9s  %-30s %6s  %-26s %6s  %s\n",
                        "figure", "p50", "min", "max", "vs baseline", "ratio",
                        "vs 2nd baseline", "ratio", "notes");
            }
        } else if (!strcmp(sec, "stream") && strstr(r->name, "ideal ring")) {
            fputc('\n', f);
        }
        char p50[16], mn[16], mx[16];
        fmt_val(p50, sizeof(p50), r->p50);
        fmt_val(mn, sizeof(mn), r->min);
        fmt_val(mx, sizeof(mx), r->max);
        if (r->has_alt) {   /* instr: the other optimisation levels */
            char *col[CG_NALT] = {mn, mx};
            for (int k = 0; k < CG_NALT; k++) {
                if (isnan(r->alt[k])) {
                    snprintf(col[k], sizeof(mn), "-");
                } else {
                    fmt_val(col[k], sizeof(mn), r->alt[k]);
                }
            }
        }
        char b0[48] = "-", r0[16] = "", b1[48] = "", r1[16] = "";
        if (r->nbase > 0) {
            snprintf(b0, sizeof(b0), "%.30s", r->base[0].name);
            snprintf(r0, sizeof(r0), "%.2fx", r->base[0].ratio);
        }
        if (r->nbase > 1) {
            snprintf(b1, sizeof(b1), "%.26s", r->base[1].name);
            snprintf(r1, sizeof(r1), "%.2fx", r->base[1].ratio);
        }
        char note[96] = "";
        size_t len = 0;
        if (r->mbps >= 0) {
            len += (size_t)snprintf(note + len, sizeof(note) - len, "%.0f MB/s ",
                                    r->mbps);
        }
        if (r->doorbells >= 0 && r->t != NULL && r->t->intr) {
            len += (size_t)snprintf(note + len, sizeof(note) - len, "db %.3f ",
                                    r->doorbells);
        }
        if (r->note[0]) {
            snprintf(note + len, sizeof(note) - len, "%s", r->note);
        }
        fprintf(f, "%-40.40s %9s %9s %9s  %-30s %6s  %-26s %6s  %s\n", r->name,
                p50, mn, mx, b0, r0, b1, r1, note);
    }
}

typedef struct {
    char text[160];
    double value;
    bool met;
    bool known;
} goal_t;

static goal_t g_goals[8];
static int g_ngoals;

static void goal(const char *text, const record_t *r, int base, double limit,
                 bool at_most)
{
    goal_t *g = &g_goals[g_ngoals++];
    snprintf(g->text, sizeof(g->text), "%s", text);
    if (r == NULL || (base >= 0 && r->nbase <= base)) {
        g->known = false;
        return;
    }
    g->known = true;
    g->value = base >= 0 ? r->base[base].ratio : r->p50;
    g->met = at_most ? g->value <= limit : g->value >= limit;
}

static void eval_goals(void)
{
    char name[64];
    g_ngoals = 0;
    goal("polling RTT at 64 B within 1.5x of ideal ping-pong",
         rec_find("rtt-poll", "poll copy 64 B"), 0, 1.5, true);
    snprintf(name, sizeof(name), "64 B q=16 poll copy");
    goal("polling streaming at 64 B (q=16) >= 0.6x ideal ring msgs/s",
         rec_find("stream", name), 0, 0.6, false);
    goal("interrupt RTT at 64 B within 1.3x of futex/eventfd ping-pong",
         rec_find("rtt-intr", "intr copy 64 B"), 0, 1.3, true);
    snprintf(name, sizeof(name), "64 B q=16 intr copy");
    goal("interrupt streaming at 64 B (q=16) close to polling (>= 0.8x)",
         rec_find("stream", name), 1, 0.8, false);
    goal("< 150 instructions per 64 B message (copy send + poll + destroy)",
         rec_find("instr", "copy send+poll+destroy 64 B"), -1, 150, true);
}

static void print_goals(FILE *f)
{
    fprintf(f, "\nGOALS (information only, never asserted)\n");
    for (int i = 0; i < g_ngoals; i++) {
        goal_t *g = &g_goals[i];
        if (!g->known) {
            fprintf(f, "  %-68s  not measured\n", g->text);
        } else {
            fprintf(f, "  %-68s  %8.2f  %s\n", g->text, g->value,
                    g->met ? "met" : "MISSED");
        }
    }
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') {
            fputc('\\', f);
        }
        if ((unsigned char)*s >= 0x20) {
            fputc(*s, f);
        }
    }
    fputc('"', f);
}

static void json_num(FILE *f, double v)
{
    if (isfinite(v)) {
        fprintf(f, "%.6g", v);
    } else {
        fputs("null", f);
    }
}

static const char *kind_name(trial_kind_t k)
{
    static const char *const n[] = {"pingpong", "ring_rtt", "ring_stream",
                                    "futex", "eventfd", "pipe", "signal",
                                    "rpmsg_rtt", "rpmsg_stream", "wake_latency",
                                    "wake_stream"};
    return (unsigned)k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

static int write_json(const char *path, double elapsed)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "rpmsg_bench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct utsname u;
    uname(&u);
    fprintf(f, "{\n  \"benchmark\": \"esp-amp rpmsg\",\n  \"quick\": %s,\n",
            opt.quick ? "true" : "false");
    fprintf(f, "  \"build_type\": ");
    json_str(f, BENCH_BUILD_TYPE);
    fprintf(f, ",\n");
    fprintf(f, "  \"machine\": {\"kernel\": ");
    json_str(f, u.release);
    fprintf(f, ", \"cpus_online\": %ld, \"cpu_main\": %d, \"cpu_sub\": %d, "
               "\"pinned\": %s, \"ns_per_tick\": ",
            sysconf(_SC_NPROCESSORS_ONLN), g_cpu[0], g_cpu[1],
            g_cpu[0] >= 0 ? "true" : "false");
    json_num(f, g_ns_per_tick);
    fprintf(f, ", \"cpu_busy_before\": ");
    json_num(f, g_busy_start);
    fprintf(f, "},\n  \"item_size\": %u,\n  \"max_payload\": %u,\n",
            (unsigned)opt.item, (unsigned)g_max);
    fprintf(f, "  \"elapsed_s\": ");
    json_num(f, elapsed);
    fprintf(f, ",\n  \"records\": [\n");
    for (int i = 0; i < g_nrec; i++) {
        record_t *r = &g_rec[i];
        fprintf(f, "    {\"section\": ");
        json_str(f, r->section);
        fprintf(f, ", \"name\": ");
        json_str(f, r->name);
        fprintf(f, ", \"unit\": ");
        json_str(f, r->unit);
        fprintf(f, ", \"p50\": ");
        json_num(f, r->p50);
        fprintf(f, ", \"min\": ");
        json_num(f, r->min);
        fprintf(f, ", \"max\": ");
        json_num(f, r->max);
        fprintf(f, ", \"reps\": %d", r->reps);
        if (r->t != NULL) {
            fprintf(f, ", \"per_rep\": [");
            for (int k = 0; k < r->reps; k++) {
                fprintf(f, "%s", k ? ", " : "");
                json_num(f, r->vals[k]);
            }
            fputc(']', f);
        }
        if (r->mbps >= 0) {
            fprintf(f, ", \"mb_per_s\": ");
            json_num(f, r->mbps);
        }
        if (r->doorbells >= 0) {
            fprintf(f, ", \"doorbells_per_msg\": ");
            json_num(f, r->doorbells);
        }
        if (r->t != NULL) {
            fprintf(f, ", \"params\": {\"kind\": \"%s\", \"size\": %u, "
                       "\"qlen\": %u, \"mode\": \"%s\", \"send\": \"%s\", "
                       "\"endpoints\": %u, \"spin_us\": %u}",
                    kind_name(r->t->kind), r->t->size, r->t->qlen,
                    r->t->intr ? "interrupt" : "poll",
                    r->t->zc ? "zero-copy" : "copy", r->t->nept, r->t->spin_us);
        }
        if (r->note[0]) {
            fprintf(f, ", \"note\": ");
            json_str(f, r->note);
        }
        if (r->has_alt) {
            fprintf(f, ", \"by_opt\": {");
            json_str(f, BENCH_CALLGRIND_OPT);
            fprintf(f, ": ");
            json_num(f, r->p50);
            for (int k = 0; k < CG_NALT; k++) {
                fprintf(f, ", ");
                json_str(f, g_cg_alt_opt[k]);
                fprintf(f, ": ");
                json_num(f, r->alt[k]);
            }
            fputc('}', f);
        }
        fprintf(f, ", \"baselines\": [");
        for (int k = 0; k < r->nbase; k++) {
            fprintf(f, "%s{\"name\": ", k ? ", " : "");
            json_str(f, r->base[k].name);
            fprintf(f, ", \"p50\": ");
            json_num(f, r->base[k].value);
            fprintf(f, ", \"ratio\": ");
            json_num(f, r->base[k].ratio);
            fputc('}', f);
        }
        fprintf(f, "]}%s\n", i + 1 < g_nrec ? "," : "");
    }
    fprintf(f, "  ],\n  \"goals\": [\n");
    for (int i = 0; i < g_ngoals; i++) {
        fprintf(f, "    {\"goal\": ");
        json_str(f, g_goals[i].text);
        if (g_goals[i].known) {
            fprintf(f, ", \"value\": ");
            json_num(f, g_goals[i].value);
            fprintf(f, ", \"met\": %s}", g_goals[i].met ? "true" : "false");
        } else {
            fprintf(f, ", \"value\": null, \"met\": null}");
        }
        fprintf(f, "%s\n", i + 1 < g_ngoals ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    return fclose(f) == 0 ? 0 : -1;
}

/* ---- main --------------------------------------------------------------- */
static void usage(void)
{
    fprintf(stderr,
            "usage: rpmsg_bench [--quick] [--json FILE] [--reps N] "
            "[--item BYTES]\n"
            "                   [--only rtt,stream,instr,mem] [--no-callgrind] "
            "[--callgrind-prog PATH]\n");
}

static int parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--quick")) {
            opt.quick = true;
        } else if (!strcmp(a, "--no-callgrind")) {
            opt.callgrind = false;
        } else if (!strcmp(a, "--json") && v) {
            opt.json = v;
            i++;
        } else if (!strcmp(a, "--reps") && v) {
            opt.reps = atoi(v);
            i++;
        } else if (!strcmp(a, "--item") && v) {
            long n = strtol(v, NULL, 0);
            if (n <= 16 || n > 4096) {
                fprintf(stderr, "rpmsg_bench: --item must be 17..4096\n");
                return -1;
            }
            opt.item = (uint16_t)n;
            i++;
        } else if (!strcmp(a, "--callgrind-prog") && v) {
            opt.cg_prog = v;
            i++;
        } else if (!strcmp(a, "--only") && v) {
            opt.do_rtt = strstr(v, "rtt") != NULL;
            opt.do_stream = strstr(v, "stream") != NULL;
            opt.do_instr = strstr(v, "instr") != NULL;
            opt.do_mem = strstr(v, "mem") != NULL;
            opt.do_wake = strstr(v, "wake") != NULL;
            i++;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage();
            exit(0);
        } else {
            usage();
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (parse_args(argc, argv) != 0) {
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    g_t_start = now_s();
    g_ctl = mmap(NULL, sizeof(bench_ctl_t), PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (g_ctl == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    bench_time_init();
    bench_cpu_init();
    bench_watchdog_init();

    uint16_t item = (uint16_t)((opt.item + 3u) & ~3u);
    g_max = (uint16_t)(item - sizeof(esp_amp_rpmsg_head_t));
    static const unsigned want[] = {8, 64, 240};
    for (unsigned i = 0; i < 3; i++) {
        if (want[i] < g_max) {
            g_sizes[g_nsizes++] = want[i];
        }
    }
    g_sizes[g_nsizes++] = g_max;

    printf("rpmsg_bench%s: esp-amp RPMsg over the simulator, cores as "
           "processes; main on CPU %d, sub on CPU %d%s\n",
           opt.quick ? " --quick (smoke test: figures are not meaningful)" : "",
           g_cpu[0], g_cpu[1], g_cpu[0] < 0 ? " (one CPU: not pinned, spin "
                                             "loops yield)" : "");
    if (strcmp(BENCH_BUILD_TYPE, "Release") != 0 && !opt.quick) {
        printf("NOTE: build type '%s', not Release: the figures are not the "
               "library's best\n", BENCH_BUILD_TYPE);
    }
    g_busy_start = busy_fraction();
    if (g_busy_start > 0.2) {
        printf("WARNING: the CPUs were %.0f%% busy with other work just before the "
               "run: it disturbs the figures (ratios less than times)\n",
               100.0 * g_busy_start);
    }
    printf("queue item %u B (max payload %u B); figures: median over "
           "repetitions of per-trial p50 [min, max of those];\n"
           "ratios: median of per-repetition ratios, trials of a group run "
           "back to back. tick = %.4f ns\n",
           item, g_max, g_ns_per_tick);

    int rc = 0;
    if (opt.do_rtt) {
        plan_rtt();
    }
    if (opt.do_stream) {
        plan_stream();
    }
    if (opt.do_wake) {
        plan_wake();
    }
    if (opt.do_instr && plan_instr() != 0) {
        rc = 1;
    }
    if (opt.do_mem) {
        plan_memory();
    }
    double elapsed = now_s() - g_t_start;
    eval_goals();
    print_table(stdout);
    print_goals(stdout);
    printf("\nelapsed %.1f s\n", elapsed);
    if (opt.json != NULL && write_json(opt.json, elapsed) != 0) {
        rc = 1;
    }
    munmap(g_ctl, sizeof(bench_ctl_t));
    return rc;
}
