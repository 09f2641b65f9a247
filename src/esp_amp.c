/*
 * esp_amp.c - per-core state, library bring-up, small helpers.
 */
#include "esp_amp.h"
#include "esp_amp_priv.h"

static esp_amp_core_state_t s_core[ESP_AMP_PORT_CORE_SLOTS];

esp_amp_core_state_t *esp_amp_core_state(void)
{
    return &s_core[ESP_AMP_PORT_CORE_SLOT()];
}

int esp_amp_init(void)
{
    int rc;
    /* A core that boots (or reboots) starts with empty library state. */
    esp_amp_zero(esp_amp_core_state(), sizeof(esp_amp_core_state_t));
    if (esp_amp_platform_core_id() == ESP_AMP_CORE_MAIN) {
        rc = esp_amp_sys_info_init();
    } else {
        rc = esp_amp_sys_info_attach();
    }
    if (rc != 0) {
        return -1;
    }
    return esp_amp_sw_intr_init();
}

void esp_amp_copy(void *dst, const void *src, uint32_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--) {
        *d++ = *s++;
    }
}

void esp_amp_zero(void *dst, uint32_t n)
{
    uint8_t *d = dst;
    while (n--) {
        *d++ = 0;
    }
}
