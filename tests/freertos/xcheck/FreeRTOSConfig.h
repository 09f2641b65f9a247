/*
 * FreeRTOSConfig.h for the cross-compile check of the FreeRTOS env port and
 * helpers against chip ports of the kernel (scripts/freertos-test.sh):
 * GCC/RISC-V (rv32imac, as the ESP32-C6 HP core) and GCC/ARM_CM4F.
 * Compile-only: no image is linked or run.
 */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#define configUSE_PREEMPTION 1
#define configCPU_CLOCK_HZ 20000000
#define configTICK_RATE_HZ 1000
#define configMAX_PRIORITIES 5
#define configMINIMAL_STACK_SIZE 256
#define configTOTAL_HEAP_SIZE 8192
#define configMAX_TASK_NAME_LEN 16
#define configUSE_16_BIT_TICKS 0
#define configUSE_MUTEXES 1
#define configSUPPORT_STATIC_ALLOCATION 1
#define configSUPPORT_DYNAMIC_ALLOCATION 1
#define configENABLE_BACKWARD_COMPATIBILITY 0
#define configUSE_IDLE_HOOK 0
#define configUSE_TICK_HOOK 0
#define configUSE_TIMERS 0
#define INCLUDE_vTaskDelay 1
#define INCLUDE_vTaskSuspend 1
#define INCLUDE_xTaskGetSchedulerState 1

/* GCC/RISC-V (CLINT machine timer) */
#define configMTIME_BASE_ADDRESS 0x200bff8
#define configMTIMECMP_BASE_ADDRESS 0x2004000

/* GCC/ARM_CM4F: priorities, and its in-ISR test for the ESP-AMP port */
#define configPRIO_BITS 3
#define configKERNEL_INTERRUPT_PRIORITY (7 << (8 - configPRIO_BITS))
#define configMAX_SYSCALL_INTERRUPT_PRIORITY (5 << (8 - configPRIO_BITS))
#ifdef __ARM_ARCH
#define ESP_AMP_FREERTOS_PORT_IN_ISR() (xPortIsInsideInterrupt() != pdFALSE)
#endif

#define configASSERT(x)  \
    do {                 \
        if (!(x)) {      \
            for (;;) {   \
            }            \
        }                \
    } while (0)

#endif /* FREERTOS_CONFIG_H */
