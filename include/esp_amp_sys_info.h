/*
 * esp_amp_sys_info.h - registry of shared-memory blocks by 16-bit id.
 *
 * The main core formats the region (esp_amp_sys_info_init) and allocates
 * blocks; the sub core attaches (checks the header) and looks blocks up.
 * Ids from SYS_INFO_RESERVED_ID up are the library's; users take ids below.
 */
#ifndef ESP_AMP_SYS_INFO_H
#define ESP_AMP_SYS_INFO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SYS_INFO_RESERVED_ID = 0xff00,
    SYS_INFO_RESERVED_ID_EVENT_MAIN, /* reserved: main core events           */
    SYS_INFO_RESERVED_ID_EVENT_SUB,  /* reserved: sub core events            */
    SYS_INFO_RESERVED_ID_VQUEUE,     /* default RPMsg device's rings         */
    SYS_INFO_RESERVED_ID_SYSTEM,     /* reserved: system services            */
    SYS_INFO_RESERVED_ID_PM,         /* reserved: power management           */
    SYS_INFO_ID_MAX = 0xffff,
} esp_amp_sys_info_id_t;

/* Main core: format the region header (bumps the session number, empties
 * the registry). The first esp_amp_sys_info_alloc (and so the first
 * esp_amp_rpmsg_main_init) does it when this core has not yet. 0 on
 * success; -1 if the region is too small (ESP_AMP_ERR_NO_MEM) or on the
 * sub core (ESP_AMP_ERR_INVALID_ARG). */
int esp_amp_sys_info_init(void);

/* Sub core: check the region header written by the main core.
 * 0 when the main core has formatted the region, -1 otherwise. */
int esp_amp_sys_info_attach(void);

/* Main core: reserve `size` bytes (rounded up to 8) under `info_id`, zeroed.
 * NULL if the id is taken, the registry is full or the region exhausted. */
void *esp_amp_sys_info_alloc(uint16_t info_id, uint32_t size);

/* Either core: find block `info_id`. Stores its size in *size when size is
 * not NULL. NULL if absent or if the entry fails validation. */
void *esp_amp_sys_info_get(uint16_t info_id, uint32_t *size);

/* Session number published by the last main-core init (0 = none). */
uint32_t esp_amp_sys_info_session(void);

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_SYS_INFO_H */
