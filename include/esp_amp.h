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

/* Bring up this core's side of the library, once per boot: forget this
 * core's library state (handlers, default device queues, last error); on the
 * main core, format the shared region (a new session); on the sub core,
 * check that the main core has done so. Then install the software-interrupt
 * dispatcher. 0 or -1. */
int esp_amp_init(void);

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_H */
