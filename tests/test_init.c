/*
 * test_init.c - seed "Initialization": main before sub, default and _by_id
 * devices, several device pairs, geometry rounding, bad arguments.
 */
#include <stdio.h>
#include <string.h>

#include "test_util.h"

TestSuite(init_order, .init = tu_setup_bare, .fini = tu_teardown);
TestSuite(init, .init = tu_setup, .fini = tu_teardown);

/* "on main-core, esp_amp_rpmsg_main_init should be called before the
 * sub-core can invoke esp_amp_rpmsg_sub_init". esp_amp_init() touches no
 * shared memory on either core (so the sub core's succeeds at any time);
 * the main core formats the region with its first block, and until then
 * the sub core's sub_init fails with ESP_AMP_ERR_NOT_INIT. */
Test(init_order, sub_init_before_main_init_fails_then_works_after_main_init)
{
    static esp_amp_rpmsg_dev_t main_dev, sub_dev;

    /* Nothing formatted yet: the sub core's esp_amp_init succeeds, its
     * sub_init does not. */
    tu_sub();
    cr_assert_eq(esp_amp_init(), 0, "sub esp_amp_init needs no main core");
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_sub_init(&sub_dev, false, true), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_INIT, "%s",
                 esp_amp_err_name(esp_amp_get_last_error()));
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_sys_info_attach(), -1, "no header yet");
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_INIT);

    /* The main core's esp_amp_init alone formats nothing: still NOT_INIT. */
    tu_main();
    cr_assert_eq(esp_amp_init(), 0);
    cr_assert_eq(((const uint32_t *)sim_shm_base())[0], 0,
                 "esp_amp_init wrote the region header");
    tu_sub();
    cr_assert_eq(esp_amp_init(), 0);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_sub_init(&sub_dev, false, true), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_INIT, "%s",
                 esp_amp_err_name(esp_amp_get_last_error()));
    cr_assert_eq(esp_amp_sys_info_attach(), -1);

    /* After main init, sub init works and the pair carries traffic. */
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_main_init(&main_dev, 4, 64, false, true), 0);
    tu_sub();
    cr_assert_eq(esp_amp_sys_info_attach(), 0);
    cr_assert_eq(esp_amp_rpmsg_sub_init(&sub_dev, false, true), 0, "%s",
                 esp_amp_err_name(esp_amp_get_last_error()));
    tu_check_link(&main_dev, true, &sub_dev, true);
}

/* esp_amp_init() comes first on each core ("once per boot"): an RPMsg init
 * before it fails with ESP_AMP_ERR_NOT_INIT and writes nothing, neither
 * the device nor the region. */
Test(init_order, rpmsg_init_before_esp_amp_init_fails_and_writes_nothing)
{
    static esp_amp_rpmsg_dev_t main_dev, sub_dev;
    static const esp_amp_rpmsg_dev_t zero;
    tu_main();
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_main_init(&main_dev, 4, 64, false, true), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_INIT, "%s",
                 esp_amp_err_name(esp_amp_get_last_error()));
    cr_assert_eq(((const uint32_t *)sim_shm_base())[0], 0, "the region was formatted");
    cr_assert(memcmp(&main_dev, &zero, sizeof(zero)) == 0, "the device was written");
    /* With esp_amp_init on the main core only, the sub core's init still
     * fails for the same reason (and not for a missing block). */
    cr_assert_eq(esp_amp_init(), 0);
    cr_assert_eq(esp_amp_rpmsg_main_init(&main_dev, 4, 64, false, true), 0);
    tu_sub();
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_sub_init(&sub_dev, false, true), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_INIT, "%s",
                 esp_amp_err_name(esp_amp_get_last_error()));
    cr_assert(memcmp(&sub_dev, &zero, sizeof(zero)) == 0, "the device was written");
    cr_assert_eq(esp_amp_init(), 0);
    cr_assert_eq(esp_amp_rpmsg_sub_init(&sub_dev, false, true), 0);
    tu_check_link(&main_dev, true, &sub_dev, true);
}

