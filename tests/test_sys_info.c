/*
 * test_sys_info.c - the block registry (esp_amp_sys_info_*): allocation
 * limits, session numbering, and the main core's repair of a region header
 * or registry that the peer damaged. The repair runs in the main core's
 * doorbell handler and in esp_amp_rpmsg_get_link_state(); here it is
 * reached through the doorbell (a software interrupt raised on itself).
 */
#define _GNU_SOURCE
#include <string.h>

#include "test_util.h"

#define ID_A 0x0101
#define ID_B 0x0102

TestSuite(sys_info, .init = tu_setup, .fini = tu_teardown);

static esp_amp_shm_header_t *header(void)
{
    return (esp_amp_shm_header_t *)esp_amp_platform_shm_base();
}

static int s_calls;
static int count_handler(void *arg)
{
    (void)arg;
    s_calls++;
    return 0;
}

/* Run the main core's doorbell handler once (it repairs first). */
static void main_doorbell(void)
{
    tu_main();
    s_calls = 0;
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_5, count_handler, NULL), 0);
    cr_assert_eq(esp_amp_sw_intr_trigger_self(SW_INTR_ID_5), 0);
    tu_sub();
    tu_main();   /* a pending doorbell runs when the core is entered */
    cr_assert_eq(s_calls, 1, "the doorbell handler did not run");
    cr_assert_eq(esp_amp_sw_intr_delete_handler(SW_INTR_ID_5, count_handler), 0);
}

Test(sys_info, alloc_refuses_size_0_and_a_size_that_overflows_when_rounded)
{
    tu_main();
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_sys_info_alloc(ID_A, 0));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    /* 0xfffffffc rounds up to 8 as 0: refused, not a zero-sized block. */
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_sys_info_alloc(ID_A, 0xfffffffcu));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_MEM);
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_sys_info_alloc(ID_A, TU_SHM_SIZE));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_MEM);
    /* Nothing was registered: the id is still free and fits. */
    cr_assert_null(esp_amp_sys_info_get(ID_A, NULL));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND);
    uint32_t size = 0;
    cr_assert_not_null(esp_amp_sys_info_alloc(ID_A, 12));
    cr_assert_not_null(esp_amp_sys_info_get(ID_A, &size));
    cr_assert_eq(size, 16, "12 bytes are rounded up to 8: %u", size);
}

Test(sys_info, alloc_refuses_an_id_twice_and_a_block_past_the_last_slot)
{
    tu_main();
    cr_assert_not_null(esp_amp_sys_info_alloc(ID_A, 8));
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_sys_info_alloc(ID_A, 8));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_EXISTS);
    for (unsigned i = 1; i < ESP_AMP_SYS_INFO_SLOTS; i++) {
        cr_assert_not_null(esp_amp_sys_info_alloc((uint16_t)(0x200 + i), 8),
                           "slot %u", i);
    }
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_sys_info_alloc(0x300, 8));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_MEM);
    tu_sub();
    cr_assert_null(esp_amp_sys_info_get(0x300, NULL));
    cr_assert_not_null(esp_amp_sys_info_get(0x200 + ESP_AMP_SYS_INFO_SLOTS - 1, NULL));
}

Test(sys_info, alloc_on_a_damaged_header_is_refused_until_repaired)
{
    tu_main();
    header()->magic = 0;
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_sys_info_alloc(ID_A, 8));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_INIT);
    main_doorbell();
    cr_assert_eq(header()->magic, ESP_AMP_SHM_MAGIC);
    cr_assert_not_null(esp_amp_sys_info_alloc(ID_A, 8));
}

Test(sys_info, session_number_counts_main_inits_and_skips_0_when_it_wraps)
{
    tu_main();
    uint32_t s = esp_amp_sys_info_session();
    cr_assert_geq(s, 1);
    cr_assert_eq(esp_amp_init(), 0);
    cr_assert_eq(esp_amp_sys_info_session(), s + 1);
    header()->session = 0xffffffffu;
    cr_assert_eq(esp_amp_init(), 0);
    cr_assert_eq(esp_amp_sys_info_session(), 1, "0 means 'no session'");
    tu_sub();
    cr_assert_eq(esp_amp_sys_info_session(), 1);
}

Test(sys_info, an_entry_of_size_0_with_a_matching_check_is_not_found)
{
    tu_main();
    cr_assert_not_null(esp_amp_sys_info_alloc(ID_A, 8));
    esp_amp_shm_sys_info_entry_t *e = &header()->sys_info[0];
    cr_assert_eq(e->id, ID_A);
    e->size = 0;
    e->check = (uint32_t)e->id ^ e->offset ^ e->size ^ ESP_AMP_SHM_MAGIC;
    tu_sub();
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_sys_info_get(ID_A, NULL));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND);
}

