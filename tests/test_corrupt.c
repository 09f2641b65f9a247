/*
 * test_corrupt.c - the peer writes a bad value into one shared field at a
 * time; the library refuses it with the documented error and counter
 * (docs/layout.md, "Validation") and nothing else changes: the ring stays
 * stopped where the design says so, or the next valid message flows.
 * Also the local-misuse cases of the API: -1/NULL, a reason, a counter, no
 * change.
 *
 * Both cores are driven from the test's thread (tu_main / tu_sub). The test
 * plays the misbehaving peer by writing straight into the region.
 *
 * Suite "regress" keeps the library bugs the fuzzers and this file found
 * (fuzz/README.md, "Findings"), each test stating what the design promises.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "test_util.h"

/* True when `p` is the start of a buffer of q that this core holds. */
static bool queue_owns(const esp_amp_queue_t *q, const void *p)
{
    uintptr_t rel = (uintptr_t)p - (uintptr_t)q->buf;
    uintptr_t i = rel / q->max_item_size;
    return i <= q->mask && i * q->max_item_size == rel &&
           ((q->held[i / 32] >> (i % 32)) & 1u);
}

#define EPT_M 0x10
#define EPT_S 0x20
#define PAIR2_ID 0x0102
#define USER_ID 0x0101
#define LEN 4
#define ITEM 32

/* Format version 3 (include/esp_amp_shm.h), written out here so that the
 * test checks the layout instead of taking it from the library. */
#define REGION_HDR 32u                 /* region header                   */
#define ENTRY 16u                      /* one registry entry              */
#define SLOTS ESP_AMP_CONFIG_SYS_INFO_SLOTS
#define FIRST_BLOCK (REGION_HDR + ENTRY * SLOTS) /* 128 at 6 slots        */
#define PAIR_HDR 32u                   /* pair block header               */
#define INDEX_MAX 0x3fffu              /* largest index a descriptor holds */

/* The device's stuck bits, dev->flags (src/esp_amp_rpmsg_priv.h): the slot
 * at head of that ring was refused (counted once). */
#define DEV_STUCK_TX 0x04u
#define DEV_STUCK_RX 0x08u

static esp_amp_queue_t *txq(esp_amp_rpmsg_dev_t *dev)
{
    return &dev->vq[0];
}
static esp_amp_queue_t *rxq(esp_amp_rpmsg_dev_t *dev)
{
    return &dev->vq[1];
}

/* ---------------------------------------------------------------------- */
/* Fixture: a polling pair (4 x 32) with one endpoint per core.            */

static struct {
    tu_pair_t p;
    esp_amp_rpmsg_ept_t me, se;
    tu_log_t mlog, slog;
    uint8_t *mshm, *sshm;          /* each core's mapping of the region */
    esp_amp_shm_header_t *h;       /* the header, through main's mapping */
    esp_amp_shm_vq_pair_t *pair;   /* the default pair, main's mapping */
    uint32_t pair_off;
    uint32_t len, item;            /* the default pair's geometry */
} T;

/* Registry entry i, through main's mapping (they follow the header). */
static esp_amp_shm_sys_info_entry_t *entry_at(unsigned i)
{
    return (esp_amp_shm_sys_info_entry_t *)(void *)(T.h + 1) + i;
}

/* Descriptor `slot` of ring `ring` (0: main -> sub, 1: sub -> main): one
 * word, {flags bits 0-1, index bits 2-15, len bits 16-31}. */
static esp_amp_queue_desc_t *desc(int ring, unsigned slot)
{
    return (esp_amp_queue_desc_t *)(void *)(T.mshm + T.pair_off + PAIR_HDR) +
           (unsigned)ring * T.len + slot % T.len;
}

static void desc_set_index(esp_amp_queue_desc_t *d, uint32_t index)
{
    *d = (*d & ~(INDEX_MAX << 2)) | ((index & INDEX_MAX) << 2);
}
static void desc_set_len(esp_amp_queue_desc_t *d, uint32_t len)
{
    *d = (*d & 0xffffu) | (len << 16);
}

/* Region offset of buffer i of ring `ring`: ring 0's buffers follow both
 * rings' descriptors, ring 1's follow ring 0's. */
static uint32_t buf_off(int ring, unsigned i)
{
    return T.pair_off + PAIR_HDR + 8u * T.len +
           (uint32_t)ring * T.len * T.item + i * T.item;
}

static void up(tu_cfg_t cfg, bool sub_destroys)
{
    memset(&T, 0, sizeof(T));
    tu_pair_up(&T.p, cfg);
    tu_main();
    T.mshm = esp_amp_platform_shm_base();
    T.h = (esp_amp_shm_header_t *)(void *)T.mshm;
    T.pair = T.p.main.pair;
    T.pair_off = (uint32_t)((uint8_t *)T.pair - T.mshm);
    T.len = cfg.queue_len;
    T.item = cfg.item_size;
    tu_log_init(&T.mlog, &T.p.main);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&T.p.main, EPT_M, tu_log_cb,
                                               &T.mlog, &T.me), &T.me);
    tu_sub();
    T.sshm = esp_amp_platform_shm_base();
    tu_log_init(&T.slog, sub_destroys ? &T.p.sub : NULL);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&T.p.sub, EPT_S, tu_log_cb,
                                               &T.slog, &T.se), &T.se);
    tu_main();
    /* The layout of format 3: the first block right after the registry,
     * both rings bound where the format puts them, on both cores. */
    cr_assert_eq(T.h->version, ESP_AMP_SHM_VERSION);
    cr_assert_eq(T.h->slots, SLOTS);
    cr_assert_eq(T.pair_off, FIRST_BLOCK, "first block at %u", T.pair_off);
    uint32_t size = 0;
    cr_assert_not_null(esp_amp_sys_info_get(SYS_INFO_RESERVED_ID_VQUEUE, &size));
    cr_assert_eq(size, PAIR_HDR + T.len * (8u + 2u * T.item));
    cr_assert_eq(size, esp_amp_queue_pair_size((uint16_t)T.len, (uint16_t)T.item));
    cr_assert_eq((void *)txq(&T.p.main)->desc, (void *)desc(0, 0));
    cr_assert_eq((void *)rxq(&T.p.main)->desc, (void *)desc(1, 0));
    cr_assert_eq(txq(&T.p.main)->buf, T.mshm + buf_off(0, 0));
    cr_assert_eq(rxq(&T.p.main)->buf, T.mshm + buf_off(1, 0));
    cr_assert_eq(txq(&T.p.sub)->buf, T.sshm + buf_off(1, 0));
    cr_assert_eq(rxq(&T.p.sub)->buf, T.sshm + buf_off(0, 0));
    cr_assert_eq(buf_off(1, T.len), T.pair_off + size, "buffers end the block");
    for (unsigned r = 0; r < 2; r++) {
        for (unsigned i = 0; i < T.len; i++) {
            /* formatted {0, i, 0}; the sub's first join formats them again */
            cr_assert_eq(*desc((int)r, i), ESP_AMP_DESC(0, i, 0),
                         "ring %u slot %u: %#x", r, i, *desc((int)r, i));
        }
    }
}

static void up_poll(void)
{
    up(TU_POLL(LEN, ITEM), true);
}

static esp_amp_rpmsg_head_t *head_at(uint32_t off)
{
    return (esp_amp_rpmsg_head_t *)(void *)(T.mshm + off);
}

static void main_send(const char *s)
{
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&T.p.main, &T.me, EPT_S, (void *)s,
                                    (uint16_t)strlen(s)), 0, "main send: %s",
                 esp_amp_err_name(esp_amp_get_last_error()));
}

/* Two stats equal but for `field`, which grew by `delta`. */
static void stats_moved(esp_amp_rpmsg_stats_t before, esp_amp_rpmsg_stats_t after,
                        size_t field, uint32_t delta, const char *what)
{
    if (field != SIZE_MAX) {
        *(uint32_t *)(void *)((uint8_t *)&before + field) += delta;
    }
    cr_assert(memcmp(&before, &after, sizeof(after)) == 0,
              "%s: counters other than the expected one moved "
              "(tx %u rx %u no_ept %u bad_hdr %u rx_corrupt %u tx_corrupt %u "
              "no_buf %u too_big %u bad_ptr %u notifies %u resets %u down %u)",
              what, after.tx_msgs, after.rx_msgs, after.rx_no_ept,
              after.rx_bad_header, after.rx_corrupt, after.tx_corrupt,
              after.tx_no_buf,
              after.tx_too_big, after.bad_ptr, after.notifies,
              after.link_resets, after.link_down);
}

#define ST(f) offsetof(esp_amp_rpmsg_stats_t, f)

/* Both directions still carry a message (through fresh endpoints). */
static void link_works(void)
{
    tu_check_link(&T.p.main, true, &T.p.sub, true);
}

/* ---------------------------------------------------------------------- */
/* 1. Region header                                                        */

TestSuite(header, .init = tu_setup, .fini = tu_teardown);

struct hdr_case {
    const char *name;
    size_t off;
    unsigned size;
    uint32_t value;
};

Test(header, each_bad_header_field_is_refused_by_attach_and_new_devices)
{
    up_poll();
    uint32_t region = T.h->region_size;
    const struct hdr_case cases[] = {
        { "magic 0", 0, 4, 0 },
        { "magic ^ 1", 0, 4, ESP_AMP_SHM_MAGIC ^ 1u },
        { "version 0", 4, 2, 0 },
        { "version 1", 4, 2, 1 },
        { "version 2 (the previous format)", 4, 2, 2 },
        { "version 4 (a later format)", 4, 2, 4 },
        { "version 0xffff", 4, 2, 0xffff },
        /* Format 2 had header_size (768) here; format 3 has the number of
         * registry entries, which the sub core takes if it is 1..64. */
        { "slots 0 (no registry)", 6, 2, 0 },
        { "slots 65 (past ESP_AMP_FMT_SYS_INFO_SLOTS_MAX)", 6, 2,
          ESP_AMP_FMT_SYS_INFO_SLOTS_MAX + 1 },
        { "slots 768 (format 2's header_size)", 6, 2, 768 },
        { "slots 0xffff", 6, 2, 0xffff },
        { "version and slots word 0", 4, 4, 0 },
        { "version and slots word swapped", 4, 4,
          (uint32_t)ESP_AMP_SHM_VERSION << 16 | SLOTS },
        { "region_size - 1", 8, 4, region - 1 },
        { "region_size + 4096", 8, 4, region + 4096 },
        { "region_size 0", 8, 4, 0 },
    };
    /* Not reachable here: a registry that does not fit the region
     * (32 + 16 * slots > region_size) - 64 entries take 1056 bytes and the
     * simulator's region is at least a page. */
    cr_assert_geq(region, REGION_HDR + ENTRY * ESP_AMP_FMT_SYS_INFO_SLOTS_MAX);
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct hdr_case *c = &cases[i];
        uint8_t saved[4];
        memcpy(saved, T.mshm + c->off, 4);
        if (c->size == 4) {
            uint32_t v = c->value;
            memcpy(T.mshm + c->off, &v, 4);
        } else {
            uint16_t v = (uint16_t)c->value;
            memcpy(T.mshm + c->off, &v, 2);
        }
        tu_sub();
        esp_amp_clear_last_error();
        cr_assert_eq(esp_amp_sys_info_attach(), -1, "%s: attach", c->name);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_INIT, "%s",
                     c->name);
        cr_assert_null(esp_amp_sys_info_get(SYS_INFO_RESERVED_ID_VQUEUE, NULL),
                       "%s: lookup", c->name);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_INIT);
        cr_assert_eq(esp_amp_sys_info_session(), 0, "%s: session", c->name);
        static esp_amp_rpmsg_dev_t d;
        static esp_amp_queue_t vq[2];
        memset(&d, 0xa5, sizeof(d));
        esp_amp_rpmsg_dev_t copy = d;
        cr_assert_eq(esp_amp_rpmsg_sub_init_by_id(&d, vq, false, true,
                                                  SYS_INFO_RESERVED_ID_VQUEUE),
                     -1, "%s: sub_init", c->name);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_INIT);
        cr_assert(memcmp(&d, &copy, sizeof(d)) == 0,
                  "%s: failed sub_init changed the device", c->name);
        /* A device bound before keeps working: the header is checked when
         * a device binds (the session number is what it watches). */
        link_works();
        memcpy(T.mshm + c->off, saved, 4);
        tu_sub();
        cr_assert_eq(esp_amp_sys_info_attach(), 0, "%s: restored", c->name);
    }
}

/* The session word is the restart signal: the sub drops what it held, goes
 * DOWN and rejoins; the main resets both rings when it answers. */
static int s_link_log[8];
static int s_link_n;
static void link_log_cb(esp_amp_rpmsg_dev_t *dev, esp_amp_link_state_t st,
                        void *arg)
{
    (void)dev;
    (void)arg;
    if (s_link_n < 8) {
        s_link_log[s_link_n++] = (int)st;
    }
}

