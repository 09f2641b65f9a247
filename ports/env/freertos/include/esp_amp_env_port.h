/*
 * esp_amp_env_port.h (FreeRTOS) - environment port for a core running
 * FreeRTOS (kernel V10.5 or V11 API; ESP-IDF's FreeRTOS too).
 *
 * One image per core: library state is plain static data (ESP_AMP_CORE_LOCAL
 * is empty). This header includes no FreeRTOS header, so the portable core
 * (src/) still builds without the kernel's include paths; only
 * esp_amp_env_freertos.c and the helpers (esp_amp_freertos.h) need them.
 *
 * Critical sections (esp_amp_env_enter_critical/exit_critical)
 *   - from a task: taskENTER_CRITICAL()/taskEXIT_CRITICAL(); the kernel
 *     nests them per task and masks every interrupt that may call the
 *     kernel (the doorbell must be one of them: its priority must not be
 *     above configMAX_SYSCALL_INTERRUPT_PRIORITY on ports that have one);
 *   - from an ISR: taskENTER_CRITICAL_FROM_ISR() on the outermost enter,
 *     taskEXIT_CRITICAL_FROM_ISR(saved) on the outermost exit; the port
 *     counts the nesting (per core);
 *   - on ESP-IDF: portENTER_CRITICAL(_ISR) on a spinlock (portMUX_TYPE), as
 *     ESP-AMP does; the IDF kernel nests them.
 *
 * ISR context (esp_amp_env_in_isr)
 *   True while an interrupt entry of this port is active (below), or when
 *   the kernel port says so: ESP_AMP_FREERTOS_PORT_IN_ISR(), which is
 *   xPortInIsrContext() on ESP-IDF, portCHECK_IF_IN_ISR() where the kernel
 *   port defines it (SMP ports), or whatever the application defines it to
 *   (e.g. xPortIsInsideInterrupt() on the ARM Cortex-M ports), in
 *   FreeRTOSConfig.h or on the command line.
 *
 * Interrupt entry (for the platform's doorbell interrupt handler)
 *   esp_amp_env_freertos_isr_enter() before calling the handler installed
 *   with esp_amp_platform_set_doorbell_handler(), esp_amp_env_freertos_isr_exit()
 *   after it. Required where the kernel port has no in-ISR test (most
 *   single-core ports, the POSIX simulator port); harmless elsewhere.
 *   isr_exit performs the context switch requested during the ISR (see
 *   esp_amp_env_freertos_request_yield), so a task woken by the handler runs
 *   as soon as the interrupt returns.
 */
#ifndef ESP_AMP_ENV_PORT_H
#define ESP_AMP_ENV_PORT_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ESP_AMP_CORE_LOCAL

/* Mark the start / end of an interrupt handler that may call the library
 * (the doorbell ISR). Nestable; call from ISR context only, interrupts of
 * the doorbell's priority masked (as they are on ISR entry). */
void esp_amp_env_freertos_isr_enter(void);
void esp_amp_env_freertos_isr_exit(void);

/* From ISR context: a FreeRTOS ...FromISR() call woke a task of higher
 * priority than the interrupted one (its pxHigherPriorityTaskWoken came
 * back pdTRUE). Inside isr_enter/isr_exit the switch is made by the
 * outermost isr_exit; otherwise at once with portYIELD_FROM_ISR(). */
void esp_amp_env_freertos_request_yield(void);

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_ENV_PORT_H */
