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

/* The registry: `slots` entries right after the 32-byte header. */
static esp_amp_shm_sys_info_entry_t *entry(unsigned i)
{
    return (esp_amp_shm_sys_info_entry_t *)(void *)(header() + 1) + i;
}

static void fix(esp_amp_shm_sys_info_entry_t *e);

/* Bytes of header + registry the main core formats. */
#define REG_BYTES ((uint32_t)sizeof(esp_amp_shm_header_t) + \
                   ESP_AMP_CONFIG_SYS_INFO_SLOTS * (uint32_t)sizeof(esp_amp_shm_sys_info_entry_t))

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

/* Only the main core formats or allocates: the sub core's calls are
 * refused and leave the region as it was. */
Test(sys_info, the_sub_core_can_neither_format_nor_allocate)
{
    tu_main();
    cr_assert_not_null(esp_amp_sys_info_alloc(ID_A, 8));
    const esp_amp_shm_header_t *h = header();
    uint32_t session = h->session;
    tu_sub();
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_sys_info_init(), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_sys_info_alloc(ID_B, 8));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    cr_assert_eq(h->session, session, "the sub core formatted the region");
    cr_assert_not_null(esp_amp_sys_info_get(ID_A, NULL));
    cr_assert_null(esp_amp_sys_info_get(ID_B, NULL));
}

Test(sys_info, alloc_refuses_an_id_twice_and_a_block_past_the_last_slot)
{
    tu_main();
    cr_assert_not_null(esp_amp_sys_info_alloc(ID_A, 8));
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_sys_info_alloc(ID_A, 8));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_EXISTS);
    for (unsigned i = 1; i < ESP_AMP_CONFIG_SYS_INFO_SLOTS; i++) {
        cr_assert_not_null(esp_amp_sys_info_alloc((uint16_t)(0x200 + i), 8),
                           "slot %u", i);
    }
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_sys_info_alloc(0x300, 8));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_MEM);
    tu_sub();
    cr_assert_null(esp_amp_sys_info_get(0x300, NULL));
    cr_assert_not_null(esp_amp_sys_info_get(0x200 + ESP_AMP_CONFIG_SYS_INFO_SLOTS - 1, NULL));
    cr_assert_eq(header()->slots, ESP_AMP_CONFIG_SYS_INFO_SLOTS);
}

/* Format 3: esp_amp_init() formats nothing; the first block does, with a
 * 32-byte header, ESP_AMP_CONFIG_SYS_INFO_SLOTS entries of 16 bytes, and
 * blocks packed after the registry, 8-byte aligned. */
Test(sys_info, the_first_block_formats_the_region_and_blocks_are_packed_after_the_registry)
{
    tu_main();
    cr_assert_eq(header()->magic, 0, "esp_amp_init formatted the region");
    cr_assert_eq(esp_amp_sys_info_session(), 0);
    tu_sub();
    cr_assert_eq(esp_amp_sys_info_attach(), -1);
    tu_main();
    uint8_t *a = esp_amp_sys_info_alloc(ID_A, 12);
    uint8_t *b = esp_amp_sys_info_alloc(ID_B, 8);
    cr_assert(a != NULL && b != NULL);
    cr_assert_eq(header()->magic, ESP_AMP_SHM_MAGIC);
    cr_assert_eq(header()->version, ESP_AMP_SHM_VERSION);
    cr_assert_eq(header()->version, 3);
    cr_assert_eq(header()->slots, ESP_AMP_CONFIG_SYS_INFO_SLOTS);
    cr_assert_eq(header()->region_size, TU_SHM_SIZE);
    cr_assert_eq(header()->reserved[0], 0);
    cr_assert_eq(header()->reserved[1], 0);
    cr_assert_eq(a, (uint8_t *)header() + REG_BYTES, "the first block follows the registry");
    cr_assert_eq(b, a + 16, "12 bytes round to 16, the next block follows at once");
    cr_assert_eq(entry(0)->id, ID_A);
    cr_assert_eq(entry(0)->state, ESP_AMP_SYS_INFO_ENTRY_VALID);
    cr_assert_eq(entry(0)->offset, REG_BYTES);
    cr_assert_eq(entry(0)->size, 16);
    cr_assert_eq(entry(0)->check, ID_A ^ REG_BYTES ^ 16u ^ ESP_AMP_SHM_MAGIC);
    cr_assert_eq(entry(1)->offset, REG_BYTES + 16);
    for (unsigned i = 2; i < ESP_AMP_CONFIG_SYS_INFO_SLOTS; i++) {
        cr_assert_eq(entry(i)->state, 0, "slot %u", i);
    }
    tu_sub();
    cr_assert_eq(esp_amp_sys_info_attach(), 0);
    uint32_t size = 0;
    cr_assert_eq(esp_amp_sys_info_get(ID_B, &size), (uint8_t *)header() + REG_BYTES + 16);
    cr_assert_eq(size, 8);
}