Test(header, session_word_change_makes_the_sub_rejoin_and_the_main_reset)
{
    up(TU_POLL(LEN, ITEM), false);
    main_send("old");                        /* in flight, will be dropped */
    main_send("held");
    tu_sub();
    cr_assert_eq(tu_drain(&T.p.sub), 2);
    void *held = T.slog.msg[0].ptr;          /* the sub app holds both */
    s_link_n = 0;
    cr_assert_eq(esp_amp_rpmsg_set_link_callback(&T.p.sub, link_log_cb, NULL), 0);
    main_send("lost");

    T.h->session++;                          /* the peer "restarted" */
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub), ESP_AMP_LINK_JOINING);
    esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.sub);
    cr_assert_eq(s_link_n, 2);
    cr_assert_eq(s_link_log[0], ESP_AMP_LINK_DOWN);
    cr_assert_eq(s_link_log[1], ESP_AMP_LINK_JOINING);
    cr_assert_eq(T.pair->ctl[0].join, 2, "rejoin request %u", T.pair->ctl[0].join);
    /* JOINING: nothing moves, every call says LINK_DOWN. */
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_send(&T.p.sub, &T.se, EPT_M, "x", 1), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_LINK_DOWN);
    cr_assert_eq(esp_amp_rpmsg_poll(&T.p.sub), -1);
    cr_assert_eq(esp_amp_rpmsg_destroy(&T.p.sub, held), -1);
    stats_moved(s0, tu_stats(&T.p.sub), ST(link_down), 3, "sub joining");

    /* The main answers on its next call: rings reset, "lost" dropped. */
    tu_main();
    esp_amp_rpmsg_stats_t m0 = tu_stats(&T.p.main);
    cr_assert_eq(esp_amp_rpmsg_poll(&T.p.main), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_EMPTY);
    stats_moved(m0, tu_stats(&T.p.main), ST(link_resets), 1, "main answer");
    cr_assert_eq(T.pair->ctl[1].join, 2);
    cr_assert_eq(tu_fill(&T.p.main), LEN, "main tx buffers after the reset");

    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub), ESP_AMP_LINK_UP);
    cr_assert_eq(s_link_log[2], ESP_AMP_LINK_UP);
    int before = T.slog.count;
    cr_assert_eq(tu_drain(&T.p.sub), 0, "a message of the old session came");
    cr_assert_eq(T.slog.count, before);
    /* Old pointers are refused; the sub's tx ring is whole again. */
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_destroy(&T.p.sub, held), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_OWNED);
    cr_assert_eq(tu_fill(&T.p.sub), LEN);
}

/* ---------------------------------------------------------------------- */
/* 2. Registry entries                                                     */

TestSuite(registry, .init = tu_setup, .fini = tu_teardown);

static esp_amp_shm_sys_info_entry_t *entry_of(uint16_t id)
{
    for (unsigned i = 0; i < SLOTS; i++) {
        if (entry_at(i)->id == id &&
            entry_at(i)->state == ESP_AMP_SYS_INFO_ENTRY_VALID) {
            return entry_at(i);
        }
    }
    return NULL;
}

static void fix_check(esp_amp_shm_sys_info_entry_t *e)
{
    e->check = (uint32_t)e->id ^ e->offset ^ e->size ^ ESP_AMP_SHM_MAGIC;
}

/* Both cores: `id` is not found, and the other blocks still are. */
static void lookup_refused(uint16_t id, const char *what)
{
    for (int core = 0; core < 2; core++) {
        core == 0 ? tu_main() : tu_sub();
        esp_amp_clear_last_error();
        cr_assert_null(esp_amp_sys_info_get(id, NULL), "%s: core %d found it",
                       what, core);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND, "%s: %s",
                     what, esp_amp_err_name(esp_amp_get_last_error()));
        cr_assert_not_null(esp_amp_sys_info_get(SYS_INFO_RESERVED_ID_VQUEUE,
                                                NULL),
                           "%s: the pair's entry was affected", what);
    }
}

struct entry_case {
    const char *name;
    int field;          /* 0 id, 1 state, 2 offset, 3 size, 4 check,
                           5 size = region end - offset + value */
    uint32_t value;     /* absolute, or relative if `rel` */
    bool rel;
    bool recheck;       /* the peer also writes a matching check word */
};

Test(registry, each_bad_entry_field_hides_the_entry_and_nothing_else)
{
    up_poll();
    tu_main();
    uint8_t *blk = esp_amp_sys_info_alloc(USER_ID, 40);
    cr_assert_not_null(blk);
    memset(blk, 0x5c, 40);
    esp_amp_shm_sys_info_entry_t *e = entry_of(USER_ID);
    cr_assert_not_null(e);
    uint32_t region = T.h->region_size;
    const struct entry_case cases[] = {
        { "id + 1", 0, 1, true, false },
        { "state 0", 1, 0, false, false },
        { "state 0x5a16", 1, 0x5a16, false, false },
        { "state 0xffff", 1, 0xffff, false, false },
        { "offset 0", 2, 0, false, true },
        { "offset 16 (in the header)", 2, 16, false, true },
        { "offset 32 (the registry)", 2, REGION_HDR, false, true },
        { "offset 120 (the last registry entry)", 2, FIRST_BLOCK - 8, false, true },
        { "offset 127 (in the registry, not 8-aligned)", 2, FIRST_BLOCK - 1, false,
          true },
        { "offset + 4 (not 8-aligned)", 2, 4, true, true },
        { "offset + 1 (not 8-aligned)", 2, 1, true, true },
        { "offset = region end", 2, region, false, true },
        { "offset past the end", 2, region + 64, false, true },
        { "offset 0xfffffff8", 2, 0xfffffff8u, false, true },
        { "offset + 64, check stale", 2, 64, true, false },
        { "size = region", 3, region, false, true },
        { "size 0", 3, 0, false, true },
        { "size 8 past the region end", 5, 8, false, true },
        { "size 0xffffffff", 3, 0xffffffffu, false, true },
        { "size + 8, check stale", 3, 8, true, false },
        { "check ^ 1", 4, 1, true, false },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct entry_case *c = &cases[i];
        esp_amp_shm_sys_info_entry_t saved = *e;
        switch (c->field) {
        case 0: e->id = (uint16_t)(e->id + c->value); break;
        case 1: e->state = (uint16_t)c->value; break;
        case 2: e->offset = c->rel ? e->offset + c->value : c->value; break;
        case 3: e->size = c->rel ? e->size + c->value : c->value; break;
        case 4: e->check ^= c->value; break;
        default: e->size = region - e->offset + c->value; break;
        }
        if (c->recheck) {
            fix_check(e);
        }
        lookup_refused(USER_ID, c->name);
        if (c->field == 0) {
            lookup_refused((uint16_t)(USER_ID + 1), c->name);
        }
        *e = saved;
        tu_sub();
        uint32_t size = 0;
        uint8_t *b = esp_amp_sys_info_get(USER_ID, &size);
        cr_assert_not_null(b, "%s: restored entry not found", c->name);
        cr_assert_eq(size, 40);
        cr_assert_eq(b[0], 0x5c);
    }
    /* The bounds are exact: a block that ends at the region end is found. */
    esp_amp_shm_sys_info_entry_t saved = *e;
    e->size = region - e->offset;
    fix_check(e);
    tu_sub();
    uint32_t size = 0;
    cr_assert_eq(esp_amp_sys_info_get(USER_ID, &size), T.sshm + e->offset);
    cr_assert_eq(size, region - e->offset);
    *e = saved;
    link_works();
}

/* The registry is `slots` entries long, and blocks start after it. A peer
 * that raises `slots` makes the registry cover blocks: an entry whose block
 * starts inside the registry so announced is refused (o < 32 + 16 * slots);
 * one past it is still found. A lower `slots` only hides the entries past
 * it. Both cores look blocks up in the region the same way. */
Test(registry, a_block_inside_the_announced_registry_is_refused)
{
    up_poll();
    tu_main();
    uint8_t *blk = esp_amp_sys_info_alloc(USER_ID, 40);
    cr_assert_not_null(blk);
    uint32_t user_off = (uint32_t)(blk - T.mshm);
    cr_assert_eq(user_off, T.pair_off + PAIR_HDR + T.len * (8u + 2u * T.item),
                 "blocks are packed");
    /* the user block starts where a registry of this many entries ends */
    const uint16_t at_user = (uint16_t)((user_off - REGION_HDR) / ENTRY);
    const struct {
        uint16_t slots;
        bool pair_found, user_found;
    } cases[] = {
        { SLOTS + 1, false, true },
        { at_user, false, true },
        { (uint16_t)(at_user + 1), false, false },
        { ESP_AMP_FMT_SYS_INFO_SLOTS_MAX, false, false },
        { 2, true, true },          /* entries 0 and 1: the pair, the user */
        { 1, true, false },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        T.h->slots = cases[i].slots;
        for (int core = 0; core < 2; core++) {
            core == 0 ? tu_main() : tu_sub();
            cr_assert_eq(esp_amp_sys_info_attach(), 0, "slots %u: the header "
                         "itself is valid", cases[i].slots);
            esp_amp_clear_last_error();
            void *pp = esp_amp_sys_info_get(SYS_INFO_RESERVED_ID_VQUEUE, NULL);
            void *up_ = esp_amp_sys_info_get(USER_ID, NULL);
            cr_assert_eq(pp != NULL, cases[i].pair_found, "slots %u core %d: "
                         "pair block at %u", cases[i].slots, core, T.pair_off);
            cr_assert_eq(up_ != NULL, cases[i].user_found, "slots %u core %d: "
                         "user block at %u", cases[i].slots, core, user_off);
            if (!cases[i].user_found) {
                cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_FOUND);
            }
        }
        /* A new sub device cannot bind a pair that is not found. */
        tu_sub();
        static esp_amp_rpmsg_dev_t d;
        static esp_amp_queue_t vq[2];
        if (!cases[i].pair_found) {
            esp_amp_clear_last_error();
            cr_assert_eq(esp_amp_rpmsg_sub_init_by_id(&d, vq, false, true,
                                                      SYS_INFO_RESERVED_ID_VQUEUE),
                         -1, "slots %u", cases[i].slots);
            cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_INIT);
        }
        T.h->slots = SLOTS;
    }
    link_works();
}

/* ---------------------------------------------------------------------- */
/* 3. Device-pair block header                                             */

TestSuite(pair, .init = tu_setup, .fini = tu_teardown);

struct pair_case {
    const char *name;
    int field;          /* 0 magic, 1 queue_len, 2 item_size,
                           3 registry size + value (check fixed),
                           4 queue_len = value and item_size = value >> 16
                             (if not 0), with a registry size to match */
    uint32_t value;
    esp_amp_err_t err;
};

Test(pair, each_bad_pair_header_field_is_refused_by_sub_init)
{
    up_poll();
    tu_main();
    static esp_amp_rpmsg_dev_t m2;
    static esp_amp_queue_t mvq2[2];
    cr_assert_eq(esp_amp_rpmsg_main_init_by_id(&m2, mvq2, LEN, ITEM, false,
                                               true, PAIR2_ID), 0);
    esp_amp_shm_vq_pair_t *p2 = m2.pair;
    esp_amp_shm_sys_info_entry_t *e = entry_of(PAIR2_ID);
    cr_assert_not_null(e);
    /* Format 2 had a block_size field in the pair header as well; format 3
     * has none: the registry entry's size must be exactly
     * 32 + len * (8 + 2 * item), which the "registry size" cases test. */
    const struct pair_case cases[] = {
        { "magic 0", 0, 0, ESP_AMP_ERR_NOT_INIT },
        { "magic ^ 1", 0, ESP_AMP_VQ_MAGIC ^ 1u, ESP_AMP_ERR_NOT_INIT },
        { "queue_len 0", 1, 0, ESP_AMP_ERR_CORRUPT },
        { "queue_len 3", 1, 3, ESP_AMP_ERR_CORRUPT },
        { "queue_len 512", 1, 512, ESP_AMP_ERR_CORRUPT },
        { "queue_len 8 (other size)", 1, 8, ESP_AMP_ERR_CORRUPT },
        { "queue_len 2 (other size)", 1, 2, ESP_AMP_ERR_CORRUPT },
        { "queue_len 32768 (past the format)", 1, 32768, ESP_AMP_ERR_CORRUPT },
        { "queue_len 0xffff", 1, 0xffff, ESP_AMP_ERR_CORRUPT },
        { "item_size 0", 2, 0, ESP_AMP_ERR_CORRUPT },
        { "item_size 30", 2, 30, ESP_AMP_ERR_CORRUPT },
        { "item_size 8", 2, 8, ESP_AMP_ERR_CORRUPT },
        { "item_size 36 (other size)", 2, 36, ESP_AMP_ERR_CORRUPT },
        { "item_size 0xfffc", 2, 0xfffc, ESP_AMP_ERR_CORRUPT },
        { "item_size 0xffff", 2, 0xffff, ESP_AMP_ERR_CORRUPT },
        { "registry size + 64", 3, 64, ESP_AMP_ERR_CORRUPT },
        { "registry size + 8", 3, 8, ESP_AMP_ERR_CORRUPT },
        { "registry size - 8", 3, (uint32_t)-8, ESP_AMP_ERR_CORRUPT },
        { "registry size - 64", 3, (uint32_t)-64, ESP_AMP_ERR_CORRUPT },
        /* Consistent with the registry, but not bindable here. */
        { "queue_len 64, size to match (> ESP_AMP_CONFIG_QUEUE_MAX_LEN)", 4,
          2u * ESP_AMP_CONFIG_QUEUE_MAX_LEN, ESP_AMP_ERR_NO_MEM },
        { "queue_len 16384 x 12, size to match (> ESP_AMP_CONFIG_QUEUE_MAX_LEN)",
          4, 12u << 16 | ESP_AMP_FMT_QUEUE_LEN_MAX, ESP_AMP_ERR_NO_MEM },
        { "queue_len 4 x 8, size to match (no room for a header)", 4,
          8u << 16 | LEN, ESP_AMP_ERR_CORRUPT },
        { "queue_len 4 x 4, size to match", 4, 4u << 16 | LEN,
          ESP_AMP_ERR_CORRUPT },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct pair_case *c = &cases[i];
        esp_amp_shm_vq_pair_t saved = *p2;
        esp_amp_shm_sys_info_entry_t saved_e = *e;
        switch (c->field) {
        case 0: p2->magic = c->value; break;
        case 1: p2->queue_len = (uint16_t)c->value; break;
        case 2: p2->item_size = (uint16_t)c->value; break;
        case 3: e->size += c->value; fix_check(e); break;
        default:
            p2->queue_len = (uint16_t)c->value;
            if (c->value >> 16) {
                p2->item_size = (uint16_t)(c->value >> 16);
            }
            e->size = PAIR_HDR + p2->queue_len * (8u + 2u * p2->item_size);
            cr_assert_leq(e->size, T.h->region_size - e->offset, "%s", c->name);
            fix_check(e);
            break;
        }
        tu_sub();
        static esp_amp_rpmsg_dev_t d;
        static esp_amp_queue_t vq[2];
        memset(&d, 0xa5, sizeof(d));
        memset(vq, 0xa5, sizeof(vq));
        esp_amp_rpmsg_dev_t dcopy = d;
        esp_amp_queue_t vcopy[2];
        memcpy(vcopy, vq, sizeof(vq));
        esp_amp_clear_last_error();
        cr_assert_eq(esp_amp_rpmsg_sub_init_by_id(&d, vq, false, true,
                                                  PAIR2_ID), -1, "%s", c->name);
        cr_assert_eq(esp_amp_get_last_error(), c->err, "%s: %s", c->name,
                     esp_amp_err_name(esp_amp_get_last_error()));
        cr_assert(memcmp(&d, &dcopy, sizeof(d)) == 0 &&
                      memcmp(vq, vcopy, sizeof(vq)) == 0,
                  "%s: the refused sub_init wrote the device", c->name);
        cr_assert_eq(p2->ctl[0].join, 0, "%s: a join request was written",
                     c->name);
        *p2 = saved;
        *e = saved_e;
    }
    /* Restored: the pair works, and the default pair never noticed. */
    tu_sub();
    static esp_amp_rpmsg_dev_t s2;
    static esp_amp_queue_t svq2[2];
    cr_assert_eq(esp_amp_rpmsg_sub_init_by_id(&s2, svq2, false, true, PAIR2_ID), 0);
    tu_check_link(&m2, true, &s2, true);
    link_works();
}

