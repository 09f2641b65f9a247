/*
 * esp_amp.c - per-core state, library bring-up, small helpers.
 */
#include "esp_amp.h"
#include "esp_amp_priv.h"

esp_amp_core_state_t esp_amp_core_states[ESP_AMP_PORT_CORE_SLOTS];

int esp_amp_init(void)
{
    int rc;
    /* A core that boots (or reboots) starts with empty library state. */
    esp_amp_zero(esp_amp_core_state(), sizeof(esp_amp_core_state_t));
    if (ESP_AMP_CONFIG_MAIN_CORE &&
        esp_amp_platform_core_id() == ESP_AMP_CORE_MAIN) {
        rc = esp_amp_sys_info_init();
    } else {
        rc = esp_amp_sys_info_attach();
    }
    /* The doorbell dispatcher is installed with the first software-interrupt
     * handler (esp_amp_sw_intr_add_handler). */
    return rc != 0 ? -1 : 0;
}