/* An allocation on a damaged header first repairs it (the main core's
 * shadow decides), then allocates: the sub core that could not attach in
 * between finds every block. (Format 2 refused the allocation until the
 * doorbell repaired the header; the allocation now repairs itself.) */
Test(sys_info, alloc_on_a_damaged_header_repairs_it_first)
{
    tu_main();
    cr_assert_not_null(esp_amp_sys_info_alloc(ID_A, 8));
    header()->magic = 0;
    tu_sub();
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_sys_info_attach(), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_INIT);
    cr_assert_null(esp_amp_sys_info_get(ID_A, NULL));
    tu_main();
    cr_assert_not_null(esp_amp_sys_info_alloc(ID_B, 8));
    cr_assert_eq(header()->magic, ESP_AMP_SHM_MAGIC);
    tu_sub();
    cr_assert_eq(esp_amp_sys_info_attach(), 0);
    cr_assert_not_null(esp_amp_sys_info_get(ID_A, NULL));
    cr_assert_not_null(esp_amp_sys_info_get(ID_B, NULL));
}

/* The doorbell handler repairs a damaged header too. */
Test(sys_info, a_damaged_magic_is_repaired_by_the_doorbell)
{
    tu_main();
    cr_assert_not_null(esp_amp_sys_info_alloc(ID_A, 8));
    header()->magic = 0;
    main_doorbell();
    cr_assert_eq(header()->magic, ESP_AMP_SHM_MAGIC);
    tu_sub();
    cr_assert_not_null(esp_amp_sys_info_get(ID_A, NULL));
}

/* A main core that has formatted nothing repairs nothing: its doorbell
 * leaves a region it never wrote alone. */
Test(sys_info, a_main_core_without_blocks_does_not_touch_the_region)
{
    tu_main();
    header()->magic = 0x12345678u;
    header()->session = 99;
    main_doorbell();
    cr_assert_eq(header()->magic, 0x12345678u);
    cr_assert_eq(header()->session, 99);
}

/* The session moves when the main core formats (its first block, or
 * esp_amp_sys_info_init), not at esp_amp_init. */
Test(sys_info, session_number_counts_main_inits_and_skips_0_when_it_wraps)
{
    tu_main();
    cr_assert_not_null(esp_amp_sys_info_alloc(ID_A, 8));
    uint32_t s = esp_amp_sys_info_session();
    cr_assert_geq(s, 1);
    cr_assert_eq(esp_amp_init(), 0);
    cr_assert_eq(esp_amp_sys_info_session(), s, "esp_amp_init formats nothing");
    cr_assert_not_null(esp_amp_sys_info_alloc(ID_A, 8), "a new session: the id is free");
    cr_assert_eq(esp_amp_sys_info_session(), s + 1);
    cr_assert_eq(esp_amp_init(), 0);
    cr_assert_eq(esp_amp_sys_info_init(), 0);
    cr_assert_eq(esp_amp_sys_info_session(), s + 2);
    cr_assert_null(esp_amp_sys_info_get(ID_A, NULL), "a new session has no blocks");
    header()->session = 0xffffffffu;
    cr_assert_eq(esp_amp_init(), 0);
    cr_assert_eq(esp_amp_sys_info_init(), 0);
    cr_assert_eq(esp_amp_sys_info_session(), 1, "0 means 'no session'");
    tu_sub();
    cr_assert_eq(esp_amp_sys_info_session(), 1);
}

