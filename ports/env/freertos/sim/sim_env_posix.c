/*
 * The POSIX env port, renamed, for the processes of a FreeRTOS simulator
 * build that run a bare-metal-style core (esp_amp_freertos_sim.c chooses).
 */
#define esp_amp_env_enter_critical esp_amp_env_posix_impl_enter_critical
#define esp_amp_env_exit_critical esp_amp_env_posix_impl_exit_critical
#define esp_amp_env_in_isr esp_amp_env_posix_impl_in_isr
#define esp_amp_env_posix_interrupt esp_amp_env_posix_impl_interrupt
#define esp_amp_env_posix_irq_pending esp_amp_env_posix_impl_irq_pending
#define esp_amp_env_posix_irq_masked esp_amp_env_posix_impl_irq_masked
#define esp_amp_env_posix_reset esp_amp_env_posix_impl_reset
#define esp_amp_env_posix_set_critical_hook esp_amp_env_posix_impl_set_critical_hook

#include <stdbool.h>

/* The POSIX port's test hook type (its header is not on this build's
 * include path: the FreeRTOS port's header is). */
typedef void (*esp_amp_env_posix_critical_hook_t)(void *arg, bool entering,
                                                  int depth);
void esp_amp_env_posix_set_critical_hook(esp_amp_env_posix_critical_hook_t fn,
                                         void *arg);

#include "../../posix/esp_amp_env_posix.c"
