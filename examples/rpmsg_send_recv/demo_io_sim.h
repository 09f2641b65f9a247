/*
 * demo_io_sim.h - the I/O layer of a bare-metal-style core of the demo in
 * the simulator (demo_io_sim.c): one write(2) per line, sleeping in
 * sim_wait_interrupt. start_sub is left to the program that starts cores.
 */
#ifndef DEMO_IO_SIM_H
#define DEMO_IO_SIM_H

#include "demo_exchange.h"

extern const demo_io_t demo_io_sim;

#endif /* DEMO_IO_SIM_H */
