/*
 * bench.h - shared pieces of the RPMsg benchmark (bench/rpmsg_bench).
 *
 * Process model: every trial runs in two fresh processes, "main" and "sub",
 * pinned to two different CPUs when the machine has two. Library trials use
 * the simulator (sim_start_core(..., SIM_PROCESS, ...)); baseline trials
 * fork the same way without the library. Results travel back through one
 * MAP_SHARED control block created by the parent before any fork.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define BENCH_HAVE_TSC 1
#endif

/* ---- time --------------------------------------------------------------
 * Ticks are rdtsc on x86 (calibrated against CLOCK_MONOTONIC at start-up),
 * nanoseconds from CLOCK_MONOTONIC elsewhere. */
extern double g_ns_per_tick;

static inline uint64_t bench_ticks(void)
{
#ifdef BENCH_HAVE_TSC
    return __rdtsc();
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}
static inline uint64_t bench_ns_to_ticks(double ns)
{
    return (uint64_t)(ns / g_ns_per_tick);
}
void bench_time_init(void);

/* ---- CPUs -------------------------------------------------------------- */
extern int g_cpu[2];        /* CPU of main / sub, -1 = not pinned          */
extern bool g_single_cpu;   /* one CPU only: spin loops must yield          */
void bench_cpu_init(void);
void bench_pin(int core);   /* pin the calling process to g_cpu[core]       */
void bench_relax_slow(void);
static inline void bench_relax(void)
{
    if (g_single_cpu) {
        bench_relax_slow();
        return;
    }
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#endif
}

/* ---- trials ------------------------------------------------------------ */
typedef enum {
    T_PINGPONG,     /* ideal cache-line ping-pong (one flag each way)       */
    T_RING_RTT,     /* ideal SPSC ring + memcpy, round trip                 */
    T_RING_STREAM,  /* ideal SPSC ring + memcpy, one-way stream             */
    T_FUTEX,        /* futex ping-pong (both sides sleep)                   */
    T_EVENTFD,      /* eventfd ping-pong                                    */
    T_PIPE,         /* pipe ping-pong, 1 byte                               */
    T_SIGNAL,       /* signal ping-pong: handler + ppoll, as the sim doorbell */
    T_LIB_RTT,      /* RPMsg round trip through endpoint pairs              */
    T_LIB_STREAM,   /* RPMsg one-way stream main -> sub                     */
    T_WAKE_LAT,     /* free of a full ring -> waiting sender's send (intr:
                       doorbell strategy, else 1 ms tick polling)          */
    T_WAKE_STREAM,  /* stream whose sender waits by doorbell when full      */
} trial_kind_t;

typedef struct {
    trial_kind_t kind;
    uint16_t size;      /* payload bytes                                    */
    uint16_t qlen;      /* ring length                                      */
    uint16_t item;      /* RPMsg queue item size / ideal ring slot stride   */
    bool intr;          /* library: interrupt (doorbell) mode               */
    bool zc;            /* library: zero-copy send                          */
    uint8_t nept;       /* library: endpoints per side                      */
    uint16_t spin_us;   /* intr RTT: spin this long before sleeping         */
    double dur_ms;      /* time budget of the measured part                 */
    uint32_t max_iter;  /* RTT: at most this many timed round trips         */
} trial_t;

/* What one trial returns. */
typedef struct {
    double value;         /* RTT: p50 ns; stream: p50 msgs/s                */
    double total_rate;    /* stream: messages / total time                  */
    uint64_t count;       /* round trips timed / messages streamed          */
    double doorbells;     /* library: doorbells rung per message (sender)   */
    double isrs;          /* library: doorbell ISRs per message (receiver)  */
} trial_out_t;

#define BENCH_MAX_SAMPLES (1u << 15)
#define BENCH_CHUNK 256u   /* stream: one time stamp per this many msgs     */
#define BENCH_SCRATCH_SIZE (1u << 20)

/* The control block shared by the parent and both processes of a trial. */
typedef struct {
    _Alignas(64) _Atomic uint32_t main_ready;
    _Alignas(64) _Atomic uint32_t sub_ready;
    _Alignas(64) _Atomic uint32_t stop;         /* main -> sub: finish     */
    _Atomic uint64_t sent_total;                /* stream: main's count    */
    _Atomic int32_t pid[2];                     /* baseline processes      */
    _Alignas(64) _Atomic uint32_t failed;
    char errmsg[256];
    uint32_t nsamples;                          /* RTT: main's samples     */
    uint32_t nstamps;                           /* stream: sub's stamps    */
    uint64_t received;                          /* stream: sub's count     */
    uint64_t send_ticks;                        /* stream: main's duration */
    uint64_t notifies, tx_msgs, isrs;           /* library statistics      */
    uint32_t shm_block;                         /* library: pair block size*/
    uint64_t samples[BENCH_MAX_SAMPLES];        /* RTT ticks per iteration */
    uint64_t stamps[BENCH_MAX_SAMPLES];         /* stream: tick every CHUNK*/
    _Alignas(64) uint8_t scratch[BENCH_SCRATCH_SIZE]; /* baselines' shm    */
} bench_ctl_t;

