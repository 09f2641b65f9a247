/*
 * esp_amp_freertos_sim.c - connects the FreeRTOS env port to the simulator
 * (the model is in include/esp_amp_freertos_sim.h).
 *
 * The library of a FreeRTOS simulator build contains both env ports and the
 * sim platform port, renamed (sim_env_posix.c, sim_env_freertos.c,
 * sim_platform.c). This file defines the real names and picks per process:
 * s_core >= 0 means "this process runs a FreeRTOS core" (set by
 * esp_amp_freertos_sim_run() before any task exists).
 *
 * Doorbell path in a FreeRTOS core process:
 *   peer: sim_raise_doorbell(core) -> tgkill(controller, SIM_DOORBELL_SIGNAL)
 *   controller thread: sim's signal handler -> esp_amp_env_posix_interrupt(
 *     sim_dispatch) -> (here) sim_dispatch() -> fwd_isr() -> irq_raise()
 *   irq_raise(): s_irq_pending = 1, kill(getpid(), IRQ signal)
 *   running task's thread: irq_handler() -> isr_enter, library ISR,
 *     isr_exit (may switch task)
 * A raise of the core's own doorbell (esp_amp_sw_intr_trigger_self) calls
 * irq_raise() directly.
 */
#define _GNU_SOURCE

#include "esp_amp_freertos_sim.h"

#include "FreeRTOS.h"
#include "task.h"

#include "esp_amp_env.h"
#include "esp_amp_platform.h"
#include "sim.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The renamed ports (see the sim_*.c files of this directory). */
void esp_amp_env_posix_impl_enter_critical(void);
void esp_amp_env_posix_impl_exit_critical(void);
bool esp_amp_env_posix_impl_in_isr(void);
void esp_amp_env_posix_impl_interrupt(esp_amp_env_posix_isr_t isr);
bool esp_amp_env_posix_impl_irq_pending(void);
bool esp_amp_env_posix_impl_irq_masked(void);
void esp_amp_env_posix_impl_reset(void);

void esp_amp_env_freertos_impl_enter_critical(void);
void esp_amp_env_freertos_impl_exit_critical(void);
bool esp_amp_env_freertos_impl_in_isr(void);

void *esp_amp_platform_sim_impl_shm_base(void);
uint32_t esp_amp_platform_sim_impl_shm_size(void);
int esp_amp_platform_sim_impl_core_id(void);
void esp_amp_platform_sim_impl_raise_doorbell(int core_id);
void esp_amp_platform_sim_impl_set_doorbell_handler(void (*isr)(void));
uint32_t esp_amp_platform_sim_impl_get_time_ms(void);
void esp_amp_platform_sim_impl_delay_us(uint32_t us);

typedef void (*isr_fn_t)(void);

static atomic_int s_core = -1;          /* >= 0: a FreeRTOS core runs here */
static _Atomic(void *) s_shm;           /* its mapping of the region       */
static _Atomic(isr_fn_t) s_lib_isr;     /* the library's doorbell handler  */
static atomic_int s_irq_pending;        /* raised, handler not run yet     */
static _Atomic uint64_t s_irq_count;
static atomic_int s_end_rc;
static atomic_int s_ended;

static inline bool frt(void)
{
    return atomic_load_explicit(&s_core, memory_order_relaxed) >= 0;
}

/* ------------------------------------------------------------- interrupt */

/* Make the FreeRTOS core take its doorbell interrupt (any thread, signal
 * handlers included: only atomics and kill). */
static void irq_raise(void)
{
    if (!atomic_exchange(&s_irq_pending, 1)) {
        kill(getpid(), ESP_AMP_FREERTOS_SIM_IRQ_SIGNAL);
    }
}

/* The simulator's ISR for this core: runs on the controller thread. */
static void fwd_isr(void)
{
    irq_raise();
}

/* The FreeRTOS core's interrupt: runs on the running task's thread, every
 * signal blocked. */
