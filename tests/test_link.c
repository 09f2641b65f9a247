/*
 * test_link.c - the device life cycle (esp_amp_link.c) beyond the common
 * paths: a registry block too small or a ring too long for this core, and
 * the join words written by a peer that restarted or scribbled: the sub
 * core joins again with a larger number, the main core resets its rings
 * and answers, and a cleared request stops the main core's use of the
 * rings until a request comes back.
 */
#include <string.h>

#include "test_util.h"

#define ID 0x0120
#define LEN 4
#define ITEM 32

TestSuite(link, .init = tu_setup, .fini = tu_teardown);

Test(link, a_block_too_small_for_a_pair_header_is_no_device)
{
    tu_main();
    cr_assert_not_null(esp_amp_sys_info_alloc(ID, sizeof(esp_amp_shm_vq_pair_t) - 8));
    tu_sub();
    static esp_amp_rpmsg_dev_t d;
    static esp_amp_queue_t vq[2];
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_sub_init_by_id(&d, vq, false, true, ID), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_INIT);
}

/* The size of a pair block (format 3): a 32-byte header, one descriptor
 * word per slot of each ring, the buffers of both rings packed after them;
 * 0 for a geometry the format does not allow: a length that is 0, not a
 * power of two, or past ESP_AMP_FMT_QUEUE_LEN_MAX (a descriptor names a
 * buffer with 14 bits: 32768 does not fit), an item size 0 or not a
 * multiple of 4. */
Test(link, the_pair_size_follows_the_format_and_refuses_what_it_does_not_allow)
{
    cr_assert_eq(esp_amp_queue_pair_size(1, 4), 32 + 1 * (4 + 4 + 2 * 4));
    cr_assert_eq(esp_amp_queue_pair_size(4, 32), 32 + 4 * (8 + 2 * 32));
    cr_assert_eq(esp_amp_queue_pair_size(16384, 0xfffc),
                 32u + 16384u * (8u + 2u * 0xfffcu));
    cr_assert_eq(esp_amp_queue_pair_size(0, 32), 0);
    cr_assert_eq(esp_amp_queue_pair_size(3, 32), 0);
    cr_assert_eq(esp_amp_queue_pair_size(12, 32), 0);
    cr_assert_eq(esp_amp_queue_pair_size(32768, 32), 0, "index past 14 bits");
    cr_assert_eq(esp_amp_queue_pair_size(4, 0), 0);
    cr_assert_eq(esp_amp_queue_pair_size(4, 6), 0);
    cr_assert_eq(esp_amp_queue_pair_size(4, 0xfffe), 0);
}

/* A pair header the sub core cannot use: a geometry the format does not
 * allow (length 0, 3, 32768; item 6), an item with no room past the RPMsg
 * header, or a registry block whose size is not the geometry's: refused
 * with CORRUPT, and no join request is written. */
Test(link, a_pair_header_with_an_impossible_geometry_or_size_is_corrupt)
{
    static const struct {
        const char *what;
        uint16_t len, item;
        uint32_t size;      /* 0: the geometry's own size */
    } cases[] = {
        { "queue_len 0", 0, 32, 64 },
        { "queue_len 3", 3, 32, 64 },
        { "queue_len 32768", 32768, 16, 64 },
        { "item 6", 4, 6, 64 },
        { "item 8 (the RPMsg header alone)", 4, 8, 0 },
        { "block 8 bytes larger than the geometry", 4, 32, 32 + 4 * (8 + 2 * 32) + 8 },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (i > 0) {
            tu_teardown();      /* a fresh region: fewer blocks than slots */
            tu_setup();
        }
        uint32_t size = cases[i].size ? cases[i].size
                                      : esp_amp_queue_pair_size(cases[i].len, cases[i].item);
        tu_main();
        esp_amp_shm_vq_pair_t *p = esp_amp_sys_info_alloc(ID, size);
        cr_assert_not_null(p, "%s", cases[i].what);
        p->queue_len = cases[i].len;
        p->item_size = cases[i].item;
        p->magic = ESP_AMP_VQ_MAGIC;
        tu_sub();
        static esp_amp_rpmsg_dev_t d;
        static esp_amp_queue_t vq[2];
        esp_amp_clear_last_error();
        cr_assert_eq(esp_amp_rpmsg_sub_init_by_id(&d, vq, false, true, ID), -1, "%s",
                     cases[i].what);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_CORRUPT, "%s: %s", cases[i].what,
                     esp_amp_err_name(esp_amp_get_last_error()));
        cr_assert_eq(p->ctl[0].join, 0, "%s: a join request was written", cases[i].what);
    }
}