extern bench_ctl_t *g_ctl;

/* Record the first failure of a trial (printf-style); returns 2. */
int bench_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True once `deadline` (ticks) has passed: also records a timeout failure. */
bool bench_timed_out(uint64_t deadline, const char *what);
uint64_t bench_deadline_s(double seconds);

void bench_ctl_reset(void);
void bench_watchdog_init(void);   /* SIGALRM handler for bench_run_pair */
/* Payload pattern helpers: the first 4 bytes carry a sequence number. */
static inline void bench_stamp_seq(uint8_t *p, uint16_t size, uint32_t seq)
{
    if (size >= 4) {
        __builtin_memcpy(p, &seq, 4);
    }
}
static inline uint32_t bench_read_seq(const uint8_t *p, uint16_t size)
{
    uint32_t s = 0;
    if (size >= 4) {
        __builtin_memcpy(&s, p, 4);
    }
    return s;
}

/* Fork two pinned processes running fn(0, t) and fn(1, t); wait (with a
 * watchdog). 0 when both returned 0. */
typedef int (*bench_side_fn)(int core, const trial_t *t);
int bench_run_pair(bench_side_fn fn, const trial_t *t, double timeout_s);

/* Signal of the T_SIGNAL baseline; its handler is installed by the parent
 * before the pair is forked. */
#define BENCH_PP_SIGNAL SIGUSR1
void bench_signal_handler(int sig);

/* eventfd / pipe ends of T_EVENTFD and T_PIPE, opened by the parent before
 * the fork: [0] main->sub read, [1] its write end, [2] sub->main read, [3]
 * its write end (an eventfd is both ends). */
extern int g_base_fd[4];

/* Trial bodies. */
int bench_baseline_side(int core, const trial_t *t);   /* bench_base.c */
int bench_lib_trial(const trial_t *t);                 /* bench_lib.c  */
int bench_run_sim_cores(uint32_t shm_size, int (*entry)(void *),
                        const trial_t *t, const char *what); /* bench_lib.c */
struct esp_amp_rpmsg_dev_t;
int bench_bring_up(int core, int (*setup)(int), struct esp_amp_rpmsg_dev_t *dev,
                   uint64_t deadline);                  /* bench_lib.c */
int bench_wake_trial(const trial_t *t);                /* bench_wake.c */

/* Run one trial and summarise it: 0 or -1 (message in g_ctl->errmsg). */
int bench_run_trial(const trial_t *t, trial_out_t *out);

/* Statistics. */
double bench_median_u64(uint64_t *v, size_t n);  /* sorts v */
double bench_median_d(double *v, size_t n);      /* sorts v */

/* ---- round-trip harness ------------------------------------------------
 * RTT_MAIN_LOOP(body): body performs round trip `i` (1, 2, ...) and may
 * `return bench_fail(...)`. Keeps samples after a warm-up until max_iter
 * samples or dur_ms has passed (and at least 8 were kept: a round trip
 * that the scheduler delays past dur_ms does not end a trial). */
#define RTT_MAIN_LOOP(t, body)                                              \
    do {                                                                    \
        uint32_t warm_ = (t)->max_iter / 20u + 10u;                         \
        uint32_t n_ = 0;                                                    \
        memset(g_ctl->samples, 0, sizeof(g_ctl->samples));                  \
        uint64_t end_ = 0;                                                  \
        for (uint32_t i = 1;; i++) {                                        \
            uint64_t t0_ = bench_ticks();                                   \
            body;                                                           \
            uint64_t t1_ = bench_ticks();                                   \
            if (i == warm_) {                                               \
                end_ = t1_ + bench_ns_to_ticks((t)->dur_ms * 1e6);          \
            } else if (i > warm_) {                                         \
                g_ctl->samples[n_++] = t1_ - t0_;                           \
                if (n_ >= (t)->max_iter || n_ >= BENCH_MAX_SAMPLES ||       \
                    (t1_ > end_ && n_ >= 8u)) {                             \
                    break;                                                  \
                }                                                           \
            }                                                               \
        }                                                                   \
        g_ctl->nsamples = n_;                                               \
    } while (0)

#define SPIN_UNTIL(cond, deadline, what)                                    \
    do {                                                                    \
        uint32_t spins_ = 0;                                                \
        while (!(cond)) {                                                   \
            bench_relax();                                                  \
            if ((++spins_ & 0xfffu) == 0 && bench_timed_out(deadline, what)) \
                return 2;                                                   \
        }                                                                   \
    } while (0)

#endif /* BENCH_H */
