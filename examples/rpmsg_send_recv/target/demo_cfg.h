/*
 * demo_cfg.h - what the two images of the target demo agree on.
 */
#ifndef DEMO_CFG_H
#define DEMO_CFG_H

#ifndef DEMO_INTR
#error "build with -DDEMO_INTR=1 (interrupt) or -DDEMO_INTR=0 (polling)"
#endif

#define QUEUE_LEN 32
#define ITEM_SIZE 128
#define EPT_QUIT 3          /* sub endpoint that ends the demo             */
#define TICK_MS 20          /* sub core: one normal message per tick       */
#ifndef DEMO_ROUNDS
#define DEMO_ROUNDS 10      /* normal messages and RPC answers to see      */
#endif
#define DEMO_DEADLINE_MS 20000u   /* emulated time before giving up        */

/* Software interrupts used besides RPMsg's own. */
#define SW_INTR_READY SW_INTR_ID_0  /* sub -> main: endpoints are up       */
#define SW_INTR_BYE SW_INTR_ID_1    /* sub -> main: stopped after "quit"   */

#endif /* DEMO_CFG_H */
