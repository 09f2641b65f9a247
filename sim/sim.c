/*
 * sim.c - a two-core chip simulated on Linux (the API and its model are in
 * sim.h).
 *
 * Memory
 *   - The chip's shared RAM is one memfd. Each core maps it at an address
 *     of its own: a thread core (or a thread that sim_enter_core()s a core)
 *     uses this process's mapping for that core, a second mmap of the memfd
 *     per core id; a process core, after fork, maps the memfd over a
 *     PROT_NONE reservation that sim_init() made for that core id. All these
 *     ranges coexist in the parent, so no two cores of a simulation ever
 *     see the region at the same address, and a process core's address is
 *     never one the parent uses for data.
 *   - A small MAP_SHARED|MAP_ANONYMOUS control block, inherited by every
 *     forked core, holds per core, as lock-free atomics: the thread running
 *     it (pid and kernel tid), the doorbell-pending flag, the "dropped" flag
 *     of a killed core and the "started" flag.
 *
 * Doorbells
 *   - Raising core C's doorbell sets C's pending flag and, if the flag was
 *     clear, sends SIM_DOORBELL_SIGNAL to the thread registered as running C
 *     (tgkill: works for thread and process cores, across processes). If the
 *     caller itself runs C, the interrupt is raised directly, no signal.
 *   - The signal handler (installed once per process by sim_init) passes
 *     sim_dispatch() to esp_amp_env_posix_interrupt(), which runs it now or,
 *     inside a critical section / ISR, at its end. sim_dispatch() takes the
 *     receiving thread's core's pending flag and runs that core's ISR, until
 *     the flag stays clear. Without an installed ISR the flag stays set.
 *   - A doorbell is never lost: a core that nobody runs yet, or that has no
 *     ISR yet, keeps it pending; sim_enter_core() and
 *     sim_set_doorbell_isr() deliver it (each stores, then checks the flag;
 *     raisers set the flag, then read the runner: seq_cst on both sides).
 *   - A killed core drops doorbells until it is started again.
 *
 * Cores
 *   - The calling thread's core is a thread-local; ISR table, ISR counters
 *     and this process's per-core mappings are per process, indexed by core.
 *   - A process core runs entry(arg) in a fork()ed child, killed when the
 *     thread that started it ends (PR_SET_PDEATHSIG, SIGKILL). It resets
 *     the state it inherited (thread-locals of the forking thread, env port
 *     state, ISR table, records of cores the parent started, signal mask),
 *     and ends with _exit() (no atexit handlers of the parent).
 *   - start / join / kill are made by the process that started the core;
 *     a per-core atomic state (NONE, STARTING, RUNNING, JOINING, KILLED)
 *     serialises them between threads without a lock, so nothing a fork
 *     could leave locked exists.
 *
 * sim_wait_interrupt() sleeps with ppoll(), which unblocks the signal only
 * while sleeping; it has an event-register semantic: it returns at once if
 * an ISR ran on the core since the previous sim_wait_interrupt() returned
 * (or since the core started), so "check condition; wait" loses no wake-up.
 *
 * Lost signals: the kernel never loses one, but ThreadSanitizer's runtime
 * (it defers asynchronous signals) occasionally does. So a doorbell is also
 * taken, from its pending flag, at poll points - sim_wait_interrupt() before
 * each sleep (it sleeps at most SIM_WAIT_SLICE_NS at a time) and
 * sim_poll_doorbell() (esp_amp_platform_delay_us) - and under TSan a raise
 * signals even when the flag was already set. This only ever delivers a
 * doorbell that was raised; on a chip, too, a pending enabled interrupt is
 * taken as soon as the core can take it.
 */
#define _GNU_SOURCE

#include "sim.h"

#include "esp_amp_env.h"
#include "esp_amp_platform.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SIM_CORES 2
#define SIM_WAIT_SLICE_NS 50000000u /* longest sleep between two polls */

#if defined(__SANITIZE_THREAD__)
#define SIM_LOSSY_SIGNALS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SIM_LOSSY_SIGNALS 1
#endif
#endif
#ifndef SIM_LOSSY_SIGNALS
#define SIM_LOSSY_SIGNALS 0
#endif

typedef void (*sim_isr_t)(void);

/* Shared between all processes of the simulation. */
struct sim_core_ctl {
    _Atomic uint64_t runner; /* pid << 32 | tid of the thread running it, 0 */
    atomic_int pending;      /* doorbell raised, ISR not run yet */
    atomic_int dropped;      /* killed: doorbells are ignored */
    atomic_int started;      /* running under sim_start_core() */
};

