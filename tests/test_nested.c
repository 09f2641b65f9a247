/*
 * test_nested.c - DESIGN: "poll and the doorbell handler never run an
 * endpoint callback concurrently with itself on one core."
 */
#include <string.h>

#include "test_util.h"

#define MAIN_EPT 1
#define SUB_EPT 2

static tu_pair_t p;
static esp_amp_rpmsg_ept_t me, se;

static int depth, max_depth, calls;
static int inner_rc[16];
static esp_amp_err_t inner_err[16];
static bool in_isr[16];
static bool trigger_inside;  /* raise our own RPMsg interrupt inside */

static int nesting_cb(void *msg_data, uint16_t len, uint16_t src, void *data)
{
    (void)len;
    (void)src;
    (void)data;
    int me_call = calls++;
    depth++;
    if (depth > max_depth) {
        max_depth = depth;
    }
    if (me_call < 16) {
        in_isr[me_call] = esp_amp_env_in_isr();
        if (trigger_inside) {
            /* A doorbell arrives while this callback runs. */
            (void)esp_amp_sw_intr_trigger_self(SW_INTR_RESERVED_ID_RPMSG);
        }
        esp_amp_clear_last_error();
        inner_rc[me_call] = esp_amp_rpmsg_poll(&p.sub);
        inner_err[me_call] = esp_amp_get_last_error();
    }
    (void)esp_amp_rpmsg_destroy(&p.sub, msg_data);
    depth--;
    return 0;
}

static void reset(void)
{
    depth = max_depth = calls = 0;
    trigger_inside = false;
    memset(inner_rc, 0, sizeof(inner_rc));
}

static void bring_up(tu_cfg_t cfg)
{
    reset();
    tu_pair_up(&p, cfg);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, SUB_EPT, nesting_cb, NULL, &se), &se);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.main, MAIN_EPT, NULL, NULL, &me), &me);
}

TestSuite(nested, .init = tu_setup, .fini = tu_teardown);

/* A callback that calls esp_amp_rpmsg_poll gets -1 (busy) and no nested
 * callback runs. */
Test(nested, poll_inside_a_poll_callback_returns_busy_and_runs_nothing)
{
    bring_up(TU_POLL(4, 32));
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "n", 1), 0);
    }
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_poll(&p.sub), 0);
    cr_assert_eq(calls, 1, "the inner poll delivered a message");
    cr_assert_eq(max_depth, 1);
    cr_assert_eq(inner_rc[0], -1);
    cr_assert_eq(inner_err[0], ESP_AMP_ERR_BUSY, "%s", esp_amp_err_name(inner_err[0]));
    /* The device is not left busy: the rest still arrives, one per poll. */
    cr_assert_eq(esp_amp_rpmsg_poll(&p.sub), 0);
    cr_assert_eq(calls, 2);
    cr_assert_eq(esp_amp_rpmsg_poll(&p.sub), 0);
    cr_assert_eq(calls, 3);
    cr_assert_eq(esp_amp_rpmsg_poll(&p.sub), -1);
    cr_assert_eq(max_depth, 1);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(inner_rc[i], -1);
    }
}

/* Same from an interrupt-mode callback. */
Test(nested, poll_inside_an_isr_callback_returns_busy_and_runs_nothing)
{
    bring_up(TU_SUB_INTR(4, 32));
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "n", 1), 0);
    }
    tu_sub();
    cr_assert_eq(calls, 3);
    cr_assert_eq(max_depth, 1);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(in_isr[i], true);
        cr_assert_eq(inner_rc[i], -1, "inner poll %d returned %d", i, inner_rc[i]);
        cr_assert_eq(inner_err[i], ESP_AMP_ERR_BUSY);
    }
    /* Still working afterwards. */
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "n", 1), 0);
    tu_sub();
    cr_assert_eq(calls, 4);
    cr_assert_eq(max_depth, 1);
}

/* A doorbell that arrives while a task-context poll runs a callback does
 * not run a callback inside it; the message it announced is delivered right
 * after (in ISR context) without another poll. */
Test(nested, doorbell_during_a_poll_callback_is_deferred_not_nested)
{
    /* The sub device is in interrupt mode, but the main core does not
     * notify, so the first message is taken by an explicit poll. */
    tu_cfg_t c = TU_SUB_INTR(4, 32);
    c.main_notify = false;
    bring_up(c);
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "1", 1), 0);
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, SUB_EPT, "2", 1), 0);
    tu_sub();
    cr_assert_eq(calls, 0);
    trigger_inside = true;
    cr_assert_eq(esp_amp_rpmsg_poll(&p.sub), 0);
    trigger_inside = false;
    tu_sub();   /* let anything still pending run */
    cr_assert_eq(max_depth, 1, "a callback ran nested");
    cr_assert_eq(calls, 2, "the deferred doorbell did not deliver message 2");
    cr_assert_eq(in_isr[0], false);
    cr_assert_eq(in_isr[1], true);
    cr_assert_eq(esp_amp_rpmsg_poll(&p.sub), -1);
}
