/*
 * esp_amp_err.c - the per-core "last error" and its names.
 */
#include "esp_amp_priv.h"

esp_amp_err_t esp_amp_get_last_error(void)
{
    return esp_amp_core_state()->last_err;
}

void esp_amp_clear_last_error(void)
{
    esp_amp_core_state()->last_err = ESP_AMP_OK;
}

const char *esp_amp_err_name(esp_amp_err_t err)
{
#if !ESP_AMP_CONFIG_ERR_NAMES
    (void)err;
    return "?";
#else
    static const char *const names[] = {
        "ESP_AMP_OK",          "ESP_AMP_ERR_INVALID_ARG",
        "ESP_AMP_ERR_NOT_INIT", "ESP_AMP_ERR_NO_BUF",
        "ESP_AMP_ERR_EMPTY",    "ESP_AMP_ERR_TOO_BIG",
        "ESP_AMP_ERR_NOT_FOUND", "ESP_AMP_ERR_EXISTS",
        "ESP_AMP_ERR_NOT_OWNED", "ESP_AMP_ERR_CORRUPT",
        "ESP_AMP_ERR_NO_MEM",   "ESP_AMP_ERR_BUSY",
        "ESP_AMP_ERR_LINK_DOWN",
    };
    if ((unsigned)err >= sizeof(names) / sizeof(names[0])) {
        return "ESP_AMP_ERR_UNKNOWN";
    }
    return names[err];
#endif
}
