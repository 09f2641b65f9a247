/*
 * test_sw_intr.c - the 32 software interrupts over one doorbell: argument
 * checks, the handler table's limits, and the dispatcher's walk when a
 * handler deletes itself and the slot is refilled by a handler with the
 * same function but another argument or another source.
 */
#include <string.h>

#include "test_util.h"

TestSuite(sw_intr, .init = tu_setup, .fini = tu_teardown);

static uint32_t *pending(int core)
{
    esp_amp_shm_header_t *h = esp_amp_platform_shm_base();
    return &h->sw_intr_pending[core];
}

static int s_calls[4];
static int h_count(void *arg)
{
    s_calls[(intptr_t)arg]++;
    return 0;
}

Test(sw_intr, bad_source_or_null_handler_is_refused)
{
    tu_main();
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_sw_intr_add_handler((esp_amp_sw_intr_id_t)32, h_count, NULL), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_1, NULL, NULL), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    /* Nothing was registered. */
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_sw_intr_delete_handler(SW_INTR_ID_1, NULL), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND);
    cr_assert_eq(esp_amp_sw_intr_delete_handler((esp_amp_sw_intr_id_t)32, h_count), -1);
}

Test(sw_intr, trigger_of_a_bad_source_sets_no_bit_and_rings_nothing)
{
    tu_main();
    uint32_t before[2] = { *pending(0), *pending(1) };
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_sw_intr_trigger((esp_amp_sw_intr_id_t)32), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_sw_intr_trigger_self((esp_amp_sw_intr_id_t)-1), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    cr_assert_eq(*pending(0), before[0]);
    cr_assert_eq(*pending(1), before[1]);
    cr_assert_eq(esp_amp_sw_intr_trigger(SW_INTR_ID_MAX), 0);
    cr_assert_eq(*pending(1), before[1] | (1u << SW_INTR_ID_MAX));
}

Test(sw_intr, same_handler_and_argument_twice_is_refused_another_argument_is_not)
{
    tu_main();
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_2, h_count, (void *)0), 0);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_2, h_count, (void *)0), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_EXISTS);
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_2, h_count, (void *)1), 0);
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_3, h_count, (void *)0), 0);
    memset(s_calls, 0, sizeof(s_calls));
    cr_assert_eq(esp_amp_sw_intr_trigger_self(SW_INTR_ID_2), 0);
    tu_sub();
    tu_main();
    cr_assert_eq(s_calls[0], 1, "the refused duplicate runs once, not twice");
    cr_assert_eq(s_calls[1], 1);
}

Test(sw_intr, the_handler_table_holds_ESP_AMP_SW_INTR_HANDLERS)
{
    tu_main();
    for (int i = 0; i < ESP_AMP_SW_INTR_HANDLERS; i++) {
        cr_assert_eq(esp_amp_sw_intr_add_handler((esp_amp_sw_intr_id_t)(i % 16), h_count,
                                                 (void *)(intptr_t)(i / 16)), 0, "handler %d", i);
    }
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_MAX, h_count, (void *)3), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_MEM);
    /* One freed slot is enough again. */
    cr_assert_eq(esp_amp_sw_intr_delete_handler(SW_INTR_ID_4, h_count), 0);
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_MAX, h_count, (void *)3), 0);
    memset(s_calls, 0, sizeof(s_calls));
    cr_assert_eq(esp_amp_sw_intr_trigger_self(SW_INTR_ID_MAX), 0);
    tu_sub();
    tu_main();
    cr_assert_eq(s_calls[3], 1);
}

/* A handler that deletes (source 6, itself): the slot it leaves is taken
 * by the next handler, which has the same function. The walk must see that
 * the slot changed although the function is the same, and neither skip nor
 * call the newcomer for source 6. */
static int s_order[8];
static int s_n;
static int h_self_delete(void *arg)
{
    if (s_n < 8) {
        s_order[s_n++] = (int)(intptr_t)arg;
    }
    if ((intptr_t)arg == 0) {
        (void)esp_amp_sw_intr_delete_handler(SW_INTR_ID_6, h_self_delete);
    }
    return 0;
}

