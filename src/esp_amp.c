/*
 * esp_amp.c - per-core state, library bring-up, small helpers.
 */
#include "esp_amp.h"
#include "esp_amp_priv.h"

esp_amp_core_state_t esp_amp_core_states[ESP_AMP_PORT_CORE_SLOTS];

int esp_amp_init(void)
{
    /* A core that boots (or reboots) starts with empty library state. */
    esp_amp_core_state_t *st = esp_amp_core_state();
    esp_amp_zero(st, sizeof(*st));
    esp_amp_shm_header_t *h = esp_amp_platform_shm_base();
    if (h == NULL) {
        return esp_amp_fail(ESP_AMP_ERR_NOT_INIT);
    }
    st->session_word = &h->session;
    /* Nothing else here, so that an image links only what its role calls:
     * the main core formats the region with its first block (its first
     * esp_amp_rpmsg_main_init or esp_amp_sys_info_alloc, or at once with
     * esp_amp_sys_info_init); a sub core's esp_amp_rpmsg_sub_init checks
     * that it has; the doorbell dispatcher is installed with the first
     * software-interrupt handler. */
    return 0;
}