/* A device reads the pair header when it binds, never again. */
Test(pair, corrupting_the_header_of_a_bound_pair_changes_nothing)
{
    up_poll();
    T.pair->magic = 0;
    T.pair->queue_len = 3;
    T.pair->item_size = 7;
    entry_of(SYS_INFO_RESERVED_ID_VQUEUE)->size = 1;   /* and the registry */
    link_works();
    tu_sub();
    for (int q = 0; q < 2; q++) {
        cr_assert_eq(T.p.sub.vq[q].mask + 1u, LEN);
        cr_assert_eq(T.p.sub.vq[q].max_item_size, ITEM);
    }
    cr_assert_eq(esp_amp_rpmsg_get_max_size(&T.p.sub), ITEM - 8);
}

/* ---------------------------------------------------------------------- */
/* 4. Descriptors                                                          */

TestSuite(desc, .init = tu_setup, .fini = tu_teardown);

/* The sub's rx ring refuses the descriptor: CORRUPT on every poll,
 * rx_corrupt + 1 the first time the ring stops at this slot (a refused
 * descriptor is counted once, however often it is polled), no
 * callback, nothing taken; and again on the next poll (the ring stops at
 * that slot). */
static void sub_refuses(const char *what)
{
    tu_sub();
    esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.sub);
    int count = T.slog.count;
    uint16_t held = esp_amp_queue_held(rxq(&T.p.sub));
    uint16_t head = rxq(&T.p.sub)->head;
    uint32_t counted = (T.p.sub.flags & DEV_STUCK_RX) ? 0 : 1;
    for (int k = 0; k < 2; k++) {
        esp_amp_clear_last_error();
        cr_assert_eq(esp_amp_rpmsg_poll(&T.p.sub), -1, "%s", what);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_CORRUPT, "%s: %s",
                     what, esp_amp_err_name(esp_amp_get_last_error()));
    }
    stats_moved(s0, tu_stats(&T.p.sub), ST(rx_corrupt), counted, what);
    cr_assert(T.p.sub.flags & DEV_STUCK_RX, "%s: not marked as refused", what);
    cr_assert_eq(T.slog.count, count, "%s: delivered", what);
    cr_assert_eq(esp_amp_queue_held(rxq(&T.p.sub)), held, "%s", what);
    cr_assert_eq(rxq(&T.p.sub)->head, head, "%s: the ring moved on", what);
}

/* After the peer puts the right value back, the message is delivered. */
static void sub_gets(const char *text, const char *what)
{
    tu_sub();
    int count = T.slog.count;
    cr_assert_eq(esp_amp_rpmsg_poll(&T.p.sub), 0, "%s: %s", what,
                 esp_amp_err_name(esp_amp_get_last_error()));
    cr_assert_eq(T.slog.count, count + 1, "%s", what);
    const tu_msg_t *m = &T.slog.msg[count];
    cr_assert_eq(m->len, strlen(text), "%s", what);
    cr_assert_arr_eq(m->data, text, strlen(text), "%s", what);
    cr_assert_eq(T.p.sub.flags & DEV_STUCK_RX, 0, "%s: still marked", what);
}

/* Format 2 named a buffer by its region offset, and this test refused
 * offsets that were not exactly the start of one of the ring's own
 * buffers (misaligned, inside the header, another ring's). Format 3 names
 * it by index: an index cannot be misaligned nor name another ring's
 * buffer, what is left is an index past the ring - up to the largest the
 * 14 bits hold, and past the held bitmap (ESP_AMP_CONFIG_QUEUE_MAX_LEN). */
Test(desc, index_past_the_ring_stops_the_ring_at_that_slot)
{
    up_poll();
    const uint32_t cases[] = {
        LEN, LEN + 1, 2 * LEN - 1, 2 * LEN, 31, ESP_AMP_CONFIG_QUEUE_MAX_LEN,
        ESP_AMP_CONFIG_QUEUE_MAX_LEN + 1, 0x100, 0x2000, INDEX_MAX - 1,
        INDEX_MAX,
    };
    main_send("abc");
    esp_amp_queue_desc_t *d = desc(0, 0);
    uint32_t good = *d;
    cr_assert_eq(ESP_AMP_DESC_INDEX(good), 0);
    cr_assert_eq(ESP_AMP_DESC_LEN(good), 8 + 3);
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char name[32];
        snprintf(name, sizeof(name), "index %#x", cases[i]);
        desc_set_index(d, cases[i]);
        cr_assert_eq(ESP_AMP_DESC_INDEX(*d), cases[i]);
        sub_refuses(name);
    }
    *d = good;
    sub_gets("abc", "restored index");
    /* Another of the ring's own buffers is fine (any order is legal),
     * the last one too. */
    main_send("def");
    esp_amp_queue_desc_t *d1 = desc(0, 1);
    memcpy(T.mshm + buf_off(0, LEN - 1),
           T.mshm + buf_off(0, ESP_AMP_DESC_INDEX(*d1)), ITEM);
    desc_set_index(d1, LEN - 1);
    sub_gets("def", "another buffer of the ring");
    link_works();
}

Test(desc, index_of_a_buffer_the_receiver_holds_is_refused)
{
    up(TU_POLL(LEN, ITEM), false); /* the sub application keeps buffers */
    main_send("one");
    sub_gets("one", "first message");
    uint32_t held_off = (uint32_t)((uint8_t *)T.slog.msg[0].ptr - 8 - T.sshm);
    cr_assert_eq(held_off, buf_off(0, 0));
    cr_assert_eq(esp_amp_queue_held(rxq(&T.p.sub)), 1);
    main_send("two");
    esp_amp_queue_desc_t *d = desc(0, 1);
    uint32_t good = *d;
    desc_set_index(d, 0);
    sub_refuses("a buffer the sub holds");
    /* Both held: either is refused. */
    *d = good;
    sub_gets("two", "restored");
    main_send("three");
    d = desc(0, 2);
    good = *d;
    for (int i = 0; i < 2; i++) {
        uint32_t off = (uint32_t)((uint8_t *)T.slog.msg[i].ptr - 8 - T.sshm);
        uint32_t index = (off - buf_off(0, 0)) / ITEM;
        cr_assert_eq(off, buf_off(0, index));
        desc_set_index(d, index);
        sub_refuses(i == 0 ? "held buffer of message 1" : "held buffer of message 2");
    }
    *d = good;
    sub_gets("three", "restored");
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(esp_amp_rpmsg_destroy(&T.p.sub, T.slog.msg[i].ptr), 0);
    }
    link_works();
}

/* A receiver that holds every buffer of its ring finds its own last
 * lap's send at head: nothing to receive. A "sent in this lap" written
 * there can only name a buffer it holds, and is refused, whichever. */
Test(desc, a_receiver_holding_every_buffer_finds_nothing_and_refuses_a_send)
{
    up(TU_POLL(LEN, ITEM), false); /* the sub application keeps buffers */
    char text[8];
    for (unsigned i = 0; i < LEN; i++) {
        snprintf(text, sizeof(text), "m%u", i);
        main_send(text);
        sub_gets(text, "fill the ring");
    }
    cr_assert_eq(esp_amp_queue_held(rxq(&T.p.sub)), LEN);
    esp_amp_queue_desc_t *d = desc(0, 0);
    uint32_t last = *d;           /* the send of lap 0 at slot 0 */
    cr_assert_eq(ESP_AMP_DESC_FLAGS(last), ESP_AMP_DESC_F_AVAIL);
    tu_sub();
    for (int k = 0; k < 3; k++) {  /* the full path, then the shortcut */
        esp_amp_clear_last_error();
        cr_assert_eq(esp_amp_rpmsg_poll(&T.p.sub), -1);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_EMPTY, "%s",
                     esp_amp_err_name(esp_amp_get_last_error()));
    }
    /* lap 1 (w = 0): sent is USED */
    for (uint32_t i = 0; i < LEN; i++) {
        snprintf(text, sizeof(text), "index %u", i);
        *d = ESP_AMP_DESC(ESP_AMP_DESC_F_USED, i, 8u + 3u);
        sub_refuses(text);
    }
    *d = last;
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_poll(&T.p.sub), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_EMPTY);
    for (int i = 0; i < LEN; i++) {
        cr_assert_eq(esp_amp_rpmsg_destroy(&T.p.sub, T.slog.msg[i].ptr), 0);
    }
    link_works();
}

Test(desc, length_above_the_item_size_is_refused)
{
    up_poll();
    main_send("abc");
    esp_amp_queue_desc_t *d = desc(0, 0);
    const uint32_t bad[] = { ITEM + 1, ITEM + 4, 2 * ITEM, 0x8000, 0xffff };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char name[32];
        snprintf(name, sizeof(name), "len %u", bad[i]);
        desc_set_len(d, bad[i]);
        sub_refuses(name);
    }
    desc_set_len(d, ITEM); /* the largest legal length: the header still fits */
    sub_gets("abc", "len = item size");
}

/* Poll the sub with ring 0's descriptor `slot` set to every value of the
 * 16 bits at `shift` (0: flags and index, 16: len); the other half keeps
 * the sent value. Values the ring takes (ready flags, an index of the ring,
 * a length up to the item size) are left out: the sweep is about what is
 * refused. Every other value must give EMPTY if its flags are one of the
 * two "not yet" patterns, else CORRUPT; returns the number of CORRUPT. */
static unsigned rx_sweep(unsigned slot, unsigned shift, uint32_t ready,
                         uint32_t idle1, uint32_t idle2)
{
    esp_amp_queue_desc_t *d = desc(0, slot);
    uint32_t good = *d;
    unsigned refused = 0;
    tu_sub();
    for (uint32_t v = 0; v <= 0xffff; v++) {
        uint32_t w = (good & ~(0xffffu << shift)) | (v << shift);
        uint32_t f = ESP_AMP_DESC_FLAGS(w);
        bool ok_index = ESP_AMP_DESC_INDEX(w) < T.len;
        bool ok_len = ESP_AMP_DESC_LEN(w) <= T.item;
        if (f == ready && ok_index && ok_len) {
            continue;                           /* taken: not swept */
        }
        *d = w;
        esp_amp_clear_last_error();
        if (esp_amp_rpmsg_poll(&T.p.sub) != -1) {
            cr_assert_fail("descriptor %#x was taken", w);
        }
        esp_amp_err_t want = (f == idle1 || f == idle2) ? ESP_AMP_ERR_EMPTY
                                                        : ESP_AMP_ERR_CORRUPT;
        if (esp_amp_get_last_error() != want) {
            cr_assert_fail("descriptor %#x (flags %u index %u len %u): %s, "
                           "expected %s", w, f, ESP_AMP_DESC_INDEX(w),
                           ESP_AMP_DESC_LEN(w),
                           esp_amp_err_name(esp_amp_get_last_error()),
                           esp_amp_err_name(want));
        }
        refused += want == ESP_AMP_ERR_CORRUPT;
    }
    *d = good;
    return refused;
}

