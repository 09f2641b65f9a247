/*
 * The simulator's platform port, renamed: esp_amp_freertos_sim.c wraps it
 * (a FreeRTOS task runs on a thread the simulator does not know).
 */
#define esp_amp_platform_shm_base esp_amp_platform_sim_impl_shm_base
#define esp_amp_platform_shm_size esp_amp_platform_sim_impl_shm_size
#define esp_amp_platform_core_id esp_amp_platform_sim_impl_core_id
#define esp_amp_platform_raise_doorbell esp_amp_platform_sim_impl_raise_doorbell
#define esp_amp_platform_set_doorbell_handler esp_amp_platform_sim_impl_set_doorbell_handler
#define esp_amp_platform_get_time_ms esp_amp_platform_sim_impl_get_time_ms
#define esp_amp_platform_delay_us esp_amp_platform_sim_impl_delay_us
#include "../../../platform/sim/esp_amp_platform_sim.c"