static void irq_handler(int sig)
{
    (void)sig;
    int saved_errno = errno;
    esp_amp_env_freertos_isr_enter();
    while (atomic_exchange(&s_irq_pending, 0)) {
        isr_fn_t isr = atomic_load(&s_lib_isr);
        if (isr == NULL) {
            /* No handler yet: stays pending (installing one re-raises). */
            atomic_store(&s_irq_pending, 1);
            break;
        }
        isr();
        atomic_fetch_add(&s_irq_count, 1);
    }
    esp_amp_env_freertos_isr_exit(); /* may switch to a woken task */
    errno = saved_errno;
}

uint64_t esp_amp_freertos_sim_irq_count(void)
{
    return atomic_load(&s_irq_count);
}

/* --------------------------------------------------------- env port API */

void esp_amp_env_enter_critical(void)
{
    if (frt()) {
        esp_amp_env_freertos_impl_enter_critical();
    } else {
        esp_amp_env_posix_impl_enter_critical();
    }
}

void esp_amp_env_exit_critical(void)
{
    if (frt()) {
        esp_amp_env_freertos_impl_exit_critical();
    } else {
        esp_amp_env_posix_impl_exit_critical();
    }
}

bool esp_amp_env_in_isr(void)
{
    return frt() ? esp_amp_env_freertos_impl_in_isr()
                 : esp_amp_env_posix_impl_in_isr();
}

/* The simulator's interrupt entry. In a FreeRTOS core process it is only
 * ever called on the controller thread (the simulator's runner), which has
 * no critical sections: dispatch at once. */
void esp_amp_env_posix_interrupt(esp_amp_env_posix_isr_t isr)
{
    if (frt()) {
        int saved_errno = errno;
        if (isr != NULL) {
            isr();
        }
        errno = saved_errno;
    } else {
        esp_amp_env_posix_impl_interrupt(isr);
    }
}

bool esp_amp_env_posix_irq_pending(void)
{
    return frt() ? false : esp_amp_env_posix_impl_irq_pending();
}

bool esp_amp_env_posix_irq_masked(void)
{
    return frt() ? false : esp_amp_env_posix_impl_irq_masked();
}

void esp_amp_env_posix_reset(void)
{
    esp_amp_env_posix_impl_reset();
}

/* ---------------------------------------------------- platform port API */

void *esp_amp_platform_shm_base(void)
{
    return frt() ? atomic_load(&s_shm) : esp_amp_platform_sim_impl_shm_base();
}

uint32_t esp_amp_platform_shm_size(void)
{
    return esp_amp_platform_sim_impl_shm_size();
}

int esp_amp_platform_core_id(void)
{
    int core = atomic_load_explicit(&s_core, memory_order_relaxed);
    return core >= 0 ? core : esp_amp_platform_sim_impl_core_id();
}

void esp_amp_platform_raise_doorbell(int core_id)
{
    if (frt() && core_id == atomic_load(&s_core)) {
        irq_raise(); /* own doorbell: taken when interrupts allow */
    } else {
        esp_amp_platform_sim_impl_raise_doorbell(core_id);
    }
}

void esp_amp_platform_set_doorbell_handler(void (*isr)(void))
{
    if (!frt()) {
        esp_amp_platform_sim_impl_set_doorbell_handler(isr);
        return;
    }
    atomic_store(&s_lib_isr, isr);
    if (isr != NULL && atomic_load(&s_irq_pending)) {
        kill(getpid(), ESP_AMP_FREERTOS_SIM_IRQ_SIGNAL);
    }
}

uint32_t esp_amp_platform_get_time_ms(void)
{
    return esp_amp_platform_sim_impl_get_time_ms();
}

void esp_amp_platform_delay_us(uint32_t us)
{
    esp_amp_platform_sim_impl_delay_us(us);
}

/* ------------------------------------------------------------- the core */

struct app_start {
    int (*app_main)(void *);
    void *arg;
    int rc;
};

static void *app_thread(void *p)
{
    struct app_start *st = p;
    st->rc = st->app_main(st->arg);
    return NULL;
}

