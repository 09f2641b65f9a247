/*
 * sim_selftest.c - self-test of the simulator (sim/), the POSIX env port and
 * the sim platform port, without the library core and without a framework.
 *
 * Usage: sim_selftest [substring]   runs the tests whose name contains it
 * (e.g. "thread" for the thread-core tests alone, as under TSan).
 * Prints one line per test and "N passed, M failed"; exits 0 if all passed.
 *
 * Cores talk through `struct shm` at the start of the shared region, with
 * atomics (lock-free, so valid across processes). A core's entry returns 0
 * or 1 (failed checks are printed by the core). Every wait has a deadline,
 * so a broken simulator fails a test instead of hanging it.
 */
#define _POSIX_C_SOURCE 200809L

#include "esp_amp_env.h"
#include "esp_amp_platform.h"
#include "sim.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAIN ESP_AMP_CORE_MAIN
#define SUB ESP_AMP_CORE_SUB
#define SHM_SIZE (64u * 1024u)
#define DEADLINE_MS 10000u
#define PATTERN_WORDS 1024u
#define PINGPONG_ROUNDS 200u

struct shm {
    _Atomic uint64_t base[2];      /* each core's mapping address */
    atomic_uint ready[2];
    atomic_uint step[2];
    atomic_uint done;
    atomic_uint isr_runs[2];
    atomic_uint isr_bad[2];        /* ISR ran with in_isr false, wrong core */
    atomic_uint echo[2];           /* ISR raises the peer's doorbell */
    atomic_uint self_reraise[2];   /* ISR raises its own doorbell N times */
    atomic_int depth[2];
    atomic_int max_depth[2];
    uint32_t pattern[2][PATTERN_WORDS];
};

static _Thread_local int t_fails;

#define EXPECT(cond)                                                                  \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "  %s:%d: core %d: expected %s\n", __FILE__, __LINE__,    \
                    sim_current_core(), #cond);                                       \
            t_fails++;                                                                \
        }                                                                             \
    } while (0)

static struct shm *shm(void)
{
    return (struct shm *)sim_shm_base();
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_us(unsigned us)
{
    struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L};
    nanosleep(&ts, NULL);
}

/* Spin (politely) until *p >= v; false on timeout. */
static bool wait_at_least(atomic_uint *p, unsigned v)
{
    uint64_t end = now_ms() + DEADLINE_MS;
    while (atomic_load(p) < v) {
        if (now_ms() > end) {
            return false;
        }
        sleep_us(100);
    }
    return true;
}

/* Sleep on the doorbell until *p >= v; false on timeout. */
static bool wait_irq_at_least(atomic_uint *p, unsigned v)
{
    uint64_t end = now_ms() + DEADLINE_MS;
    while (atomic_load(p) < v) {
        if (now_ms() > end) {
            return false;
        }
        sim_wait_interrupt(100000);
    }
    return true;
}

/* The doorbell ISR used by all tests. Async-signal-safe: atomics only. */
static void test_isr(void)
{
    struct shm *s = shm();
    int core = sim_current_core();
    if (s == NULL || (core != MAIN && core != SUB)) {
        return;
    }
    int d = atomic_fetch_add(&s->depth[core], 1) + 1;
    if (d > atomic_load(&s->max_depth[core])) {
        atomic_store(&s->max_depth[core], d);
    }
    if (!esp_amp_env_in_isr() || esp_amp_platform_core_id() != core) {
        atomic_fetch_add(&s->isr_bad[core], 1);
    }
    /* Critical sections nest inside the ISR and keep ISR context. */
    esp_amp_env_enter_critical();
    esp_amp_env_enter_critical();
    esp_amp_env_exit_critical();
    esp_amp_env_exit_critical();
    if (!esp_amp_env_in_isr()) {
        atomic_fetch_add(&s->isr_bad[core], 1);
    }
    atomic_fetch_add(&s->isr_runs[core], 1);
    if (atomic_load(&s->echo[core])) {
        esp_amp_platform_raise_doorbell(1 - core);
    }
    unsigned n = atomic_load(&s->self_reraise[core]);
    if (n > 0) {
        atomic_store(&s->self_reraise[core], n - 1);
        esp_amp_platform_raise_doorbell(core); /* runs after this ISR */
    }
    atomic_fetch_sub(&s->depth[core], 1);
}

