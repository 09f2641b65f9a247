/*
 * demo_common.h - what the main-core variants of the rpmsg_send_recv demo
 * share: the geometry, the endpoint numbers, line output, and the whole
 * sub core (demo_sub_core.c), which is the same bare-metal-style program
 * whether the main core runs bare metal or FreeRTOS.
 */
#ifndef DEMO_COMMON_H
#define DEMO_COMMON_H

#include <stdbool.h>

#define QUEUE_LEN 32
#define ITEM_SIZE 128
#define EPT_QUIT 3            /* sub endpoint that ends the demo */
#define TICK_MS 20            /* sub core: one normal message per tick */

/* Print "CORE: text" as one write (lines of two cores do not mix). */
void say(const char *core, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

typedef struct {
    bool sub_intr;            /* the sub core receives by interrupt */
    int rounds;               /* normal messages the sub core sends */
    const char *label;        /* shown in the sub core's greeting */
} demo_sub_cfg_t;

/* Entry of the sub core (a sim_core_entry_t); arg: const demo_sub_cfg_t *. */
int demo_sub_core(void *arg);

#endif /* DEMO_COMMON_H */