int esp_amp_freertos_sim_run(int (*app_main)(void *arg), void *arg)
{
    int core = sim_current_core();
    if (app_main == NULL || core < 0 || frt()) {
        return -1;
    }
    atomic_store(&s_shm, sim_shm_base());

    /* This thread: only the simulator's doorbell. Threads created from here
     * (the FreeRTOS main thread) inherit the mask; the kernel's port then
     * blocks everything on its own threads except the running task's. */
    sigset_t only_doorbell, old_mask;
    sigfillset(&only_doorbell);
    sigdelset(&only_doorbell, SIM_DOORBELL_SIGNAL);
    pthread_sigmask(SIG_SETMASK, &only_doorbell, &old_mask);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = irq_handler;
    sigfillset(&sa.sa_mask); /* an interrupt is not preempted by the tick */
    sa.sa_flags = SA_RESTART;
    if (sigaction(ESP_AMP_FREERTOS_SIM_IRQ_SIGNAL, &sa, NULL) != 0) {
        pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
        return -1;
    }
    atomic_store(&s_end_rc, 0);
    atomic_store(&s_ended, 0);
    atomic_store(&s_core, core);
    /* From now on the simulator's doorbell for this core runs fwd_isr here
     * (a doorbell already pending is forwarded at once). */
    sim_set_doorbell_isr(fwd_isr);

    struct app_start st = {app_main, arg, -1};
    pthread_t th;
    int rc = -1;
    if (pthread_create(&th, NULL, app_thread, &st) == 0) {
        pthread_join(th, NULL); /* doorbell handlers run meanwhile */
        rc = atomic_load(&s_ended) ? atomic_load(&s_end_rc) : st.rc;
    }
    sim_set_doorbell_isr(NULL);
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    return rc;
}

void esp_amp_freertos_sim_end(int rc)
{
    atomic_store(&s_end_rc, rc);
    atomic_store(&s_ended, 1);
    vTaskEndScheduler();
    for (;;) {
        pause(); /* the process ends when esp_amp_freertos_sim_run returns */
    }
}

/* ---------------------------------------------------- kernel callbacks */

void esp_amp_freertos_sim_assert(const char *file, int line)
{
    char msg[256];
    int n = snprintf(msg, sizeof msg, "FreeRTOS assert failed: %s:%d\n", file, line);
    if (n > 0) {
        (void)!write(STDERR_FILENO, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
    }
    abort();
}

#if (configSUPPORT_STATIC_ALLOCATION == 1) && \
    ((tskKERNEL_VERSION_MAJOR < 11) || (configKERNEL_PROVIDED_STATIC_MEMORY == 0))
/* Kernels before V11 (or without configKERNEL_PROVIDED_STATIC_MEMORY): the
 * idle and timer tasks' memory. The V11.1+ prototypes take a
 * configSTACK_DEPTH_TYPE size; V10.5 and V11.0 a uint32_t. */
#if (tskKERNEL_VERSION_MAJOR > 11) || \
    ((tskKERNEL_VERSION_MAJOR == 11) && (tskKERNEL_VERSION_MINOR >= 1))
typedef configSTACK_DEPTH_TYPE esp_amp_sim_stack_size_t;
#else
typedef uint32_t esp_amp_sim_stack_size_t;
#endif

void vApplicationGetIdleTaskMemory(StaticTask_t **tcb, StackType_t **stack,
                                   esp_amp_sim_stack_size_t *size)
{
    static StaticTask_t s_tcb;
    static StackType_t s_stack[configMINIMAL_STACK_SIZE];
    *tcb = &s_tcb;
    *stack = s_stack;
    *size = configMINIMAL_STACK_SIZE;
}

#if (configUSE_TIMERS == 1)
void vApplicationGetTimerTaskMemory(StaticTask_t **tcb, StackType_t **stack,
                                    esp_amp_sim_stack_size_t *size)
{
    static StaticTask_t s_tcb;
    static StackType_t s_stack[configTIMER_TASK_STACK_DEPTH];
    *tcb = &s_tcb;
    *stack = s_stack;
    *size = configTIMER_TASK_STACK_DEPTH;
}
#endif
#endif
