/*
 * The FreeRTOS env port, renamed, for the process of a FreeRTOS simulator
 * build that runs the FreeRTOS core (esp_amp_freertos_sim.c chooses).
 */
#define esp_amp_env_enter_critical esp_amp_env_freertos_impl_enter_critical
#define esp_amp_env_exit_critical esp_amp_env_freertos_impl_exit_critical
#define esp_amp_env_in_isr esp_amp_env_freertos_impl_in_isr
#include "../esp_amp_env_freertos.c"
