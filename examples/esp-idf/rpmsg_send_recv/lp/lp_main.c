/*
 * lp_main.c - the LP core's program (ESP32-C6/C5): the demo's sub core
 * (examples/rpmsg_send_recv/demo_exchange.c) with a bare-metal I/O layer.
 * ESP-IDF's LP-core runtime calls main() after its start-up; the library's
 * doorbell handler is reached through the runtime's PMU interrupt handler
 * (overridden by the esp-lp platform port).
 */
#include "ulp_lp_core_interrupts.h"
#include "ulp_lp_core_utils.h"

#include "demo_exchange.h"

/* Read by the HP core (as ulp_sub_status) when the demo ends. */
volatile int sub_status = 1;

/* The LP core has no console: its lines are not printed. */
static void lp_vsay(const char *core, const char *fmt, va_list ap)
{
    (void)core, (void)fmt, (void)ap;
}

static bool lp_wait(bool (*done)(void *), void *arg, uint32_t timeout_us)
{
    if (done != NULL && done(arg)) {
        return true;
    }
    ulp_lp_core_delay_us(timeout_us < 1000u ? timeout_us : 1000u);
    return done != NULL && done(arg);
}

static const demo_io_t lp_io = {
    .vsay = lp_vsay,
    .wait = lp_wait,
};

int main(void)
{
    static const demo_cfg_t cfg = {&lp_io, SUB_INTR, DEMO_ROUNDS, " (LP core)"};
    /* Global interrupt enable: the doorbell (and the software interrupts
     * of the demo) reach this core only after this. */
    ulp_lp_core_intr_enable();
    sub_status = demo_sub_core(&cfg);
    /* Never return: a returning LP program halts, and a later HP trigger
     * would start it again from the top. */
    for (;;) {
        ulp_lp_core_wait_for_intr();
    }
}
