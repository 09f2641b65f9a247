/*
 * esp_amp_platform_port.h (sim) - platform port for the Linux simulator.
 *
 * Both simulated cores may be threads of one process, so the library keeps
 * one state slot per core and picks it by the calling thread's core id
 * (-1 outside a core: the library must only be called from inside one).
 */
#ifndef ESP_AMP_PLATFORM_PORT_H
#define ESP_AMP_PLATFORM_PORT_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

int esp_amp_platform_core_id(void);

#define ESP_AMP_PORT_CORE_SLOTS 2
#define ESP_AMP_PORT_CORE_SLOT() ((unsigned)esp_amp_platform_core_id())

/* A doorbell here is a signal to another process and a handler: some
 * microseconds, a thousand looks at a ring or more. */
#define ESP_AMP_PORT_RX_LINGER 1024

/*
 * The simulator's doorbell hardware, implemented in sim/sim.c and used by
 * esp_amp_platform_sim.c (not part of the library's port interface):
 *   sim_raise_doorbell(core)  set core's doorbell pending and interrupt the
 *                             thread that runs it (no-op for a killed core
 *                             or a bad id); may be called from any thread
 *                             of any process of the simulation, or an ISR.
 *   sim_set_doorbell_isr(isr) install (NULL: remove) the calling core's
 *                             doorbell ISR; a doorbell already pending runs
 *                             it as soon as interrupts allow.
 *   sim_poll_doorbell()       take the calling core's pending doorbell now
 *                             (run its ISR, or record it for the end of the
 *                             critical section): a poll point that makes up
 *                             for a lost signal. True if one was pending.
 */
void sim_raise_doorbell(int core);
void sim_set_doorbell_isr(void (*isr)(void));
bool sim_poll_doorbell(void);

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_PLATFORM_PORT_H */