/* A region formatted at once (esp_amp_sys_info_init), with no RPMsg
 * device yet: the header is there, the device block is not, sub_init
 * still fails with NOT_INIT; after main_init it works. */
Test(init_order, region_formatted_without_a_device_sub_init_fails_until_main_init)
{
    static esp_amp_rpmsg_dev_t main_dev, sub_dev;

    tu_main();
    cr_assert_eq(esp_amp_init(), 0);
    cr_assert_eq(esp_amp_sys_info_init(), 0);
    tu_sub();
    cr_assert_eq(esp_amp_init(), 0);
    cr_assert_eq(esp_amp_sys_info_attach(), 0, "the header is formatted");
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_sub_init(&sub_dev, false, true), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_INIT, "%s",
                 esp_amp_err_name(esp_amp_get_last_error()));

    tu_main();
    cr_assert_eq(esp_amp_rpmsg_main_init(&main_dev, 4, 64, false, true), 0);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_sub_init(&sub_dev, false, true), 0, "%s",
                 esp_amp_err_name(esp_amp_get_last_error()));
    tu_check_link(&main_dev, true, &sub_dev, true);
}

/* esp_amp_rpmsg_main_init / esp_amp_rpmsg_sub_init: the default pair. */
Test(init, default_main_init_and_sub_init_make_a_working_pair)
{
    static tu_pair_t p;
    tu_pair_up(&p, TU_POLL(8, 64));
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_get_max_size(&p.main), 56);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_max_size(&p.sub), 56);
    tu_check_link(&p.main, true, &p.sub, true);
    /* A second default device on the main core: the id is taken. */
    static esp_amp_rpmsg_dev_t again;
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_main_init(&again, 8, 64, false, true), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_EXISTS);
    tu_check_link(&p.main, true, &p.sub, true);
}

Test(init, default_pair_in_interrupt_mode_both_sides)
{
    static tu_pair_t p;
    tu_pair_up(&p, TU_BOTH_INTR(4, 32));
    tu_check_link(&p.main, false, &p.sub, false);
}

/* "If more than one pair of rpmsg device is needed, use the following APIs
 * to specify different sysinfo_id for each pair": two pairs, different
 * geometry, traffic on both at the same time, no cross-talk. */