static int run_pair(sim_mode_t mode, sim_core_entry_t main_fn, sim_core_entry_t sub_fn)
{
    int rc_main = -1, rc_sub = -1;
    t_fails = 0;
    EXPECT(sim_init(SHM_SIZE) == 0);
    EXPECT(sim_start_core(MAIN, mode, main_fn, NULL) == 0);
    EXPECT(sim_start_core(SUB, mode, sub_fn, NULL) == 0);
    EXPECT(sim_join_core(MAIN, &rc_main) == 0);
    EXPECT(sim_join_core(SUB, &rc_sub) == 0);
    EXPECT(rc_main == 0);
    EXPECT(rc_sub == 0);
    sim_deinit();
    return t_fails;
}

/* ---- shared memory: both cores see each other's writes ---------------- */

static int mapping_core(void *arg)
{
    (void)arg;
    t_fails = 0;
    int me = sim_current_core();
    int peer = 1 - me;
    struct shm *s = shm();
    EXPECT(me == MAIN || me == SUB);
    EXPECT(s != NULL);
    if (s == NULL || (me != MAIN && me != SUB)) {
        return 1;
    }
    EXPECT(esp_amp_platform_core_id() == me);
    EXPECT(ESP_AMP_PORT_CORE_SLOT() == (unsigned)me);
    EXPECT(esp_amp_platform_shm_base() == (void *)s);
    EXPECT(((uintptr_t)s & 63u) == 0);
    EXPECT(sim_shm_size() == SHM_SIZE);
    EXPECT(esp_amp_platform_shm_size() == SHM_SIZE);
    EXPECT(!esp_amp_env_in_isr());
    /* Zero-filled region: the last word is untouched by anyone. */
    EXPECT(((volatile uint32_t *)s)[SHM_SIZE / 4 - 1] == 0);

    for (uint32_t i = 0; i < PATTERN_WORDS; i++) {
        s->pattern[me][i] = (uint32_t)me * 0x10000u + i;
    }
    atomic_store(&s->base[me], (uint64_t)(uintptr_t)s);
    atomic_store(&s->ready[me], 1); /* seq_cst: publishes the pattern */

    EXPECT(wait_at_least(&s->ready[peer], 1));
    uint32_t bad = 0;
    for (uint32_t i = 0; i < PATTERN_WORDS; i++) {
        bad += s->pattern[peer][i] != (uint32_t)peer * 0x10000u + i;
    }
    EXPECT(bad == 0);
    uint64_t peer_base = atomic_load(&s->base[peer]);
    EXPECT(peer_base != 0);
    EXPECT(peer_base != (uint64_t)(uintptr_t)s);
    /* Hold the mapping until the peer has checked too. */
    atomic_fetch_add(&s->done, 1);
    EXPECT(wait_at_least(&s->done, 2));
    return t_fails != 0;
}

static int test_mapping_process(void)
{
    return run_pair(SIM_PROCESS, mapping_core, mapping_core);
}

static int test_mapping_thread(void)
{
    return run_pair(SIM_THREAD, mapping_core, mapping_core);
}

/* ---- doorbell ping-pong: the ISR runs in ISR context ---------------- */