struct sim_ctl {
    struct sim_core_ctl core[SIM_CORES];
};

/* Per-process record of a core this process started. */
enum { REC_NONE, REC_STARTING, REC_RUNNING, REC_JOINING, REC_KILLED };

struct sim_rec {
    atomic_int state;
    sim_mode_t mode;
    pthread_t thread;
    pid_t pid;
    sim_core_entry_t entry;
    void *arg;
};

static struct sim_ctl *g_ctl;
static int g_fd = -1;
static size_t g_size;
static void *g_reserve[SIM_CORES];          /* process cores map over these */
static _Atomic(void *) g_view[SIM_CORES];   /* this process's mapping per core */
static _Atomic(sim_isr_t) g_isr[SIM_CORES];
static _Atomic uint64_t g_isr_count[SIM_CORES];
static _Atomic uint64_t g_wait_seen[SIM_CORES];
static struct sim_rec g_rec[SIM_CORES];
static struct sigaction g_old_action;

static _Thread_local volatile sig_atomic_t t_core = -1;
static _Thread_local pid_t t_pid;
static _Thread_local pid_t t_tid;

static bool valid_core(int core)
{
    return core == ESP_AMP_CORE_MAIN || core == ESP_AMP_CORE_SUB;
}

static uint64_t self_runner_id(void)
{
    if (t_tid == 0) {
        t_pid = getpid();
        t_tid = (pid_t)syscall(SYS_gettid);
    }
    return ((uint64_t)(uint32_t)t_pid << 32) | (uint32_t)t_tid;
}

/* This process's mapping for `core`, created on first use. */
static void *core_view(int core)
{
    void *v = atomic_load(&g_view[core]);
    if (v != NULL) {
        return v;
    }
    v = mmap(NULL, g_size, PROT_READ | PROT_WRITE, MAP_SHARED, g_fd, 0);
    if (v == MAP_FAILED) {
        return NULL;
    }
    void *expected = NULL;
    if (!atomic_compare_exchange_strong(&g_view[core], &expected, v)) {
        munmap(v, g_size); /* another thread mapped it first */
        return expected;
    }
    return v;
}

/* Runs in ISR context (see esp_amp_env_posix_interrupt). */
static void sim_dispatch(void)
{
    int core = t_core;
    if (core < 0 || g_ctl == NULL) {
        return;
    }
    struct sim_core_ctl *c = &g_ctl->core[core];
    for (;;) {
        sim_isr_t isr = atomic_load(&g_isr[core]);
        if (isr == NULL || !atomic_exchange(&c->pending, 0)) {
            return;
        }
        isr();
        atomic_fetch_add(&g_isr_count[core], 1);
    }
}

static void sim_signal_handler(int sig)
{
    (void)sig;
    int saved_errno = errno;
    if (t_core >= 0) {
        esp_amp_env_posix_interrupt(sim_dispatch);
    }
    errno = saved_errno;
}

static void unblock_doorbell(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIM_DOORBELL_SIGNAL);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

/* Stop being the registered runner of `core` (if we still are). */
static void unregister_runner(int core)
{
    uint64_t me = self_runner_id();
    atomic_compare_exchange_strong(&g_ctl->core[core].runner, &me, 0);
}

/* Make the calling thread run `core` and deliver its pending doorbell. */
static int enter_core(int core)
{
    if (core_view(core) == NULL) {
        return -1;
    }
    int old = t_core;
    if (old >= 0 && old != core) {
        unregister_runner(old);
    }
    uint64_t me = self_runner_id();
    t_core = core;
    struct sim_core_ctl *c = &g_ctl->core[core];
    atomic_store(&c->dropped, 0);
    atomic_store(&c->runner, me);
    if (atomic_load(&c->pending)) {
        esp_amp_env_posix_interrupt(sim_dispatch);
    }
    return 0;
}

static void leave_core(int core)
{
    unregister_runner(core);
    t_core = -1;
}

static void reset_core_locals(int core)
{
    atomic_store(&g_isr[core], (sim_isr_t)NULL);
    atomic_store(&g_isr_count[core], 0);
    atomic_store(&g_wait_seen[core], 0);
}

