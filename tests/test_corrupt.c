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
} T;

static void up(tu_cfg_t cfg, bool sub_destroys)
{
    memset(&T, 0, sizeof(T));
    tu_pair_up(&T.p, cfg);
    tu_main();
    T.mshm = esp_amp_platform_shm_base();
    T.h = (esp_amp_shm_header_t *)(void *)T.mshm;
    T.pair = T.p.main.pair;
    T.pair_off = (uint32_t)((uint8_t *)T.pair - T.mshm);
    tu_log_init(&T.mlog, &T.p.main);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&T.p.main, EPT_M, tu_log_cb,
                                               &T.mlog, &T.me), &T.me);
    tu_sub();
    T.sshm = esp_amp_platform_shm_base();
    tu_log_init(&T.slog, sub_destroys ? &T.p.sub : NULL);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(&T.p.sub, EPT_S, tu_log_cb,
                                               &T.slog, &T.se), &T.se);
    tu_main();
}

static void up_poll(void)
{
    up(TU_POLL(LEN, ITEM), true);
}

/* Descriptor `slot` of ring `ring` (0: main -> sub, 1: sub -> main). */
static esp_amp_queue_desc_t *desc(int ring, unsigned slot)
{
    uint16_t len = T.pair->queue_len;
    return (esp_amp_queue_desc_t *)(void *)((uint8_t *)T.pair + 192) +
           (unsigned)ring * len + slot % len;
}