/* recv #c accepts exactly "sent in this lap"; "freed in the last lap" and
 * "sent in the last lap" mean "nothing yet"; the fourth flags pattern is
 * refused, whatever index and length come with it; with ready flags, every
 * index past the ring and every length above the item size is refused.
 * Both laps (wrap bit 1 and 0). (Format 2 swept a 16-bit flags field; the
 * flags are 2 bits now, so the sweep covers the whole descriptor word, each
 * half against the other's sent value.) */
static void flags_sweep(unsigned slot, uint32_t ready, uint32_t idle1,
                        uint32_t idle2, const char *text)
{
    esp_amp_queue_desc_t *d = desc(0, slot);
    cr_assert_eq(ESP_AMP_DESC_FLAGS(*d), ready, "slot %u holds %#x, not flags %#x",
                 slot, *d, ready);
    tu_sub();
    esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.sub);
    uint32_t counted = (T.p.sub.flags & DEV_STUCK_RX) ? 0 : 1;
    /* low half: 4 flags x 16384 indexes; taken: ready x LEN indexes;
     * idle: 2 x 16384 */
    unsigned lo = rx_sweep(slot, 0, ready, idle1, idle2);
    cr_assert_eq(lo, 16384u + (16384u - T.len), "low half: %u refused", lo);
    /* high half: every length; taken: 0..item */
    unsigned hi = rx_sweep(slot, 16, ready, idle1, idle2);
    cr_assert_eq(hi, 65536u - (T.item + 1u), "high half: %u refused", hi);
    /* ~100000 refusals of one descriptor: counted once. */
    stats_moved(s0, tu_stats(&T.p.sub), ST(rx_corrupt), counted, "sweep");
    cr_assert_eq(esp_amp_queue_held(rxq(&T.p.sub)), 0);
    sub_gets(text, "ready flags");
}

Test(desc, every_invalid_descriptor_is_refused_in_both_laps)
{
    up_poll();
    main_send("lap0");
    /* lap 0 (w = 1): ready AVAIL; idle: 0 (freed, lap -1), USED (sent,
     * lap -1); refused: AVAIL|USED */
    flags_sweep(0, ESP_AMP_DESC_F_AVAIL, 0, ESP_AMP_DESC_F_USED, "lap0");
    for (unsigned i = 1; i < LEN; i++) {
        main_send("fill");
        sub_gets("fill", "fill the lap");
    }
    main_send("lap1");
    /* lap 1 (w = 0): ready USED; idle: AVAIL|USED (freed in lap 0) and
     * AVAIL (sent in lap 0); refused: 0 */
    flags_sweep(0, ESP_AMP_DESC_F_USED,
                ESP_AMP_DESC_F_AVAIL | ESP_AMP_DESC_F_USED,
                ESP_AMP_DESC_F_AVAIL, "lap1");
    link_works();
}

/* create_message on the main core with ring 0's slot at head set to `w`:
 * NULL with `want`, only the matching counter moved (tx_no_buf for NO_BUF,
 * tx_corrupt once for the first refusal at this slot), nothing held. */
static void alloc_refused(uint32_t w, esp_amp_err_t want)
{
    uint16_t head = txq(&T.p.main)->head;
    *desc(0, head) = w;
    esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.main);
    uint16_t held = esp_amp_queue_held(txq(&T.p.main));
    uint32_t counted = (T.p.main.flags & DEV_STUCK_TX) ? 0 : 1;
    esp_amp_clear_last_error();
    if (esp_amp_rpmsg_create_message(&T.p.main, 1, 0) != NULL) {
        cr_assert_fail("descriptor %#x gave a buffer", w);
    }
    if (esp_amp_get_last_error() != want) {
        cr_assert_fail("descriptor %#x: %s, expected %s", w,
                       esp_amp_err_name(esp_amp_get_last_error()),
                       esp_amp_err_name(want));
    }
    esp_amp_rpmsg_stats_t s1 = tu_stats(&T.p.main);
    if (want == ESP_AMP_ERR_NO_BUF) {
        s0.tx_no_buf++;
    } else {
        s0.tx_corrupt += counted;
        if (!(T.p.main.flags & DEV_STUCK_TX)) {
            cr_assert_fail("descriptor %#x: refusal not marked", w);
        }
    }
    if (memcmp(&s0, &s1, sizeof(s0)) != 0) {
        stats_moved(s0, s1, SIZE_MAX, 0, "alloc refusal");
    }
    if (esp_amp_queue_held(txq(&T.p.main)) != held ||
        txq(&T.p.main)->head != head) {
        cr_assert_fail("descriptor %#x: the ring moved on", w);
    }
}

/* The producer side: the descriptor alloc reads was written by the peer's
 * free. Its flags must say "freed in the last lap" (or "still sent": the
 * queue is full), its index must be a buffer of the ring that the
 * producer does not hold. Its length is not looked at (a freed slot's len
 * means nothing). */
Test(desc, alloc_refuses_bad_free_descriptors)
{
    up_poll();
    tu_main();
    cr_assert_eq(*desc(0, 0), ESP_AMP_DESC(0, 0, 0));
    /* Every flags and index pattern of the low half (the high half, len,
     * is not read): lap 0 wants flags 0 (freed, lap -1); USED (sent in
     * lap -1, not freed yet) means "full"; AVAIL and AVAIL|USED are
     * refused, and so is an index past the ring. */
    unsigned refused = 0;
    for (uint32_t v = 0; v <= 0xffff; v++) {
        uint32_t w = v | 0x5a5a0000u;
        uint32_t f = ESP_AMP_DESC_FLAGS(w);
        if (f == 0 && ESP_AMP_DESC_INDEX(w) < LEN) {
            continue;                           /* taken: not swept */
        }
        esp_amp_err_t want = f == ESP_AMP_DESC_F_USED ? ESP_AMP_ERR_NO_BUF
                                                      : ESP_AMP_ERR_CORRUPT;
        alloc_refused(w, want);
        refused += want == ESP_AMP_ERR_CORRUPT;
    }
    cr_assert_eq(refused, 2u * 16384u + (16384u - LEN));
    /* Named cases of an index past the ring. */
    const uint32_t bad_index[] = { LEN, 2 * LEN, ESP_AMP_CONFIG_QUEUE_MAX_LEN,
                                   INDEX_MAX };
    for (unsigned i = 0; i < sizeof(bad_index) / sizeof(bad_index[0]); i++) {
        alloc_refused(ESP_AMP_DESC(0, bad_index[i], 0), ESP_AMP_ERR_CORRUPT);
    }
    /* A freed slot's len is not looked at: 0xffff in slot 0 gives the
     * buffer, and the send writes its own length. */
    *desc(0, 0) = ESP_AMP_DESC(0, 0, 0xffff);
    uint8_t *x = esp_amp_rpmsg_create_message(&T.p.main, 1, 0);
    cr_assert_not_null(x, "%s", esp_amp_err_name(esp_amp_get_last_error()));
    cr_assert_eq(T.p.main.flags & DEV_STUCK_TX, 0, "still marked as refused");
    cr_assert_eq(x - 8, T.mshm + buf_off(0, 0));
    /* The next free descriptor names the buffer the producer holds. */
    cr_assert_eq(*desc(0, 1), ESP_AMP_DESC(0, 1, 0));
    alloc_refused(ESP_AMP_DESC(0, 0, 0), ESP_AMP_ERR_CORRUPT);
    /* A buffer of the ring other than the slot's own is fine. */
    *desc(0, 1) = ESP_AMP_DESC(0, LEN - 1, ITEM + 1);
    uint8_t *y = esp_amp_rpmsg_create_message(&T.p.main, 1, 0);
    cr_assert_not_null(y);
    cr_assert_eq(y - 8, T.mshm + buf_off(0, LEN - 1));
    x[0] = 'x';
    y[0] = 'y';
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&T.p.main, &T.me, EPT_S, x, 1), 0);
    cr_assert_eq(*desc(0, 0), ESP_AMP_DESC(ESP_AMP_DESC_F_AVAIL, 0, 8 + 1),
                 "sent descriptor %#x", *desc(0, 0));
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&T.p.main, &T.me, EPT_S, y, 1), 0);
    cr_assert_eq(*desc(0, 1), ESP_AMP_DESC(ESP_AMP_DESC_F_AVAIL, LEN - 1, 8 + 1));
    sub_gets("x", "x");
    sub_gets("y", "y");
    link_works();
}

/* ---------------------------------------------------------------------- */
/* 5. RPMsg header                                                         */

TestSuite(rpmsg, .init = tu_setup, .fini = tu_teardown);

/* main sends `s`; returns the header of the buffer it went out in. */
static esp_amp_rpmsg_head_t *sent_head(const char *s)
{
    main_send(s);
    uint16_t slot = (uint16_t)(txq(&T.p.main)->tail - 1u);
    uint32_t d = *desc(0, slot);
    cr_assert_eq(ESP_AMP_DESC_LEN(d), 8 + strlen(s));
    return head_at(buf_off(0, ESP_AMP_DESC_INDEX(d)));
}

Test(rpmsg, header_longer_than_its_descriptor_is_freed_and_counted)
{
    up_poll();
    const uint16_t bad_len[] = { 5, 6, 24, 25, 0xffff };
    for (unsigned i = 0; i < sizeof(bad_len) / sizeof(bad_len[0]); i++) {
        esp_amp_rpmsg_head_t *h = sent_head("abcd"); /* descriptor len 12 */
        h->data_len = bad_len[i];
        tu_sub();
        esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.sub);
        int count = T.slog.count;
        cr_assert_eq(esp_amp_rpmsg_poll(&T.p.sub), 0, "data_len %u", bad_len[i]);
        stats_moved(s0, tu_stats(&T.p.sub), ST(rx_bad_header), 1, "bad header");
        cr_assert_eq(T.slog.count, count, "data_len %u delivered", bad_len[i]);
        cr_assert_eq(esp_amp_queue_held(rxq(&T.p.sub)), 0);
    }
    /* A descriptor shorter than a header: every length 0..7. */
    esp_amp_rpmsg_head_t *h;
    for (uint32_t l = 0; l < 8; l++) {
        (void)sent_head("");
        desc_set_len(desc(0, (uint16_t)(txq(&T.p.main)->tail - 1u)), l);
        tu_sub();
        esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.sub);
        int count = T.slog.count;
        cr_assert_eq(esp_amp_rpmsg_poll(&T.p.sub), 0);
        stats_moved(s0, tu_stats(&T.p.sub), ST(rx_bad_header), 1, "len < 8");
        cr_assert_eq(T.slog.count, count, "len %u delivered", l);
        cr_assert_eq(esp_amp_queue_held(rxq(&T.p.sub)), 0);
    }
    /* Boundary: data_len + 8 == len is fine. */
    h = sent_head("abcd");
    h->data_len = 4;
    sub_gets("abcd", "exact fit");
    /* Every buffer came back to the sender. */
    tu_main();
    cr_assert_eq(tu_fill(&T.p.main), LEN);
}

Test(rpmsg, dst_without_an_endpoint_or_callback_is_freed_and_counted)
{
    up_poll();
    tu_sub();
    static esp_amp_rpmsg_ept_t nocb;
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&T.p.sub, 0x21, NULL, NULL,
                                               &nocb), &nocb);
    const uint16_t dsts[] = { 0x77, 0x21, 0xffff, 0 };
    for (unsigned i = 0; i < sizeof(dsts) / sizeof(dsts[0]); i++) {
        sent_head("abc")->dst_addr = dsts[i];
        tu_sub();
        esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.sub);
        int count = T.slog.count;
        cr_assert_eq(esp_amp_rpmsg_poll(&T.p.sub), 0);
        stats_moved(s0, tu_stats(&T.p.sub), ST(rx_no_ept), 1, "dst");
        cr_assert_eq(T.slog.count, count);
    }
    sent_head("ok");
    sub_gets("ok", "after the dropped ones");
    tu_main();
    cr_assert_eq(tu_fill(&T.p.main), LEN);
}

Test(rpmsg, src_and_flags_are_passed_through)
{
    up_poll();
    esp_amp_rpmsg_head_t *h = sent_head("abc");
    h->src_addr = 0x1234;
    h->data_flags = 0xbeef;
    sub_gets("abc", "any src");
    cr_assert_eq(T.slog.msg[0].src, 0x1234);
}

/* ---------------------------------------------------------------------- */
/* 6. Control words: kick_me, join, pending bits                           */

TestSuite(ctl, .init = tu_setup, .fini = tu_teardown);

Test(ctl, garbage_kick_me_only_makes_the_producer_ring)
{
    tu_cfg_t cfg = TU_POLL(LEN, ITEM);
    cfg.main_notify = true;
    up(cfg, true);
    const uint32_t values[] = { 0x12345678u, 0xffffffffu, 2 };
    for (unsigned i = 0; i < 3; i++) {
        T.pair->ctl[0].kick_me = values[i];
        T.h->sw_intr_pending[1] = 0;
        tu_main();
        esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.main);
        main_send("k");
        esp_amp_rpmsg_stats_t s1 = tu_stats(&T.p.main);
        s0.tx_msgs++;
        stats_moved(s0, s1, ST(notifies), 1, "kick_me garbage");
        cr_assert(T.h->sw_intr_pending[1] & (1u << SW_INTR_RESERVED_ID_RPMSG));
        sub_gets("k", "after a doorbell");
    }
    T.pair->ctl[0].kick_me = 0;
    tu_main();
    esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.main);
    main_send("q");
    s0.tx_msgs++;
    stats_moved(s0, tu_stats(&T.p.main), SIZE_MAX, 0, "kick_me 0");
    sub_gets("q", "no doorbell, polled");
}

