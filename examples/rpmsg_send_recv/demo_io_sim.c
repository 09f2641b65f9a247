/*
 * demo_io_sim.c - see demo_io_sim.h.
 */
#define _GNU_SOURCE
#include "demo_io_sim.h"

#include <stdio.h>
#include <unistd.h>

#include "sim.h"

static void sim_vsay(const char *core, const char *fmt, va_list ap)
{
    char line[256];
    int n = snprintf(line, sizeof line, "%s: ", core);
    n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    if (n > (int)sizeof line - 2) {
        n = (int)sizeof line - 2;
    }
    line[n++] = '\n';
    (void)!write(STDOUT_FILENO, line, (size_t)n);  /* one write per line */
}

static bool sim_wait(bool (*done)(void *), void *arg, uint32_t timeout_us)
{
    if (done != NULL && done(arg)) {
        return true;
    }
    (void)sim_wait_interrupt(timeout_us);
    return done != NULL && done(arg);
}

const demo_io_t demo_io_sim = {
    .vsay = sim_vsay,
    .wait = sim_wait,
};
