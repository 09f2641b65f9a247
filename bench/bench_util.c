/*
 * bench_util.c - clocks, CPU pinning, the shared control block, forking a
 * pinned process pair, medians.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

double g_ns_per_tick = 1.0;
int g_cpu[2] = {-1, -1};
bool g_single_cpu = false;
bench_ctl_t *g_ctl;
volatile sig_atomic_t g_alarm_fired;

static void on_alarm(int sig)
{
    (void)sig;
    g_alarm_fired = 1;
}

void bench_watchdog_init(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;   /* no SA_RESTART: waitpid returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
}

static double mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

void bench_time_init(void)
{
#ifdef BENCH_HAVE_TSC
    /* Three 10 ms windows, keep the median estimate. */
    double est[3];
    for (int i = 0; i < 3; i++) {
        double n0 = mono_ns();
        uint64_t t0 = bench_ticks();
        while (mono_ns() - n0 < 10e6) {
        }
        double n1 = mono_ns();
        uint64_t t1 = bench_ticks();
        est[i] = (n1 - n0) / (double)(t1 - t0);
    }
    g_ns_per_tick = bench_median_d(est, 3);
#else
    g_ns_per_tick = 1.0;
#endif
}

void bench_cpu_init(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) {
        g_single_cpu = sysconf(_SC_NPROCESSORS_ONLN) < 2;
        return;
    }
    int found = 0;
    for (int c = 0; c < CPU_SETSIZE && found < 2; c++) {
        if (CPU_ISSET(c, &set)) {
            g_cpu[found++] = c;
        }
    }
    if (found < 2) {
        g_cpu[0] = g_cpu[1] = -1;   /* one CPU: nothing to pin apart */
        g_single_cpu = true;
    }
}

void bench_pin(int core)
{
    if (g_cpu[core & 1] < 0) {
        return;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(g_cpu[core & 1], &set);
    (void)sched_setaffinity(0, sizeof(set), &set);
}

void bench_relax_slow(void)
{
    sched_yield();
}

int bench_fail(const char *fmt, ...)
{
    uint32_t expected = 0;
    if (atomic_compare_exchange_strong(&g_ctl->failed, &expected, 1u)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(g_ctl->errmsg, sizeof(g_ctl->errmsg), fmt, ap);
        va_end(ap);
    }
    atomic_store(&g_ctl->stop, 1u);
    return 2;
}

uint64_t bench_deadline_s(double seconds)
{
    return bench_ticks() + bench_ns_to_ticks(seconds * 1e9);
}

bool bench_timed_out(uint64_t deadline, const char *what)
{
    if (atomic_load_explicit(&g_ctl->failed, memory_order_relaxed)) {
        return true;   /* the peer gave up: stop waiting for it */
    }
    if (bench_ticks() < deadline) {
        return false;
    }
    bench_fail("timeout: %s", what);
    return true;
}

void bench_ctl_reset(void)
{
    atomic_store(&g_ctl->main_ready, 0u);
    atomic_store(&g_ctl->sub_ready, 0u);
    atomic_store(&g_ctl->stop, 0u);
    atomic_store(&g_ctl->sent_total, 0u);
    atomic_store(&g_ctl->pid[0], 0);
    atomic_store(&g_ctl->pid[1], 0);
    atomic_store(&g_ctl->failed, 0u);
    g_ctl->errmsg[0] = '\0';
    g_ctl->nsamples = 0;
    g_ctl->nstamps = 0;
    g_ctl->received = 0;
    g_ctl->send_ticks = 0;
    g_ctl->notifies = 0;
    g_ctl->tx_msgs = 0;
    g_ctl->isrs = 0;
    g_ctl->shm_block = 0;
}

int bench_run_pair(bench_side_fn fn, const trial_t *t, double timeout_s)
{
    pid_t pid[2] = {-1, -1};
    for (int core = 0; core < 2; core++) {
        fflush(NULL);
        pid[core] = fork();
        if (pid[core] < 0) {
            bench_fail("fork: %s", strerror(errno));
            if (core == 1) {
                kill(pid[0], SIGKILL);
                waitpid(pid[0], NULL, 0);
            }
            return -1;
        }
        if (pid[core] == 0) {
            bench_pin(core);
            _exit(fn(core, t));
        }
    }
    /* The parent blocks in waitpid (it must not wake up and steal one of
     * the two CPUs); SIGALRM interrupts it if the pair hangs. */
    int rc = 0;
    int left = 2;
    g_alarm_fired = 0;
    alarm((unsigned)(timeout_s + 1.0));
    while (left > 0) {
        for (int i = 0; i < 2; i++) {
            if (pid[i] <= 0) {
                continue;
            }
            int status;
            pid_t p = waitpid(pid[i], &status, 0);
            if (p < 0 && errno == EINTR) {
                if (g_alarm_fired) {
                    bench_fail("watchdog: trial did not end in %.0f s",
                               timeout_s);
                    for (int k = 0; k < 2; k++) {
                        if (pid[k] > 0) {
                            kill(pid[k], SIGKILL);
                        }
                    }
                    rc = -1;
                }
                continue;
            }
            pid[i] = -1;
            left--;
            if (p < 0) {
                bench_fail("waitpid: %s", strerror(errno));
                rc = -1;
            } else if (WIFSIGNALED(status)) {
                if (!g_alarm_fired) {
                    bench_fail("baseline process killed by signal %d",
                               WTERMSIG(status));
                }
                rc = -1;
            } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                bench_fail("baseline process exit code %d",
                           WEXITSTATUS(status));
                rc = -1;
            }
        }
    }
    alarm(0);
    return rc;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median_u64(uint64_t *v, size_t n)
{
    if (n == 0) {
        return 0.0;
    }
    qsort(v, n, sizeof(*v), cmp_u64);
    return n & 1 ? (double)v[n / 2]
                 : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2.0;
}

double bench_median_d(double *v, size_t n)
{
    if (n == 0) {
        return 0.0;
    }
    qsort(v, n, sizeof(*v), cmp_d);
    return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}