static int pingpong_main(void *arg)
{
    (void)arg;
    t_fails = 0;
    struct shm *s = shm();
    esp_amp_platform_set_doorbell_handler(test_isr);
    atomic_store(&s->ready[MAIN], 1);
    EXPECT(wait_at_least(&s->ready[SUB], 1));
    for (unsigned i = 1; i <= PINGPONG_ROUNDS && t_fails == 0; i++) {
        esp_amp_platform_raise_doorbell(SUB);
        EXPECT(wait_irq_at_least(&s->isr_runs[MAIN], i));
        EXPECT(!esp_amp_env_in_isr());
    }
    EXPECT(atomic_load(&s->isr_runs[MAIN]) == PINGPONG_ROUNDS);
    EXPECT(sim_isr_count() == PINGPONG_ROUNDS);
    EXPECT(atomic_load(&s->isr_bad[MAIN]) == 0);
    EXPECT(atomic_load(&s->max_depth[MAIN]) == 1);
    atomic_store(&s->done, 1);
    esp_amp_platform_raise_doorbell(SUB); /* wake it up to see `done` */
    return t_fails != 0;
}

static int pingpong_sub(void *arg)
{
    (void)arg;
    t_fails = 0;
    struct shm *s = shm();
    atomic_store(&s->echo[SUB], 1);
    esp_amp_platform_set_doorbell_handler(test_isr);
    atomic_store(&s->ready[SUB], 1);
    uint64_t end = now_ms() + DEADLINE_MS;
    while (!atomic_load(&s->done) && now_ms() < end) {
        sim_wait_interrupt(100000);
        EXPECT(!esp_amp_env_in_isr());
    }
    EXPECT(atomic_load(&s->done));
    /* The last doorbell (the `done` wake-up) may or may not have run yet. */
    unsigned runs = atomic_load(&s->isr_runs[SUB]);
    EXPECT(runs == PINGPONG_ROUNDS || runs == PINGPONG_ROUNDS + 1);
    EXPECT(sim_isr_count() == runs);
    EXPECT(atomic_load(&s->isr_bad[SUB]) == 0);
    EXPECT(atomic_load(&s->max_depth[SUB]) == 1);
    return t_fails != 0;
}

static int test_doorbell_process(void)
{
    return run_pair(SIM_PROCESS, pingpong_main, pingpong_sub);
}

static int test_doorbell_thread(void)
{
    return run_pair(SIM_THREAD, pingpong_main, pingpong_sub);
}

/* ---- a doorbell inside a critical section runs at the outermost exit -- */

static int critical_main(void *arg)
{
    (void)arg;
    t_fails = 0;
    struct shm *s = shm();
    EXPECT(wait_at_least(&s->ready[SUB], 1));
    /* Raise until SUB has seen it. While it is pending, raising again does
     * nothing, except under TSan, whose runtime can lose a signal: then the
     * simulator signals again. */
    uint64_t end = now_ms() + DEADLINE_MS;
    do {
        esp_amp_platform_raise_doorbell(SUB);
        sleep_us(1000);
    } while (atomic_load(&s->step[SUB]) == 0 && now_ms() < end);
    atomic_store(&s->step[MAIN], 1); /* no more raises */
    return t_fails != 0;
}