/* Region offset of buffer i of ring `ring`. */
static uint32_t buf_off(int ring, unsigned i)
{
    const esp_amp_queue_t *q = ring == 0 ? T.p.main.tx_queue : T.p.main.rx_queue;
    return q->buf_off + i * q->max_item_size;
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
              "(tx %u rx %u no_ept %u bad_hdr %u corrupt %u no_buf %u "
              "too_big %u bad_ptr %u notifies %u resets %u down %u)", what,
              after.tx_msgs, after.rx_msgs, after.rx_no_ept,
              after.rx_bad_header, after.rx_corrupt, after.tx_no_buf,
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
        { "version 1 (the previous format)", 4, 2, 1 },
        { "version 3", 4, 2, 3 },
        { "header_size 767", 6, 2, 767 },
        { "header_size 0", 6, 2, 0 },
        { "header_size 769", 6, 2, 769 },
        { "region_size - 1", 8, 4, region - 1 },
        { "region_size + 4096", 8, 4, region + 4096 },
        { "region_size 0", 8, 4, 0 },
    };
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
    for (unsigned i = 0; i < ESP_AMP_SYS_INFO_SLOTS; i++) {
        if (T.h->sys_info[i].id == id &&
            T.h->sys_info[i].state == ESP_AMP_SYS_INFO_ENTRY_VALID) {
            return &T.h->sys_info[i];
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
    int field;          /* 0 id, 1 state, 2 offset, 3 size, 4 check */
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
        { "offset 767 (in the header)", 2, 767, false, true },
        { "offset 760 (in the header)", 2, 760, false, true },
        { "offset + 4 (not 8-aligned)", 2, 4, true, true },
        { "offset = region end", 2, region, false, true },
        { "offset past the end", 2, region + 64, false, true },
        { "offset 0xfffffff8", 2, 0xfffffff8u, false, true },
        { "offset + 64, check stale", 2, 64, true, false },
        { "size = region", 3, region, false, true },
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
        default: e->check ^= c->value; break;
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
    link_works();
}

/* ---------------------------------------------------------------------- */
/* 3. Device-pair block header                                             */

TestSuite(pair, .init = tu_setup, .fini = tu_teardown);

struct pair_case {
    const char *name;
    int field;          /* 0 magic, 1 queue_len, 2 item_size, 3 block_size,
                           4 registry size (check fixed) */
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
    const struct pair_case cases[] = {
        { "magic 0", 0, 0, ESP_AMP_ERR_NOT_INIT },
        { "magic ^ 1", 0, ESP_AMP_VQ_MAGIC ^ 1u, ESP_AMP_ERR_NOT_INIT },
        { "queue_len 0", 1, 0, ESP_AMP_ERR_CORRUPT },
        { "queue_len 3", 1, 3, ESP_AMP_ERR_CORRUPT },
        { "queue_len 512", 1, 512, ESP_AMP_ERR_CORRUPT },
        { "queue_len 8 (other size)", 1, 8, ESP_AMP_ERR_CORRUPT },
        { "queue_len 2 (other size)", 1, 2, ESP_AMP_ERR_CORRUPT },
        { "item_size 0", 2, 0, ESP_AMP_ERR_CORRUPT },
        { "item_size 30", 2, 30, ESP_AMP_ERR_CORRUPT },
        { "item_size 8", 2, 8, ESP_AMP_ERR_CORRUPT },
        { "item_size 36 (other size)", 2, 36, ESP_AMP_ERR_CORRUPT },
        { "item_size 0xfffc", 2, 0xfffc, ESP_AMP_ERR_CORRUPT },
        { "block_size + 64", 3, 64, ESP_AMP_ERR_CORRUPT },
        { "block_size - 64", 3, (uint32_t)-64, ESP_AMP_ERR_CORRUPT },
        { "registry size + 64", 4, 64, ESP_AMP_ERR_CORRUPT },
        { "registry size - 8", 4, (uint32_t)-8, ESP_AMP_ERR_CORRUPT },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct pair_case *c = &cases[i];
        esp_amp_shm_vq_pair_t saved = *p2;
        esp_amp_shm_sys_info_entry_t saved_e = *e;
        switch (c->field) {
        case 0: p2->magic = c->value; break;
        case 1: p2->queue_len = (uint16_t)c->value; break;
        case 2: p2->item_size = (uint16_t)c->value; break;
        case 3: p2->block_size += c->value; break;
        default: e->size += c->value; fix_check(e); break;
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
    T.pair->block_size = 1;
    link_works();
    tu_sub();
    cr_assert_eq(T.p.sub.rx_queue->mask + 1u, LEN);
    cr_assert_eq(T.p.sub.rx_queue->max_item_size, ITEM);
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
    uint16_t held = esp_amp_queue_held(T.p.sub.rx_queue);
    uint32_t counted = T.p.sub.rx_queue->stuck ? 0 : 1;
    for (int k = 0; k < 2; k++) {
        esp_amp_clear_last_error();
        cr_assert_eq(esp_amp_rpmsg_poll(&T.p.sub), -1, "%s", what);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_CORRUPT, "%s: %s",
                     what, esp_amp_err_name(esp_amp_get_last_error()));
    }
    stats_moved(s0, tu_stats(&T.p.sub), ST(rx_corrupt), counted, what);
    cr_assert(T.p.sub.rx_queue->stuck, "%s: not marked as refused", what);
    cr_assert_eq(T.slog.count, count, "%s: delivered", what);
    cr_assert_eq(esp_amp_queue_held(T.p.sub.rx_queue), held, "%s", what);
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
}

Test(desc, bad_address_stops_the_ring_at_that_slot)
{
    up_poll();
    uint32_t region = T.h->region_size;
    const struct { const char *name; uint32_t addr; } cases[] = {
        { "0", 0 },
        { "the header end", 768 },
        { "the pair block", T.pair_off },
        { "ring 0 descriptors", T.pair_off + 192 },
        { "buffer 0 + 4 (misaligned)", buf_off(0, 0) + 4 },
        { "buffer 1 - 1", buf_off(0, 1) - 1 },
        { "just past ring 0", buf_off(0, LEN) },
        { "ring 1 buffer 0 (another ring's)", buf_off(1, 0) },
        { "ring 1 buffer 3 (another ring's)", buf_off(1, 3) },
        { "before ring 0", buf_off(0, 0) - ITEM },
        { "region end", region },
        { "0xffffffe0", 0xffffffe0u },
    };
    main_send("abc");
    esp_amp_queue_desc_t *d = desc(0, 0);
    uint32_t good = d->addr;
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        d->addr = cases[i].addr;
        sub_refuses(cases[i].name);
    }
    d->addr = good;
    sub_gets("abc", "restored address");
    /* Another of the ring's own buffers is fine (any order is legal). */
    main_send("def");
    esp_amp_queue_desc_t *d1 = desc(0, 1);
    memcpy(T.mshm + buf_off(0, 3), T.mshm + d1->addr, ITEM);
    d1->addr = buf_off(0, 3);
    sub_gets("def", "another buffer of the ring");
}

Test(desc, address_of_a_buffer_the_receiver_holds_is_refused)
{
    up(TU_POLL(LEN, ITEM), false); /* the sub application keeps buffers */
    main_send("one");
    sub_gets("one", "first message");
    uint32_t held = (uint32_t)((uint8_t *)T.slog.msg[0].ptr - 8 - T.sshm);
    main_send("two");
    esp_amp_queue_desc_t *d = desc(0, 1);
    uint32_t good = d->addr;
    d->addr = held;
    sub_refuses("a buffer the sub holds");
    d->addr = good;
    sub_gets("two", "restored");
    cr_assert_eq(esp_amp_rpmsg_destroy(&T.p.sub, T.slog.msg[0].ptr), 0);
    cr_assert_eq(esp_amp_rpmsg_destroy(&T.p.sub, T.slog.msg[1].ptr), 0);
}

Test(desc, length_above_the_item_size_is_refused)
{
    up_poll();
    main_send("abc");
    esp_amp_queue_desc_t *d = desc(0, 0);
    uint16_t good = d->len;
    d->len = ITEM + 1;
    sub_refuses("len item + 1");
    d->len = 0xffff;
    sub_refuses("len 0xffff");
    d->len = ITEM; /* the largest legal length: the header still fits */
    sub_gets("abc", "len = item size");
    (void)good;
}

/* recv #c accepts exactly "sent in this lap"; "freed in the last lap" and
 * "sent in the last lap" mean "nothing yet"; every other 16-bit value is
 * refused. Both laps (wrap bit 1 and 0). */
static void flags_sweep(unsigned slot, uint16_t ready, uint16_t idle1,
                        uint16_t idle2, const char *text)
{
    esp_amp_queue_desc_t *d = desc(0, slot);
    cr_assert_eq(d->flags, ready, "slot %u holds %#x, not %#x", slot, d->flags,
                 ready);
    tu_sub();
    esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.sub);
    uint32_t counted = T.p.sub.rx_queue->stuck ? 0 : 1;
    unsigned refused = 0;
    for (uint32_t v = 0; v <= 0xffff; v++) {
        if (v == ready) {
            continue;
        }
        d->flags = (uint16_t)v;
        esp_amp_clear_last_error();
        cr_assert_eq(esp_amp_rpmsg_poll(&T.p.sub), -1, "flags %#x", v);
        esp_amp_err_t want = (v == idle1 || v == idle2) ? ESP_AMP_ERR_EMPTY
                                                        : ESP_AMP_ERR_CORRUPT;
        if (esp_amp_get_last_error() != want) {
            cr_assert_fail("flags %#x: %s, expected %s", v,
                           esp_amp_err_name(esp_amp_get_last_error()),
                           esp_amp_err_name(want));
        }
        refused += want == ESP_AMP_ERR_CORRUPT;
    }
    cr_assert_eq(refused, 65536 - 3);
    /* 65533 refusals of one descriptor: counted once. */
    stats_moved(s0, tu_stats(&T.p.sub), ST(rx_corrupt), counted, "sweep");
    cr_assert_eq(esp_amp_queue_held(T.p.sub.rx_queue), 0);
    d->flags = ready;
    sub_gets(text, "ready flags");
}

