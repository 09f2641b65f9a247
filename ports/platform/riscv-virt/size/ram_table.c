/*
 * ram_table.c - RAM the library needs, as a table the size report reads
 * without running anything: each object below is exactly as large as the
 * type it is named after, so `nm -S` prints sizeof() for the compiler and
 * ABI this file was built with (rv32 for the target, and the host ABI when
 * scripts/size-report.sh compiles it natively for comparison).
 */
#include "esp_amp.h"
#include "esp_amp_priv.h"   /* esp_amp_core_state_t (src/, read only) */

#define RAM_ITEM(name, type) const unsigned char ram_##name[sizeof(type)] = {1};

/* Local RAM of the core using the library. */
RAM_ITEM(rpmsg_dev, esp_amp_rpmsg_dev_t)     /* per device (application)      */
RAM_ITEM(queue, esp_amp_queue_t)             /* two per device                */
RAM_ITEM(ept, esp_amp_rpmsg_ept_t)           /* per endpoint (application)    */
RAM_ITEM(core_state, esp_amp_core_state_t)   /* per core, in the library      */
/* Shared memory. */
RAM_ITEM(shm_header, esp_amp_shm_header_t)   /* once per region               */
RAM_ITEM(sys_info_entry, esp_amp_shm_sys_info_entry_t) /* per registry slot:
                                     ESP_AMP_CONFIG_SYS_INFO_SLOTS after the header */
RAM_ITEM(registry, esp_amp_shm_sys_info_entry_t[ESP_AMP_CONFIG_SYS_INFO_SLOTS]) /* default */
RAM_ITEM(vq_pair, esp_amp_shm_vq_pair_t)     /* per device, + rings + buffers */
RAM_ITEM(desc, esp_amp_queue_desc_t)         /* per ring slot                 */
RAM_ITEM(rpmsg_head, esp_amp_rpmsg_head_t)   /* per message, in its buffer    */