Test(ctl, kick_me_cleared_by_the_peer_delays_until_the_next_interrupt)
{
    up(TU_SUB_INTR(LEN, ITEM), true);
    cr_assert_eq(T.pair->ctl[0].kick_me, 1);
    T.pair->ctl[0].kick_me = 0;          /* the main core lies about us */
    main_send("late");
    tu_sub();
    cr_assert_eq(T.slog.count, 0, "no doorbell was rung, yet it arrived");
    cr_assert_eq(esp_amp_sw_intr_trigger_self(SW_INTR_RESERVED_ID_RPMSG), 0);
    cr_assert_eq(T.slog.count, 1);
    cr_assert(T.slog.msg[0].in_isr);
    cr_assert_eq(T.pair->ctl[0].kick_me, 1, "the ISR re-armed kick_me");
    main_send("next");
    tu_sub();
    cr_assert_eq(T.slog.count, 2);
}

/* A rejoin (the sub restarted) shows on the main core's link callback as
 * JOINING then UP, and a first join as UP only. */
Test(ctl, main_link_callback_reports_a_sub_restart)
{
    up_poll();
    tu_main();
    s_link_n = 0;
    cr_assert_eq(esp_amp_rpmsg_set_link_callback(&T.p.main, link_log_cb, NULL),
                 0);
    (void)esp_amp_rpmsg_poll(&T.p.main);
    int before = s_link_n;
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_sub_init(&T.p.sub, false, true), 0);
    tu_main();
    (void)esp_amp_rpmsg_poll(&T.p.main);
    cr_assert_eq(s_link_n - before, 2, "%d callbacks", s_link_n - before);
    cr_assert_eq(s_link_log[before], ESP_AMP_LINK_JOINING);
    cr_assert_eq(s_link_log[before + 1], ESP_AMP_LINK_UP);
    cr_assert_eq(tu_stats(&T.p.main).link_resets, 1);
}

Test(ctl, garbage_join_request_resets_the_main_rings_and_nothing_more)
{
    up_poll();
    tu_main();
    uint8_t *x = esp_amp_rpmsg_create_message(&T.p.main, 4, 0);
    cr_assert_not_null(x);
    main_send("lost");
    T.pair->ctl[0].join = 0xdeadbeefu;
    tu_main();
    esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.main);
    cr_assert_eq(esp_amp_rpmsg_poll(&T.p.main), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_EMPTY);
    stats_moved(s0, tu_stats(&T.p.main), ST(link_resets), 1, "join garbage");
    cr_assert_eq(T.pair->ctl[1].join, 0xdeadbeefu);
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.main), ESP_AMP_LINK_UP);
    /* What the main held is forgotten, every buffer is free again. */
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&T.p.main, &T.me, EPT_S, x, 4), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NOT_OWNED);
    cr_assert_eq(esp_amp_queue_held(txq(&T.p.main)), 0);
    for (unsigned i = 0; i < LEN; i++) {
        cr_assert_eq(*desc(0, i), ESP_AMP_DESC(0, i, 0), "ring 0 slot %u not "
                     "reset: %#x", i, *desc(0, i));
        cr_assert_eq(*desc(1, i), ESP_AMP_DESC(0, i, 0), "ring 1 slot %u not "
                     "reset: %#x", i, *desc(1, i));
    }
    /* A sub core that starts again joins and the link works. */
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_sub_init(&T.p.sub, false, true), 0);
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub), ESP_AMP_LINK_JOINING);
    tu_main();
    (void)esp_amp_rpmsg_poll(&T.p.main);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub), ESP_AMP_LINK_UP);
    tu_check_link(&T.p.main, true, &T.p.sub, true);
}

/* After the main core restarted the link (its answer was gone): one more
 * reset counted since `before`, both join words 0; the sub core finds its
 * request gone and joins again with a first join, the main core answers. */
static void link_restarted_since(esp_amp_rpmsg_stats_t before)
{
    cr_assert_eq(tu_stats(&T.p.main).link_resets, before.link_resets + 1);
    cr_assert_eq(T.pair->ctl[0].join, 0);
    cr_assert_eq(T.pair->ctl[1].join, 0);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub), ESP_AMP_LINK_UP);
    cr_assert_eq(T.pair->ctl[0].join, 1, "a first join");
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.main), ESP_AMP_LINK_UP);
    cr_assert_eq(T.pair->ctl[1].join, 1);
    link_works();
}

/* The sub core looks at the main core's answer only while it waits for
 * it (JOINING); the main core looks at it after each take, and restarts
 * the link when it changed (esp_amp_link.c, main_check). */
Test(ctl, ack_is_ignored_by_the_sub_while_up_and_must_match_while_joining)
{
    up_poll();
    T.pair->ctl[1].join = 77;            /* garbage ack while UP */
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub), ESP_AMP_LINK_UP);
    cr_assert_eq(esp_amp_rpmsg_send(&T.p.sub, &T.se, EPT_M, "x", 1), 0);
    tu_main();
    esp_amp_rpmsg_stats_t r0 = tu_stats(&T.p.main);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_poll(&T.p.main), -1, "a message taken with "
                 "the answer changed");
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_LINK_DOWN);
    link_restarted_since(r0);
    T.h->session++;                      /* the sub rejoins with request 2 */
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub), ESP_AMP_LINK_JOINING);
    cr_assert_eq(T.pair->ctl[0].join, 2);
    const uint32_t wrong[] = { 1, 3, 0, 0xffffffffu };
    for (unsigned i = 0; i < 4; i++) {
        T.pair->ctl[1].join = wrong[i];
        esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.sub);
        esp_amp_clear_last_error();
        cr_assert_eq(esp_amp_rpmsg_send(&T.p.sub, &T.se, EPT_M, "x", 1), -1);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_LINK_DOWN);
        stats_moved(s0, tu_stats(&T.p.sub), ST(link_down), 1, "wrong ack");
        cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub),
                     ESP_AMP_LINK_JOINING, "ack %u", wrong[i]);
    }
    /* The main core finds its answer changed (the last wrong one): it
     * restarts the link, both join words 0, without touching the rings;
     * the sub core finds its request gone and joins again, a first join
     * (it formats the rings), which the main core answers. */
    tu_main();
    esp_amp_rpmsg_stats_t m0 = tu_stats(&T.p.main);
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.main), ESP_AMP_LINK_JOINING);
    link_restarted_since(m0);
}

static int s_app_intr;
static int app_handler(void *arg)
{
    (void)arg;
    s_app_intr++;
    return 0;
}

Test(ctl, any_pending_bits_only_make_handlers_look_for_work)
{
    up(TU_SUB_INTR(LEN, ITEM), true);
    tu_sub();
    s_app_intr = 0;
    cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_3, app_handler, NULL), 0);
    esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.sub);
    uint64_t isr0 = sim_isr_count();
    tu_main();
    T.h->sw_intr_pending[1] = 0xffffffffu;
    sim_raise_doorbell(ESP_AMP_CORE_SUB);
    tu_sub();                             /* the ISR runs on entry */
    cr_assert_gt(sim_isr_count(), isr0);
    cr_assert_eq(s_app_intr, 1);
    cr_assert_eq(T.slog.count, 0);
    stats_moved(s0, tu_stats(&T.p.sub), SIZE_MAX, 0, "pending bits");
    cr_assert_eq(T.h->sw_intr_pending[1], 0);
    main_send("after");
    tu_sub();
    cr_assert_eq(T.slog.count, 1);
}

/* ---------------------------------------------------------------------- */
/* 7. Local misuse: -1/NULL, a reason, a counter, no change                */

TestSuite(misuse, .init = tu_setup, .fini = tu_teardown);

/* `call` fails with `err`, only `field` moves (by 1), the rings hold what
 * they held. */
#define EXPECT_REFUSED(dev, call, err, field)                                \
    do {                                                                     \
        esp_amp_rpmsg_stats_t s0_ = tu_stats(dev);                           \
        uint16_t rx_ = esp_amp_queue_held(rxq(dev));                         \
        uint16_t tx_ = esp_amp_queue_held(txq(dev));                         \
        esp_amp_clear_last_error();                                          \
        cr_assert_eq((call), -1, "%s", #call);                               \
        cr_assert_eq(esp_amp_get_last_error(), (err), "%s: %s", #call,       \
                     esp_amp_err_name(esp_amp_get_last_error()));            \
        stats_moved(s0_, tu_stats(dev), (field), (field) == SIZE_MAX ? 0 : 1, \
                    #call);                                                  \
        cr_assert_eq(esp_amp_queue_held(rxq(dev)), rx_, "%s", #call);        \
        cr_assert_eq(esp_amp_queue_held(txq(dev)), tx_, "%s", #call);        \
    } while (0)

Test(misuse, double_destroy_and_foreign_pointers)
{
    up(TU_POLL(LEN, ITEM), false);
    main_send("one");
    main_send("two");
    tu_sub();
    cr_assert_eq(tu_drain(&T.p.sub), 2);
    esp_amp_rpmsg_dev_t *s = &T.p.sub;
    uint8_t *one = T.slog.msg[0].ptr, *two = T.slog.msg[1].ptr;
    cr_assert_eq(esp_amp_rpmsg_destroy(s, one), 0);
    EXPECT_REFUSED(s, esp_amp_rpmsg_destroy(s, one), ESP_AMP_ERR_NOT_OWNED,
                   ST(bad_ptr));
    uint8_t local[16];
    uint8_t *created = esp_amp_rpmsg_create_message(s, 4, 0);
    cr_assert_not_null(created);
    EXPECT_REFUSED(s, esp_amp_rpmsg_destroy(s, local + 8), ESP_AMP_ERR_NOT_OWNED,
                   ST(bad_ptr));
    EXPECT_REFUSED(s, esp_amp_rpmsg_destroy(s, created), ESP_AMP_ERR_NOT_OWNED,
                   ST(bad_ptr));
    EXPECT_REFUSED(s, esp_amp_rpmsg_destroy(s, two + 1), ESP_AMP_ERR_NOT_OWNED,
                   ST(bad_ptr));
    EXPECT_REFUSED(s, esp_amp_rpmsg_destroy(s, two - 8), ESP_AMP_ERR_NOT_OWNED,
                   ST(bad_ptr));
    EXPECT_REFUSED(s, esp_amp_rpmsg_destroy(s, T.sshm + 16),
                   ESP_AMP_ERR_NOT_OWNED, ST(bad_ptr));
    /* Pointers at buffer starts (+ header) outside the rx ring: just
     * before it, just past it (the tx ring's buffer 0, created above),
     * past the held bitmap and at the largest index a descriptor holds. */
    uintptr_t rx0 = (uintptr_t)rxq(s)->buf + 8;
    const uintptr_t outside[] = { rx0 - ITEM, rx0 + LEN * ITEM,
                                  rx0 + ESP_AMP_CONFIG_QUEUE_MAX_LEN * ITEM,
                                  rx0 + (uintptr_t)INDEX_MAX * ITEM };
    for (unsigned i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        EXPECT_REFUSED(s, esp_amp_rpmsg_destroy(s, (void *)outside[i]),
                       ESP_AMP_ERR_NOT_OWNED, ST(bad_ptr));
    }
    EXPECT_REFUSED(s, esp_amp_rpmsg_destroy(s, NULL), ESP_AMP_ERR_INVALID_ARG,
                   SIZE_MAX);
    /* The held one is still ours, the created one still sendable. */
    cr_assert_eq(esp_amp_rpmsg_destroy(s, two), 0);
    memcpy(created, "ok", 2);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(s, &T.se, EPT_M, created, 2), 0);
    tu_main();
    cr_assert_eq(tu_drain(&T.p.main), 1);
    cr_assert_arr_eq(T.mlog.msg[0].data, "ok", 2);
}

Test(misuse, send_nocopy_of_a_buffer_not_from_create_message)
{
    up(TU_POLL(LEN, ITEM), false);
    main_send("rx");
    tu_sub();
    cr_assert_eq(tu_drain(&T.p.sub), 1);
    esp_amp_rpmsg_dev_t *s = &T.p.sub;
    uint8_t *rx = T.slog.msg[0].ptr;
    uint8_t *created = esp_amp_rpmsg_create_message(s, 8, 0);
    cr_assert_not_null(created);
    uint8_t local[32] = { 0 };
    EXPECT_REFUSED(s, esp_amp_rpmsg_send_nocopy(s, &T.se, EPT_M, rx, 2),
                   ESP_AMP_ERR_NOT_OWNED, ST(bad_ptr));
    EXPECT_REFUSED(s, esp_amp_rpmsg_send_nocopy(s, &T.se, EPT_M, local + 8, 2),
                   ESP_AMP_ERR_NOT_OWNED, ST(bad_ptr));
    EXPECT_REFUSED(s, esp_amp_rpmsg_send_nocopy(s, &T.se, EPT_M, created + 4, 2),
                   ESP_AMP_ERR_NOT_OWNED, ST(bad_ptr));
    EXPECT_REFUSED(s, esp_amp_rpmsg_send_nocopy(s, &T.se, EPT_M,
                                                T.sshm + FIRST_BLOCK + 8, 2),
                   ESP_AMP_ERR_NOT_OWNED, ST(bad_ptr));
    /* Buffer starts of the tx ring's geometry, outside it. */
    uintptr_t tx0 = (uintptr_t)txq(s)->buf + 8;
    cr_assert_eq((uintptr_t)created, tx0);
    const uintptr_t outside[] = { tx0 - ITEM, tx0 + LEN * ITEM,
                                  tx0 + ESP_AMP_CONFIG_QUEUE_MAX_LEN * ITEM,
                                  tx0 + (uintptr_t)INDEX_MAX * ITEM };
    for (unsigned i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        EXPECT_REFUSED(s, esp_amp_rpmsg_send_nocopy(s, &T.se, EPT_M,
                                                    (void *)outside[i], 2),
                       ESP_AMP_ERR_NOT_OWNED, ST(bad_ptr));
    }
    EXPECT_REFUSED(s, esp_amp_rpmsg_send_nocopy(s, &T.se, EPT_M, NULL, 2),
                   ESP_AMP_ERR_INVALID_ARG, SIZE_MAX);
    EXPECT_REFUSED(s, esp_amp_rpmsg_send_nocopy(s, NULL, EPT_M, created, 2),
                   ESP_AMP_ERR_INVALID_ARG, SIZE_MAX);
    tu_main();
    cr_assert_eq(tu_drain(&T.p.main), 0, "a refused send_nocopy sent");
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_destroy(s, rx), 0);
    memcpy(created, "fine", 4);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(s, &T.se, EPT_M, created, 4), 0);
    tu_main();
    cr_assert_eq(tu_drain(&T.p.main), 1);
}

Test(misuse, send_nocopy_longer_than_created)
{
    up_poll();
    tu_main();
    esp_amp_rpmsg_dev_t *m = &T.p.main;
    uint8_t *c = esp_amp_rpmsg_create_message(m, 4, 0);
    cr_assert_not_null(c);
    memcpy(c, "abcd", 4);
    uint16_t max = esp_amp_rpmsg_get_max_size(m);
    EXPECT_REFUSED(m, esp_amp_rpmsg_send_nocopy(m, &T.me, EPT_S, c, 5),
                   ESP_AMP_ERR_TOO_BIG, ST(tx_too_big));
    EXPECT_REFUSED(m, esp_amp_rpmsg_send_nocopy(m, &T.me, EPT_S, c, max),
                   ESP_AMP_ERR_TOO_BIG, ST(tx_too_big));
    EXPECT_REFUSED(m, esp_amp_rpmsg_send_nocopy(m, &T.me, EPT_S, c,
                                                (uint16_t)(max + 1)),
                   ESP_AMP_ERR_TOO_BIG, ST(tx_too_big));
    tu_sub();
    cr_assert_eq(tu_drain(&T.p.sub), 0);
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(m, &T.me, EPT_S, c, 4), 0);
    sub_gets("abcd", "sent with the created size");
}