int sim_init(uint32_t shm_size)
{
    if (g_ctl != NULL || shm_size == 0) {
        return -1;
    }
    long page = sysconf(_SC_PAGESIZE);
    uint64_t size = ((uint64_t)shm_size + (uint64_t)page - 1) / (uint64_t)page * (uint64_t)page;
    if (page <= 0 || size > UINT32_MAX) {
        return -1;
    }
    int fd = memfd_create("esp_amp_sim", MFD_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    if (ftruncate(fd, (off_t)size) != 0) {
        close(fd);
        return -1;
    }
    struct sim_ctl *ctl = mmap(NULL, sizeof *ctl, PROT_READ | PROT_WRITE,
                               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (ctl == MAP_FAILED) {
        close(fd);
        return -1;
    }
    void *reserve[SIM_CORES] = {NULL, NULL};
    for (int i = 0; i < SIM_CORES; i++) {
        reserve[i] = mmap(NULL, (size_t)size, PROT_NONE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (reserve[i] == MAP_FAILED) {
            for (int j = 0; j < i; j++) {
                munmap(reserve[j], (size_t)size);
            }
            munmap(ctl, sizeof *ctl);
            close(fd);
            return -1;
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sim_signal_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIM_DOORBELL_SIGNAL, &sa, &g_old_action) != 0) {
        for (int i = 0; i < SIM_CORES; i++) {
            munmap(reserve[i], (size_t)size);
        }
        munmap(ctl, sizeof *ctl);
        close(fd);
        return -1;
    }
    /* The control block is zero-filled by mmap: no runner, nothing pending. */
    g_fd = fd;
    g_size = (size_t)size;
    for (int i = 0; i < SIM_CORES; i++) {
        g_reserve[i] = reserve[i];
        atomic_store(&g_view[i], NULL);
        reset_core_locals(i);
        atomic_store(&g_rec[i].state, REC_NONE);
    }
    t_core = -1;
    g_ctl = ctl; /* last: published to threads by pthread_create */
    return 0;
}

static int reap(pid_t pid, int *status)
{
    while (waitpid(pid, status, 0) < 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    return 0;
}

void sim_deinit(void)
{
    if (g_ctl == NULL) {
        return;
    }
    /* Precondition: every core was joined. Do not leave processes behind
     * if that was not so (a running thread core is a caller bug). */
    for (int i = 0; i < SIM_CORES; i++) {
        if (atomic_load(&g_rec[i].state) == REC_RUNNING && g_rec[i].mode == SIM_PROCESS) {
            int status;
            kill(g_rec[i].pid, SIGKILL);
            reap(g_rec[i].pid, &status);
        }
        atomic_store(&g_rec[i].state, REC_NONE);
    }
    if (t_core >= 0) {
        leave_core(t_core);
    }
    sigaction(SIM_DOORBELL_SIGNAL, &g_old_action, NULL);
    for (int i = 0; i < SIM_CORES; i++) {
        void *v = atomic_exchange(&g_view[i], NULL);
        if (v != NULL) {
            munmap(v, g_size);
        }
        munmap(g_reserve[i], g_size);
        g_reserve[i] = NULL;
        reset_core_locals(i);
    }
    munmap(g_ctl, sizeof *g_ctl);
    g_ctl = NULL;
    close(g_fd);
    g_fd = -1;
    g_size = 0;
}

static void *thread_core_main(void *p)
{
    int core = (int)(intptr_t)p;
    struct sim_rec *r = &g_rec[core];
    unblock_doorbell(); /* the creator might have had it blocked */
    int rc = -1;
    if (enter_core(core) == 0) {
        rc = r->entry(r->arg);
        leave_core(core);
    }
    return (void *)(intptr_t)rc;
}

__attribute__((noreturn)) static void process_core_main(int core, sim_core_entry_t entry,
                                                         void *arg)
{
    /* Forget what the forking thread and the parent's process left us. */
    t_core = -1;
    t_pid = 0;
    t_tid = 0;
    esp_amp_env_posix_reset();
    for (int i = 0; i < SIM_CORES; i++) {
        reset_core_locals(i);
        atomic_store(&g_rec[i].state, REC_NONE);
    }
    void *v = mmap(g_reserve[core], g_size, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_FIXED, g_fd, 0);
    if (v == MAP_FAILED) {
        _exit(127);
    }
    g_reserve[core] = NULL; /* now the mapping itself */
    atomic_store(&g_view[core], v);
    unblock_doorbell();
    if (enter_core(core) != 0) {
        _exit(127);
    }
    int rc = entry(arg);
    leave_core(core);
    fflush(NULL);
    _exit(rc & 0xff);
}

int sim_start_core(int core, sim_mode_t mode, sim_core_entry_t entry, void *arg)
{
    if (g_ctl == NULL || !valid_core(core) || entry == NULL ||
        (mode != SIM_THREAD && mode != SIM_PROCESS) || t_core == core) {
        return -1;
    }
    struct sim_rec *r = &g_rec[core];
    int prev = atomic_load(&r->state);
    do {
        if (prev != REC_NONE && prev != REC_KILLED) {
            return -1;
        }
    } while (!atomic_compare_exchange_weak(&r->state, &prev, REC_STARTING));

    struct sim_core_ctl *c = &g_ctl->core[core];
    int not_started = 0;
    if (!atomic_compare_exchange_strong(&c->started, &not_started, 1)) {
        atomic_store(&r->state, prev); /* started by another process */
        return -1;
    }
    atomic_store(&c->dropped, 0);
    reset_core_locals(core);
    r->mode = mode;
    r->entry = entry;
    r->arg = arg;
    if (mode == SIM_THREAD) {
        if (core_view(core) == NULL ||
            pthread_create(&r->thread, NULL, thread_core_main, (void *)(intptr_t)core) != 0) {
            goto fail;
        }
    } else {
        fflush(NULL); /* or the child would print the parent's buffers too */
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid < 0) {
            goto fail;
        }
        if (pid == 0) {
            /* The core dies with its parent (killed, crashed, timed out);
             * if the parent died before prctl, getppid() shows it. */
            if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) {
                _exit(127);
            }
            process_core_main(core, entry, arg);
        }
        r->pid = pid;
    }
    atomic_store(&r->state, REC_RUNNING);
    return 0;
fail:
    atomic_store(&c->started, 0);
    atomic_store(&r->state, prev);
    return -1;
}

/* A started core has ended (joined or killed): forget it in the control
 * block. */
static void core_ended(int core)
{
    struct sim_core_ctl *c = &g_ctl->core[core];
    atomic_store(&c->runner, 0);
    atomic_store(&c->started, 0);
    if (g_rec[core].mode == SIM_THREAD) {
        atomic_store(&g_isr[core], (sim_isr_t)NULL);
    }
}

int sim_join_core(int core, int *exit_code)
{
    if (g_ctl == NULL || !valid_core(core)) {
        return -1;
    }
    struct sim_rec *r = &g_rec[core];
    int code;
    int state = REC_RUNNING;
    if (atomic_compare_exchange_strong(&r->state, &state, REC_JOINING)) {
        if (r->mode == SIM_THREAD) {
            void *ret;
            if (pthread_join(r->thread, &ret) != 0) {
                atomic_store(&r->state, REC_RUNNING);
                return -1;
            }
            code = (int)(intptr_t)ret;
        } else {
            /* Wait without reaping, forget the runner while the pid cannot
             * be reused yet, then reap. */
            siginfo_t si;
            int rc;
            do {
                rc = waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOWAIT);
            } while (rc < 0 && errno == EINTR);
            atomic_store(&g_ctl->core[core].runner, 0);
            int status = 0;
            if (rc < 0 || reap(r->pid, &status) != 0) {
                atomic_store(&r->state, REC_RUNNING);
                return -1;
            }
            code = WIFEXITED(status) ? WEXITSTATUS(status)
                 : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
        }
        core_ended(core);
    } else if (state == REC_KILLED &&
               atomic_compare_exchange_strong(&r->state, &state, REC_JOINING)) {
        code = 128 + SIGKILL;
    } else {
        return -1;
    }
    atomic_store(&r->state, REC_NONE);
    if (exit_code != NULL) {
        *exit_code = code;
    }
    return 0;
}

int sim_kill_core(int core)
{
    if (g_ctl == NULL || !valid_core(core)) {
        return -1;
    }
    struct sim_rec *r = &g_rec[core];
    int state = REC_RUNNING;
    if (!atomic_compare_exchange_strong(&r->state, &state, REC_JOINING)) {
        return -1;
    }
    if (r->mode != SIM_PROCESS) {
        atomic_store(&r->state, REC_RUNNING);
        return -1;
    }
    struct sim_core_ctl *c = &g_ctl->core[core];
    atomic_store(&c->dropped, 1);
    atomic_store(&c->runner, 0); /* before the pid can be reused */
    kill(r->pid, SIGKILL);
    int status;
    if (reap(r->pid, &status) != 0) {
        atomic_store(&r->state, REC_RUNNING);
        return -1;
    }
    atomic_store(&c->pending, 0);
    core_ended(core);
    atomic_store(&r->state, REC_KILLED);
    return 0;
}

int sim_enter_core(int core)
{
    if (g_ctl == NULL || !valid_core(core)) {
        return -1;
    }
    if (t_core != core) {
        /* No switching inside a critical section or an ISR, nor into a
         * core that sim_start_core() runs on another thread. */
        if (esp_amp_env_posix_irq_masked() || atomic_load(&g_ctl->core[core].started)) {
            return -1;
        }
    }
    return enter_core(core);
}

int sim_current_core(void)
{
    return t_core;
}

static uint64_t ts_ns(const struct timespec *ts)
{
    return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

bool sim_wait_interrupt(uint32_t timeout_us)
{
    int core = t_core;
    if (core < 0 || g_ctl == NULL) {
        return false;
    }
    sigset_t block, old, sleep_mask;
    sigemptyset(&block);
    sigaddset(&block, SIM_DOORBELL_SIGNAL);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    sleep_mask = old;
    sigdelset(&sleep_mask, SIM_DOORBELL_SIGNAL);

    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint64_t deadline = ts_ns(&now) + (uint64_t)timeout_us * 1000u;
    bool woken = false;
    for (;;) {
        uint64_t count = atomic_load(&g_isr_count[core]);
        if (count != atomic_load(&g_wait_seen[core])) {
            atomic_store(&g_wait_seen[core], count);
            woken = true;
            break;
        }
        if (esp_amp_env_posix_irq_pending()) {
            woken = true; /* masked by a critical section: runs at its exit */
            break;
        }
        if (sim_poll_doorbell()) {
            continue; /* ran it (or recorded it, if masked): check again */
        }
        uint64_t left = SIM_WAIT_SLICE_NS;
        if (timeout_us != 0) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            uint64_t t = ts_ns(&now);
            if (t >= deadline) {
                break;
            }
            if (deadline - t < left) {
                left = deadline - t;
            }
        }
        struct timespec rel = {(time_t)(left / 1000000000u), (long)(left % 1000000000u)};
        /* The doorbell is unblocked only inside ppoll: one that comes after
         * the checks above interrupts it (its handler runs first). */
        ppoll(NULL, 0, &rel, &sleep_mask);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return woken;
}

void *sim_shm_base(void)
{
    int core = t_core;
    return core >= 0 ? atomic_load(&g_view[core]) : NULL;
}

uint32_t sim_shm_size(void)
{
    return (uint32_t)g_size;
}

uint64_t sim_isr_count(void)
{
    int core = t_core;
    return core >= 0 ? atomic_load(&g_isr_count[core]) : 0;
}

void sim_raise_doorbell(int core)
{
    if (g_ctl == NULL || !valid_core(core)) {
        return;
    }
    struct sim_core_ctl *c = &g_ctl->core[core];
    if (atomic_load(&c->dropped)) {
        return;
    }
    if (atomic_exchange(&c->pending, 1) && !SIM_LOSSY_SIGNALS) {
        return; /* already pending: its delivery is under way */
    }
    if (t_core == core) {
        esp_amp_env_posix_interrupt(sim_dispatch); /* own doorbell */
        return;
    }
    uint64_t runner = atomic_load(&c->runner);
    if (runner != 0) {
        syscall(SYS_tgkill, (long)(runner >> 32), (long)(uint32_t)runner,
                (long)SIM_DOORBELL_SIGNAL);
    }
}

void sim_set_doorbell_isr(void (*isr)(void))
{
    int core = t_core;
    if (core < 0 || g_ctl == NULL) {
        return;
    }
    atomic_store(&g_isr[core], isr);
    if (isr != NULL && atomic_load(&g_ctl->core[core].pending)) {
        esp_amp_env_posix_interrupt(sim_dispatch);
    }
}

bool sim_poll_doorbell(void)
{
    int core = t_core;
    if (core < 0 || g_ctl == NULL || !atomic_load(&g_ctl->core[core].pending) ||
        atomic_load(&g_isr[core]) == NULL) {
        return false;
    }
    esp_amp_env_posix_interrupt(sim_dispatch);
    return true;
}
