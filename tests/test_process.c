/*
 * test_process.c - both cores as separate processes (SIM_PROCESS) sharing
 * only the shared-memory region, each mapping it at its own address.
 */

#include "test_util.h"

#define N_MSGS 100000u

TestSuite(process, .init = tu_setup_bare, .fini = tu_teardown, .timeout = 120);

Test(process, both_cores_polling_100k_messages_each_way)
{
    static const tu_stream_cfg_t cfg = {
        .n_msgs = N_MSGS, .queue_len = 16, .item_size = 64,
        .main_notify = false, .main_poll = true,
        .sub_notify = false, .sub_poll = true,
        .timeout_ms = 60000,
    };
    tu_stream_run(SIM_PROCESS, &cfg);
}

Test(process, both_cores_interrupt_driven_100k_messages_each_way)
{
    static const tu_stream_cfg_t cfg = {
        .n_msgs = N_MSGS, .queue_len = 32, .item_size = 128,
        .main_notify = true, .main_poll = false,
        .sub_notify = true, .sub_poll = false,
        .timeout_ms = 60000,
    };
    tu_stream_run(SIM_PROCESS, &cfg);
}