/* A pair block written by hand on the main core: the geometry len x item,
 * the pair magic or not. */
static esp_amp_shm_vq_pair_t *raw_pair(uint16_t len, uint16_t item, bool magic)
{
    tu_main();
    esp_amp_shm_vq_pair_t *p = esp_amp_sys_info_alloc(ID, esp_amp_queue_pair_size(len, item));
    cr_assert_not_null(p);
    p->queue_len = len;
    p->item_size = item;
    p->magic = magic ? ESP_AMP_VQ_MAGIC : 0;
    return p;
}

/* The sub core's init on block ID: its result; with `want` other than
 * ESP_AMP_OK, it must fail with that error. */
static int sub_init_on_id(esp_amp_err_t want)
{
    static esp_amp_rpmsg_dev_t d;
    static esp_amp_queue_t vq[2];
    tu_sub();
    esp_amp_clear_last_error();
    int rc = esp_amp_rpmsg_sub_init_by_id(&d, vq, false, true, ID);
    if (want != ESP_AMP_OK) {
        cr_assert_eq(rc, -1);
        cr_assert_eq(esp_amp_get_last_error(), want, "%s",
                     esp_amp_err_name(esp_amp_get_last_error()));
    }
    return rc;
}

/* A block of the right size the main core has allocated but not formatted
 * yet (no pair magic): no device yet, NOT_INIT, no join request; once the
 * main core has formatted it, the same id works. */
Test(link, a_block_without_the_pair_magic_is_no_device_yet)
{
    esp_amp_shm_vq_pair_t *p = raw_pair(LEN, ITEM, false);
    sub_init_on_id(ESP_AMP_ERR_NOT_INIT);
    cr_assert_eq(p->ctl[0].join, 0);
    tu_main();
    p->magic = ESP_AMP_VQ_MAGIC;
    cr_assert_eq(sub_init_on_id(ESP_AMP_OK), 0, "%s",
                 esp_amp_err_name(esp_amp_get_last_error()));
    cr_assert_eq(p->ctl[0].join, 1);
}

/* A pair formatted by a main core built with a larger
 * ESP_AMP_CONFIG_QUEUE_MAX_LEN: valid, but longer than this core's
 * ownership bitmap: NO_MEM (esp_amp_config.h). */
Test(link, a_ring_longer_than_this_core_binds_is_refused_with_no_mem)
{
    esp_amp_shm_vq_pair_t *p = raw_pair(ESP_AMP_CONFIG_QUEUE_MAX_LEN * 2, 16, true);
    sub_init_on_id(ESP_AMP_ERR_NO_MEM);
    cr_assert_eq(p->ctl[0].join, 0, "no join request for a ring it cannot bind");
}

/* A sub core that restarts finds its request word cleared (scribbled) but
 * the main's answer there: not a first join (the main core has used the
 * rings), so it asks with a larger number, and the main resets and answers. */
Test(link, a_sub_restart_with_only_the_answer_left_is_a_rejoin)
{
    static tu_pair_t p;
    tu_pair_up(&p, TU_POLL(LEN, ITEM));
    tu_check_link(&p.main, true, &p.sub, true);
    esp_amp_shm_vq_pair_t *pair = p.main.pair;
    cr_assert_eq(pair->ctl[1].join, 1);
    pair->ctl[0].join = 0;
    tu_sub();
    static esp_amp_rpmsg_dev_t s2;      /* the restarted sub core's device */
    cr_assert_eq(esp_amp_rpmsg_sub_init(&s2, false, true), 0);
    cr_assert_eq(pair->ctl[0].join, 2);
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&s2), ESP_AMP_LINK_JOINING);
    tu_main();
    esp_amp_rpmsg_stats_t before = tu_stats(&p.main);
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&p.main), ESP_AMP_LINK_UP);
    cr_assert_eq(tu_stats(&p.main).link_resets, before.link_resets + 1);
    cr_assert_eq(pair->ctl[1].join, 2);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&s2), ESP_AMP_LINK_UP);
    tu_check_link(&p.main, true, &s2, true);
}

