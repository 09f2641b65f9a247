/*
 * demo_exchange.h - the rpmsg_send_recv demo: the exchange of ESP-AMP's
 * example of the same name, both cores, written once (demo_exchange.c) and
 * run by every variant through a small I/O layer (demo_io_t):
 *   rpmsg_send_recv.c            simulator, both cores bare-metal style
 *   target/demo_main.c, _sub.c   RISC-V target (QEMU virt), one image each
 *   ../freertos/...              simulator, main core under FreeRTOS
 *   ../esp-idf/rpmsg_send_recv   ESP32-C6/C5 (HP FreeRTOS, LP bare metal),
 *                                ESP32-P4 (sub core: a pinned task)
 *
 * The exchange:
 *   - the sub core sends "Normal Msg: N" alternately to main endpoints 0
 *     and 1;
 *   - main endpoint 1 answers each with "Rsp from EPT1: N" to sub endpoint 0,
 *     which answers with "Extra Msg: N" to main endpoint 0;
 *   - main endpoint 2 asks sub endpoint 1 to add and sub endpoint 2 to
 *     multiply pairs of numbers, and checks every answer.
 * The sub core reports ready with software interrupt SW_INTR_READY. When the
 * main core has seen `rounds` normal messages and checked `rounds` answers
 * it sends "quit" to sub endpoint 3 and waits for the sub core's goodbye
 * (SW_INTR_BYE), so that its last words are printed.
 *
 * No C library is used here (the RISC-V images have none).
 */
#ifndef DEMO_EXCHANGE_H
#define DEMO_EXCHANGE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "esp_amp.h"

/* A variant built with DEMO_HAS_CFG supplies demo_cfg.h on its include
 * path, which may set QUEUE_LEN and ITEM_SIZE (the ESP-IDF one: from its
 * configuration). */
#ifdef DEMO_HAS_CFG
#include "demo_cfg.h"
#endif
#ifndef QUEUE_LEN
#define QUEUE_LEN 32
#endif
#ifndef ITEM_SIZE
#define ITEM_SIZE 128
#endif
#define EPT_QUIT 3                    /* sub endpoint that ends the demo    */
#define TICK_MS 20                    /* sub core: one normal message a tick */
#define DEMO_DEADLINE_MS 20000u       /* main core: give up after this      */
#define SW_INTR_READY SW_INTR_ID_0    /* sub -> main: endpoints are up      */
#define SW_INTR_BYE SW_INTR_ID_1      /* sub -> main: stopped after "quit"  */

/* What differs between the variants. */
typedef struct {
    /* Print one line "CORE: text" (lines of two cores must not mix). */
    void (*vsay)(const char *core, const char *fmt, va_list ap);
    /* Sleep until an interrupt came, done(arg) holds (done may be NULL) or
     * timeout_us passed; returns done(arg) (false without done). */
    bool (*wait)(bool (*done)(void *), void *arg, uint32_t timeout_us);
    /* Main core: release the sub core from reset. */
    void (*start_sub)(void);
    /* Optional (NULL: nothing, esp_amp_rpmsg_create_message, esp_amp_rpmsg_send):
     * called in the ISR that set a flag a waiter may wait for; allocation
     * and sending of the main core's answers and requests. */
    void (*wake_from_isr)(void);
    void *(*create_message)(esp_amp_rpmsg_dev_t *dev, uint16_t size);
    int (*send)(esp_amp_rpmsg_dev_t *dev, esp_amp_rpmsg_ept_t *ept, uint16_t dst,
                void *data, uint16_t len);
} demo_io_t;

typedef struct {
    const demo_io_t *io;
    bool intr;                /* this core receives by interrupt           */
    int rounds;               /* normal messages (and RPC answers)         */
    const char *label;        /* sub: greeting suffix; main: prefix        */
} demo_cfg_t;

void demo_say(const demo_cfg_t *cfg, const char *core, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------ sub core */

/* The whole sub core; returns 0 after "quit", 1 if init failed. */
int demo_sub_core(const demo_cfg_t *cfg);

/* ----------------------------------------------------------- main core */

typedef struct {
    const demo_cfg_t *cfg;
    esp_amp_rpmsg_dev_t dev;
    esp_amp_rpmsg_ept_t ept[3];
    volatile bool sub_ready, sub_bye;
    uint32_t t0;              /* time of start_sub, for the deadline        */
    int rsp_count;            /* EPT1 answers so far                        */
    int algo;                 /* next request: 0 multiply, 1 add            */
    uint32_t seed;
} demo_main_t;

/* The whole main core as one loop (callbacks hand messages to it through
 * mailboxes): the simulator and RISC-V variants. Returns 0 = PASS. */
int demo_main_core(const demo_cfg_t *cfg);

/* The steps of the main core, for a variant that runs them its own way
 * (the FreeRTOS variant: one task per endpoint). */
/* esp_amp_init, main_init, endpoints 0..2 with cb and cb_arg[i], interrupts,
 * the two software-interrupt handlers, the greeting. 0 or -1 (printed). */
int demo_main_setup(demo_main_t *m, const demo_cfg_t *cfg,
                    esp_amp_ept_cb_t cb, void *const cb_arg[3]);
/* start_sub, then wait for the ready interrupt. */
bool demo_main_wait_ready(demo_main_t *m);
bool demo_main_timed_out(const demo_main_t *m);
/* Print a message that came to endpoint 0 or 1; true if it is a normal one. */
bool demo_main_show(demo_main_t *m, int ept, const void *msg, uint16_t len);
/* Endpoint 1's answer "Rsp from EPT1: N"; 0 sent, -1 failed (printed). */
int demo_main_answer(demo_main_t *m);
/* The next request (printed): operands ab, destination, expected result. */
void demo_main_request(demo_main_t *m, int ab[2], uint16_t *dst, int *expect);
/* Check (and print) an RPC result. */
bool demo_main_check(demo_main_t *m, int expect, const void *msg, uint16_t len);
/* Send "quit" and wait for the goodbye; false (printed) if either failed. */
bool demo_main_quit(demo_main_t *m);
/* "done: N failures; ..." */
void demo_main_report(demo_main_t *m, int failures);

#endif /* DEMO_EXCHANGE_H */
