/*
 * test_endpoint.c - seed "Endpoint Creation and Deletion" and "Concept of
 * Endpoint": create / del / delete / rebind / search, callback arguments,
 * multiplexing several endpoints over one device.
 */
#include <string.h>

#include "test_util.h"

static tu_pair_t p;

static void pair_setup(void)
{
    tu_setup();
    tu_pair_up(&p, TU_POLL(8, 64));
}

TestSuite(endpoint, .init = pair_setup, .fini = tu_teardown);

/* "Return value is the same pointer as ept_ctx if successful." */
Test(endpoint, create_returns_ept_ctx)
{
    esp_amp_rpmsg_ept_t e;
    int data;
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, 7, tu_log_cb, &data, &e), &e);
    cr_assert_eq(e.addr, 7);
    cr_assert_eq(esp_amp_rpmsg_search_endpoint(&p.sub, 7), &e);
    /* Endpoint addresses are per device: the same address on the other core. */
    esp_amp_rpmsg_ept_t m;
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.main, 7, tu_log_cb, &data, &m), &m);
    /* Any 16-bit address. */
    esp_amp_rpmsg_ept_t lo, hi;
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.main, 0, tu_log_cb, NULL, &lo), &lo);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.main, 0xffff, tu_log_cb, NULL, &hi), &hi);
}

/* "Otherwise, NULL will be returned." - address in use. */
Test(endpoint, create_with_used_address_returns_null_and_keeps_the_first)
{
    static tu_log_t first, second;
    esp_amp_rpmsg_ept_t e1, e2, me;
    tu_sub();
    tu_log_init(&first, &p.sub);
    tu_log_init(&second, &p.sub);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, 5, tu_log_cb, &first, &e1), &e1);
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_rpmsg_create_endpoint(&p.sub, 5, tu_log_cb, &second, &e2));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_EXISTS);
    cr_assert_eq(esp_amp_rpmsg_search_endpoint(&p.sub, 5), &e1);

    tu_main();
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&p.main, 1, NULL, NULL, &me));
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, 5, "hi", 2), 0);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 1);
    cr_assert_eq(first.count, 1);
    cr_assert_eq(second.count, 0);
}

/* An ept_ctx already linked (under another address) is refused: re-linking
 * it would corrupt the endpoint list. */
Test(endpoint, create_with_an_ept_ctx_already_in_use_returns_null)
{
    esp_amp_rpmsg_ept_t e;
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, 5, tu_log_cb, NULL, &e), &e);
    cr_assert_null(esp_amp_rpmsg_create_endpoint(&p.sub, 6, tu_log_cb, NULL, &e));
    cr_assert_eq(esp_amp_rpmsg_search_endpoint(&p.sub, 5), &e);
    cr_assert_null(esp_amp_rpmsg_search_endpoint(&p.sub, 6));
}

Test(endpoint, create_with_null_ept_ctx_returns_null)
{
    tu_sub();
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_rpmsg_create_endpoint(&p.sub, 5, tu_log_cb, NULL, NULL));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    cr_assert_null(esp_amp_rpmsg_search_endpoint(&p.sub, 5));
}

Test(endpoint, create_with_null_device_returns_null)
{
    esp_amp_rpmsg_ept_t e;
    tu_sub();
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_rpmsg_create_endpoint(NULL, 5, tu_log_cb, NULL, &e));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
}

/* "This API will return NULL if the endpoint with corresponding ept_addr
 * doesn't exist." - for both names. */
Test(endpoint, del_and_delete_of_missing_endpoint_return_null)
{
    esp_amp_rpmsg_ept_t e;
    tu_sub();
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_rpmsg_del_endpoint(&p.sub, 9));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND);
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_rpmsg_delete_endpoint(&p.sub, 9));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, 10, tu_log_cb, NULL, &e), &e);
    cr_assert_null(esp_amp_rpmsg_del_endpoint(&p.sub, 9));
    cr_assert_null(esp_amp_rpmsg_del_endpoint(NULL, 10));
    cr_assert_null(esp_amp_rpmsg_delete_endpoint(NULL, 10));
    cr_assert_eq(esp_amp_rpmsg_search_endpoint(&p.sub, 10), &e);
}

/* "If successful, the pointer to the deleted endpoint data structure will be
 * returned, which can be freed or re-used later." */