#define EPT_MAIN 1
#define EPT_SUB 2
Test(init, by_id_two_pairs_carry_traffic_at_the_same_time_without_crosstalk)
{
    static tu_pair_t a, b;
    static tu_log_t a_main, a_sub, b_main, b_sub;
    static esp_amp_rpmsg_ept_t ea_main, ea_sub, eb_main, eb_sub;
    tu_cfg_t ca = TU_POLL(4, 32);
    tu_cfg_t cb = TU_POLL(16, 200);
    ca.id = 0x10;
    cb.id = 0x20;
    tu_pair_up(&a, ca);
    tu_pair_up(&b, cb);

    tu_main();
    cr_assert_eq(esp_amp_rpmsg_get_max_size(&a.main), 24);
    cr_assert_eq(esp_amp_rpmsg_get_max_size(&b.main), 192);
    tu_log_init(&a_main, &a.main);
    tu_log_init(&b_main, &b.main);
    /* Same endpoint addresses on both devices. */
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&a.main, EPT_MAIN, tu_log_cb, &a_main, &ea_main));
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&b.main, EPT_MAIN, tu_log_cb, &b_main, &eb_main));
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_max_size(&a.sub), 24);
    cr_assert_eq(esp_amp_rpmsg_get_max_size(&b.sub), 192);
    tu_log_init(&a_sub, &a.sub);
    tu_log_init(&b_sub, &b.sub);
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&a.sub, EPT_SUB, tu_log_cb, &a_sub, &ea_sub));
    cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&b.sub, EPT_SUB, tu_log_cb, &b_sub, &eb_sub));

    /* Interleave: 4 messages in flight on A (its whole queue), 12 on B,
     * both directions, before anyone receives. */
    char msg[32];
    for (int i = 0; i < 12; i++) {
        tu_main();
        if (i < 4) {
            snprintf(msg, sizeof(msg), "A>%d", i);
            cr_assert_eq(esp_amp_rpmsg_send(&a.main, &ea_main, EPT_SUB, msg, 4), 0);
        }
        snprintf(msg, sizeof(msg), "B>%02d", i);
        cr_assert_eq(esp_amp_rpmsg_send(&b.main, &eb_main, EPT_SUB, msg, 5), 0);
        tu_sub();
        if (i < 4) {
            snprintf(msg, sizeof(msg), "a<%d", i);
            cr_assert_eq(esp_amp_rpmsg_send(&a.sub, &ea_sub, EPT_MAIN, msg, 4), 0);
        }
        snprintf(msg, sizeof(msg), "b<%02d", i);
        cr_assert_eq(esp_amp_rpmsg_send(&b.sub, &eb_sub, EPT_MAIN, msg, 5), 0);
    }
    /* A is full in both directions, B is not. */
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&a.main, &ea_main, EPT_SUB, "x", 1), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_BUF);
    /* Payload that fits B's items but not A's. */
    uint8_t big[100] = { 0 };
    cr_assert_eq(esp_amp_rpmsg_send(&a.main, &ea_main, EPT_SUB, big, sizeof(big)), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_TOO_BIG);
    cr_assert_eq(esp_amp_rpmsg_send(&b.main, &eb_main, EPT_SUB, big, sizeof(big)), 0);

    tu_sub();
    cr_assert_eq(tu_drain(&a.sub), 4);
    cr_assert_eq(tu_drain(&b.sub), 13);
    tu_main();
    cr_assert_eq(tu_drain(&a.main), 4);
    cr_assert_eq(tu_drain(&b.main), 12);

    cr_assert_eq(a_sub.count, 4);
    cr_assert_eq(a_main.count, 4);
    cr_assert_eq(b_sub.count, 13);
    cr_assert_eq(b_main.count, 12);
    for (int i = 0; i < 4; i++) {
        snprintf(msg, sizeof(msg), "A>%d", i);
        cr_assert_arr_eq(a_sub.msg[i].data, msg, 4, "A sub #%d", i);
        snprintf(msg, sizeof(msg), "a<%d", i);
        cr_assert_arr_eq(a_main.msg[i].data, msg, 4, "A main #%d", i);
    }
    for (int i = 0; i < 12; i++) {
        snprintf(msg, sizeof(msg), "B>%02d", i);
        cr_assert_arr_eq(b_sub.msg[i].data, msg, 5, "B sub #%d", i);
        snprintf(msg, sizeof(msg), "b<%02d", i);
        cr_assert_arr_eq(b_main.msg[i].data, msg, 5, "B main #%d", i);
    }
    cr_assert_eq(b_sub.msg[12].len, 100);
    /* Each pair has its own buffers back: A's queue is whole again. */
    tu_main();
    cr_assert_eq(tu_fill(&a.main), 4);
    cr_assert_eq(tu_fill(&b.main), 16);
}

/* A region holds ESP_AMP_CONFIG_SYS_INFO_SLOTS blocks: as many device
 * pairs work at once; the next main_init is refused with NO_MEM (no slot
 * left), its id stays unknown to the sub core, and every pair still works. */
Test(init, a_region_holds_as_many_device_pairs_as_registry_slots)
{
    static tu_pair_t p[ESP_AMP_CONFIG_SYS_INFO_SLOTS];
    for (unsigned i = 0; i < ESP_AMP_CONFIG_SYS_INFO_SLOTS; i++) {
        tu_cfg_t c = TU_POLL(2, 16);
        c.id = (uint16_t)(0x300 + i);
        tu_pair_up(&p[i], c);
    }
    static esp_amp_rpmsg_dev_t extra;
    static esp_amp_queue_t extra_vq[2];
    tu_main();
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_main_init_by_id(&extra, extra_vq, 2, 16, false, true, 0x3ff), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_MEM, "%s",
                 esp_amp_err_name(esp_amp_get_last_error()));
    tu_sub();
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_sub_init_by_id(&extra, extra_vq, false, true, 0x3ff), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_INIT);
    for (unsigned i = 0; i < ESP_AMP_CONFIG_SYS_INFO_SLOTS; i++) {
        tu_check_link(&p[i].main, true, &p[i].sub, true);
    }
}