/* An answer word of 0xffffffff: the next request would wrap to 0 (the
 * "never joined" value); the sub core asks with 2 instead. */
Test(link, a_rejoin_request_never_wraps_to_0_or_1)
{
    static tu_pair_t p;
    tu_pair_up(&p, TU_POLL(LEN, ITEM));
    esp_amp_shm_vq_pair_t *pair = p.main.pair;
    pair->ctl[1].join = 0xffffffffu;
    tu_sub();
    static esp_amp_rpmsg_dev_t s2;
    cr_assert_eq(esp_amp_rpmsg_sub_init(&s2, false, true), 0);
    cr_assert_eq(pair->ctl[0].join, 2, "request %u", pair->ctl[0].join);
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&s2), ESP_AMP_LINK_JOINING);
    /* The main core finds its answer changed: it restarts the link (both
     * words 0), the sub core joins again (a first join), the main core
     * answers it. */
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&p.main), ESP_AMP_LINK_JOINING);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&s2), ESP_AMP_LINK_UP);
    cr_assert_eq(pair->ctl[0].join, 1, "request %u", pair->ctl[0].join);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&p.main), ESP_AMP_LINK_UP);
    tu_check_link(&p.main, true, &s2, true);
}

/* A request word of 1 after a rejoin was answered with 2: only a first
 * join writes 1, and a first join follows a format: garbage. The main core
 * resets its rings and answers 1 (the peer can stop the link anyway). */
Test(link, a_first_join_request_after_a_rejoin_resets_the_main_rings)
{
    static tu_pair_t p;
    tu_pair_up(&p, TU_POLL(LEN, ITEM));
    esp_amp_shm_vq_pair_t *pair = p.main.pair;
    tu_sub();
    static esp_amp_rpmsg_dev_t s2;
    pair->ctl[0].join = 0;            /* as above: a rejoin, answered 2 */
    cr_assert_eq(esp_amp_rpmsg_sub_init(&s2, false, true), 0);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&p.main), ESP_AMP_LINK_UP);
    cr_assert_eq(p.main.join, 2);
    uint32_t resets = tu_stats(&p.main).link_resets;
    (void)tu_fill(&p.main);           /* the main holds every tx buffer */
    pair->ctl[0].join = 1;
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&p.main), ESP_AMP_LINK_UP);
    cr_assert_eq(tu_stats(&p.main).link_resets, resets + 1);
    cr_assert_eq(pair->ctl[1].join, 1);
    cr_assert_eq(tu_fill(&p.main), LEN, "the reset gave every tx buffer back");
}

/* The peer clears its request (only the main's own format writes 0): the
 * main core stops using the rings and says JOINING. When the request it
 * answered comes back, it uses the rings again - and says so: UP. */
static int s_states[8], s_nstates;
static void link_cb(esp_amp_rpmsg_dev_t *dev, esp_amp_link_state_t st, void *arg)
{
    (void)dev;
    (void)arg;
    if (s_nstates < 8) {
        s_states[s_nstates++] = (int)st;
    }
}

Test(link, a_cleared_request_stops_the_main_until_the_request_is_back)
{
    static tu_pair_t p;
    tu_pair_up(&p, TU_POLL(LEN, ITEM));
    esp_amp_shm_vq_pair_t *pair = p.main.pair;
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_set_link_callback(&p.main, link_cb, NULL), 0);
    s_nstates = 0;
    pair->ctl[0].join = 0;
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_poll(&p.main), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_LINK_DOWN);
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&p.main), ESP_AMP_LINK_JOINING);
    cr_assert_null(esp_amp_rpmsg_create_message(&p.main, 4, ESP_AMP_RPMSG_DATA_DEFAULT));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_LINK_DOWN);
    cr_assert_eq(s_nstates, 1);
    cr_assert_eq(s_states[0], ESP_AMP_LINK_JOINING);

    pair->ctl[0].join = 1;            /* the request it answered */
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_poll(&p.main), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_EMPTY, "the rings are used again");
    void *m = esp_amp_rpmsg_create_message(&p.main, 4, ESP_AMP_RPMSG_DATA_DEFAULT);
    cr_assert_not_null(m);
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&p.main), ESP_AMP_LINK_UP,
                 "the rings are in use but the state says %d", p.main.link);
    cr_assert_eq(s_nstates, 2);
    cr_assert_eq(s_states[1], ESP_AMP_LINK_UP);
}