/* ---------------------------------------------------------------------- */
/* Repair                                                                  */

/* Damage, run the main core's doorbell, and check the sub core finds the
 * two blocks again, intact, and that the header is as the main wrote it. */
struct damage {
    const char *name;
    void (*apply)(esp_amp_shm_header_t *h);
};

static void d_magic(esp_amp_shm_header_t *h) { h->magic ^= 1u; }
static void d_version(esp_amp_shm_header_t *h) { h->version++; }
static void d_session(esp_amp_shm_header_t *h) { h->session += 7; }
static void d_heap_top(esp_amp_shm_header_t *h) { h->heap_top = 0; }
static void d_entry_check(esp_amp_shm_header_t *h) { h->sys_info[1].check ^= 4; }
static void fix(esp_amp_shm_sys_info_entry_t *e)
{
    e->check = (uint32_t)e->id ^ e->offset ^ e->size ^ ESP_AMP_SHM_MAGIC;
}
static void d_entry_offset(esp_amp_shm_header_t *h)
{
    h->sys_info[1].offset += 64;   /* still a valid-looking entry */
    fix(&h->sys_info[1]);
}
static void d_entry_size(esp_amp_shm_header_t *h)
{
    h->sys_info[1].size += 8;
    fix(&h->sys_info[1]);
}
static void d_entry_state(esp_amp_shm_header_t *h) { h->sys_info[0].state = 0; }
static void d_free_slot(esp_amp_shm_header_t *h)
{
    /* A forged valid entry in a slot the main core never used. */
    esp_amp_shm_sys_info_entry_t *e = &h->sys_info[5];
    e->id = 0x0777;
    e->offset = h->sys_info[0].offset;
    e->size = 8;
    fix(e);
    e->state = ESP_AMP_SYS_INFO_ENTRY_VALID;
}

Test(sys_info, main_core_repairs_each_kind_of_damage_to_header_and_registry)
{
    static const struct damage cases[] = {
        { "magic", d_magic },
        { "version", d_version },
        { "session", d_session },
        { "entry check word", d_entry_check },
        { "entry offset (check forged)", d_entry_offset },
        { "entry size (check forged)", d_entry_size },
        { "entry state", d_entry_state },
        { "forged entry in a free slot", d_free_slot },
    };
    tu_main();
    uint8_t *a = esp_amp_sys_info_alloc(ID_A, 40);
    uint8_t *b = esp_amp_sys_info_alloc(ID_B, 24);
    cr_assert(a != NULL && b != NULL);
    memset(a, 0xaa, 40);
    memset(b, 0xbb, 24);
    static esp_amp_shm_header_t good;
    memcpy(&good, header(), sizeof(good));
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tu_main();
        cases[i].apply(header());
        main_doorbell();
        /* Everything the main core owns is back; the live interrupt words
         * are not part of the comparison. */
        esp_amp_shm_header_t now;
        memcpy(&now, header(), sizeof(now));
        memcpy(now.sw_intr_pending, good.sw_intr_pending, sizeof(now.sw_intr_pending));
        cr_assert(memcmp(&now, &good, sizeof(now)) == 0,
                  "%s: header not restored", cases[i].name);
        tu_sub();
        cr_assert_eq(esp_amp_sys_info_attach(), 0, "%s", cases[i].name);
        uint32_t size = 0;
        uint8_t *sa = esp_amp_sys_info_get(ID_A, &size);
        cr_assert(sa != NULL && size == 40 && sa[39] == 0xaa, "%s: block A", cases[i].name);
        uint8_t *sb = esp_amp_sys_info_get(ID_B, &size);
        cr_assert(sb != NULL && size == 24 && sb[0] == 0xbb, "%s: block B", cases[i].name);
        cr_assert_null(esp_amp_sys_info_get(0x0777, NULL), "%s", cases[i].name);
    }
}

Test(sys_info, the_shared_heap_top_is_informative_only)
{
    /* The main core allocates from its own copy of the heap top: a peer
     * that resets the shared one cannot make two blocks overlap. */
    tu_main();
    uint8_t *a = esp_amp_sys_info_alloc(ID_A, 8);
    cr_assert_not_null(a);
    d_heap_top(header());
    main_doorbell();
    cr_assert_eq(header()->heap_top, 0, "not header damage: left alone");
    uint8_t *b = esp_amp_sys_info_alloc(ID_B, 8);
    cr_assert_not_null(b);
    cr_assert_geq(b, a + ESP_AMP_SHM_LINE);
    cr_assert_eq(header()->heap_top, (uint32_t)(b + ESP_AMP_SHM_LINE - (uint8_t *)header()));
}