Test(sys_info, an_entry_of_size_0_with_a_matching_check_is_not_found)
{
    tu_main();
    cr_assert_not_null(esp_amp_sys_info_alloc(ID_A, 8));
    esp_amp_shm_sys_info_entry_t *e = entry(0);
    cr_assert_eq(e->id, ID_A);
    e->size = 0;
    e->check = (uint32_t)e->id ^ e->offset ^ e->size ^ ESP_AMP_SHM_MAGIC;
    tu_sub();
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_sys_info_get(ID_A, NULL));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND);
}

/* The lookup behind esp_amp_sys_info_get, _attach and _session (declared
 * in src/esp_amp_priv.h): the sub core's first look takes a block and the
 * session of the header it was found in with one header check. It records
 * no error; without `block` it checks the header only. */
esp_amp_err_t esp_amp_sys_info_find(uint16_t info_id, void **block,
                                    uint32_t *size, uint32_t *session);

Test(sys_info, find_returns_the_block_with_the_session_of_its_header)
{
    tu_main();
    cr_assert_not_null(esp_amp_sys_info_alloc(ID_A, 8));
    cr_assert_eq(esp_amp_sys_info_init(), 0);      /* a second session */
    cr_assert_not_null(esp_amp_sys_info_alloc(ID_A, 12));
    tu_sub();
    const uint32_t now = header()->session;
    cr_assert_geq(now, 2);
    esp_amp_clear_last_error();
    void *block = NULL;
    uint32_t size = 0, session = 0;
    cr_assert_eq(esp_amp_sys_info_find(ID_A, &block, &size, &session), ESP_AMP_OK);
    cr_assert_eq(block, (uint8_t *)header() + REG_BYTES);
    cr_assert_eq(size, 16);
    cr_assert_eq(session, now);
    session = 0;
    cr_assert_eq(esp_amp_sys_info_find(ID_A, NULL, NULL, &session), ESP_AMP_OK,
                 "the header only");
    cr_assert_eq(session, now);
    session = 0;
    cr_assert_eq(esp_amp_sys_info_find(ID_B, &block, &size, &session),
                 ESP_AMP_ERR_NOT_FOUND);
    cr_assert_eq(session, now, "the header was complete");
    tu_main();
    header()->magic ^= 1u;
    tu_sub();
    cr_assert_eq(esp_amp_sys_info_find(ID_A, &block, &size, &session),
                 ESP_AMP_ERR_NOT_INIT);
    cr_assert_eq(esp_amp_sys_info_find(ID_A, NULL, NULL, &session),
                 ESP_AMP_ERR_NOT_INIT);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_OK, "find recorded an error");
}

/* ---------------------------------------------------------------------- */
/* The sub core's view: what it accepts, what it refuses                   */

/* A header the sub core cannot trust is no header: attach and every lookup
 * fail with NOT_INIT (the main core does not run in between: no repair). */