Test(misuse, null_arguments)
{
    up_poll();
    tu_main();
    esp_amp_rpmsg_dev_t *m = &T.p.main;
    uint8_t b[4] = { 1, 2, 3, 4 };
    esp_amp_rpmsg_stats_t s0 = tu_stats(m);
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_rpmsg_create_message(NULL, 1, 0));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    const struct { const char *name; int rc; } calls[] = {
        { "send(NULL dev)", esp_amp_rpmsg_send(NULL, &T.me, EPT_S, b, 1) },
        { "send(NULL ept)", esp_amp_rpmsg_send(m, NULL, EPT_S, b, 1) },
        { "send(NULL data, 1)", esp_amp_rpmsg_send(m, &T.me, EPT_S, NULL, 1) },
        { "send_nocopy(NULL dev)",
          esp_amp_rpmsg_send_nocopy(NULL, &T.me, EPT_S, b, 1) },
        { "poll(NULL)", esp_amp_rpmsg_poll(NULL) },
        { "destroy(NULL dev)", esp_amp_rpmsg_destroy(NULL, b) },
        { "intr_enable(NULL)", esp_amp_rpmsg_intr_enable(NULL) },
        { "get_stats(NULL)", esp_amp_rpmsg_get_stats(NULL, &s0) },
        { "set_link_callback(NULL)",
          esp_amp_rpmsg_set_link_callback(NULL, NULL, NULL) },
    };
    for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
        cr_assert_eq(calls[i].rc, -1, "%s", calls[i].name);
    }
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
    cr_assert_null(esp_amp_rpmsg_create_endpoint(m, 5, tu_log_cb, NULL, NULL));
    cr_assert_null(esp_amp_rpmsg_create_endpoint(NULL, 5, tu_log_cb, NULL, &T.se));
    cr_assert_eq(esp_amp_rpmsg_get_link_state(NULL), ESP_AMP_LINK_DOWN);
    cr_assert_eq(esp_amp_rpmsg_get_max_size(NULL), 0);
    stats_moved(s0, tu_stats(m), SIZE_MAX, 0, "NULL arguments");
    cr_assert_eq(esp_amp_queue_held(txq(m)), 0);
    link_works();
}

/* ---------------------------------------------------------------------- */
/* 8. A stopped pair does not stop another one                             */

TestSuite(pairs, .init = tu_setup, .fini = tu_teardown);

Test(pairs, a_refused_descriptor_on_one_pair_leaves_the_other_working)
{
    up_poll();
    tu_main();
    static esp_amp_rpmsg_dev_t m2, s2;
    static esp_amp_queue_t mvq2[2], svq2[2];
    cr_assert_eq(esp_amp_rpmsg_main_init_by_id(&m2, mvq2, 2, 64, false, true,
                                               PAIR2_ID), 0);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_sub_init_by_id(&s2, svq2, false, true,
                                              PAIR2_ID), 0);
    main_send("stuck");
    desc_set_index(desc(0, 0), LEN);
    sub_refuses("pair A slot 0");
    tu_check_link(&m2, true, &s2, true);
    tu_check_link(&m2, true, &s2, true);
    sub_refuses("pair A still stopped");
}

/* ---------------------------------------------------------------------- */
/* 9. Regressions: library bugs found by the fuzzers and by this file (see
 * fuzz/README.md, "Findings"), fixed in 8fed3fa, 9e9e480 and 00268a7. Each
 * test states what the design promises.                                   */

TestSuite(regress, .init = tu_setup, .fini = tu_teardown);

/* BUG-SYSINFO-END: entry_get() accepts offset == region size with size 0
 * and esp_amp_sys_info_get() returns a pointer one past the region (with
 * size 0; a caller passing size = NULL cannot even tell). */
Test(regress, sysinfo_entry_at_the_region_end_is_refused)
{
    up_poll();
    tu_main();
    cr_assert_not_null(esp_amp_sys_info_alloc(USER_ID, 40));
    esp_amp_shm_sys_info_entry_t *e = entry_of(USER_ID);
    e->offset = T.h->region_size;
    e->size = 0;
    fix_check(e);
    tu_sub();
    void *p = esp_amp_sys_info_get(USER_ID, NULL);
    cr_assert_null(p, "lookup returned %p, region is [%p, %p)", p,
                   (void *)T.sshm, (void *)(T.sshm + T.h->region_size));
}

/* BUG-ISR-LOOP: rx_isr loops `do { drain } while (esp_amp_queue_pending())`;
 * pending() checks only the flags, dispatch (recv) also the address: a
 * descriptor with ready flags and a refused address makes the ISR spin for
 * ever, and the core serves nothing else. The design: the ring stops at
 * that slot (rx_corrupt counted), everything else goes on. (In format 3 the
 * refused part is the index, or the length.) */
Test(regress, isr_returns_when_a_ready_descriptor_is_refused, .timeout = 10)
{
    up(TU_SUB_INTR(LEN, ITEM), true);
    tu_main();
    static esp_amp_rpmsg_dev_t m2, s2;
    static esp_amp_queue_t mvq2[2], svq2[2];
    cr_assert_eq(esp_amp_rpmsg_main_init_by_id(&m2, mvq2, 2, 64, false, true,
                                               PAIR2_ID), 0);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_sub_init_by_id(&s2, svq2, false, true,
                                              PAIR2_ID), 0);
    main_send("bad");                     /* rings the sub's doorbell */
    desc_set_index(desc(0, 0), INDEX_MAX); /* before the sub's ISR runs */
    tu_sub();                             /* the ISR runs here */
    cr_assert_eq(T.slog.count, 0);
    cr_assert_eq(tu_stats(&T.p.sub).rx_corrupt, 1);
    tu_check_link(&m2, true, &s2, true);
    /* The same with a length above the item size, the index restored. */
    desc_set_index(desc(0, 0), 0);
    desc_set_len(desc(0, 0), ITEM + 1);
    main_send("more");                    /* rings the doorbell again */
    tu_sub();
    cr_assert_eq(T.slog.count, 0);
    cr_assert_eq(tu_stats(&T.p.sub).rx_corrupt, 1, "counted once");
    tu_check_link(&m2, true, &s2, true);
    /* Put right, both messages come, in order. */
    desc_set_len(desc(0, 0), 8 + 3);
    tu_sub();
    cr_assert_eq(esp_amp_sw_intr_trigger_self(SW_INTR_RESERVED_ID_RPMSG), 0);
    cr_assert_eq(T.slog.count, 2);
    cr_assert_arr_eq(T.slog.msg[0].data, "bad", 3);
    cr_assert_arr_eq(T.slog.msg[1].data, "more", 4);
}

/* BUG-ISR-RELINK: a callback (in rx_isr) calls destroy; link_check sees a
 * new session, the sub relinks, rebinds its queues (counters 0) and, the
 * join words being non-zero, waits JOINING "without touching the rings".
 * But rx_isr keeps draining: recv on the rebound queue takes slot 0 again:
 * the message just delivered is delivered a second time, while the link is
 * JOINING, into a buffer the application cannot give back (LINK_DOWN), and
 * the sub's ring counters no longer match what the main will reset to. */
static int s_relink_calls;
static int relink_cb(void *data, uint16_t len, uint16_t src, void *arg)
{
    (void)len;
    (void)src;
    (void)arg;
    if (s_relink_calls++ == 0) {
        T.h->session++;                   /* the peer restarts meanwhile */
    }
    (void)esp_amp_rpmsg_destroy(&T.p.sub, data);
    return 0;
}

Test(regress, isr_delivers_nothing_once_the_link_left_up)
{
    up(TU_SUB_INTR(LEN, ITEM), true);
    tu_sub();
    cr_assert_not_null(esp_amp_rpmsg_rebind_endpoint(&T.p.sub, EPT_S, relink_cb,
                                                     NULL));
    s_relink_calls = 0;
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&T.p.main, &T.me, EPT_S, "one", 3), 0);
    tu_sub();                             /* ISR: "one", then the restart */
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub), ESP_AMP_LINK_JOINING);
    cr_expect_eq(s_relink_calls, 1,
                 "%d callbacks: the ISR went on delivering after the link "
                 "left UP", s_relink_calls);
    cr_expect_eq(esp_amp_queue_held(rxq(&T.p.sub)), 0,
                 "the sub holds a buffer of a ring it must not touch");
    /* The main answers (resets the rings), the sub is UP again: the first
     * message of the new session must arrive. (With the bug, the sub's rx
     * counter stayed at 1 while the ring restarted at slot 0: lost.) */
    tu_main();
    (void)esp_amp_rpmsg_poll(&T.p.main);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub), ESP_AMP_LINK_UP);
    int before = s_relink_calls;
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(&T.p.main, &T.me, EPT_S, "two", 3), 0);
    tu_sub();
    cr_assert_eq(s_relink_calls, before + 1,
                 "the first message after the rejoin was lost");
}

/* BUG-ALLOC-COUNTER: create_message/send refused because the free
 * descriptor the peer wrote is invalid (ESP_AMP_ERR_CORRUPT) was counted in
 * tx_no_buf ("found the queue full"); it is a refusal (tx_corrupt). */
Test(regress, alloc_refusal_of_a_corrupt_descriptor_is_counted_as_corrupt)
{
    up_poll();
    tu_main();
    const uint32_t bad[] = {
        ESP_AMP_DESC(ESP_AMP_DESC_F_AVAIL, 0, 0),          /* bad flags */
        ESP_AMP_DESC(0, LEN, 0),                           /* index */
    };
    for (unsigned i = 0; i < 2; i++) {
        *desc(0, 0) = bad[i];
        esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.main);
        cr_assert_null(esp_amp_rpmsg_create_message(&T.p.main, 1, 0));
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_CORRUPT);
        stats_moved(s0, tu_stats(&T.p.main), ST(tx_corrupt), i == 0 ? 1 : 0,
                    "alloc of a corrupt descriptor (counted once)");
        cr_assert_eq(esp_amp_rpmsg_send(&T.p.main, &T.me, EPT_S, "x", 1), -1);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_CORRUPT);
        stats_moved(s0, tu_stats(&T.p.main), ST(tx_corrupt), i == 0 ? 1 : 0,
                    "send of a corrupt descriptor");
    }
}

/* Known limit (docs/threat-model.md): the size a buffer was created for is
 * kept in its RPMsg header, in shared memory, not in local RAM (that would
 * cost 2 bytes per buffer per ring). A peer that rewrites the header of a
 * buffer this core holds can raise it; the local bound - the item size -
 * still holds, so nothing is sent beyond the buffer. */
