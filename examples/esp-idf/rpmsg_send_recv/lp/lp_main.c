/*
 * lp_main.c - the LP core's program (ESP32-C6/C5): ESP-IDF's LP-core
 * runtime calls main() after its start-up; the library's doorbell handler
 * is reached through the runtime's PMU interrupt handler (overridden by the
 * esp-lp platform port).
 */
#include "ulp_lp_core_interrupts.h"
#include "ulp_lp_core_utils.h"

#include "demo_cfg.h"

/* Read by the HP core (as ulp_sub_status) when the demo ends. */
volatile int sub_status = 1;

void demo_sub_idle(void)
{
    ulp_lp_core_delay_us(1000);
}

int main(void)
{
    /* Global interrupt enable: the doorbell (and the software interrupts
     * of the demo) reach this core only after this. */
    ulp_lp_core_intr_enable();
    sub_status = demo_sub_run();
    /* Never return: a returning LP program halts, and a later HP trigger
     * would start it again from the top. */
    for (;;) {
        ulp_lp_core_wait_for_intr();
    }
}