Test(desc, every_invalid_flags_pattern_is_refused_in_both_laps)
{
    up_poll();
    main_send("lap0");
    /* lap 0 (w = 1): ready AVAIL; idle: 0 (freed, lap -1), USED (sent,
     * lap -1) */
    flags_sweep(0, ESP_AMP_DESC_F_AVAIL, 0, ESP_AMP_DESC_F_USED, "lap0");
    for (unsigned i = 1; i < LEN; i++) {
        main_send("fill");
        sub_gets("fill", "fill the lap");
    }
    main_send("lap1");
    /* lap 1 (w = 0): ready USED; idle: AVAIL|USED (freed in lap 0) and
     * AVAIL (sent in lap 0) */
    flags_sweep(0, ESP_AMP_DESC_F_USED,
                ESP_AMP_DESC_F_AVAIL | ESP_AMP_DESC_F_USED,
                ESP_AMP_DESC_F_AVAIL, "lap1");
    link_works();
}

/* The producer side: the descriptor alloc reads was written by the peer's
 * free. Its flags must say "freed in the last lap" (or "still sent": the
 * queue is full), its address must be a buffer of the ring that the
 * producer does not hold. */
Test(desc, alloc_refuses_bad_free_descriptors)
{
    up_poll();
    tu_main();
    esp_amp_queue_desc_t *d = desc(0, 0);
    for (uint32_t v = 1; v <= 0xffff; v++) {
        d->flags = (uint16_t)v;
        esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.main);
        esp_amp_clear_last_error();
        cr_assert_null(esp_amp_rpmsg_create_message(&T.p.main, 1, 0),
                       "flags %#x gave a buffer", v);
        esp_amp_err_t want = v == ESP_AMP_DESC_F_USED ? ESP_AMP_ERR_NO_BUF
                                                      : ESP_AMP_ERR_CORRUPT;
        if (esp_amp_get_last_error() != want) {
            cr_assert_fail("flags %#x: %s, expected %s", v,
                           esp_amp_err_name(esp_amp_get_last_error()),
                           esp_amp_err_name(want));
        }
        /* One counter moves (which one: see bug/alloc_refusal_...). */
        esp_amp_rpmsg_stats_t s1 = tu_stats(&T.p.main);
        s0.tx_no_buf += s1.tx_no_buf - s0.tx_no_buf;
        s0.tx_corrupt += s1.tx_corrupt - s0.tx_corrupt;
        cr_assert(memcmp(&s0, &s1, sizeof(s0)) == 0, "flags %#x", v);
        cr_assert_eq(esp_amp_queue_held(T.p.main.tx_queue), 0);
    }
    d->flags = 0;
    uint32_t region = T.h->region_size;
    const struct { const char *name; uint32_t addr; } bad[] = {
        { "0", 0 },
        { "region end", region },
        { "buffer 0 + 4", buf_off(0, 0) + 4 },
        { "ring 1 buffer 0", buf_off(1, 0) },
        { "past ring 0", buf_off(0, LEN) },
    };
    uint32_t good = d->addr;
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        d->addr = bad[i].addr;
        esp_amp_clear_last_error();
        cr_assert_null(esp_amp_rpmsg_create_message(&T.p.main, 1, 0), "%s",
                       bad[i].name);
        cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_CORRUPT, "%s: %s",
                     bad[i].name, esp_amp_err_name(esp_amp_get_last_error()));
        cr_assert_eq(esp_amp_queue_held(T.p.main.tx_queue), 0);
    }
    d->addr = good;
    uint8_t *x = esp_amp_rpmsg_create_message(&T.p.main, 1, 0);
    cr_assert_not_null(x);
    /* The next free descriptor names the buffer the producer holds. */
    uint32_t x_off = (uint32_t)(x - 8 - T.mshm);
    esp_amp_queue_desc_t *d1 = desc(0, 1);
    good = d1->addr;
    d1->addr = x_off;
    esp_amp_clear_last_error();
    cr_assert_null(esp_amp_rpmsg_create_message(&T.p.main, 1, 0),
                   "a buffer the producer holds was given out again");
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_CORRUPT);
    d1->addr = good;
    uint8_t *y = esp_amp_rpmsg_create_message(&T.p.main, 1, 0);
    cr_assert_not_null(y);
    cr_assert_neq(x, y);
    x[0] = 'x';
    y[0] = 'y';
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&T.p.main, &T.me, EPT_S, x, 1), 0);
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&T.p.main, &T.me, EPT_S, y, 1), 0);
    sub_gets("x", "x");
    sub_gets("y", "y");
}