static int critical_sub(void *arg)
{
    (void)arg;
    t_fails = 0;
    struct shm *s = shm();
    esp_amp_platform_set_doorbell_handler(test_isr);
    EXPECT(!esp_amp_env_in_isr());

    /* 1. From the peer (a signal), nested three deep. */
    esp_amp_env_enter_critical();
    esp_amp_env_enter_critical();
    esp_amp_env_enter_critical();
    atomic_store(&s->ready[SUB], 1);
    uint64_t end = now_ms() + DEADLINE_MS;
    while (!esp_amp_env_posix_irq_pending() && now_ms() < end) {
        sleep_us(100); /* the signal arrives and is only recorded */
    }
    EXPECT(esp_amp_env_posix_irq_pending());
    atomic_store(&s->step[SUB], 1);
    EXPECT(wait_at_least(&s->step[MAIN], 1));
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 0);
    EXPECT(!esp_amp_env_in_isr());
    esp_amp_env_exit_critical();
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 0);
    esp_amp_env_exit_critical();
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 0);
    EXPECT(!esp_amp_env_in_isr());
    esp_amp_env_exit_critical(); /* outermost: the ISR runs here */
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 1);
    EXPECT(sim_isr_count() == 1);
    EXPECT(!esp_amp_env_in_isr());
    EXPECT(!esp_amp_env_posix_irq_pending());

    /* 2. Own doorbell inside a critical section: deferred the same way. */
    esp_amp_env_enter_critical();
    esp_amp_env_enter_critical();
    esp_amp_platform_raise_doorbell(SUB);
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 1);
    esp_amp_env_exit_critical();
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 1);
    esp_amp_env_exit_critical();
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 2);

    /* 3. Own doorbell outside: runs at once. */
    esp_amp_platform_raise_doorbell(SUB);
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 3);

    /* 4. Raised from inside the ISR: runs after it, not nested in it. */
    atomic_store(&s->self_reraise[SUB], 2);
    esp_amp_platform_raise_doorbell(SUB);
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 6);
    EXPECT(sim_isr_count() == 6);
    EXPECT(atomic_load(&s->max_depth[SUB]) == 1);
    EXPECT(atomic_load(&s->isr_bad[SUB]) == 0);
    EXPECT(!esp_amp_env_in_isr());

    /* 5. Unbalanced exit is ignored; nesting still works afterwards. */
    esp_amp_env_exit_critical();
    esp_amp_env_enter_critical();
    esp_amp_platform_raise_doorbell(SUB);
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 6);
    esp_amp_env_exit_critical();
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 7);
    return t_fails != 0;
}

static int test_critical_process(void)
{
    return run_pair(SIM_PROCESS, critical_main, critical_sub);
}

static int test_critical_thread(void)
{
    return run_pair(SIM_THREAD, critical_main, critical_sub);
}

/* ---- stress: doorbells racing critical sections ---------------------- */

#define STRESS_MS 300u

static int stress_main(void *arg)
{
    (void)arg;
    t_fails = 0;
    struct shm *s = shm();
    EXPECT(wait_at_least(&s->ready[SUB], 1));
    for (unsigned n = 1; !atomic_load(&s->done); n++) {
        esp_amp_platform_raise_doorbell(SUB); /* as fast as it goes */
        atomic_fetch_add(&s->step[MAIN], 1);
        if (n % 4096 == 0) {
            sleep_us(10); /* let valgrind's scheduler run SUB too */
        }
    }
    return t_fails != 0;
}

static int stress_sub(void *arg)
{
    (void)arg;
    t_fails = 0;
    struct shm *s = shm();
    esp_amp_platform_set_doorbell_handler(test_isr);
    atomic_store(&s->ready[SUB], 1);
    unsigned stuck = 0, loops = 0;
    /* At least STRESS_MS, and until MAIN has raised a few times (valgrind
     * may not have run it yet). */
    uint64_t end = now_ms() + STRESS_MS;
    uint64_t hard_end = end + DEADLINE_MS;
    while (now_ms() < end || (atomic_load(&s->step[MAIN]) < 100 && now_ms() < hard_end)) {
        for (int i = 0; i < 1000; i++, loops++) {
            esp_amp_env_enter_critical();
            if (i & 1) {
                esp_amp_env_enter_critical();
                esp_amp_env_exit_critical();
            }
            esp_amp_env_exit_critical();
            /* Unmasked task context: a doorbell is never left waiting. */
            stuck += esp_amp_env_posix_irq_pending() || esp_amp_env_in_isr();
        }
        sleep_us(10); /* let valgrind's scheduler run MAIN too */
    }
    atomic_store(&s->done, 1);
    EXPECT(stuck == 0);
    /* Under valgrind, which runs one thread at a time, no signal may have
     * come in during the loop: the doorbell is still pending, take it. */
    EXPECT(wait_irq_at_least(&s->isr_runs[SUB], 1));
    EXPECT(atomic_load(&s->isr_bad[SUB]) == 0);
    EXPECT(atomic_load(&s->max_depth[SUB]) == 1);
    EXPECT(loops > 0);
    return t_fails != 0;
}

