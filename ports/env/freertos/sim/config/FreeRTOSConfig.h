/*
 * FreeRTOSConfig.h - kernel configuration for a FreeRTOS core in the POSIX
 * simulator (the kernel's GCC/Posix port; used by examples/freertos and
 * tests/freertos). Valid for kernel V10.5 and V11.
 *
 * An application on a chip has its own FreeRTOSConfig.h; what the
 * ESP-AMP FreeRTOS port and helpers need from it is:
 *   INCLUDE_vTaskDelay 1, INCLUDE_xTaskGetSchedulerState 1 (or
 *   configUSE_TIMERS 1), INCLUDE_vTaskSuspend 1 for portMAX_DELAY waits,
 *   configSUPPORT_DYNAMIC_ALLOCATION and/or configSUPPORT_STATIC_ALLOCATION
 *   for the receive queue, and the doorbell interrupt at or below
 *   configMAX_SYSCALL_INTERRUPT_PRIORITY on ports that have one.
 */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#define configUSE_PREEMPTION 1
#define configUSE_TIME_SLICING 1
#define configUSE_PORT_OPTIMISED_TASK_SELECTION 0
#define configUSE_TICKLESS_IDLE 0
#define configTICK_RATE_HZ 1000
#define configMAX_PRIORITIES 8
/* In words (8 bytes). V11's POSIX port runs each task on a pthread with a
 * default stack; V10.5's uses this memory as the thread's stack, and the
 * simulated interrupt (a signal handler) runs on it. */
#define configMINIMAL_STACK_SIZE 4096
#define configMAX_TASK_NAME_LEN 16
#define configUSE_16_BIT_TICKS 0
#define configIDLE_SHOULD_YIELD 1
#define configUSE_TASK_NOTIFICATIONS 1
#define configUSE_MUTEXES 1
#define configUSE_RECURSIVE_MUTEXES 1
#define configUSE_COUNTING_SEMAPHORES 1
#define configQUEUE_REGISTRY_SIZE 0
#define configUSE_QUEUE_SETS 0
/* Our code uses no deprecated name. The kernel library is compiled with 1:
 * V10.5's POSIX port itself still uses pdTASK_CODE and portTickType. */
#ifndef configENABLE_BACKWARD_COMPATIBILITY
#define configENABLE_BACKWARD_COMPATIBILITY 0
#endif
#define configNUM_THREAD_LOCAL_STORAGE_POINTERS 0

#define configSUPPORT_STATIC_ALLOCATION 1
#define configSUPPORT_DYNAMIC_ALLOCATION 1
/* V11: the kernel provides the idle and timer task memory; for V10.5 the
 * simulator shim does (esp_amp_freertos_sim.c). */
#define configKERNEL_PROVIDED_STATIC_MEMORY 1

#define configUSE_IDLE_HOOK 0
#define configUSE_TICK_HOOK 0
#define configUSE_MALLOC_FAILED_HOOK 0
#define configUSE_DAEMON_TASK_STARTUP_HOOK 0
#define configCHECK_FOR_STACK_OVERFLOW 0
#define configUSE_TRACE_FACILITY 0
#define configGENERATE_RUN_TIME_STATS 0
#define configUSE_CO_ROUTINES 0

#define configUSE_TIMERS 1
#define configTIMER_TASK_PRIORITY (configMAX_PRIORITIES - 1)
#define configTIMER_QUEUE_LENGTH 10
#define configTIMER_TASK_STACK_DEPTH configMINIMAL_STACK_SIZE

#define INCLUDE_vTaskPrioritySet 1
#define INCLUDE_uxTaskPriorityGet 1
#define INCLUDE_vTaskDelete 1
#define INCLUDE_vTaskSuspend 1
#define INCLUDE_xTaskDelayUntil 1
#define INCLUDE_vTaskDelay 1
#define INCLUDE_xTaskGetSchedulerState 1
#define INCLUDE_xTaskGetCurrentTaskHandle 1
#define INCLUDE_xTaskGetIdleTaskHandle 1
#define INCLUDE_uxTaskGetStackHighWaterMark 0
#define INCLUDE_eTaskGetState 1

/* The simulator's assert: print and abort (esp_amp_freertos_sim.c). */
void esp_amp_freertos_sim_assert(const char *file, int line);
#define configASSERT(x)                                     \
    do {                                                    \
        if (!(x)) {                                         \
            esp_amp_freertos_sim_assert(__FILE__, __LINE__); \
        }                                                   \
    } while (0)

#endif /* FREERTOS_CONFIG_H */