/* ---------------------------------------------------------------------- */
/* 5. RPMsg header                                                         */

TestSuite(rpmsg, .init = tu_setup, .fini = tu_teardown);

/* main sends `s`; returns the header of the buffer it went out in. */
static esp_amp_rpmsg_head_t *sent_head(const char *s)
{
    main_send(s);
    uint16_t slot = (uint16_t)(T.p.main.tx_queue->tail - 1u);
    return head_at(desc(0, slot)->addr);
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
        cr_assert_eq(esp_amp_queue_held(T.p.sub.rx_queue), 0);
    }
    /* A descriptor shorter than a header. */
    esp_amp_rpmsg_head_t *h = sent_head("");
    (void)h;
    desc(0, (uint16_t)(T.p.main.tx_queue->tail - 1u))->len = 7;
    tu_sub();
    esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.sub);
    cr_assert_eq(esp_amp_rpmsg_poll(&T.p.sub), 0);
    stats_moved(s0, tu_stats(&T.p.sub), ST(rx_bad_header), 1, "len 7");
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
        T.h->sw_intr_pending[1][0] = 0;
        tu_main();
        esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.main);
        main_send("k");
        esp_amp_rpmsg_stats_t s1 = tu_stats(&T.p.main);
        s0.tx_msgs++;
        stats_moved(s0, s1, ST(notifies), 1, "kick_me garbage");
        cr_assert(T.h->sw_intr_pending[1][0] & (1u << SW_INTR_RESERVED_ID_RPMSG));
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
    cr_assert_eq(esp_amp_queue_held(T.p.main.tx_queue), 0);
    for (unsigned i = 0; i < LEN; i++) {
        cr_assert_eq(desc(0, i)->flags, 0, "ring 0 slot %u not reset", i);
        cr_assert_eq(desc(1, i)->flags, 0, "ring 1 slot %u not reset", i);
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

Test(ctl, ack_is_ignored_while_up_and_must_match_while_joining)
{
    up_poll();
    T.pair->ctl[1].join = 77;            /* garbage ack while UP */
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub), ESP_AMP_LINK_UP);
    link_works();
    T.pair->ctl[1].join = 1;
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
    tu_main();
    (void)esp_amp_rpmsg_poll(&T.p.main);   /* the real answer: ack 2 */
    cr_assert_eq(T.pair->ctl[1].join, 2);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&T.p.sub), ESP_AMP_LINK_UP);
    link_works();
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
    T.h->sw_intr_pending[1][0] = 0xffffffffu;
    sim_raise_doorbell(ESP_AMP_CORE_SUB);
    tu_sub();                             /* the ISR runs on entry */
    cr_assert_gt(sim_isr_count(), isr0);
    cr_assert_eq(s_app_intr, 1);
    cr_assert_eq(T.slog.count, 0);
    stats_moved(s0, tu_stats(&T.p.sub), SIZE_MAX, 0, "pending bits");
    cr_assert_eq(T.h->sw_intr_pending[1][0], 0);
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
        uint16_t rx_ = esp_amp_queue_held((dev)->rx_queue);                  \
        uint16_t tx_ = esp_amp_queue_held((dev)->tx_queue);                  \
        esp_amp_clear_last_error();                                          \
        cr_assert_eq((call), -1, "%s", #call);                               \
        cr_assert_eq(esp_amp_get_last_error(), (err), "%s: %s", #call,       \
                     esp_amp_err_name(esp_amp_get_last_error()));            \
        stats_moved(s0_, tu_stats(dev), (field), (field) == SIZE_MAX ? 0 : 1, \
                    #call);                                                  \
        cr_assert_eq(esp_amp_queue_held((dev)->rx_queue), rx_, "%s", #call); \
        cr_assert_eq(esp_amp_queue_held((dev)->tx_queue), tx_, "%s", #call); \
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
    EXPECT_REFUSED(s, esp_amp_rpmsg_send_nocopy(s, &T.se, EPT_M, T.sshm + 776, 2),
                   ESP_AMP_ERR_NOT_OWNED, ST(bad_ptr));
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
    cr_assert_eq(esp_amp_queue_held(m->tx_queue), 0);
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
    desc(0, 0)->addr = 0;
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
 * that slot (rx_corrupt counted), everything else goes on. */
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
    desc(0, 0)->addr = 16;                /* before the sub's ISR runs */
    tu_sub();                             /* the ISR runs here */
    cr_assert_eq(T.slog.count, 0);
    cr_assert_geq(tu_stats(&T.p.sub).rx_corrupt, 1);
    tu_check_link(&m2, true, &s2, true);
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
    cr_expect_eq(esp_amp_queue_held(T.p.sub.rx_queue), 0,
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
    desc(0, 0)->flags = 0x8000;
    esp_amp_rpmsg_stats_t s0 = tu_stats(&T.p.main);
    cr_assert_null(esp_amp_rpmsg_create_message(&T.p.main, 1, 0));
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_CORRUPT);
    stats_moved(s0, tu_stats(&T.p.main), ST(tx_corrupt), 1,
                "alloc of a corrupt descriptor");
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
    cr_assert(queue_owns(T.p.main.tx_queue, c - 8));
    cr_assert_eq(esp_amp_rpmsg_send_nocopy(&T.p.main, &T.me, EPT_S, c, max), 0);
}

/* BUG-GEOMETRY-REREAD: pair_lookup() validates queue_len / item_size
 * against the registry size, then queues_bind() -> esp_amp_queue_bind()
 * reads both again from shared memory, for each of the two queues. A peer
 * that changes queue_len in between gets the sub core bound to a geometry
 * that is not the block's: with 256 x 65532 the rings reach 16 MiB past a
 * 1 MiB region, and the two queues of one device may even differ. The same
 * re-read happens on the main core in main_init_by_id after formatting. */
static _Atomic int s_race_stop;
static volatile uint16_t *s_race_len;
static void *race_peer(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&s_race_stop, memory_order_relaxed)) {
        *s_race_len = 256;
        *s_race_len = 4;
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
            esp_amp_queue_desc_t *d = desc(ring, i);
            d->addr = buf_off(ring, i);
            d->len = ITEM;
            d->flags = 0;
        }
        p->ctl[ring].join = 0;
    }
    esp_amp_rpmsg_head_t *h = head_at(buf_off(0, 0));
    h->src_addr = EPT_M;
    h->dst_addr = EPT_S;
    h->data_len = 4;
    h->data_flags = 0;
    memcpy(h + 1, "NEW0", 4);
    desc(0, 0)->len = 12;
    atomic_store((_Atomic uint16_t *)&desc(0, 0)->flags, ESP_AMP_DESC_F_AVAIL);
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

/* A sender that waits for a free buffer is rung when one comes back, and
 * only while it waits (steady traffic rings nothing). */
Test(ctl, a_waiting_sender_is_rung_when_a_buffer_comes_back)
{
    up(TU_POLL(LEN, ITEM), false); /* the sub application keeps buffers */
    const uint32_t tx_bit = 1u << SW_INTR_RESERVED_ID_RPMSG_TX;
    main_send("a");
    sub_gets("a", "first");
    T.h->sw_intr_pending[0][0] = 0;
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_destroy(&T.p.sub, T.slog.msg[0].ptr), 0);
    cr_assert_eq(T.h->sw_intr_pending[0][0] & tx_bit, 0, "rung while not waiting");

    tu_main();
    cr_assert_eq(esp_amp_rpmsg_tx_wait(&T.p.main, true), 0);
    cr_assert_eq(T.pair->ctl[1].tx_wait, 1);
    main_send("b");
    sub_gets("b", "second");
    T.h->sw_intr_pending[0][0] = 0;
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_destroy(&T.p.sub, T.slog.msg[1].ptr), 0);
    cr_assert_neq(T.h->sw_intr_pending[0][0] & tx_bit, 0, "waiting sender not rung");

    tu_main();
    cr_assert_eq(esp_amp_rpmsg_tx_wait(&T.p.main, false), 0);
    cr_assert_eq(T.pair->ctl[1].tx_wait, 0);
    cr_assert_eq(esp_amp_rpmsg_tx_wait(NULL, true), -1);
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_INVALID_ARG);
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
 * messages flow both ways. */
