/*
 * test_errors.c - DESIGN: "Every function that can fail returns the seed's
 * failure value (-1 or NULL) and changes nothing; the reason is available to
 * the caller (an error code API)".
 */
#include <string.h>

#include "test_util.h"

TestSuite(errors, .init = tu_setup, .fini = tu_teardown);

Test(errors, err_name_for_each_code)
{
    static const struct { esp_amp_err_t err; const char *name; } names[] = {
        { ESP_AMP_OK, "ESP_AMP_OK" },
        { ESP_AMP_ERR_INVALID_ARG, "ESP_AMP_ERR_INVALID_ARG" },
        { ESP_AMP_ERR_NOT_INIT, "ESP_AMP_ERR_NOT_INIT" },
        { ESP_AMP_ERR_NO_BUF, "ESP_AMP_ERR_NO_BUF" },
        { ESP_AMP_ERR_EMPTY, "ESP_AMP_ERR_EMPTY" },
        { ESP_AMP_ERR_TOO_BIG, "ESP_AMP_ERR_TOO_BIG" },
        { ESP_AMP_ERR_NOT_FOUND, "ESP_AMP_ERR_NOT_FOUND" },
        { ESP_AMP_ERR_EXISTS, "ESP_AMP_ERR_EXISTS" },
        { ESP_AMP_ERR_NOT_OWNED, "ESP_AMP_ERR_NOT_OWNED" },
        { ESP_AMP_ERR_CORRUPT, "ESP_AMP_ERR_CORRUPT" },
        { ESP_AMP_ERR_NO_MEM, "ESP_AMP_ERR_NO_MEM" },
        { ESP_AMP_ERR_BUSY, "ESP_AMP_ERR_BUSY" },
        { ESP_AMP_ERR_LINK_DOWN, "ESP_AMP_ERR_LINK_DOWN" },
    };
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *n = esp_amp_err_name(names[i].err);
        cr_assert_not_null(n);
        cr_assert_str_eq(n, names[i].name);
    }
    /* Unknown codes still get a string, distinct from every real one. */
    const int unknown[] = { ESP_AMP_ERR_LINK_DOWN + 1, 100, -1 };
    for (unsigned u = 0; u < 3; u++) {
        const char *n = esp_amp_err_name((esp_amp_err_t)unknown[u]);
        cr_assert_not_null(n, "code %d", unknown[u]);
        for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            cr_assert_str_neq(n, names[i].name, "code %d", unknown[u]);
        }
    }
}

/* The last error is per core, survives later successes, and can be cleared. */
Test(errors, last_error_is_per_core_sticky_and_clearable)
{
    static tu_pair_t p;
    tu_pair_up(&p, TU_POLL(4, 32));
    tu_main();
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_OK);
    tu_sub();
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_rpmsg_search_endpoint(&p.sub, 5));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND);
    tu_main();
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_OK, "sub's error leaked to main");
    cr_assert_eq(esp_amp_rpmsg_poll(&p.main), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_EMPTY);
    tu_sub();
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND, "main's error leaked to sub");
    /* A success does not reset it. */
    esp_amp_rpmsg_ept_t e;
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, 5, tu_log_cb, NULL, &e), &e);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_OK);
}

Test(errors, get_stats_rejects_null_arguments)
{
    static tu_pair_t p;
    esp_amp_rpmsg_stats_t s;
    tu_pair_up(&p, TU_POLL(4, 32));
    tu_main();
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_get_stats(NULL, &s), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    cr_assert_eq(esp_amp_rpmsg_get_stats(&p.main, NULL), -1);
    cr_assert_eq(esp_amp_rpmsg_get_stats(&p.main, &s), 0);
    cr_assert_eq(s.tx_msgs, 0);
    cr_assert_eq(s.rx_msgs, 0);
}

/* Functions of an uninitialised device fail cleanly. */
Test(errors, calls_on_an_uninitialised_device_fail)
{
    static esp_amp_rpmsg_dev_t dev;
    esp_amp_rpmsg_ept_t e;
    uint8_t b[4] = { 0 };
    memset(&dev, 0, sizeof(dev));
    tu_main();
    cr_assert_null(esp_amp_rpmsg_create_message(&dev, 1, 0));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    e.addr = 1;
    /* Each refused with INVALID_ARG (the device, not its link). */
#define REFUSED(call)                                                      \
    do {                                                                   \
        esp_amp_clear_last_error();                                        \
        cr_assert_eq((call), -1, #call);                                   \
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG, #call); \
    } while (0)
    REFUSED(esp_amp_rpmsg_send(&dev, &e, 2, b, 1));
    REFUSED(esp_amp_rpmsg_send_nocopy(&dev, &e, 2, b, 1));
    REFUSED(esp_amp_rpmsg_poll(&dev));
    REFUSED(esp_amp_rpmsg_poll(&dev));   /* after a failed poll too */
    REFUSED(esp_amp_rpmsg_destroy(&dev, b));
    REFUSED(esp_amp_rpmsg_intr_enable(&dev));
#undef REFUSED
    cr_assert_eq(esp_amp_rpmsg_get_max_size(&dev), 0);
    /* The link and flow-control calls too, and with no device at all. */
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&dev), ESP_AMP_LINK_DOWN);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(NULL), ESP_AMP_LINK_DOWN);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_set_link_callback(NULL, NULL, NULL), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_tx_wait(&dev, true), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_tx_wait(NULL, false), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    static const uint8_t zero[sizeof(dev)];
    cr_assert(memcmp(&dev, zero, sizeof(dev)) == 0, "the device was written");
}

/* "The reason is kept per core and can be read with esp_amp_get_last_error()
 * right after the failing call": an interrupt that lands between the failing
 * call and the read (here: the peer sends while this core is suspended, and
 * the doorbell ISR runs when it resumes) must not change it. The RPMsg
 * doorbell handler's internal "ring empty" is not a failed call of the
 * application. */
Test(errors, last_error_survives_an_interrupt)
{
    static tu_pair_t p;
    static tu_log_t slog;
    esp_amp_rpmsg_ept_t se, me;
    tu_pair_up(&p, TU_SUB_INTR(4, 32));
    tu_sub();
    tu_log_init(&slog, &p.sub);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, 2, tu_log_cb, &slog, &se), &se);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.main, 1, NULL, NULL, &me), &me);

    /* Sub: a failing call. */
    tu_sub();
    uint64_t isr_before = sim_isr_count();
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_rpmsg_search_endpoint(&p.sub, 77));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND);
    /* Meanwhile the main core sends (and rings the sub core). */
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, 2, "irq", 3), 0);
    /* Sub resumes: its doorbell ISR runs first, then it reads the reason. */
    tu_sub();
    cr_assert_gt(sim_isr_count(), isr_before, "no interrupt ran");
    cr_assert_eq(slog.count, 1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND,
                 "the doorbell ISR changed the last error to %s",
                 esp_amp_err_name(esp_amp_get_last_error()));

    /* Same with a failed send (queue full) on the sub core. */
    while (esp_amp_rpmsg_create_message(&p.sub, 1, 0) != NULL) {
    }
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_send(&p.sub, &se, 1, "x", 1), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_BUF);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, 2, "irq", 3), 0);
    tu_sub();
    cr_assert_eq(slog.count, 2);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_BUF,
                 "the doorbell ISR changed the last error to %s",
                 esp_amp_err_name(esp_amp_get_last_error()));
}