Test(init, by_id_duplicate_id_fails_and_changes_nothing)
{
    static tu_pair_t p;
    static esp_amp_rpmsg_dev_t dup;
    static esp_amp_queue_t dup_vq[2];
    tu_cfg_t c = TU_POLL(4, 64);
    c.id = 0x42;
    tu_pair_up(&p, c);

    tu_main();
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_main_init_by_id(&dup, dup_vq, 8, 128, false, true, 0x42), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_EXISTS, "%s",
                 esp_amp_err_name(esp_amp_get_last_error()));
    /* Same id through the live device itself: refused, device untouched. */
    cr_assert_eq(esp_amp_rpmsg_main_init_by_id(&p.main, p.main_vq, 8, 128, false, true, 0x42), -1);
    cr_assert_eq(esp_amp_rpmsg_get_max_size(&p.main), 56);
    tu_check_link(&p.main, true, &p.sub, true);
}

Test(init, sub_init_by_id_of_an_id_main_never_created_fails)
{
    static tu_pair_t p;
    static esp_amp_rpmsg_dev_t d;
    static esp_amp_queue_t vq[2];
    tu_cfg_t c = TU_POLL(4, 64);
    c.id = 0x42;
    tu_pair_up(&p, c);
    tu_sub();
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_sub_init_by_id(&d, vq, false, true, 0x43), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_INIT);
}

/* A fresh region for the next case of a table: a region holds
 * ESP_AMP_CONFIG_SYS_INFO_SLOTS blocks (6 by default), fewer than the
 * cases of a table. */
static void fresh_region(void)
{
    tu_teardown();
    tu_setup();
}

/* Queue length is rounded up to a power of two: observe it by how many
 * messages can be created before the queue is full, on both cores. */
Test(init, queue_len_is_rounded_up_to_a_power_of_two)
{
    static const struct { uint16_t len, expect; } cases[] = {
        { 1, 1 }, { 2, 2 }, { 3, 4 }, { 5, 8 }, { 7, 8 }, { 8, 8 },
        { 9, 16 }, { 17, 32 }, { 31, 32 }, { 32, 32 }, { 33, 64 },
        { 100, 128 }, { 129, 256 }, { 256, 256 },
    };
    static tu_pair_t p[sizeof(cases) / sizeof(cases[0])];
    unsigned tested = 0;
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (cases[i].expect > ESP_AMP_CONFIG_QUEUE_MAX_LEN) {
            continue;   /* beyond this build's limit: refused, tested below */
        }
        if (tested++ > 0) {
            fresh_region();
        }
        tu_cfg_t c = TU_POLL(cases[i].len, 16);
        c.id = (uint16_t)(0x100 + i);
        tu_pair_up(&p[i], c);
        tu_main();
        cr_assert_eq(tu_fill(&p[i].main), cases[i].expect,
                     "main: queue_len %u", cases[i].len);
        tu_sub();
        cr_assert_eq(tu_fill(&p[i].sub), cases[i].expect,
                     "sub: queue_len %u", cases[i].len);
    }
}

/* Item size is rounded up to a word: the largest payload is the rounded
 * item size minus the 8-byte header. */
