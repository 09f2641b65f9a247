/*
 * esp_amp_env_freertos.c - critical sections and ISR context under FreeRTOS
 * (the contract is in include/esp_amp_env.h, the port in
 * include/esp_amp_env_port.h of this directory).
 *
 * Builds against the kernel V10.5 and V11 APIs (single core, or SMP with
 * configNUMBER_OF_CORES > 1) and against ESP-IDF's FreeRTOS. Uses only the
 * kernel's public macros: taskENTER_CRITICAL, taskENTER_CRITICAL_FROM_ISR,
 * portYIELD_FROM_ISR (portEND_SWITCHING_ISR where a port lacks it).
 *
 * ISR-side state (per core): the interrupt-entry nesting, the critical
 * section nesting and the mask saved by its outermost enter, and a yield
 * request. Each is touched only in ISR context on its own core, with the
 * doorbell's interrupt level masked or inside a critical section, and an
 * ISR that nests into another leaves them as it found them.
 */
/* ESP-IDF exports its kernel headers as freertos/...; the plain kernel's
 * include directory holds them at the top level. */
#if defined(ESP_PLATFORM)
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#else
#include "FreeRTOS.h"
#include "task.h"
#endif

#include "esp_amp_env.h"

#include <stdatomic.h>

#if defined(ESP_PLATFORM)
/* ------------------------------------------------------------ ESP-IDF --- */
/* IDF's FreeRTOS: critical sections take a spinlock (SMP-safe) and nest in
 * the kernel; xPortInIsrContext() knows ISR context; portYIELD_FROM_ISR()
 * only marks the switch for the end of the interrupt. */

static portMUX_TYPE s_lock = portMUX_INITIALIZER_UNLOCKED;

void esp_amp_env_enter_critical(void)
{
    if (xPortInIsrContext()) {
        portENTER_CRITICAL_ISR(&s_lock);
    } else {
        portENTER_CRITICAL(&s_lock);
    }
}

void esp_amp_env_exit_critical(void)
{
    if (xPortInIsrContext()) {
        portEXIT_CRITICAL_ISR(&s_lock);
    } else {
        portEXIT_CRITICAL(&s_lock);
    }
}

bool esp_amp_env_in_isr(void)
{
    return xPortInIsrContext() != pdFALSE;
}

void esp_amp_env_freertos_isr_enter(void)
{
}

void esp_amp_env_freertos_isr_exit(void)
{
}

void esp_amp_env_freertos_request_yield(void)
{
    portYIELD_FROM_ISR();
}

#else
/* ---------------------------------------------------- vanilla FreeRTOS --- */

#ifndef portYIELD_FROM_ISR
#define portYIELD_FROM_ISR(x) portEND_SWITCHING_ISR(x)
#endif

#if !defined(ESP_AMP_FREERTOS_PORT_IN_ISR) && defined(portCHECK_IF_IN_ISR)
#define ESP_AMP_FREERTOS_PORT_IN_ISR() (portCHECK_IF_IN_ISR() != 0)
#endif

#if defined(configNUMBER_OF_CORES) && (configNUMBER_OF_CORES > 1)
/* SMP: a task may migrate between reading its core id and the counter, so
 * only the kernel port can say whether we run in an ISR. */
#ifndef ESP_AMP_FREERTOS_PORT_IN_ISR
#error "SMP FreeRTOS: define ESP_AMP_FREERTOS_PORT_IN_ISR() (the port has no portCHECK_IF_IN_ISR)"
#endif
#define N_CORES configNUMBER_OF_CORES
#define CORE() ((unsigned)portGET_CORE_ID())
#else
#define N_CORES 1
#define CORE() 0u
#endif

typedef struct {
    UBaseType_t isr_nest;    /* active esp_amp_env_freertos_isr_enter()s  */
    UBaseType_t crit_nest;   /* critical sections entered in ISR context  */
    UBaseType_t crit_saved;  /* mask from the outermost FROM_ISR enter    */
    BaseType_t yield;        /* a task was woken: switch at isr_exit      */
} isr_state_t;

static volatile isr_state_t s_isr[N_CORES];

#define BARRIER() atomic_signal_fence(memory_order_seq_cst)

bool esp_amp_env_in_isr(void)
{
#ifdef ESP_AMP_FREERTOS_PORT_IN_ISR
    if (ESP_AMP_FREERTOS_PORT_IN_ISR()) {
        return true;
    }
#endif
#if N_CORES == 1
    return s_isr[0].isr_nest != 0;
#else
    return false;
#endif
}

void esp_amp_env_enter_critical(void)
{
    if (!esp_amp_env_in_isr()) {
        taskENTER_CRITICAL();
        return;
    }
    volatile isr_state_t *s = &s_isr[CORE()];
    if (s->crit_nest == 0) {
        UBaseType_t mask = taskENTER_CRITICAL_FROM_ISR();
        BARRIER();
        s->crit_saved = mask;
    }
    s->crit_nest++;
    BARRIER();
}

void esp_amp_env_exit_critical(void)
{
    if (!esp_amp_env_in_isr()) {
        taskEXIT_CRITICAL();
        return;
    }
    volatile isr_state_t *s = &s_isr[CORE()];
    BARRIER();
    if (s->crit_nest == 0) {
        return; /* unbalanced exit: ignored */
    }
    if (--s->crit_nest == 0) {
        UBaseType_t mask = s->crit_saved;
        BARRIER();
        taskEXIT_CRITICAL_FROM_ISR(mask);
    }
}

void esp_amp_env_freertos_isr_enter(void)
{
    volatile isr_state_t *s = &s_isr[CORE()];
    s->isr_nest++;
    BARRIER();
}

void esp_amp_env_freertos_isr_exit(void)
{
    volatile isr_state_t *s = &s_isr[CORE()];
    BARRIER();
    if (s->isr_nest == 0) {
        return; /* unbalanced exit: ignored */
    }
    if (--s->isr_nest != 0) {
        return;
    }
    BARRIER();
    if (s->yield != pdFALSE) {
        s->yield = pdFALSE;
        /* Out of ISR bookkeeping first: on ports where this switches at
         * once (POSIX), the next task must not see itself "in an ISR". */
        portYIELD_FROM_ISR(pdTRUE);
    }
}

void esp_amp_env_freertos_request_yield(void)
{
    volatile isr_state_t *s = &s_isr[CORE()];
    if (s->isr_nest != 0) {
        s->yield = pdTRUE;
    } else {
        portYIELD_FROM_ISR(pdTRUE);
    }
}

#endif /* ESP_PLATFORM */
