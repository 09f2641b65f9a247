/*
 * test_util.h - helpers shared by the Criterion test files.
 *
 * Single-thread deterministic tests drive both simulated cores from the
 * test's own thread: tu_main()/tu_sub() switch the calling thread to that
 * core (pending doorbells of the core are delivered on entry, so an
 * interrupt-mode receiver runs its callbacks, in ISR context, right there).
 *
 * Concurrency tests run tu_stream_core() as the entry of both cores
 * (SIM_THREAD or SIM_PROCESS): checked messages (traffic.h) in both
 * directions.
 */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include <criterion/criterion.h>

#include "esp_amp.h"
#include "esp_amp_env.h"
#include "esp_amp_platform.h"
#include "sim.h"

#define TU_SHM_SIZE (1u << 20)

/* ---------------------------------------------------------------------- */
/* Fixtures (use as .init / .fini of a TestSuite).                         */

/* sim_init only: nothing formatted, current core = none. */
void tu_setup_bare(void);
/* sim_init, esp_amp_init() on main then on sub; current core = main. */
void tu_setup(void);
/* sim_deinit. */
void tu_teardown(void);

/* Switch the calling thread to a core (asserts success). */
void tu_main(void);
void tu_sub(void);

/* ---------------------------------------------------------------------- */
/* A main+sub device pair brought up in single-thread mode.                */

typedef struct {
    uint16_t id;          /* sys_info id; 0 = default main_init/sub_init  */
    uint16_t queue_len;
    uint16_t item_size;
    bool main_notify;
    bool main_poll;
    bool sub_notify;
    bool sub_poll;
} tu_cfg_t;

typedef struct {
    tu_cfg_t cfg;
    esp_amp_rpmsg_dev_t main;     /* used only as the main core */
    esp_amp_rpmsg_dev_t sub;      /* used only as the sub core  */
    esp_amp_queue_t main_vq[2];
    esp_amp_queue_t sub_vq[2];
} tu_pair_t;

/* Both cores poll, nobody notifies. */
#define TU_POLL(len, item) \
    ((tu_cfg_t){ .queue_len = (len), .item_size = (item), \
                 .main_poll = true, .sub_poll = true })
/* The sub core receives by interrupt (main notifies), main polls. */
#define TU_SUB_INTR(len, item) \
    ((tu_cfg_t){ .queue_len = (len), .item_size = (item), \
                 .main_notify = true, .main_poll = true, \
                 .sub_notify = false, .sub_poll = false })
/* Both cores receive by interrupt, both notify. */
#define TU_BOTH_INTR(len, item) \
    ((tu_cfg_t){ .queue_len = (len), .item_size = (item), \
                 .main_notify = true, .main_poll = false, \
                 .sub_notify = true, .sub_poll = false })

/* main init, then sub init, then esp_amp_rpmsg_intr_enable() on each core
 * whose poll flag is false. Asserts success. Leaves the current core = main. */
void tu_pair_up(tu_pair_t *p, tu_cfg_t cfg);

/* As the current core: poll until -1; returns the number of 0 returns. */
int tu_drain(esp_amp_rpmsg_dev_t *dev);

/* As the current core: create_message(1 byte) until NULL; returns the count
 * (buffers stay allocated). Asserts the stop reason is ESP_AMP_ERR_NO_BUF. */
int tu_fill(esp_amp_rpmsg_dev_t *dev);

/* Stats of a device (asserts get_stats succeeds). */
esp_amp_rpmsg_stats_t tu_stats(esp_amp_rpmsg_dev_t *dev);

/* Send "ping" main -> sub and "pong" sub -> main through temporary
 * endpoints and check both arrive (polling where the side polls). */
void tu_check_link(esp_amp_rpmsg_dev_t *main_dev, bool main_poll,
                   esp_amp_rpmsg_dev_t *sub_dev, bool sub_poll);

/* ---------------------------------------------------------------------- */
/* A recording endpoint callback.                                          */

#define TU_LOG_MAX 64
#define TU_DATA_MAX 1024

typedef struct {
    void *ptr;            /* msg_data as given to the callback */
    uint16_t len;
    uint16_t src;
    void *cb_data;
    bool in_isr;
    uint8_t data[TU_DATA_MAX];
} tu_msg_t;

typedef struct {
    esp_amp_rpmsg_dev_t *dev; /* destroy on this device when `destroy`    */
    bool destroy;             /* destroy each message inside the callback */
    int destroy_rc;           /* last destroy result (0 expected)         */
    int count;                /* callbacks so far                         */
    tu_msg_t msg[TU_LOG_MAX]; /* the first TU_LOG_MAX of them             */
} tu_log_t;

/* Endpoint callback; rx_cb_data must be a tu_log_t *. Never asserts (it may
 * run in ISR context). */
int tu_log_cb(void *msg_data, uint16_t data_len, uint16_t src_addr,
              void *rx_cb_data);

/* Reset a log; destroy in callback iff dev != NULL. */
void tu_log_init(tu_log_t *log, esp_amp_rpmsg_dev_t *dev);

/* Deterministic pseudo-random numbers (xorshift32). */
uint32_t tu_rand(uint32_t *state);

/* ---------------------------------------------------------------------- */
/* Concurrency: both cores run tu_stream_core(&cfg).                       */

typedef struct {
    uint32_t n_msgs;          /* per direction                            */
    uint16_t queue_len;
    uint16_t item_size;
    bool main_notify, main_poll;
    bool sub_notify, sub_poll;
    uint32_t timeout_ms;      /* whole run, per core                      */
} tu_stream_cfg_t;

/* Entry of a simulated core (main or sub, by sim_current_core()).
 * Returns 0 when every message sent by the peer arrived once, in order,
 * intact, in the expected context, and all counters agree; otherwise a
 * TU_E_* code (also printed to stderr). */
int tu_stream_core(void *arg);

enum {
    TU_E_OK = 0,
    TU_E_INIT = 10,      /* esp_amp_init / rpmsg init / endpoint failed  */
    TU_E_INTR = 11,      /* intr_enable failed                           */
    TU_E_TIMEOUT = 20,   /* deadline passed                              */
    TU_E_SEND = 21,      /* send failed with a reason other than NO_BUF  */
    TU_E_SRC = 30,       /* wrong src_addr                               */
    TU_E_SEQ = 31,       /* lost, duplicated or reordered message        */
    TU_E_LEN = 32,       /* wrong length                                 */
    TU_E_DATA = 33,      /* wrong payload                                */
    TU_E_CTX = 34,       /* callback in the wrong context (ISR vs task)  */
    TU_E_DESTROY = 35,   /* destroy failed                               */
    TU_E_STATS = 40,     /* counters disagree                            */
};

/* Run main and sub as `mode` cores; returns after both ended. Asserts both
 * exit codes are 0. */
void tu_stream_run(sim_mode_t mode, const tu_stream_cfg_t *cfg);

#endif /* TEST_UTIL_H */