static int test_stress_process(void)
{
    return run_pair(SIM_PROCESS, stress_main, stress_sub);
}

static int test_stress_thread(void)
{
    return run_pair(SIM_THREAD, stress_main, stress_sub);
}

/* ---- sim_wait_interrupt ------------------------------------------------ */

static int wait_main(void *arg)
{
    (void)arg;
    t_fails = 0;
    struct shm *s = shm();
    for (unsigned step = 1; step <= 2; step++) {
        EXPECT(wait_at_least(&s->ready[SUB], step));
        sleep_us(20000); /* let the sub core fall asleep */
        esp_amp_platform_raise_doorbell(SUB);
    }
    return t_fails != 0;
}

static int wait_sub(void *arg)
{
    (void)arg;
    t_fails = 0;
    struct shm *s = shm();
    esp_amp_platform_set_doorbell_handler(test_isr);

    /* Times out when nothing comes. */
    uint64_t t0 = now_ms();
    EXPECT(!sim_wait_interrupt(50000));
    uint64_t dt = now_ms() - t0;
    EXPECT(dt >= 49 && dt < 5000);

    /* Wakes on the peer's doorbell, after its ISR ran. */
    atomic_store(&s->ready[SUB], 1);
    t0 = now_ms();
    EXPECT(sim_wait_interrupt(DEADLINE_MS * 1000u));
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 1);
    EXPECT(now_ms() - t0 < DEADLINE_MS);

    /* No lost wake-up: an ISR that ran before the call counts. */
    esp_amp_platform_raise_doorbell(SUB);
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 2);
    t0 = now_ms();
    EXPECT(sim_wait_interrupt(DEADLINE_MS * 1000u));
    EXPECT(now_ms() - t0 < 1000);
    EXPECT(!sim_wait_interrupt(20000)); /* ...but only once */

    /* Inside a critical section: a doorbell wakes it, the ISR runs at the
     * exit. */
    esp_amp_env_enter_critical();
    atomic_store(&s->ready[SUB], 2);
    EXPECT(sim_wait_interrupt(DEADLINE_MS * 1000u));
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 2);
    esp_amp_env_exit_critical();
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 3);
    EXPECT(sim_wait_interrupt(20000));
    EXPECT(!sim_wait_interrupt(1000));
    EXPECT(atomic_load(&s->isr_bad[SUB]) == 0);
    return t_fails != 0;
}

static int test_wait_process(void)
{
    return run_pair(SIM_PROCESS, wait_main, wait_sub);
}

static int test_wait_thread(void)
{
    return run_pair(SIM_THREAD, wait_main, wait_sub);
}

static int wait_done_return_7(void *arg)
{
    (void)arg;
    struct shm *s = shm();
    atomic_store(&s->ready[SUB], 1);
    return wait_at_least(&s->done, 1) ? 7 : 1;
}

/* Returns *(int *)arg. */
static int return_42(void *arg)
{
    return *(int *)arg;
}

/* ---- one thread drives both cores ------------------------------------ */