static void check_delete(esp_amp_rpmsg_ept_t *(*del)(esp_amp_rpmsg_dev_t *, uint16_t))
{
    static tu_log_t log;
    esp_amp_rpmsg_ept_t a, b, c, me;
    tu_sub();
    tu_log_init(&log, &p.sub);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, 1, tu_log_cb, NULL, &a), &a);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, 2, tu_log_cb, NULL, &b), &b);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, 3, tu_log_cb, NULL, &c), &c);
    /* Delete the one in the middle, then the others stay reachable. */
    cr_assert_eq(del(&p.sub, 2), &b);
    cr_assert_null(esp_amp_rpmsg_search_endpoint(&p.sub, 2));
    cr_assert_eq(esp_amp_rpmsg_search_endpoint(&p.sub, 1), &a);
    cr_assert_eq(esp_amp_rpmsg_search_endpoint(&p.sub, 3), &c);
    cr_assert_null(del(&p.sub, 2), "deleted twice");
    /* The address is free again, and the same ctx can be re-used. */
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, 2, tu_log_cb, &log, &b), &b);
    tu_main();
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&p.main, 1, NULL, NULL, &me));
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, 2, "x", 1), 0);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 1);
    cr_assert_eq(log.count, 1);
    /* Delete all, in another order. */
    cr_assert_eq(del(&p.sub, 1), &a);
    cr_assert_eq(del(&p.sub, 3), &c);
    cr_assert_eq(del(&p.sub, 2), &b);
    cr_assert_null(esp_amp_rpmsg_search_endpoint(&p.sub, 1));
    cr_assert_null(esp_amp_rpmsg_search_endpoint(&p.sub, 2));
    cr_assert_null(esp_amp_rpmsg_search_endpoint(&p.sub, 3));
}

Test(endpoint, del_endpoint_returns_ctx_and_frees_the_address)
{
    check_delete(esp_amp_rpmsg_del_endpoint);
}

Test(endpoint, delete_endpoint_returns_ctx_and_frees_the_address)
{
    check_delete(esp_amp_rpmsg_delete_endpoint);
}

/* "Rebind an existing endpoint to different callback function and
 * ept_rx_cb_data." */
static int other_calls;
static void *other_data;
static int other_cb(void *msg_data, uint16_t len, uint16_t src, void *data)
{
    (void)len;
    (void)src;
    other_calls++;
    other_data = data;
    return esp_amp_rpmsg_destroy(&p.sub, msg_data);
}

Test(endpoint, rebind_changes_callback_and_data)
{
    static tu_log_t old_log, new_log;
    esp_amp_rpmsg_ept_t e, me;
    tu_sub();
    tu_log_init(&old_log, &p.sub);
    tu_log_init(&new_log, &p.sub);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, 4, tu_log_cb, &old_log, &e), &e);
    tu_main();
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&p.main, 1, NULL, NULL, &me));
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, 4, "one", 3), 0);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 1);
    cr_assert_eq(old_log.count, 1);

    /* Same callback, new data. */
    cr_assert_eq(esp_amp_rpmsg_rebind_endpoint(&p.sub, 4, tu_log_cb, &new_log), &e);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, 4, "two", 3), 0);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 1);
    cr_assert_eq(old_log.count, 1);
    cr_assert_eq(new_log.count, 1);
    cr_assert_eq(new_log.msg[0].cb_data, &new_log);
    cr_assert_arr_eq(new_log.msg[0].data, "two", 3);

    /* New callback, new data. */
    int token;
    cr_assert_eq(esp_amp_rpmsg_rebind_endpoint(&p.sub, 4, other_cb, &token), &e);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me, 4, "three", 5), 0);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 1);
    cr_assert_eq(old_log.count, 1);
    cr_assert_eq(new_log.count, 1);
    cr_assert_eq(other_calls, 1);
    cr_assert_eq(other_data, &token);
    /* The address is unchanged and still found. */
    cr_assert_eq(esp_amp_rpmsg_search_endpoint(&p.sub, 4), &e);
    cr_assert_eq(e.addr, 4);
}

Test(endpoint, rebind_of_missing_endpoint_returns_null)
{
    esp_amp_rpmsg_ept_t e;
    tu_sub();
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_rpmsg_rebind_endpoint(&p.sub, 4, tu_log_cb, NULL));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, 5, tu_log_cb, NULL, &e), &e);
    cr_assert_null(esp_amp_rpmsg_rebind_endpoint(&p.sub, 4, other_cb, NULL));
    cr_assert_null(esp_amp_rpmsg_rebind_endpoint(NULL, 5, other_cb, NULL));
    /* The existing one was not touched. */
    cr_assert_eq(e.rx_cb, tu_log_cb);
}