Test(init, item_size_is_rounded_up_to_a_word)
{
    static const struct { uint16_t item, max; } cases[] = {
        { 9, 4 }, { 10, 4 }, { 11, 4 }, { 12, 4 }, { 13, 8 },
        { 64, 56 }, { 65, 60 }, { 66, 60 }, { 67, 60 }, { 1001, 996 },
    };
    static tu_pair_t p[sizeof(cases) / sizeof(cases[0])];
    static uint8_t data[1024];
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (i > 0) {
            fresh_region();
        }
        tu_cfg_t c = TU_POLL(2, cases[i].item);
        c.id = (uint16_t)(0x200 + i);
        tu_pair_up(&p[i], c);
        static esp_amp_rpmsg_ept_t e;
        tu_main();
        cr_assert_eq(esp_amp_rpmsg_get_max_size(&p[i].main), cases[i].max,
                     "main: item_size %u", cases[i].item);
        cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&p[i].main, 1, NULL, NULL, &e));
        /* The rounded size is really usable, one byte more is not. */
        cr_assert_eq(esp_amp_rpmsg_send(&p[i].main, &e, 1, data, cases[i].max), 0,
                     "item_size %u: send %u bytes", cases[i].item, cases[i].max);
        cr_assert_eq(esp_amp_rpmsg_send(&p[i].main, &e, 1, data,
                                        (uint16_t)(cases[i].max + 1)), -1);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_TOO_BIG);
        cr_assert_eq(esp_amp_rpmsg_del_endpoint(&p[i].main, 1), &e);
        tu_sub();
        cr_assert_eq(esp_amp_rpmsg_get_max_size(&p[i].sub), cases[i].max,
                     "sub: item_size %u", cases[i].item);
    }
}

static void expect_main_init_fails(esp_amp_rpmsg_dev_t *dev, esp_amp_queue_t *vq,
                                   uint16_t len, uint16_t item, const char *what)
{
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_main_init_by_id(dev, vq, len, item, false, true, 0x77), -1,
                 "%s accepted", what);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG, "%s: %s", what,
                 esp_amp_err_name(esp_amp_get_last_error()));
}

Test(init, bad_arguments_fail_with_a_reason_and_change_nothing)
{
    static esp_amp_rpmsg_dev_t dev;
    static esp_amp_queue_t vq[2];
    tu_main();
    expect_main_init_fails(NULL, vq, 4, 64, "NULL dev");
    expect_main_init_fails(&dev, NULL, 4, 64, "NULL vqueue");
    expect_main_init_fails(&dev, vq, 0, 64, "queue_len 0");
    expect_main_init_fails(&dev, vq, 4, 0, "item_size 0");
    expect_main_init_fails(&dev, vq, 4, 1, "item_size 1");
    expect_main_init_fails(&dev, vq, 4, 8, "item_size 8 (header only)");
    expect_main_init_fails(&dev, vq, ESP_AMP_CONFIG_QUEUE_MAX_LEN + 1, 64, "queue_len > max");
    expect_main_init_fails(&dev, vq, 4, 0xfffd, "item_size rounding past 16 bits");

    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_main_init(NULL, 4, 64, false, true), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    cr_assert_eq(esp_amp_rpmsg_main_init(&dev, 0, 64, false, true), -1);
    cr_assert_eq(esp_amp_rpmsg_main_init(&dev, 4, 8, false, true), -1);

    tu_sub();
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_sub_init_by_id(NULL, vq, false, true, 0x77), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_sub_init_by_id(&dev, NULL, false, true, 0x77), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_sub_init(NULL, false, true), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);

    /* Nothing was allocated: id 0x77 and the default id are still free. */
    static tu_pair_t p, q;
    tu_cfg_t c = TU_POLL(ESP_AMP_CONFIG_QUEUE_MAX_LEN, 12);
    c.id = 0x77;
    tu_pair_up(&p, c);
    tu_pair_up(&q, TU_POLL(4, 64));
    tu_check_link(&p.main, true, &p.sub, true);
    tu_check_link(&q.main, true, &q.sub, true);
}

Test(init, get_max_size_of_null_device_is_zero)
{
    cr_assert_eq(esp_amp_rpmsg_get_max_size(NULL), 0);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
}

Test(init, main_init_on_the_sub_core_fails)
{
    static esp_amp_rpmsg_dev_t dev;
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_main_init(&dev, 4, 64, false, true), -1);
    cr_assert_neq(esp_amp_get_last_error(), ESP_AMP_OK);
}
