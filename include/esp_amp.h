/*
 * esp_amp.h - everything a user includes.
 */
#ifndef ESP_AMP_H
#define ESP_AMP_H

#include "esp_amp_err.h"
#include "esp_amp_queue.h"
#include "esp_amp_rpmsg.h"
#include "esp_amp_shm.h"
#include "esp_amp_sw_intr.h"
#include "esp_amp_sys_info.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bring up this core's side of the library, once per boot (and again
 * after a restart): forget this core's library state (handlers, default
 * device queues, last error). It touches no shared memory: the main core
 * formats the region (a new session) with its first block - its first
 * esp_amp_rpmsg_main_init() or esp_amp_sys_info_alloc() - or at once with
 * esp_amp_sys_info_init(); the sub core's esp_amp_rpmsg_sub_init() fails
 * with ESP_AMP_ERR_NOT_INIT until then. 0, or -1 (ESP_AMP_ERR_NOT_INIT)
 * when the platform has no shared region. */
int esp_amp_init(void);

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_H */