static int test_enter_single(void)
{
    t_fails = 0;
    EXPECT(sim_current_core() == -1);
    EXPECT(sim_shm_base() == NULL);
    EXPECT(sim_enter_core(MAIN) == -1); /* before sim_init */
    EXPECT(sim_init(SHM_SIZE) == 0);
    EXPECT(sim_init(SHM_SIZE) == -1);
    EXPECT(sim_enter_core(2) == -1);
    EXPECT(sim_enter_core(-1) == -1);

    EXPECT(sim_enter_core(MAIN) == 0);
    EXPECT(sim_current_core() == MAIN);
    EXPECT(esp_amp_platform_core_id() == MAIN);
    struct shm *m = shm();
    esp_amp_platform_set_doorbell_handler(test_isr);

    EXPECT(sim_enter_core(SUB) == 0);
    EXPECT(sim_current_core() == SUB);
    struct shm *s = shm();
    EXPECT(s != NULL && m != NULL && s != m);
    s->pattern[SUB][0] = 0xabcd1234u;
    EXPECT(m->pattern[SUB][0] == 0xabcd1234u); /* same memory, other address */

    /* A doorbell for a core nobody runs stays pending... */
    esp_amp_platform_raise_doorbell(MAIN);
    esp_amp_platform_raise_doorbell(MAIN);
    EXPECT(atomic_load(&s->isr_runs[MAIN]) == 0);
    /* ...and so does one for a core with no handler yet. */
    esp_amp_platform_raise_doorbell(SUB);
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 0);
    EXPECT(sim_isr_count() == 0);

    EXPECT(sim_enter_core(MAIN) == 0); /* runs MAIN's pending ISR, once */
    EXPECT(atomic_load(&s->isr_runs[MAIN]) == 1);
    EXPECT(sim_isr_count() == 1);
    EXPECT(sim_enter_core(MAIN) == 0); /* nothing pending any more */
    EXPECT(atomic_load(&s->isr_runs[MAIN]) == 1);
    esp_amp_platform_raise_doorbell(SUB); /* already pending: no-op */

    EXPECT(sim_enter_core(SUB) == 0);
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 0); /* no handler */
    esp_amp_platform_set_doorbell_handler(test_isr); /* runs it now */
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 1);
    EXPECT(sim_isr_count() == 1);

    /* Handler removed: doorbells wait for the next one. */
    esp_amp_platform_set_doorbell_handler(NULL);
    esp_amp_platform_raise_doorbell(SUB);
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 1);
    esp_amp_env_enter_critical();
    esp_amp_platform_set_doorbell_handler(test_isr); /* masked: deferred */
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 1);
    EXPECT(sim_enter_core(MAIN) == -1); /* no switching in a critical section */
    EXPECT(sim_current_core() == SUB);
    esp_amp_env_exit_critical();
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 2);

    /* Cross-core round trip driven by hand. */
    atomic_store(&s->echo[SUB], 1);
    esp_amp_platform_raise_doorbell(SUB); /* SUB's ISR raises MAIN */
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 3);
    EXPECT(atomic_load(&s->isr_runs[MAIN]) == 1);
    EXPECT(sim_enter_core(MAIN) == 0);
    EXPECT(atomic_load(&s->isr_runs[MAIN]) == 2);
    EXPECT(atomic_load(&s->isr_bad[MAIN]) == 0);
    EXPECT(atomic_load(&s->isr_bad[SUB]) == 0);

    /* A core run by sim_start_core cannot be entered by another thread. */
    EXPECT(sim_start_core(SUB, SIM_THREAD, NULL, NULL) == -1);
    EXPECT(sim_start_core(SUB, SIM_THREAD, wait_done_return_7, NULL) == 0);
    EXPECT(wait_at_least(&m->ready[SUB], 1));
    EXPECT(sim_enter_core(SUB) == -1);
    EXPECT(sim_current_core() == MAIN);
    atomic_store(&m->done, 1);
    int rc = -1;
    EXPECT(sim_join_core(SUB, &rc) == 0);
    EXPECT(rc == 7);
    EXPECT(sim_enter_core(SUB) == 0); /* ended: free again */

    sim_deinit();
    EXPECT(sim_current_core() == -1);
    EXPECT(sim_shm_base() == NULL);
    EXPECT(sim_shm_size() == 0);
    return t_fails;
}

/* ---- kill, restart, exit codes ------------------------------------- */

static int sleeper_sub(void *arg)
{
    (void)arg;
    struct shm *s = shm();
    atomic_store(&s->echo[SUB], 1);
    esp_amp_platform_set_doorbell_handler(test_isr);
    atomic_fetch_add(&s->ready[SUB], 1);
    /* Sleeps until killed (or, if that never comes, gives up). */
    uint64_t end = now_ms() + 6u * DEADLINE_MS;
    while (now_ms() < end) {
        sim_wait_interrupt(100000);
    }
    return 1;
}

