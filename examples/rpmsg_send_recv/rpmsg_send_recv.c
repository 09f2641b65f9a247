/*
 * rpmsg_send_recv - two cores exchanging RPMsg messages in the simulator:
 * the exchange of demo_exchange.c, both cores bare-metal style. This file
 * is its I/O layer (lines on stdout, sleeping in sim_wait_interrupt, the
 * sub core started through a pipe) and the chip: it starts the cores as
 * processes (or threads) and reports. The main core receives by interrupt
 * and the sub core by polling, unless told otherwise.
 *
 * usage: rpmsg_send_recv [--main-poll|--main-intr] [--sub-poll|--sub-intr]
 *                        [--rounds N] [--threads]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo_exchange.h"
#include "demo_io_sim.h"
#include "esp_amp_platform.h"
#include "sim.h"

static int start_pipe[2] = {-1, -1};   /* main core -> chip: "start the sub core" */

static void start_sub(void)
{
    (void)!write(start_pipe[1], "S", 1);
}

static int main_core(void *arg)
{
    return demo_main_core(arg);
}

static int sub_core(void *arg)
{
    return demo_sub_core(arg);
}

int main(int argc, char **argv)
{
    demo_io_t io = demo_io_sim;
    demo_cfg_t main_cfg = {&io, true, 6, ""};
    demo_cfg_t sub_cfg = {&io, false, 6, ""};
    sim_mode_t mode = SIM_PROCESS;
    io.start_sub = start_sub;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--main-poll")) {
            main_cfg.intr = false;
        } else if (!strcmp(argv[i], "--main-intr")) {
            main_cfg.intr = true;
        } else if (!strcmp(argv[i], "--sub-poll")) {
            sub_cfg.intr = false;
        } else if (!strcmp(argv[i], "--sub-intr")) {
            sub_cfg.intr = true;
        } else if (!strcmp(argv[i], "--threads")) {
            mode = SIM_THREAD;
        } else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
            main_cfg.rounds = sub_cfg.rounds = atoi(argv[++i]);
        } else {
            fprintf(stderr,
                    "usage: %s [--main-poll|--main-intr] "
                    "[--sub-poll|--sub-intr] [--rounds N] [--threads]\n",
                    argv[0]);
            return 2;
        }
    }
    if (pipe(start_pipe) != 0 || sim_init(256 * 1024) != 0) {
        perror("setup");
        return 1;
    }
    if (sim_start_core(ESP_AMP_CORE_MAIN, mode, main_core, &main_cfg) != 0) {
        return 1;
    }
    char c;
    int rc_main = 1, rc_sub = 1;
    if (read(start_pipe[0], &c, 1) == 1 &&
        sim_start_core(ESP_AMP_CORE_SUB, mode, sub_core, &sub_cfg) == 0) {
        sim_join_core(ESP_AMP_CORE_SUB, &rc_sub);
    }
    sim_join_core(ESP_AMP_CORE_MAIN, &rc_main);
    sim_deinit();
    printf("rpmsg_send_recv: main core exit %d, sub core exit %d: %s\n",
           rc_main, rc_sub, rc_main == 0 && rc_sub == 0 ? "PASS" : "FAIL");
    return rc_main == 0 && rc_sub == 0 ? 0 : 1;
}