Test(sys_info, the_sub_core_refuses_a_header_it_cannot_trust)
{
    static const struct {
        const char *what;
        unsigned word;      /* 32-bit word of the header */
        uint32_t xor;       /* flipped bits */
    } cases[] = {
        { "magic", 0, 0x00010000u },
        { "version 2", 1, 3u ^ 2u },
        { "version 4", 1, 3u ^ 4u },
        { "slots 0", 1, (uint32_t)ESP_AMP_CONFIG_SYS_INFO_SLOTS << 16 },
        { "slots past ESP_AMP_FMT_SYS_INFO_SLOTS_MAX",
          1, ((uint32_t)ESP_AMP_CONFIG_SYS_INFO_SLOTS ^ (ESP_AMP_FMT_SYS_INFO_SLOTS_MAX + 1u)) << 16 },
        { "region size", 2, 8 },
    };
    tu_main();
    cr_assert_not_null(esp_amp_sys_info_alloc(ID_A, 8));
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t *w = (uint32_t *)(void *)header() + cases[i].word;
        *w ^= cases[i].xor;
        tu_sub();
        esp_amp_clear_last_error();
        cr_assert_eq(esp_amp_sys_info_attach(), -1, "%s", cases[i].what);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_INIT, "%s", cases[i].what);
        cr_assert_eq(esp_amp_sys_info_session(), 0, "%s", cases[i].what);
        esp_amp_clear_last_error();
        cr_assert_null(esp_amp_sys_info_get(ID_A, NULL), "%s", cases[i].what);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_INIT, "%s", cases[i].what);
        tu_main();
        *w ^= cases[i].xor;
        tu_sub();
        cr_assert_not_null(esp_amp_sys_info_get(ID_A, NULL), "%s: restored", cases[i].what);
        tu_main();
    }
}

/* The sub core takes the slot count from the header (a main core may be
 * built with another ESP_AMP_CONFIG_SYS_INFO_SLOTS): it reads that many
 * entries, and accepts only blocks past that registry. (In this region of
 * 1 MiB all 64 slots fit; a registry larger than the region is refused in
 * test_platform_edge, slots_past_the_region.) */
Test(sys_info, the_sub_core_reads_as_many_entries_as_the_header_announces)
{
    tu_main();
    /* Block A spans what would be entries 6..63 of a 64-slot registry. */
    uint8_t *a = esp_amp_sys_info_alloc(ID_A, 1024);
    uint8_t *b = esp_amp_sys_info_alloc(ID_B, 8);
    cr_assert(a != NULL && b != NULL);
    cr_assert_eq(a, (uint8_t *)header() + REG_BYTES);
    size_t b_off = (size_t)(b - (uint8_t *)header());
    const uint32_t big = sizeof(esp_amp_shm_header_t) +
                         ESP_AMP_FMT_SYS_INFO_SLOTS_MAX * sizeof(esp_amp_shm_sys_info_entry_t);
    cr_assert_geq(b_off, big);

    /* 64 slots: A now lies inside the registry and is refused; B is past
     * it and found; a valid entry in slot 63 is found too. */
    header()->slots = ESP_AMP_FMT_SYS_INFO_SLOTS_MAX;
    esp_amp_shm_sys_info_entry_t *e = entry(ESP_AMP_FMT_SYS_INFO_SLOTS_MAX - 1);
    e->id = 0x0777;
    e->offset = (uint32_t)b_off;
    e->size = 8;
    fix(e);
    e->state = ESP_AMP_SYS_INFO_ENTRY_VALID;
    tu_sub();
    cr_assert_eq(esp_amp_sys_info_attach(), 0);
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_sys_info_get(ID_A, NULL), "a block inside the registry");
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND);
    cr_assert_eq(esp_amp_sys_info_get(ID_B, NULL), (uint8_t *)header() + b_off);
    cr_assert_eq(esp_amp_sys_info_get(0x0777, NULL), (uint8_t *)header() + b_off);

    /* 1 slot: only entry 0 (A) is read; B's entry (slot 1) is not. */
    tu_main();
    memset(e, 0, sizeof(*e));
    header()->slots = 1;
    tu_sub();
    cr_assert_eq(esp_amp_sys_info_attach(), 0);
    cr_assert_not_null(esp_amp_sys_info_get(ID_A, NULL));
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_sys_info_get(ID_B, NULL), "an entry past the announced slots");
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND);
}