static int test_kill_restart(void)
{
    t_fails = 0;
    int rc = -1;
    EXPECT(sim_init(SHM_SIZE) == 0);
    /* This thread acts as MAIN (not started); SUB is a process. */
    EXPECT(sim_enter_core(MAIN) == 0);
    struct shm *s = shm();
    esp_amp_platform_set_doorbell_handler(test_isr);

    for (unsigned gen = 1; gen <= 3; gen++) {
        atomic_store(&s->ready[SUB], 0);
        EXPECT(sim_start_core(SUB, SIM_PROCESS, sleeper_sub, NULL) == 0);
        EXPECT(sim_start_core(SUB, SIM_PROCESS, sleeper_sub, NULL) == -1);
        EXPECT(wait_at_least(&s->ready[SUB], 1));
        esp_amp_platform_raise_doorbell(SUB); /* its ISR rings MAIN back */
        EXPECT(wait_irq_at_least(&s->isr_runs[MAIN], gen));
        /* Exactly one ISR per generation on each side: the doorbells raised
         * while SUB was dead were dropped, not delivered to the new SUB. */
        sleep_us(20000);
        EXPECT(atomic_load(&s->isr_runs[SUB]) == gen);
        EXPECT(atomic_load(&s->isr_runs[MAIN]) == gen);
        EXPECT(sim_kill_core(SUB) == 0);
        EXPECT(sim_kill_core(SUB) == -1);
        if (gen == 2) {
            /* Restart without joining the killed core first. */
            continue;
        }
        EXPECT(sim_join_core(SUB, &rc) == 0);
        EXPECT(rc == 128 + 9);
        EXPECT(sim_join_core(SUB, &rc) == -1);
        /* A dead core's doorbell is dropped: nothing rings back. (Not
         * checked with sim_wait_interrupt: the echo ISR may have run before
         * wait_irq_at_least slept, and then the next wait returns at once.) */
        uint64_t before = sim_isr_count();
        esp_amp_platform_raise_doorbell(SUB);
        sleep_us(50000);
        EXPECT(sim_isr_count() == before);
        EXPECT(atomic_load(&s->isr_runs[MAIN]) == gen);
    }
    EXPECT(atomic_load(&s->isr_bad[MAIN]) == 0);
    EXPECT(atomic_load(&s->isr_bad[SUB]) == 0);

    /* A thread core cannot be killed. */
    atomic_store(&s->ready[SUB], 0);
    EXPECT(sim_start_core(SUB, SIM_THREAD, wait_done_return_7, NULL) == 0);
    EXPECT(wait_at_least(&s->ready[SUB], 1));
    EXPECT(sim_kill_core(SUB) == -1);
    atomic_store(&s->done, 1);
    EXPECT(sim_join_core(SUB, &rc) == 0);
    EXPECT(rc == 7);
    EXPECT(sim_kill_core(SUB) == -1); /* not running */
    EXPECT(sim_join_core(SUB, NULL) == -1);

    /* Exit codes of a process core and of a thread core. */
    int v = 42;
    EXPECT(sim_start_core(SUB, SIM_PROCESS, return_42, &v) == 0);
    EXPECT(sim_join_core(SUB, &rc) == 0);
    EXPECT(rc == 42);
    v = 43;
    EXPECT(sim_start_core(SUB, SIM_THREAD, return_42, &v) == 0);
    EXPECT(sim_join_core(SUB, &rc) == 0);
    EXPECT(rc == 43);
    EXPECT(sim_start_core(MAIN, SIM_THREAD, return_42, &v) == -1); /* we are MAIN */
    EXPECT(sim_start_core(3, SIM_THREAD, return_42, &v) == -1);
    EXPECT(sim_start_core(SUB, (sim_mode_t)7, return_42, &v) == -1);
    sim_deinit();
    return t_fails;
}