Test(sw_intr, a_deleted_slot_refilled_by_the_same_function_is_not_skipped)
{
    tu_main();
    struct { esp_amp_sw_intr_id_t id; intptr_t arg; } cases[2][3] = {
        /* same function, other argument, other source */
        { { SW_INTR_ID_6, 0 }, { SW_INTR_ID_7, 1 }, { SW_INTR_ID_6, 2 } },
        /* same function, same argument, other source */
        { { SW_INTR_ID_6, 0 }, { SW_INTR_ID_7, 0 }, { SW_INTR_ID_6, 2 } },
    };
    for (int c = 0; c < 2; c++) {
        for (int i = 0; i < 3; i++) {
            cr_assert_eq(esp_amp_sw_intr_add_handler(cases[c][i].id, h_self_delete,
                                                     (void *)cases[c][i].arg), 0);
        }
        /* Source 6 runs arg 0, which deletes every (6, h_self_delete): the
         * third handler goes too and is not called. */
        s_n = 0;
        cr_assert_eq(esp_amp_sw_intr_trigger_self(SW_INTR_ID_6), 0);
        tu_sub();
        tu_main();
        cr_assert_eq(s_n, 1, "case %d: %d calls", c, s_n);
        cr_assert_eq(s_order[0], 0);
        /* The handler of source 7 stayed and runs on its own source. */
        s_n = 0;
        cr_assert_eq(esp_amp_sw_intr_trigger_self(SW_INTR_ID_7), 0);
        tu_sub();
        tu_main();
        cr_assert_eq(s_n, 1, "case %d", c);
        cr_assert_eq(s_order[0], (int)cases[c][1].arg);
        cr_assert_eq(esp_amp_sw_intr_delete_handler(SW_INTR_ID_7, h_self_delete), 0);
    }
}

/* The table never moves a handler: a handler that deletes itself and adds
 * itself again takes the lowest free slot (here a hole below it) and runs
 * once per trigger; the handler after it is neither skipped nor repeated. */
static int h_move_down(void *arg)
{
    (void)arg;
    s_calls[1]++;
    cr_assert_eq(esp_amp_sw_intr_delete_handler(SW_INTR_ID_8, h_move_down), 0);
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_8, h_move_down, NULL), 0);
    return 0;
}

Test(sw_intr, a_handler_re_adding_itself_into_a_lower_hole_runs_once)
{
    tu_main();
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_9, h_count, (void *)3), 0);
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_8, h_count, (void *)0), 0);
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_8, h_move_down, NULL), 0);
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_8, h_count, (void *)2), 0);
    /* A hole below h_move_down. */
    cr_assert_eq(esp_amp_sw_intr_delete_handler(SW_INTR_ID_9, h_count), 0);
    for (int round = 0; round < 2; round++) {
        memset(s_calls, 0, sizeof(s_calls));
        cr_assert_eq(esp_amp_sw_intr_trigger_self(SW_INTR_ID_8), 0);
        tu_sub();
        tu_main();
        cr_assert_eq(s_calls[0], 1, "round %d", round);
        cr_assert_eq(s_calls[1], 1, "round %d", round);
        cr_assert_eq(s_calls[2], 1, "round %d", round);
        cr_assert_eq(s_calls[3], 0, "round %d", round);
    }
}

/* Two sources pending at once: every handler of either runs once; deleting
 * one function of a source keeps the others of that source. */
Test(sw_intr, two_sources_at_once_and_a_delete_that_keeps_the_others)
{
    tu_main();
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_11, h_count, (void *)0), 0);
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_10, h_self_delete, (void *)1), 0);
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_10, h_count, (void *)1), 0);
    cr_assert_eq(esp_amp_sw_intr_delete_handler(SW_INTR_ID_10, h_self_delete), 0);
    cr_assert_eq(esp_amp_sw_intr_delete_handler(SW_INTR_ID_10, h_self_delete), -1);
    memset(s_calls, 0, sizeof(s_calls));
    s_n = 0;
    cr_assert_eq(esp_amp_sw_intr_trigger_self(SW_INTR_ID_10), 0);
    cr_assert_eq(esp_amp_sw_intr_trigger_self(SW_INTR_ID_11), 0);
    tu_sub();
    tu_main();
    cr_assert_eq(s_calls[0], 1);
    cr_assert_eq(s_calls[1], 1);
    cr_assert_eq(s_n, 0);
}

/* A handler added while the dispatcher runs, into a slot the walk has not
 * reached, for a source that is pending, runs in this walk already (an
 * early look for work, as after any trigger); the next trigger runs it
 * once more, as every handler. */
static int h_adds_another(void *arg)
{
    (void)arg;
    s_calls[2]++;
    (void)esp_amp_sw_intr_add_handler(SW_INTR_ID_12, h_count, (void *)3);
    return 0;
}

Test(sw_intr, a_handler_added_during_the_walk_into_a_later_slot_runs_at_once)
{
    tu_main();
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_12, h_adds_another, NULL), 0);
    for (int round = 0; round < 2; round++) {
        memset(s_calls, 0, sizeof(s_calls));
        cr_assert_eq(esp_amp_sw_intr_trigger_self(SW_INTR_ID_12), 0);
        tu_sub();
        tu_main();
        cr_assert_eq(s_calls[2], 1, "round %d", round);
        cr_assert_eq(s_calls[3], 1, "round %d", round);
    }
}