Test(misuse, created_size_is_kept_in_the_buffer_header)
{
    up_poll();
    tu_main();
    uint8_t *c = esp_amp_rpmsg_create_message(&T.p.main, 4, 0);
    cr_assert_not_null(c);
    ((esp_amp_rpmsg_head_t *)(void *)(c - 8))->data_len = 0xffff; /* peer */
    uint16_t max = esp_amp_rpmsg_get_max_size(&T.p.main);
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&T.p.main, &T.me, EPT_S, c,
                                           (uint16_t)(max + 1)), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_TOO_BIG);
    cr_assert(queue_owns(txq(&T.p.main), c - 8));
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&T.p.main, &T.me, EPT_S, c, max), 0);
}

/* BUG-GEOMETRY-REREAD: pair_lookup() validates queue_len / item_size
 * against the registry size, then queues_bind() -> esp_amp_queue_bind()
 * reads both again from shared memory, for each of the two queues. A peer
 * that changes queue_len in between gets the sub core bound to a geometry
 * that is not the block's: with 256 x 65532 the rings reach 16 MiB past a
 * 1 MiB region, and the two queues of one device may even differ. The same
 * re-read happens on the main core in main_init_by_id after formatting.
 * (Format 3: the peer writes 32, the longest ring this core binds
 * (ESP_AMP_CONFIG_QUEUE_MAX_LEN), so that only the size check refuses it;
 * 32 x 65532 reaches 4 MiB.) */
static _Atomic int s_race_stop;
static uint16_t *s_race_len;
static void *race_peer(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&s_race_stop, memory_order_relaxed)) {
        atomic_store_explicit((_Atomic uint16_t *)s_race_len,
                              ESP_AMP_CONFIG_QUEUE_MAX_LEN, memory_order_relaxed);
        atomic_store_explicit((_Atomic uint16_t *)s_race_len, 4,
                              memory_order_relaxed);
    }
    return NULL;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

Test(regress, sub_binds_only_the_geometry_it_validated, .timeout = 60)
{
    tu_main();
    static esp_amp_rpmsg_dev_t m2, s2;
    static esp_amp_queue_t mvq2[2], svq2[2];
    cr_assert_eq(esp_amp_rpmsg_main_init_by_id(&m2, mvq2, 4, 0xfffc, false,
                                               true, PAIR2_ID), 0);
    uint32_t block = 0;
    cr_assert_not_null(esp_amp_sys_info_get(PAIR2_ID, &block));
    s_race_len = &m2.pair->queue_len;
    atomic_store(&s_race_stop, 0);
    tu_sub();
    uint8_t *base = esp_amp_platform_shm_base();
    uint32_t region = sim_shm_size();
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, race_peer, NULL), 0);
    uint64_t end = mono_ms() + 2000;
    unsigned bound = 0;
    char bad[160] = "";
    while (mono_ms() < end && bad[0] == 0) {
        for (int k = 0; k < 1000 && bad[0] == 0; k++) {
            if (esp_amp_rpmsg_sub_init_by_id(&s2, svq2, false, true,
                                             PAIR2_ID) != 0) {
                continue;
            }
            bound++;
            for (int q = 0; q < 2; q++) {
                uint64_t e = (uint64_t)(svq2[q].buf - base) +
                             ((uint64_t)svq2[q].mask + 1u) * svq2[q].max_item_size;
                if (svq2[q].mask + 1u != 4 || e > region) {
                    snprintf(bad, sizeof(bad),
                             "queue %d bound with %u x %u: buffers end at "
                             "offset %llu, region %u", q, svq2[q].mask + 1u,
                             svq2[q].max_item_size, (unsigned long long)e,
                             region);
                }
            }
        }
    }
    atomic_store(&s_race_stop, 1);
    pthread_join(t, NULL);
    *s_race_len = 4;
    cr_assert(bad[0] == 0, "after %u binds: %s", bound, bad);
    cr_assert_gt(bound, 0, "the sub core never bound the pair");
}

/* BUG-STALE-BINDING (fixed in 9e9e480: the session is read again after the
 * descriptor): the sub core compared the session once per call (once per
 * ISR drain), then used its ring counters. A main core that restarts in
 * between (here: while the sub's ISR drains; in test_restart: while the sub
 * task is preempted between link_check and the ring access) formats the
 * same block again and sends; the sub read the new session's slot 0
 * through its old counters and delivered the message, then noticed the new
 * session, rebound (counters 0) and delivered the same message again.
 * The design: buffers of the old session are dropped without being
 * touched, and the new session starts from slot 0 once, after the rebind. */
static int s_stale_new0, s_stale_new0_old_session;
static uint32_t s_stale_session0;
static int s_stale_calls;
static void *s_stale_trigger;

/* The new main core, written by hand: what main_init_by_id() leaves. */
static void fake_main_restart_and_send(void)
{
    T.h->session++;
    esp_amp_shm_vq_pair_t *p = T.pair;
    for (int ring = 0; ring < 2; ring++) {
        for (unsigned i = 0; i < LEN; i++) {
            *desc(ring, i) = ESP_AMP_DESC(0, i, 0);
        }
        p->ctl[ring].join = 0;
    }
    esp_amp_rpmsg_head_t *h = head_at(buf_off(0, 0));
    h->src_addr = EPT_M;
    h->dst_addr = EPT_S;
    h->data_len = 4;
    h->data_flags = 0;
    memcpy(h + 1, "NEW0", 4);
    atomic_store((_Atomic uint32_t *)desc(0, 0),
                 ESP_AMP_DESC(ESP_AMP_DESC_F_AVAIL, 0, 12));
}

static int stale_cb(void *data, uint16_t len, uint16_t src, void *arg)
{
    (void)src;
    (void)arg;
    s_stale_calls++;
    if (len == 4 && memcmp(data, "NEW0", 4) == 0) {
        s_stale_new0++;
        if (T.p.sub.session == s_stale_session0) {
            s_stale_new0_old_session++;
        }
    } else if (len == 4 && memcmp(data, "TRIG", 4) == 0) {
        s_stale_trigger = data;        /* keep it; the main restarts now */
        fake_main_restart_and_send();
        return 0;
    }
    (void)esp_amp_rpmsg_destroy(&T.p.sub, data);
    return 0;
}

Test(regress, no_delivery_through_the_ring_state_of_an_old_session)
{
    up(TU_SUB_INTR(LEN, ITEM), true);
    /* 2 * LEN - 1 messages: the sub's next slot is 0 of lap 2, where a
     * freshly formatted ring's first message looks "ready". */
    for (unsigned i = 0; i < 2 * LEN - 1; i++) {
        main_send("warm");
        tu_sub();
    }
    cr_assert_eq(T.slog.count, (int)(2 * LEN - 1));
    tu_sub();
    s_stale_session0 = T.p.sub.session;
    s_stale_new0 = s_stale_new0_old_session = s_stale_calls = 0;
    cr_assert_not_null(esp_amp_rpmsg_rebind_endpoint(&T.p.sub, EPT_S, stale_cb,
                                                     NULL));
    main_send("TRIG");
    tu_sub(); /* the ISR: TRIG, then whatever the ring shows */
    (void)esp_amp_rpmsg_get_link_state(&T.p.sub);
    (void)esp_amp_rpmsg_poll(&T.p.sub);
    cr_expect_eq(s_stale_new0_old_session, 0,
                 "the new session's message was delivered through the old "
                 "ring state (session %u)", s_stale_session0);
    /* A main core uses no ring before it answered a join; the sub core's
     * first join of a session formats both rings, so whatever was written
     * into them before (here a message of a main core breaking that rule)
     * is wiped, never delivered. */
    cr_assert_eq(s_stale_new0, 0, "a message written before the sub core "
                                  "joined was delivered %d times", s_stale_new0);
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub), ESP_AMP_LINK_UP);
    cr_assert_eq(T.pair->ctl[0].join, 1, "the sub core did not join afresh");
}


/* BUG-SESSION-REUSE (fixed in 00268a7: the sub also watches its own join
 * request, which every formatting clears): the main core numbers a new
 * session "session word in shared memory + 1". When the region does not
 * survive the main core's restart (RAM cleared by the boot, power cycle of
 * its domain while the sub core runs on) the new session is 1 again, the
 * number the sub core is bound to: the sub did not see the restart, kept
 * its old ring counters against freshly formatted rings, and the link was
 * broken for good (messages lost, then the ring looked full). The design:
 * "a restarted peer is noticed and the link comes back". */
Test(regress, main_restart_with_a_cleared_region_is_noticed)
{
    up_poll();
    tu_sub();
    s_link_n = 0;
    cr_assert_eq(esp_amp_rpmsg_set_link_callback(&T.p.sub, link_log_cb, NULL), 0);
    for (int i = 0; i < 3; i++) {
        main_send("old");
        sub_gets("old", "before the restart");
    }
    tu_sub();
    uint32_t bound = T.p.sub.session;
    /* The main core reboots; its memory, the region included, is zeroed. */
    tu_main();
    memset(T.mshm, 0, T.h->region_size);
    memset(&T.p.main, 0, sizeof(T.p.main));
    cr_assert_eq(esp_amp_init(), 0);
    cr_assert_eq(esp_amp_rpmsg_main_init(&T.p.main, LEN, ITEM, false, true), 0);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&T.p.main, EPT_M, tu_log_cb,
                                               &T.mlog, &T.me), &T.me);
    tu_sub();
    (void)esp_amp_rpmsg_get_link_state(&T.p.sub);
    cr_expect(s_link_n >= 1 && s_link_log[0] == ESP_AMP_LINK_DOWN,
              "the sub core did not notice the restart (session %u, bound "
              "to %u)", esp_amp_sys_info_session(), bound);
    int count = T.slog.count;
    for (int i = 0; i < LEN; i++) {
        main_send("new");
        tu_sub();
        (void)esp_amp_rpmsg_poll(&T.p.sub);
    }
    cr_expect_eq(T.slog.count - count, LEN,
                 "%d of %d messages of the new session arrived",
                 T.slog.count - count, LEN);
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub), ESP_AMP_LINK_UP);
    link_works();
}

/* BUG-STALE-SEND (introduced by 9e9e480, fixed in 00268a7): send_nocopy did
 * not look at the link ("a link reset forgets every held buffer"). But the
 * sub core forgets its buffers only when it notices the new session. A buffer created before the
 * main core restarted is still "held" until then, so send_nocopy publishes
 * it - with the old ring counters - into the ring the new main core just
 * formatted at the same place: the new session receives a message of the
 * old one, and once the sub rebinds, its first allocation finds the slot
 * the main freed and refuses it (tx_corrupt): the sub can never send again.
 * The design: "buffers of the old session are dropped without being
 * touched; pointers to them are refused afterwards". */
Test(regress, a_buffer_created_before_a_main_restart_is_not_sent_into_the_new_session)
{
    up_poll();
    tu_sub();
    uint8_t *x = esp_amp_rpmsg_create_message(&T.p.sub, 4, 0);
    cr_assert_not_null(x);
    memcpy(x, "OLD!", 4);
    /* The main core restarts (same geometry: the pair lands at the same
     * place) and is ready before the sub core does anything. */
    tu_main();
    memset(&T.p.main, 0, sizeof(T.p.main));
    cr_assert_eq(esp_amp_init(), 0);
    cr_assert_eq(esp_amp_rpmsg_main_init(&T.p.main, LEN, ITEM, false, true), 0);
    tu_log_init(&T.mlog, &T.p.main);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&T.p.main, EPT_M, tu_log_cb,
                                               &T.mlog, &T.me), &T.me);
    tu_sub();
    esp_amp_clear_last_error();
    /* data_len 0: the new main zeroed the block, and with it the created
     * size kept in x's header, so a longer send happens to be refused
     * (TOO_BIG); with another geometry that header may hold anything. */
    int rc = esp_amp_rpmsg_send_nocopy(&T.p.sub, &T.se, EPT_M, x, 0);
    cr_expect_eq(rc, -1, "a buffer of the old session was sent");
    tu_main();
    int got = tu_drain(&T.p.main);
    cr_expect_eq(got, 0, "the new main core received %d message(s) of the "
                         "old session", got);
    /* And the link works both ways afterwards. */
    tu_sub();
    esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.sub);
    esp_amp_clear_last_error();
    rc = esp_amp_rpmsg_send(&T.p.sub, &T.se, EPT_M, "new", 3);
    cr_assert_eq(rc, 0, "the sub cannot send in the new session: %s "
                        "(tx_corrupt +%u)",
                 esp_amp_err_name(esp_amp_get_last_error()),
                 tu_stats(&T.p.sub).tx_corrupt - s0.tx_corrupt);
    tu_main();
    cr_assert_eq(tu_drain(&T.p.main), 1);
}

/* A sub core that notices a restart forgets what it held, its counters
 * included: while the link stays down, esp_amp_queue_held() says 0 (it
 * used to say what the old session's counters left, until the next bind,
 * which then changed it inside a call that was refused). */
Test(regress, a_sub_that_noticed_a_restart_holds_nothing)
{
    up_poll();
    tu_sub();
    cr_assert_not_null(esp_amp_rpmsg_create_message(&T.p.sub, 4, 0));
    cr_assert_eq(esp_amp_queue_held(txq(&T.p.sub)), 1);
    /* A main core that formats again: the pair's magic is 0 and the sub
     * core's join request is gone. */
    esp_amp_shm_vq_pair_t *pair = T.p.sub.pair;
    pair->magic = 0;
    pair->ctl[0].join = 0;
    esp_amp_clear_last_error();
    cr_assert_eq(esp_amp_rpmsg_poll(&T.p.sub), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_LINK_DOWN);
    cr_assert_eq(T.p.sub.link, ESP_AMP_LINK_DOWN);
    cr_assert_eq(esp_amp_queue_held(txq(&T.p.sub)), 0);
    cr_assert_eq(esp_amp_queue_held(rxq(&T.p.sub)), 0);
}

