/*
 * esp_amp_config.h - every compile-time option of the library, in one place.
 *
 * Each option has a default here. To change one, define it on the compiler
 * command line (-DESP_AMP_CONFIG_STATS=0), or put the definitions in a
 * header of your own and name it with -DESP_AMP_CONFIG_FILE='"my_cfg.h"';
 * that header is read first. The ESP-IDF component sets them from Kconfig.
 *
 * Two kinds of numbers live here:
 *   - limits of the shared-memory format (ESP_AMP_FMT_*): fixed by the
 *     format version, the same for both cores, never to be overridden;
 *   - local options (ESP_AMP_CONFIG_*): how this core's image is built. The
 *     two cores of a pair may be built with different local options.
 * The static asserts at the end tie the local options to the format.
 *
 * The measured effect of each option on code size is printed by
 * `make size`.
 */
#ifndef ESP_AMP_CONFIG_H
#define ESP_AMP_CONFIG_H

#ifdef ESP_AMP_CONFIG_FILE
#include ESP_AMP_CONFIG_FILE
#endif

/* ---- Limits of the shared-memory format (docs/layout.md) ------------- */

/* Largest ring length the format allows (queue_len is a power of two;
 * a descriptor names a buffer with 14 bits). */
#define ESP_AMP_FMT_QUEUE_LEN_MAX 16384u
/* Largest buffer (item) size: a multiple of 4 that fits a 16-bit length. */
#define ESP_AMP_FMT_ITEM_SIZE_MAX 0xfffcu
/* Most registry entries a region header may announce (its `slots`). */
#define ESP_AMP_FMT_SYS_INFO_SLOTS_MAX 64u

/* ---- Local options ---------------------------------------------------- */

/* Longest ring this core can bind (a power of two). It sizes the ownership
 * bitmap of each queue: ESP_AMP_CONFIG_QUEUE_MAX_LEN / 8 bytes of RAM per
 * ring (4 bytes at the default). A main core refuses a longer queue_len (ESP_AMP_ERR_INVALID_ARG);
 * a sub core refuses to bind a longer ring (ESP_AMP_ERR_NO_MEM). */
#ifndef ESP_AMP_CONFIG_QUEUE_MAX_LEN
#define ESP_AMP_CONFIG_QUEUE_MAX_LEN 32
#endif

/* Main core: registry entries it formats in the region header (blocks it
 * can allocate: one per RPMsg device pair, plus the application's own).
 * Each takes 16 bytes of shared memory and 16 bytes of RAM. */
#ifndef ESP_AMP_CONFIG_SYS_INFO_SLOTS
#define ESP_AMP_CONFIG_SYS_INFO_SLOTS 6
#endif

/* Software-interrupt handlers this core can register (all sources). */
#ifndef ESP_AMP_CONFIG_SW_INTR_HANDLERS
#define ESP_AMP_CONFIG_SW_INTR_HANDLERS 16
#endif

/* One run of the RPMsg doorbell handler delivers at most this many ring
 * lengths of messages, then re-raises its own doorbell and returns, so a
 * peer that never stops sending cannot hold the core in one ISR. */
#ifndef ESP_AMP_CONFIG_RX_ISR_BUDGET
#define ESP_AMP_CONFIG_RX_ISR_BUDGET 4
#endif

/* Interrupt mode: when the ring runs empty right after a message, the
 * doorbell handler looks at it up to this many more times (a few
 * instructions each) before it asks the peer for a doorbell again. A
 * stream then costs about one doorbell per burst instead of one per
 * message; a lone message costs this many looks. 0: ask at once. The
 * default is what a doorbell costs on the platform, in looks
 * (ESP_AMP_PORT_RX_LINGER of the platform port, 64 if it does not say). */
#ifndef ESP_AMP_CONFIG_RX_LINGER
#define ESP_AMP_CONFIG_RX_LINGER ESP_AMP_PORT_RX_LINGER
#endif

/* 1: per-device counters (esp_amp_rpmsg_get_stats). 0: the counters are
 * not kept and esp_amp_rpmsg_get_stats reports zeros. */
#ifndef ESP_AMP_CONFIG_STATS
#define ESP_AMP_CONFIG_STATS 1
#endif

/* 1: esp_amp_err_name() returns the constant's name. 0: it returns "?"
 * (saves the name table). */
#ifndef ESP_AMP_CONFIG_ERR_NAMES
#define ESP_AMP_CONFIG_ERR_NAMES 1
#endif

/* Roles this image can take. An image for the sub core only may set
 * ESP_AMP_CONFIG_MAIN_CORE 0 (no region formatting, no block allocation,
 * no join answering); one for the main core only, ESP_AMP_CONFIG_SUB_CORE 0.
 * A call for a role that was left out fails with ESP_AMP_ERR_INVALID_ARG. */
#ifndef ESP_AMP_CONFIG_MAIN_CORE
#define ESP_AMP_CONFIG_MAIN_CORE 1
#endif
#ifndef ESP_AMP_CONFIG_SUB_CORE
#define ESP_AMP_CONFIG_SUB_CORE 1
#endif

/* 1: receive by doorbell interrupt is available (esp_amp_rpmsg_intr_enable).
 * 0: polling only; esp_amp_rpmsg_intr_enable fails with
 * ESP_AMP_ERR_INVALID_ARG. Ringing the peer (notify) is always there. */
#ifndef ESP_AMP_CONFIG_RX_INTR
#define ESP_AMP_CONFIG_RX_INTR 1
#endif

/* ---- Ties between the two ------------------------------------------------ */

#ifndef __cplusplus
_Static_assert((ESP_AMP_CONFIG_QUEUE_MAX_LEN & (ESP_AMP_CONFIG_QUEUE_MAX_LEN - 1)) == 0 &&
                   ESP_AMP_CONFIG_QUEUE_MAX_LEN >= 32 &&
                   ESP_AMP_CONFIG_QUEUE_MAX_LEN <= ESP_AMP_FMT_QUEUE_LEN_MAX,
               "ESP_AMP_CONFIG_QUEUE_MAX_LEN: a power of two in [32, ESP_AMP_FMT_QUEUE_LEN_MAX]");
_Static_assert(ESP_AMP_CONFIG_SYS_INFO_SLOTS >= 1 &&
                   ESP_AMP_CONFIG_SYS_INFO_SLOTS <= ESP_AMP_FMT_SYS_INFO_SLOTS_MAX,
               "ESP_AMP_CONFIG_SYS_INFO_SLOTS: 1..ESP_AMP_FMT_SYS_INFO_SLOTS_MAX");
_Static_assert(ESP_AMP_CONFIG_SW_INTR_HANDLERS >= 1 && ESP_AMP_CONFIG_SW_INTR_HANDLERS <= 255,
               "ESP_AMP_CONFIG_SW_INTR_HANDLERS: 1..255");
_Static_assert(ESP_AMP_CONFIG_RX_ISR_BUDGET >= 1, "ESP_AMP_CONFIG_RX_ISR_BUDGET: at least 1");
_Static_assert(ESP_AMP_CONFIG_MAIN_CORE || ESP_AMP_CONFIG_SUB_CORE,
               "an image needs at least one role");
#endif

#endif /* ESP_AMP_CONFIG_H */
