/*
 * demo_io_rv.h - the I/O layer of the demo on the RISC-V target: lines on
 * the UART (rv_virt_printf, one call per line), sleeping in rv_virt_wait
 * (WFI), the sub core released by rv_virt_start_sub. Included by the one
 * source of each image, which also links ../demo_exchange.c.
 */
#ifndef DEMO_IO_RV_H
#define DEMO_IO_RV_H

#include "demo_exchange.h"
#include "rv_virt.h"

#ifndef DEMO_INTR
#error "build with -DDEMO_INTR=1 (interrupt) or -DDEMO_INTR=0 (polling)"
#endif
#ifndef DEMO_ROUNDS
#define DEMO_ROUNDS 10      /* normal messages and RPC answers to see */
#endif

static void rv_vsay(const char *core, const char *fmt, va_list ap)
{
    char line[160];
    rv_virt_vsnprintf(line, sizeof line, fmt, ap);
    rv_virt_printf("%s: %s\n", core, line);
}

static const demo_io_t demo_io_rv = {
    .vsay = rv_vsay,
    .wait = rv_virt_wait,
#ifdef DEMO_IO_RV_MAIN                /* the main image starts hart 1 */
    .start_sub = rv_virt_start_sub,
#endif
};

#endif /* DEMO_IO_RV_H */