/* A sub core that rejoins without a main core's format (here: its join
 * request scribbled over) starts the new ring state with nothing marked as
 * refused: a refused descriptor in it is counted again (the mark of the
 * old session's refusal used to survive the rejoin, so it was not). */
Test(regress, a_refusal_after_a_rejoin_is_counted_again)
{
    up_poll();
    main_send("bad");
    desc_set_index(desc(0, 0), INDEX_MAX);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_poll(&T.p.sub), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_CORRUPT);
    cr_assert_eq(tu_stats(&T.p.sub).rx_corrupt, 1);
    cr_assert(T.p.sub.flags & DEV_STUCK_RX);
    /* The sub core's request disappears: it rejoins, the main core resets
     * the rings and answers. */
    T.pair->ctl[0].join = 0;
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub), ESP_AMP_LINK_JOINING);
    cr_assert_eq(T.p.sub.flags & DEV_STUCK_RX, 0, "the old refusal is still marked");
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.main), ESP_AMP_LINK_UP);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub), ESP_AMP_LINK_UP);
    /* The same refusal in the new ring state: counted. */
    main_send("bad");
    desc_set_index(desc(0, 0), INDEX_MAX);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_poll(&T.p.sub), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_CORRUPT);
    cr_assert_eq(tu_stats(&T.p.sub).rx_corrupt, 2, "not counted in the new session");
    /* Put right, it arrives. */
    desc_set_index(desc(0, 0), 0);
    sub_gets("bad", "after the rejoin");
}

/* The doorbell handler lingers on a ring it has just emptied
 * (ESP_AMP_CONFIG_RX_LINGER looks) before it asks for a doorbell again: a
 * message that lands then is taken in the same run, and kick_me is not
 * armed in between (one doorbell per burst, not per message). The second
 * message's descriptor is held back until the run has found the ring
 * empty and leaves its critical section to linger. */
static struct {
    esp_amp_queue_desc_t held_back;
    bool restored;
    int entries_after;         /* critical sections entered after that */
    uint32_t kick_me;          /* the sub core's kick_me at the first one */
} s_linger;

static void linger_hook(void *arg, bool entering, int depth)
{
    (void)arg;
    (void)depth;
    if (T.slog.count != 1) {
        return;                /* before the first message, or after both */
    }
    if (!entering && !s_linger.restored) {
        *desc(0, 1) = s_linger.held_back;   /* the peer's send lands now */
        s_linger.restored = true;
    } else if (entering && s_linger.restored && s_linger.entries_after++ == 0) {
        s_linger.kick_me = T.pair->ctl[0].kick_me;
    }
}

Test(ctl, a_message_that_lands_while_the_handler_lingers_is_taken_in_the_same_run)
{
    up(TU_SUB_INTR(LEN, ITEM), false);
    cr_assert_gt(ESP_AMP_CONFIG_RX_LINGER, 0);
    main_send("a");
    main_send("b");
    memset(&s_linger, 0, sizeof(s_linger));
    s_linger.held_back = *desc(0, 1);
    *desc(0, 1) = ESP_AMP_DESC(0, 1, 0);    /* "not sent yet" */
    esp_amp_env_posix_set_critical_hook(linger_hook, NULL);
    tu_sub();                                /* the doorbell handler runs */
    esp_amp_env_posix_set_critical_hook(NULL, NULL);
    cr_assert(s_linger.restored, "the handler did not linger");
    cr_assert_eq(T.slog.count, 2, "%d message(s) in the run", T.slog.count);
    cr_assert_arr_eq(T.slog.msg[0].data, "a", 1);
    cr_assert_arr_eq(T.slog.msg[1].data, "b", 1);
    cr_assert_eq(s_linger.entries_after, 1, "%d passes to take it",
                 s_linger.entries_after);
    cr_assert_eq(s_linger.kick_me, 0, "kick_me armed while lingering");
    cr_assert_eq(T.pair->ctl[0].kick_me, 1, "idle at the end, but not armed");
}

/* A sender that waits for a free buffer is rung when one comes back, and
 * only while it waits (steady traffic rings nothing). */
Test(ctl, a_waiting_sender_is_rung_when_a_buffer_comes_back)
{
    up(TU_POLL(LEN, ITEM), false); /* the sub application keeps buffers */
    const uint32_t tx_bit = 1u << SW_INTR_RESERVED_ID_RPMSG_TX;
    main_send("a");
    sub_gets("a", "first");
    T.h->sw_intr_pending[0] = 0;
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_destroy(&T.p.sub, T.slog.msg[0].ptr), 0);
    cr_assert_eq(T.h->sw_intr_pending[0] & tx_bit, 0, "rung while not waiting");

    tu_main();
    cr_assert_eq(esp_amp_rpmsg_tx_wait(&T.p.main, true), 0);
    cr_assert_eq(T.pair->ctl[1].tx_wait, 1);
    main_send("b");
    sub_gets("b", "second");
    T.h->sw_intr_pending[0] = 0;
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_destroy(&T.p.sub, T.slog.msg[1].ptr), 0);
    cr_assert_neq(T.h->sw_intr_pending[0] & tx_bit, 0, "waiting sender not rung");

    tu_main();
    cr_assert_eq(esp_amp_rpmsg_tx_wait(&T.p.main, false), 0);
    cr_assert_eq(T.pair->ctl[1].tx_wait, 0);
    cr_assert_eq(esp_amp_rpmsg_tx_wait(NULL, true), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
}

/* A message the receiver drops (no endpoint, or a header that does not
 * fit its descriptor) frees its buffer at once: a waiting sender is rung
 * for it as for a destroy, and only while it waits. */
Test(ctl, a_dropped_message_rings_a_waiting_sender)
{
    up(TU_POLL(LEN, ITEM), false);
    const uint32_t tx_bit = 1u << SW_INTR_RESERVED_ID_RPMSG_TX;
    for (int waiting = 0; waiting < 2; waiting++) {
        tu_main();
        cr_assert_eq(esp_amp_rpmsg_tx_wait(&T.p.main, waiting != 0), 0);
        /* no endpoint 0x777 on the sub core */
        cr_assert_eq(esp_amp_rpmsg_send(&T.p.main, &T.me, 0x777, "x", 1), 0);
        /* a header longer than its descriptor */
        main_send("abcd");
        desc_set_len(desc(0, (uint16_t)(T.p.main.vq[0].tail - 1u)), 9);
        esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.sub);
        for (int k = 0; k < 2; k++) {
            T.h->sw_intr_pending[0] = 0;
            tu_sub();
            cr_assert_eq(esp_amp_rpmsg_poll(&T.p.sub), 0);
            if (waiting) {
                cr_assert_neq(T.h->sw_intr_pending[0] & tx_bit, 0, "drop %d: not rung", k);
            } else {
                cr_assert_eq(T.h->sw_intr_pending[0] & tx_bit, 0, "drop %d: rung", k);
            }
        }
        esp_amp_rpmsg_stats_t s1 = tu_stats(&T.p.sub);
        cr_assert_eq(s1.rx_no_ept, s0.rx_no_ept + 1);
        cr_assert_eq(s1.rx_bad_header, s0.rx_bad_header + 1);
        cr_assert_eq(esp_amp_queue_held(&T.p.sub.vq[1]), 0, "a dropped buffer is held");
    }
}

static int sw_noop(void *arg)
{
    (void)arg;
    return 0;
}

/* A sub core restarts; its init must find the pair again. */
static int sub_restart(void)
{
    tu_sub();
    if (esp_amp_init() != 0) {
        return -1;
    }
    return T.p.cfg.id == 0
               ? esp_amp_rpmsg_sub_init(&T.p.sub, T.p.cfg.sub_notify, T.p.cfg.sub_poll)
               : esp_amp_rpmsg_sub_init_by_id(&T.p.sub, T.p.sub_vq, T.p.cfg.sub_notify,
                                              T.p.cfg.sub_poll, T.p.cfg.id);
}

/* The peer damages the region header or the registry; a sub core that
 * restarts then cannot attach - until the main core notices and rewrites
 * them from its own copy (here through get_link_state, from an empty poll
 * and from its doorbell handler). Then the restarted sub core joins and
 * messages flow both ways. The pending software-interrupt words are live:
 * the repair leaves them alone. */
Test(header, the_main_core_repairs_a_damaged_header_and_registry)
{
    /* how: 0 get_link_state, 1 the 256th empty poll, 2 a doorbell;
     * blocks: a sub core restarting on the damaged region cannot attach. */
    const struct {
        const char *what; uint32_t off; uint32_t value; int how; bool blocks;
    } cases[] = {
        { "magic", 0, 0, 0, true },
        { "version 2, slots kept", 4, (uint32_t)SLOTS << 16 | 2u, 1, true },
        { "slots 0", 6, 0, 2, true },
        { "slots 7 (the registry covers the pair block)", 6, SLOTS + 1, 0, true },
        { "slots 5", 6, SLOTS - 1, 1, false },
        { "region_size", 8, 12345, 0, true },
        { "session", 12, 0xdead, 1, false },
        { "reserved word 0", 24, 0x1234, 2, false },
        { "reserved word 1", 28, 0xffffffffu, 0, false },
        { "registry entry 0 check", REGION_HDR + 12, 0x1234, 1, true },
        { "registry entry 0 state", REGION_HDR + 2, 0, 2, true },
        { "registry entry 0 offset", REGION_HDR + 4, FIRST_BLOCK + 8, 0, true },
        { "registry slot 5 made valid", REGION_HDR + 5 * ENTRY + 2,
          ESP_AMP_SYS_INFO_ENTRY_VALID, 2, false },
        { "registry slot 5 id", REGION_HDR + 5 * ENTRY, 0x4242, 1, false },
    };
    for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        tu_main();   /* both cores boot afresh for each case */
        cr_assert_eq(esp_amp_init(), 0);
        tu_sub();
        cr_assert_eq(esp_amp_init(), 0);
        up_poll();
        uint32_t session = T.h->session;
        cr_assert_eq(T.h->slots, SLOTS);
        uint8_t hdr0[FIRST_BLOCK];
        memcpy(hdr0, T.mshm, sizeof(hdr0));
        uint8_t *p = T.mshm + cases[k].off;
        if (cases[k].off % 4 == 0) {
            *(uint32_t *)(void *)p = cases[k].value;
        } else {
            *(uint16_t *)(void *)p = (uint16_t)cases[k].value;
        }
        if (cases[k].blocks) {
            cr_assert_eq(sub_restart(), -1, "%s: sub attached to a damaged region",
                         cases[k].what);
        }
        /* Live pending bits of the sub core: not the repair's to touch. */
        const uint32_t live = 1u << SW_INTR_ID_5;
        T.h->sw_intr_pending[1] |= live;
        uint32_t pending1 = T.h->sw_intr_pending[1];
        tu_main();
        if (cases[k].how == 0) {
            cr_assert_neq(esp_amp_rpmsg_get_link_state(&T.p.main), ESP_AMP_LINK_DOWN);
        } else if (cases[k].how == 1) {
            for (int i = 0; i < 256; i++) {
                cr_assert_eq(esp_amp_rpmsg_poll(&T.p.main), -1);
            }
        } else {
            cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_0, sw_noop, NULL), 0);
            T.h->sw_intr_pending[0] |= 1u << SW_INTR_ID_0;
            esp_amp_sw_intr_dispatch();
        }
        cr_assert_eq(T.h->magic, ESP_AMP_SHM_MAGIC, "%s: not repaired", cases[k].what);
        cr_assert_eq(T.h->session, session, "%s: session changed", cases[k].what);
        cr_assert_eq(entry_at(5)->state, 0, "%s", cases[k].what);
        cr_assert_eq(T.h->sw_intr_pending[1], pending1, "%s: pending bits of "
                     "the sub core changed", cases[k].what);
        T.h->sw_intr_pending[1] &= ~live;
        /* Everything else is as the main core formatted it. */
        uint8_t hdr1[FIRST_BLOCK];
        memcpy(hdr1, T.mshm, sizeof(hdr1));
        memset(hdr0 + 16, 0, 8);             /* the pending words */
        memset(hdr1 + 16, 0, 8);
        cr_assert(memcmp(hdr0, hdr1, sizeof(hdr0)) == 0, "%s: the header and "
                  "registry are not as formatted", cases[k].what);
        cr_assert_eq(sub_restart(), 0, "%s: the restarted sub core cannot attach: %s",
                     cases[k].what, esp_amp_err_name(esp_amp_get_last_error()));
        tu_main();
        cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.main), ESP_AMP_LINK_UP);
        cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub), ESP_AMP_LINK_UP);
        cr_assert_not_null(esp_amp_rpmsg_create_endpoint(&T.p.sub, EPT_S, tu_log_cb,
                                                         &T.slog, &T.se));
        main_send("fixed");
        sub_gets("fixed", cases[k].what);
        tu_sub();
        cr_assert_eq(esp_amp_rpmsg_send(&T.p.sub, &T.se, EPT_M, "back", 4), 0);
        tu_main();
        cr_assert_eq(esp_amp_rpmsg_poll(&T.p.main), 0, "%s: main receives", cases[k].what);
    }
}