/* "Search for an endpoint specified with ept_addr." */
Test(endpoint, search_finds_existing_and_returns_null_for_missing)
{
    esp_amp_rpmsg_ept_t e[4];
    tu_sub();
    cr_assert_null(esp_amp_rpmsg_search_endpoint(&p.sub, 1));
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, (uint16_t)(100 + i),
                                                   tu_log_cb, NULL, &e[i]), &e[i]);
    }
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(esp_amp_rpmsg_search_endpoint(&p.sub, (uint16_t)(100 + i)), &e[i]);
    }
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_rpmsg_search_endpoint(&p.sub, 99));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND);
    cr_assert_null(esp_amp_rpmsg_search_endpoint(&p.sub, 104));
    cr_assert_null(esp_amp_rpmsg_search_endpoint(NULL, 100));
    /* Endpoints are per device: main has none of them. */
    tu_main();
    cr_assert_null(esp_amp_rpmsg_search_endpoint(&p.main, 100));
}

/* "msg_data is a pointer pointing to the rpmsg buffer which contains the
 * received message. data_len is the length of the message. src_addr is the
 * endpoint address of the sender. rx_cb_data ... will be passed to the
 * callback function every time." */
Test(endpoint, callback_receives_msg_data_len_src_addr_and_cb_data_exactly)
{
    static tu_log_t log;
    esp_amp_rpmsg_ept_t e, me1, me2;
    tu_sub();
    tu_log_init(&log, &p.sub);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&p.sub, 0x1234, tu_log_cb, &log, &e), &e);
    tu_main();
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&p.main, 0xbeef, NULL, NULL, &me1));
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&p.main, 0x0042, NULL, NULL, &me2));
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me1, 0x1234, "hello world", 11), 0);
    cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me2, 0x1234, "xyz", 3), 0);
    tu_sub();
    cr_assert_eq(tu_drain(&p.sub), 2);
    cr_assert_eq(log.count, 2);
    cr_assert_eq(log.msg[0].len, 11);
    cr_assert_arr_eq(log.msg[0].data, "hello world", 11);
    cr_assert_eq(log.msg[0].src, 0xbeef);
    cr_assert_eq(log.msg[0].cb_data, &log);
    cr_assert_eq(log.msg[1].len, 3);
    cr_assert_arr_eq(log.msg[1].data, "xyz", 3);
    cr_assert_eq(log.msg[1].src, 0x0042);
    cr_assert_eq(log.msg[1].cb_data, &log);
    /* msg_data points into this core's view of the shared memory. */
    uint8_t *base = sim_shm_base();
    for (int i = 0; i < 2; i++) {
        uint8_t *ptr = log.msg[i].ptr;
        cr_assert(ptr >= base && ptr < base + sim_shm_size(),
                  "msg_data %p outside shared memory", (void *)ptr);
    }
}

/* "any two endpoints across cores can pair into source and destination
 * endpoints": several endpoints share one device; each message goes to the
 * endpoint named by its destination address, and replies go back to
 * src_addr. */
static esp_amp_rpmsg_ept_t *reply_from;
static int reply_cb(void *msg_data, uint16_t len, uint16_t src, void *data)
{
    /* Echo back to whoever sent it, from this endpoint. */
    esp_amp_rpmsg_ept_t *self = data;
    int rc = esp_amp_rpmsg_send(&p.sub, self, src, msg_data, len);
    reply_from = self;
    (void)esp_amp_rpmsg_destroy(&p.sub, msg_data);
    return rc;
}

Test(endpoint, endpoints_multiplex_one_device_and_reply_to_src_addr)
{
    static tu_log_t logs[3];
    esp_amp_rpmsg_ept_t se[3], me[3];
    tu_sub();
    for (int i = 0; i < 3; i++) {
        cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&p.sub, (uint16_t)(10 + i),
                                                         reply_cb, &se[i], &se[i]));
    }
    tu_main();
    for (int i = 0; i < 3; i++) {
        tu_log_init(&logs[i], &p.main);
        cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&p.main, (uint16_t)(20 + i),
                                                         tu_log_cb, &logs[i], &me[i]));
    }
    /* main ept 20+i talks to sub ept 10+(i+1)%3. */
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 3; i++) {
            uint8_t m[2] = { (uint8_t)i, (uint8_t)round };
            cr_assert_eq(esp_amp_rpmsg_send(&p.main, &me[i], (uint16_t)(10 + (i + 1) % 3),
                                            m, 2), 0);
        }
        tu_sub();
        cr_assert_eq(tu_drain(&p.sub), 3);
        tu_main();
        cr_assert_eq(tu_drain(&p.main), 3);
    }
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(logs[i].count, 3, "main endpoint %d got %d", 20 + i, logs[i].count);
        for (int round = 0; round < 3; round++) {
            cr_assert_eq(logs[i].msg[round].src, 10 + (i + 1) % 3);
            cr_assert_eq(logs[i].msg[round].data[0], i);
            cr_assert_eq(logs[i].msg[round].data[1], round);
        }
    }
    cr_assert_not_null(reply_from);
}