/* An entry is used only if it is whole and its block lies in the region,
 * past the registry, 8-aligned: a forged entry (check word recomputed)
 * that breaks any of these is not found; a wrong check word is not either. */
static void forge(esp_amp_shm_sys_info_entry_t *e, uint32_t off, uint32_t size)
{
    e->offset = off;
    e->size = size;
    e->check = (uint32_t)e->id ^ off ^ size ^ ESP_AMP_SHM_MAGIC;
}

Test(sys_info, the_sub_core_refuses_an_entry_that_is_not_whole_or_leaves_the_region)
{
    tu_main();
    cr_assert_not_null(esp_amp_sys_info_alloc(ID_A, 16));
    esp_amp_shm_sys_info_entry_t *e = entry(0);
    const esp_amp_shm_sys_info_entry_t good = *e;
    const uint32_t region = TU_SHM_SIZE;
    struct { const char *what; uint32_t off, size; bool bad_check; } cases[] = {
        { "check word", good.offset, good.size, true },
        { "offset inside the registry", REG_BYTES - 8, 16, false },
        { "offset in the header", 0, 16, false },
        { "offset not 8-aligned", good.offset + 4, 8, false },
        { "offset at the region's end", region, 8, false },
        { "offset past the region", region + 64, 8, false },
        { "block past the region's end", region - 8, 16, false },
        { "block of 4 GiB - 8", good.offset, 0xfffffff8u, false },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tu_main();
        if (cases[i].bad_check) {
            e->check ^= 0x100;
        } else {
            forge(e, cases[i].off, cases[i].size);
        }
        tu_sub();
        esp_amp_clear_last_error();
        cr_assert_null(esp_amp_sys_info_get(ID_A, NULL), "%s", cases[i].what);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND, "%s", cases[i].what);
        tu_main();
        *e = good;
        tu_sub();
        cr_assert_not_null(esp_amp_sys_info_get(ID_A, NULL), "%s: restored", cases[i].what);
    }
    /* The last byte of the region is a valid block end. */
    tu_main();
    forge(e, region - 16, 16);
    tu_sub();
    uint32_t size = 0;
    cr_assert_eq(esp_amp_sys_info_get(ID_A, &size), (uint8_t *)header() + region - 16);
    cr_assert_eq(size, 16);
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
static void d_slots_more(esp_amp_shm_header_t *h) { h->slots++; }
static void d_slots_0(esp_amp_shm_header_t *h) { h->slots = 0; }
static void d_region_size(esp_amp_shm_header_t *h) { h->region_size -= 8; }
static void d_reserved(esp_amp_shm_header_t *h) { h->reserved[1] = 0xdeadbeefu; }
static esp_amp_shm_sys_info_entry_t *reg(esp_amp_shm_header_t *h, unsigned i)
{
    return (esp_amp_shm_sys_info_entry_t *)(void *)(h + 1) + i;
}
static void d_entry_check(esp_amp_shm_header_t *h) { reg(h, 1)->check ^= 4; }
static void fix(esp_amp_shm_sys_info_entry_t *e)
{
    e->check = (uint32_t)e->id ^ e->offset ^ e->size ^ ESP_AMP_SHM_MAGIC;
}
static void d_entry_offset(esp_amp_shm_header_t *h)
{
    reg(h, 1)->offset += 64;   /* still a valid-looking entry */
    fix(reg(h, 1));
}
static void d_entry_size(esp_amp_shm_header_t *h)
{
    reg(h, 1)->size += 8;
    fix(reg(h, 1));
}
static void d_entry_state(esp_amp_shm_header_t *h) { reg(h, 0)->state = 0; }
static void d_entry_id(esp_amp_shm_header_t *h)
{
    reg(h, 1)->id = 0x0777;     /* block B under another id, check forged */
    fix(reg(h, 1));
}
static void d_free_slot(esp_amp_shm_header_t *h)
{
    /* A forged valid entry in a slot the main core never used. */
    esp_amp_shm_sys_info_entry_t *e = reg(h, ESP_AMP_CONFIG_SYS_INFO_SLOTS - 1);
    e->id = 0x0777;
    e->offset = reg(h, 0)->offset;
    e->size = 8;
    fix(e);
    e->state = ESP_AMP_SYS_INFO_ENTRY_VALID;
}

