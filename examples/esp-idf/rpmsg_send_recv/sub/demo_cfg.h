/*
 * demo_cfg.h - the ESP-IDF configuration of the demo: read by
 * demo_exchange.h (built with DEMO_HAS_CFG) and by the ESP-IDF I/O layer.
 */
#ifndef DEMO_CFG_H
#define DEMO_CFG_H

#include "sdkconfig.h"

#define QUEUE_LEN CONFIG_ESP_AMP_DEMO_QUEUE_LEN
#define ITEM_SIZE CONFIG_ESP_AMP_DEMO_ITEM_SIZE
#define DEMO_ROUNDS CONFIG_EXAMPLE_ROUNDS

#ifdef CONFIG_EXAMPLE_MAIN_INTR
#define MAIN_INTR 1
#else
#define MAIN_INTR 0
#endif
#ifdef CONFIG_EXAMPLE_SUB_INTR
#define SUB_INTR 1
#else
#define SUB_INTR 0
#endif

#endif /* DEMO_CFG_H */
