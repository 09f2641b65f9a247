/*
 * demo_cfg.h - what the main and the sub program of the ESP-IDF demo agree
 * on (the exchange is described in main/rpmsg_send_recv_main.c).
 */
#ifndef DEMO_CFG_H
#define DEMO_CFG_H

#include "sdkconfig.h"

#define QUEUE_LEN CONFIG_ESP_AMP_DEMO_QUEUE_LEN
#define ITEM_SIZE CONFIG_ESP_AMP_DEMO_ITEM_SIZE
#define DEMO_ROUNDS CONFIG_EXAMPLE_ROUNDS
#define EPT_QUIT 3          /* sub endpoint that ends the demo         */
#define TICK_MS 20          /* sub core: one normal message per tick   */
#define DEMO_DEADLINE_MS 20000u

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

/* Software interrupts used besides RPMsg's own. */
#define SW_INTR_READY SW_INTR_ID_0  /* sub -> main: endpoints are up    */
#define SW_INTR_BYE SW_INTR_ID_1    /* sub -> main: stopped after "quit" */

/* The sub program (sub/demo_sub.c): runs until "quit", returns 0, or
 * a negative number if the library could not be initialised. */
int demo_sub_run(void);
/* Provided by the sub core's wrapper: wait about one millisecond. */
void demo_sub_idle(void);

#endif /* DEMO_CFG_H */