/* ---- a doorbell raised before the core started is not lost ----------- */

static int early_sub(void *arg)
{
    (void)arg;
    t_fails = 0;
    struct shm *s = shm();
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 0);
    esp_amp_platform_set_doorbell_handler(test_isr); /* runs the early one */
    EXPECT(atomic_load(&s->isr_runs[SUB]) == 1);
    EXPECT(sim_isr_count() == 1);
    EXPECT(atomic_load(&s->isr_bad[SUB]) == 0);
    return t_fails != 0;
}

static int early_doorbell(sim_mode_t mode)
{
    t_fails = 0;
    int rc = -1;
    EXPECT(sim_init(SHM_SIZE) == 0);
    EXPECT(sim_enter_core(MAIN) == 0);
    esp_amp_platform_raise_doorbell(SUB);
    EXPECT(sim_start_core(SUB, mode, early_sub, NULL) == 0);
    EXPECT(sim_join_core(SUB, &rc) == 0);
    EXPECT(rc == 0);
    sim_deinit();
    return t_fails;
}

static int test_early_process(void)
{
    return early_doorbell(SIM_PROCESS);
}

static int test_early_thread(void)
{
    return early_doorbell(SIM_THREAD);
}

/* ---- a process core that dies of a signal ---------------------------- */

static int die_of_sigterm(void *arg)
{
    (void)arg;
    raise(SIGTERM);
    return 0;
}

static int test_crash_process(void)
{
    t_fails = 0;
    int rc = -1;
    EXPECT(sim_init(SHM_SIZE) == 0);
    EXPECT(sim_start_core(SUB, SIM_PROCESS, die_of_sigterm, NULL) == 0);
    EXPECT(sim_join_core(SUB, &rc) == 0);
    EXPECT(rc == 128 + SIGTERM);
    EXPECT(sim_start_core(SUB, SIM_PROCESS, die_of_sigterm, NULL) == 0); /* again */
    EXPECT(sim_join_core(SUB, &rc) == 0);
    EXPECT(rc == 128 + SIGTERM);
    sim_deinit();
    return t_fails;
}

/* ---- platform time ------------------------------------------------- */

static int test_platform_time(void)
{
    t_fails = 0;
    uint32_t t0 = esp_amp_platform_get_time_ms();
    uint64_t m0 = now_ms();
    esp_amp_platform_delay_us(20000);
    uint32_t t1 = esp_amp_platform_get_time_ms();
    EXPECT(now_ms() - m0 >= 20);
    EXPECT((uint32_t)(t1 - t0) >= 19 && (uint32_t)(t1 - t0) < 5000);
    esp_amp_platform_delay_us(0);
    return t_fails;
}

struct test {
    const char *name;
    int (*fn)(void);
};

static const struct test tests[] = {
    {"mapping_process", test_mapping_process},
    {"mapping_thread", test_mapping_thread},
    {"doorbell_process", test_doorbell_process},
    {"doorbell_thread", test_doorbell_thread},
    {"critical_process", test_critical_process},
    {"critical_thread", test_critical_thread},
    {"stress_process", test_stress_process},
    {"stress_thread", test_stress_thread},
    {"wait_process", test_wait_process},
    {"wait_thread", test_wait_thread},
    {"enter_single_thread", test_enter_single},
    {"kill_restart_process", test_kill_restart},
    {"early_doorbell_process", test_early_process},
    {"early_doorbell_thread", test_early_thread},
    {"crash_process", test_crash_process},
    {"platform_time_thread", test_platform_time},
};

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (argc > 1 && strstr(tests[i].name, argv[1]) == NULL) {
            continue;
        }
        int fails = tests[i].fn();
        printf("%s %s\n", fails == 0 ? "PASS" : "FAIL", tests[i].name);
        fflush(stdout);
        if (fails == 0) {
            passed++;
        } else {
            failed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