Test(sys_info, main_core_repairs_each_kind_of_damage_to_header_and_registry)
{
    static const struct damage cases[] = {
        { "magic", d_magic },
        { "version", d_version },
        { "slots + 1", d_slots_more },
        { "slots 0", d_slots_0 },
        { "region size", d_region_size },
        { "reserved word", d_reserved },
        { "session", d_session },
        { "entry check word", d_entry_check },
        { "entry offset (check forged)", d_entry_offset },
        { "entry size (check forged)", d_entry_size },
        { "entry state", d_entry_state },
        { "entry id (check forged)", d_entry_id },
        { "forged entry in a free slot", d_free_slot },
    };
    tu_main();
    uint8_t *a = esp_amp_sys_info_alloc(ID_A, 40);
    uint8_t *b = esp_amp_sys_info_alloc(ID_B, 24);
    cr_assert(a != NULL && b != NULL);
    memset(a, 0xaa, 40);
    memset(b, 0xbb, 24);
    /* Header and registry as the main core wrote them. */
    static uint8_t good[REG_BYTES];
    memcpy(good, header(), sizeof(good));
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tu_main();
        /* A live interrupt bit of the sub core: the repair leaves it. */
        header()->sw_intr_pending[1] = 0x40000000u;
        cases[i].apply(header());
        main_doorbell();
        cr_assert_eq(header()->sw_intr_pending[1], 0x40000000u,
                     "%s: the repair wrote a pending word", cases[i].name);
        header()->sw_intr_pending[1] = 0;
        /* Everything the main core owns is back (header and every registry
         * entry); the live interrupt words are not part of it. */
        static uint8_t now[REG_BYTES];
        memcpy(now, header(), sizeof(now));
        memcpy(now + offsetof(esp_amp_shm_header_t, sw_intr_pending),
               good + offsetof(esp_amp_shm_header_t, sw_intr_pending),
               sizeof(header()->sw_intr_pending));
        cr_assert(memcmp(now, good, sizeof(now)) == 0,
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

/* Format 2 kept a copy of the heap top in the header that the main core
 * never trusted. Format 3 has none: the main core's allocator uses only its
 * own top. The nearest real case: a peer that rewrites the registry so that
 * the last block looks smaller (or elsewhere) cannot make the next block
 * overlap it. */
Test(sys_info, a_damaged_registry_cannot_make_blocks_overlap)
{
    tu_main();
    uint8_t *a = esp_amp_sys_info_alloc(ID_A, 40);
    cr_assert_not_null(a);
    esp_amp_shm_sys_info_entry_t *e = entry(0);
    e->size = 8;                /* a shorter block, check forged */
    fix(e);
    e = entry(1);               /* and a forged entry that ends the heap early */
    e->id = 0x0777;
    e->offset = REG_BYTES;
    e->size = 8;
    fix(e);
    e->state = ESP_AMP_SYS_INFO_ENTRY_VALID;
    uint8_t *b = esp_amp_sys_info_alloc(ID_B, 8);
    cr_assert_not_null(b);
    cr_assert_eq(b, a + 40, "the next block follows the real end of the last one");
    size_t a_off = (size_t)(a - (uint8_t *)header());
    cr_assert_eq(entry(0)->size, 40, "the registry was repaired");
    cr_assert_eq(entry(1)->id, ID_B);
    tu_sub();
    uint32_t size = 0;
    cr_assert_eq(esp_amp_sys_info_get(ID_A, &size), (uint8_t *)header() + a_off);
    cr_assert_eq(size, 40);
    cr_assert_null(esp_amp_sys_info_get(0x0777, NULL));
}
