/*
 * esp_amp_platform_sim.c - the platform port on top of the simulator.
 *
 * The shared region is the calling core's own mapping of the simulator's
 * memfd (sim_shm_base(): a different address in each core); the core id is
 * the simulated core the calling thread acts as; the doorbell is the
 * simulator's per-core interrupt line (a signal, see sim/sim.c), and the
 * doorbell handler is stored per core, never per process. Time is
 * CLOCK_MONOTONIC. esp_amp_platform_delay_us() sleeps (rather than spins,
 * to leave the CPU to the peer core); doorbell ISRs still run during it, and
 * it is a poll point for a pending doorbell (see sim_poll_doorbell).
 */
#define _GNU_SOURCE

#include "esp_amp_platform.h"
#include "sim.h"

#include <errno.h>
#include <time.h>

void *esp_amp_platform_shm_base(void)
{
    return sim_shm_base();
}

uint32_t esp_amp_platform_shm_size(void)
{
    return sim_shm_size();
}

int esp_amp_platform_core_id(void)
{
    return sim_current_core();
}

void esp_amp_platform_raise_doorbell(int core_id)
{
    sim_raise_doorbell(core_id);
}

void esp_amp_platform_set_doorbell_handler(void (*isr)(void))
{
    sim_set_doorbell_isr(isr);
}

uint32_t esp_amp_platform_get_time_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    return (uint32_t)ms; /* wraps every 49.7 days, like a tick counter */
}

void esp_amp_platform_delay_us(uint32_t us)
{
    sim_poll_doorbell();
    if (us == 0) {
        return;
    }
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    uint64_t ns = (uint64_t)until.tv_nsec + (uint64_t)us * 1000u;
    until.tv_sec += (time_t)(ns / 1000000000u);
    until.tv_nsec = (long)(ns % 1000000000u);
    /* Absolute deadline: a doorbell signal interrupting the sleep does not
     * lengthen it. */
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR) {
    }
    sim_poll_doorbell();
}