Test(header, the_main_core_repairs_a_damaged_header_and_registry)
{
    /* how: 0 get_link_state, 1 the 256th empty poll, 2 a doorbell;
     * blocks: a sub core restarting on the damaged region cannot attach. */
    const struct {
        const char *what; uint32_t off; uint32_t value; int how; bool blocks;
    } cases[] = {
        { "magic", 0, 0, 0, true },
        { "region_size", 8, 12345, 0, true },
        { "session", 12, 0xdead, 1, false },
        { "registry entry 0 check", 192 + 12, 0x1234, 1, true },
        { "registry entry 0 state", 192 + 2, 0, 2, true },
        { "registry slot 5 made valid", 192 + 5 * 16 + 2, ESP_AMP_SYS_INFO_ENTRY_VALID, 2, false },
    };
    for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        tu_main();   /* both cores boot afresh for each case */
        cr_assert_eq(esp_amp_init(), 0);
        tu_sub();
        cr_assert_eq(esp_amp_init(), 0);
        up_poll();
        uint32_t session = T.h->session;
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
        tu_main();
        if (cases[k].how == 0) {
            cr_assert_neq(esp_amp_rpmsg_get_link_state(&T.p.main), ESP_AMP_LINK_DOWN);
        } else if (cases[k].how == 1) {
            for (int i = 0; i < 256; i++) {
                cr_assert_eq(esp_amp_rpmsg_poll(&T.p.main), -1);
            }
        } else {
            cr_assert_eq(esp_amp_sw_intr_add_handler(SW_INTR_ID_0, sw_noop, NULL), 0);
            T.h->sw_intr_pending[0][0] |= 1u << SW_INTR_ID_0;
            esp_amp_sw_intr_dispatch();
        }
        cr_assert_eq(T.h->magic, ESP_AMP_SHM_MAGIC, "%s: not repaired", cases[k].what);
        cr_assert_eq(T.h->session, session, "%s: session changed", cases[k].what);
        cr_assert_eq(T.h->sys_info[5].state, 0, "%s", cases[k].what);
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
