/*
 * test_platform_edge.c - the core on a platform port this test controls
 * (ESP_AMP_PLATFORM_PORT none: one core per image, the test defines the
 * esp_amp_platform_* functions). It reaches what the simulator's port never
 * does: a port that has no region (shm_base NULL), a region too small for
 * the header and its registry, a region whose size is not a multiple of 64
 * bytes, and a region of 4 GiB - 1 bytes where the heap top could wrap.
 *
 * Criterion tests, as the other test files; it runs each test in a process
 * of its own, so a case starts from the port's initial state and a crash
 * fails only its case. Not linked to the simulator (its port would clash).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "esp_amp.h"
#include "esp_amp_env.h"
#include "esp_amp_platform.h"
#include "esp_amp_shm.h"

#define CHECK(c) cr_assert(c)
#define CHECK_ERR(e) cr_assert_eq(esp_amp_get_last_error(), (e), "last error %s, expected %s", \
                                  esp_amp_err_name(esp_amp_get_last_error()), esp_amp_err_name(e))

/* ---- The platform port ------------------------------------------------- */

static void *s_base;
static uint32_t s_size;
static int s_core = ESP_AMP_CORE_MAIN;
static void (*s_isr)(void);
static int s_rung[2];
/* n > 0: the n-th shm_base call from now (s_bump_session) or the n-th
 * shm_size call (s_bump_on_size) first moves the region's session on, as
 * a main core that restarts and formats at that moment would. A sub
 * core's attach reads the base and the size for its registry lookup
 * (1: the block and the session it belongs to), for the second look at
 * the header after it (2), and, at a first join, for the look at the
 * session after its request (3): n = 3 lands after the request, before
 * that look; n = 2 between the lookup and the second look. */
static int s_bump_session, s_bump_on_size;

static void bump_if(int *n)
{
    if (*n > 0 && --*n == 0) {
        ((esp_amp_shm_header_t *)s_base)->session++;
    }
}
void *esp_amp_platform_shm_base(void)
{
    bump_if(&s_bump_session);
    return s_base;
}
uint32_t esp_amp_platform_shm_size(void)
{
    bump_if(&s_bump_on_size);
    return s_size;
}
int esp_amp_platform_core_id(void) { return s_core; }
void esp_amp_platform_set_doorbell_handler(void (*isr)(void)) { s_isr = isr; }
uint32_t esp_amp_platform_get_time_ms(void) { return 0; }
void esp_amp_platform_delay_us(uint32_t us) { (void)us; }
void esp_amp_platform_raise_doorbell(int core_id)
{
    s_rung[core_id & 1]++;
    if (core_id == s_core && s_isr != NULL) {
        s_isr();                    /* our own doorbell: the ISR runs now */
    }
}

static void use_region(void *base, uint32_t size)
{
    s_base = base;
    s_size = size;
    s_isr = NULL;
    s_core = ESP_AMP_CORE_MAIN;
}

static int s_calls;
static int count_handler(void *arg)
{
    (void)arg;
    s_calls++;
    return 0;
}

/* ---- Cases ------------------------------------------------------------- */

/* Header and registry: where the first block starts (format 3). */
#define REG_BYTES ((uint32_t)sizeof(esp_amp_shm_header_t) + \
                   ESP_AMP_CONFIG_SYS_INFO_SLOTS * (uint32_t)sizeof(esp_amp_shm_sys_info_entry_t))

static _Alignas(64) uint8_t s_mem[8192];

Test(platform_edge, no_region, .description = "a port without a region")
{
    use_region(NULL, sizeof(s_mem));
    esp_amp_clear_last_error();
    CHECK(esp_amp_init() == -1);
    CHECK_ERR(ESP_AMP_ERR_NOT_INIT);
    /* The first block formats the region: there is none to format. */
    esp_amp_clear_last_error();
    CHECK(esp_amp_sys_info_alloc(0x101, 8) == NULL);
    CHECK_ERR(ESP_AMP_ERR_NO_MEM);
    esp_amp_clear_last_error();
    CHECK(esp_amp_sys_info_init() == -1);
    CHECK_ERR(ESP_AMP_ERR_NO_MEM);
    static esp_amp_rpmsg_dev_t dev;
    static esp_amp_queue_t vq[2];
    esp_amp_clear_last_error();
    CHECK(esp_amp_rpmsg_main_init_by_id(&dev, vq, 4, 32, false, true, 0x0140) == -1);
    CHECK(esp_amp_get_last_error() != ESP_AMP_OK);
    CHECK(esp_amp_sys_info_session() == 0);
    esp_amp_clear_last_error();
    CHECK(esp_amp_sys_info_get(0x101, NULL) == NULL);
    CHECK_ERR(ESP_AMP_ERR_NOT_INIT);
    esp_amp_clear_last_error();
    CHECK(esp_amp_sw_intr_add_handler(SW_INTR_ID_1, count_handler, NULL) == -1);
    CHECK_ERR(ESP_AMP_ERR_NOT_INIT);
    esp_amp_clear_last_error();
    CHECK(esp_amp_sw_intr_init() == -1);
    CHECK_ERR(ESP_AMP_ERR_NOT_INIT);
    CHECK(s_isr == NULL);           /* no dispatcher over a missing region */
    /* Raising an interrupt needs the pending words of the region. */
    esp_amp_clear_last_error();
    CHECK(esp_amp_sw_intr_trigger(SW_INTR_ID_1) == -1);
    CHECK_ERR(ESP_AMP_ERR_NOT_INIT);
    CHECK(s_rung[0] == 0 && s_rung[1] == 0);
    s_core = ESP_AMP_CORE_SUB;
    esp_amp_clear_last_error();
    CHECK(esp_amp_init() == -1);
    CHECK_ERR(ESP_AMP_ERR_NOT_INIT);
}

/* esp_amp_sw_intr_init installs the dispatcher once: neither a second
 * init nor the first handler installs it again. */
Test(platform_edge, sw_intr_init_installs_the_dispatcher_once, .description = "sw_intr_init")
{
    memset(s_mem, 0, sizeof(s_mem));
    use_region(s_mem, sizeof(s_mem));
    CHECK(esp_amp_init() == 0);
    CHECK(esp_amp_sw_intr_init() == 0);
    CHECK(s_isr == esp_amp_sw_intr_dispatch);
    s_isr = NULL;
    CHECK(esp_amp_sw_intr_init() == 0);
    CHECK(esp_amp_sw_intr_add_handler(SW_INTR_ID_1, count_handler, NULL) == 0);
    CHECK(s_isr == NULL);
}

/* The sub core's device init refuses a missing region like a region not
 * formatted yet (NOT_INIT), as the main core's does (NO_MEM above). */
Test(platform_edge, no_region_sub_init, .description = "sub_init without a region")
{
    use_region(NULL, sizeof(s_mem));
    s_core = ESP_AMP_CORE_SUB;
    (void)esp_amp_init();
    static esp_amp_rpmsg_dev_t dev;
    static esp_amp_queue_t vq[2];
    esp_amp_clear_last_error();
    CHECK(esp_amp_rpmsg_sub_init_by_id(&dev, vq, false, true, SYS_INFO_RESERVED_ID_VQUEUE) == -1);
    CHECK_ERR(ESP_AMP_ERR_NOT_INIT);
}

/* A region one word smaller than the header and its registry: nothing is
 * formatted (esp_amp_init touches no shared memory, the first block or
 * esp_amp_sys_info_init is refused), and a main core that formatted
 * nothing never writes the region from its doorbell (the repair has
 * nothing of its own to put back). */
Test(platform_edge, region_too_small, .description = "a region too small for the header")
{
    const uint32_t size = REG_BYTES - 4;
    static esp_amp_rpmsg_dev_t dev;
    static esp_amp_queue_t vq[2];
    memset(s_mem, 0x5a, sizeof(s_mem));
    use_region(s_mem, size);
    esp_amp_clear_last_error();
    CHECK(esp_amp_init() == 0);
    esp_amp_clear_last_error();
    CHECK(esp_amp_sys_info_init() == -1);
    CHECK_ERR(ESP_AMP_ERR_NO_MEM);
    esp_amp_clear_last_error();
    CHECK(esp_amp_sys_info_alloc(0x101, 8) == NULL);
    CHECK_ERR(ESP_AMP_ERR_NO_MEM);
    esp_amp_clear_last_error();
    CHECK(esp_amp_rpmsg_main_init_by_id(&dev, vq, 1, 12, false, true, 0x0140) == -1);
    CHECK_ERR(ESP_AMP_ERR_NO_MEM);
    for (uint32_t i = 0; i < sizeof(s_mem); i++) {
        CHECK(s_mem[i] == 0x5a);
    }
    CHECK(esp_amp_sw_intr_add_handler(SW_INTR_ID_1, count_handler, NULL) == 0);
    s_calls = 0;
    memset(s_mem, 0x5a, sizeof(s_mem));   /* the pending word is in it */
    const esp_amp_shm_header_t *h = (const void *)s_mem;
    uint32_t pending_off = (uint32_t)((const uint8_t *)&h->sw_intr_pending[0] - s_mem);
    CHECK(pending_off == 16);
    memset(s_mem + pending_off, 0, 4);
    CHECK(esp_amp_sw_intr_trigger_self(SW_INTR_ID_1) == 0);
    CHECK(s_calls == 1);
    for (uint32_t i = 0; i < sizeof(s_mem); i++) {
        if (i < pending_off || i >= pending_off + 4) {
            CHECK(s_mem[i] == 0x5a);
        }
    }
    CHECK(esp_amp_sw_intr_delete_handler(SW_INTR_ID_1, count_handler) == 0);
    /* A sub core finds no header in it. */
    s_core = ESP_AMP_CORE_SUB;
    CHECK(esp_amp_init() == 0);
    esp_amp_clear_last_error();
    CHECK(esp_amp_sys_info_attach() == -1);
    CHECK_ERR(ESP_AMP_ERR_NOT_INIT);
}

/* A region exactly as large as the header and its registry: it can be
 * formatted, but holds no block. */
Test(platform_edge, region_of_header_and_registry_only, .description = "a region with no room for a block")
{
    memset(s_mem, 0, sizeof(s_mem));
    use_region(s_mem, REG_BYTES);
    CHECK(esp_amp_init() == 0);
    esp_amp_clear_last_error();
    CHECK(esp_amp_sys_info_alloc(0x101, 8) == NULL);
    CHECK_ERR(ESP_AMP_ERR_NO_MEM);
    const esp_amp_shm_header_t *h = (const void *)s_mem;
    CHECK(h->magic == ESP_AMP_SHM_MAGIC);
    CHECK(h->slots == ESP_AMP_CONFIG_SYS_INFO_SLOTS);
    for (uint32_t i = REG_BYTES; i < sizeof(s_mem); i++) {
        CHECK(s_mem[i] == 0);
    }
    s_core = ESP_AMP_CORE_SUB;
    CHECK(esp_amp_init() == 0);
    CHECK(esp_amp_sys_info_attach() == 0);
    esp_amp_clear_last_error();
    CHECK(esp_amp_sys_info_get(0x101, NULL) == NULL);
    CHECK_ERR(ESP_AMP_ERR_NOT_FOUND);
}

/* The sub core accepts the slot count a header announces only if header
 * and registry fit in the region: in a region of 256 bytes, 14 slots
 * (32 + 14 x 16 = 256) do, 15 do not; nor do 64. */
Test(platform_edge, slots_past_the_region, .description = "a registry larger than the region")
{
    memset(s_mem, 0, sizeof(s_mem));
    use_region(s_mem, 256);
    CHECK(esp_amp_init() == 0);
    CHECK(esp_amp_sys_info_init() == 0);
    esp_amp_shm_header_t *h = (void *)s_mem;
    s_core = ESP_AMP_CORE_SUB;
    CHECK(esp_amp_init() == 0);      /* no main-core state: no repair */
    static const struct { uint16_t slots; int rc; } cases[] = {
        { 14, 0 }, { 15, -1 }, { ESP_AMP_FMT_SYS_INFO_SLOTS_MAX, -1 }, { 1, 0 },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        h->slots = cases[i].slots;
        esp_amp_clear_last_error();
        cr_assert_eq(esp_amp_sys_info_attach(), cases[i].rc, "slots %u", cases[i].slots);
        if (cases[i].rc != 0) {
            CHECK_ERR(ESP_AMP_ERR_NOT_INIT);
            CHECK(esp_amp_sys_info_session() == 0);
        } else {
            CHECK(esp_amp_sys_info_session() == h->session);
        }
    }
}

/* Format 2: a main core that called alloc before esp_amp_init (its state
 * empty) on a region formatted earlier was refused. Format 3 formats the
 * region with the main core's first block, so a main core with empty state
 * (a restart) that allocates starts a new session: the blocks of the old
 * session are gone, their ids free again, and nothing of the old registry
 * is kept (no overlap with the old block's entry). */
Test(platform_edge, alloc_before_init, .description = "alloc by a main core with empty state")
{
    memset(s_mem, 0, sizeof(s_mem));
    use_region(s_mem, sizeof(s_mem));
    CHECK(esp_amp_init() == 0);
    CHECK(esp_amp_sys_info_alloc(0x101, 8) != NULL);
    const esp_amp_shm_header_t *h = (const void *)s_mem;
    uint32_t session = h->session;
    CHECK(session != 0);
    /* The one state slot of this image is emptied: as after a restart. */
    s_core = ESP_AMP_CORE_SUB;
    CHECK(esp_amp_init() == 0);
    s_core = ESP_AMP_CORE_MAIN;
    esp_amp_clear_last_error();
    uint8_t *b = esp_amp_sys_info_alloc(0x102, 8);
    CHECK(b == s_mem + REG_BYTES);     /* the new session's first block */
    CHECK(h->session == session + 1);
    CHECK(esp_amp_sys_info_get(0x101, NULL) == NULL);
    CHECK_ERR(ESP_AMP_ERR_NOT_FOUND);
    CHECK(esp_amp_sys_info_get(0x102, NULL) == b);
    CHECK(esp_amp_sys_info_alloc(0x101, 8) == b + 8);
}

/* Region size not a multiple of 64: the block that ends the region ends at
 * the region's end, not past it; a block one word too large is refused. */
Test(platform_edge, region_not_line_multiple, .description = "a region of 4104 bytes")
{
    const uint32_t size = 4096 + 8;
    memset(s_mem, 0, sizeof(s_mem));
    use_region(s_mem, size);
    CHECK(esp_amp_init() == 0);
    uint32_t rest = size - REG_BYTES;
    esp_amp_clear_last_error();
    CHECK(esp_amp_sys_info_alloc(0x101, rest + 1) == NULL);
    CHECK_ERR(ESP_AMP_ERR_NO_MEM);
    uint8_t *b = esp_amp_sys_info_alloc(0x101, rest);
    CHECK(b == s_mem + REG_BYTES);
    CHECK(b + rest == s_mem + size);
    esp_amp_clear_last_error();
    CHECK(esp_amp_sys_info_alloc(0x102, 8) == NULL);
    CHECK_ERR(ESP_AMP_ERR_NO_MEM);
    esp_amp_clear_last_error();
    CHECK(esp_amp_sys_info_alloc(0x102, 1) == NULL);
    CHECK_ERR(ESP_AMP_ERR_NO_MEM);
}

/* A region of 4100 bytes (a multiple of 4, not of 8): a block of all the
 * rest rounds up to 8 past the region's end: refused. The block that ends
 * at the last 8-aligned offset is taken, and after it the heap is full
 * (4 bytes left, less than one rounded block). */
Test(platform_edge, region_unaligned_end, .description = "a region whose size is not a multiple of 8")
{
    const uint32_t size = 4096 + 4;
    memset(s_mem, 0, sizeof(s_mem));
    use_region(s_mem, size);
    CHECK(esp_amp_init() == 0);
    uint32_t rest = size - REG_BYTES;          /* 4 (mod 8) */
    esp_amp_clear_last_error();
    CHECK(esp_amp_sys_info_alloc(0x101, rest) == NULL);
    CHECK_ERR(ESP_AMP_ERR_NO_MEM);
    uint8_t *b = esp_amp_sys_info_alloc(0x101, rest - 4);
    CHECK(b == s_mem + REG_BYTES);
    esp_amp_clear_last_error();
    CHECK(esp_amp_sys_info_alloc(0x102, 4) == NULL);
    CHECK_ERR(ESP_AMP_ERR_NO_MEM);
    uint32_t got = 0;
    CHECK(esp_amp_sys_info_get(0x101, &got) == b && got == rest - 4);
}

/* A region of 0xffffffff bytes: a block that ends in the last 8 bytes
 * leaves the heap top within 7 bytes of 2^32. The next block, rounded up to
 * 8, would wrap the top to 0, over the header: it is refused instead. The
 * 4 GiB are 2 MiB of private memory (the header) then one 2 MiB memfd
 * mapped over and over. */
Test(platform_edge, region_of_4_gib, .description = "a region of 4 GiB - 1")
{
#ifdef EDGE_NO_HUGE
    cr_skip_test("the 4 GiB region: not under a sanitizer");
#else
    const size_t chunk = 2u << 20, total = (size_t)1 << 32;
    uint8_t *r = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    CHECK(r != MAP_FAILED);
    CHECK(mmap(r, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
               -1, 0) == r);
    int fd = memfd_create("edge", 0);
    CHECK(fd >= 0 && ftruncate(fd, (off_t)chunk) == 0);
    for (size_t off = chunk; off < total; off += chunk) {
        CHECK(mmap(r + off, chunk, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED | MAP_POPULATE, fd, 0) ==
              r + off);
    }
    close(fd);
    use_region(r, 0xffffffffu);
    CHECK(esp_amp_init() == 0);
    const esp_amp_shm_header_t *h = (const void *)r;
    uint32_t top = REG_BYTES;
    uint32_t size = (0xffffffffu - top) & ~7u;   /* ends in the last 8 bytes */
    uint8_t *b = esp_amp_sys_info_alloc(0x101, size);
    CHECK(b == r + top);
    esp_amp_clear_last_error();
    CHECK(esp_amp_sys_info_alloc(0x102, 8) == NULL);
    CHECK_ERR(ESP_AMP_ERR_NO_MEM);
    esp_amp_clear_last_error();
    CHECK(esp_amp_sys_info_alloc(0x102, 1) == NULL);
    CHECK_ERR(ESP_AMP_ERR_NO_MEM);
    CHECK(h->magic == ESP_AMP_SHM_MAGIC);
    uint32_t got = 0;
    CHECK(esp_amp_sys_info_get(0x101, &got) == b && got == size);
    CHECK(esp_amp_sys_info_get(0x102, NULL) == NULL);
    CHECK(munmap(r, total) == 0);
#endif
}

/* A newer main core formats while the sub core joins: its first-join
 * request may have landed after the format, so it does not go UP; its
 * next link check binds to the new session and asks again. The format is
 * injected through the port, between the sub core's request and its look
 * at the session after it. */
Test(platform_edge, first_join_races_a_main_restart, .description = "a main restart during the sub's first join")
{
    static esp_amp_rpmsg_dev_t m, sd;
    static esp_amp_queue_t mvq[2], svq[2];
    const uint16_t id = 0x0140;
    memset(s_mem, 0, sizeof(s_mem));
    use_region(s_mem, sizeof(s_mem));
    CHECK(esp_amp_init() == 0);
    CHECK(esp_amp_rpmsg_main_init_by_id(&m, mvq, 4, 32, false, true, id) == 0);
    esp_amp_shm_vq_pair_t *pair = m.pair;
    const esp_amp_shm_header_t *h = (const void *)s_mem;

    /* In sub_init. The sub core boots in this image (one state slot): its
     * esp_amp_init empties the main core's state, so that no main-core
     * repair puts the moved session back. */
    s_core = ESP_AMP_CORE_SUB;
    CHECK(esp_amp_init() == 0);
    s_bump_session = 3;
    CHECK(esp_amp_rpmsg_sub_init_by_id(&sd, svq, false, true, id) == 0);
    CHECK(s_bump_session == 0);
    CHECK(pair->ctl[0].join == 1);
    CHECK(sd.link == ESP_AMP_LINK_DOWN);
    esp_amp_clear_last_error();
    CHECK(esp_amp_rpmsg_create_message(&sd, 4, ESP_AMP_RPMSG_DATA_DEFAULT) == NULL);
    CHECK_ERR(ESP_AMP_ERR_LINK_DOWN);
    CHECK(sd.session == h->session);        /* bound to the new session now */
    CHECK(sd.link == ESP_AMP_LINK_JOINING);
    CHECK(pair->ctl[0].join == 2);

    /* In a later link check: the main core formatted (join words 0, new
     * session) and formats again while the sub core joins. */
    pair->ctl[0].join = 0;
    pair->ctl[1].join = 0;
    ((esp_amp_shm_header_t *)s_mem)->session++;
    s_bump_session = 3;
    CHECK(esp_amp_rpmsg_get_link_state(&sd) == ESP_AMP_LINK_DOWN);
    CHECK(s_bump_session == 0);
    CHECK(pair->ctl[0].join == 1);
    CHECK(esp_amp_rpmsg_get_link_state(&sd) == ESP_AMP_LINK_JOINING);
    CHECK(pair->ctl[0].join == 2);
}

/* A fresh region with a main core's pair block `id` (4 x 32), then this
 * core as its sub core, not attached yet; *sd filled with a pattern that
 * *untouched keeps. */
static esp_amp_shm_vq_pair_t *main_then_sub(uint16_t id, esp_amp_rpmsg_dev_t *sd,
                                            esp_amp_rpmsg_dev_t *untouched)
{
    static esp_amp_rpmsg_dev_t m;
    static esp_amp_queue_t mvq[2];
    memset(s_mem, 0, sizeof(s_mem));
    use_region(s_mem, sizeof(s_mem));
    CHECK(esp_amp_init() == 0);
    CHECK(esp_amp_rpmsg_main_init_by_id(&m, mvq, 4, 32, false, true, id) == 0);
    s_core = ESP_AMP_CORE_SUB;
    CHECK(esp_amp_init() == 0);
    memset(sd, 0xa5, sizeof(*sd));
    memcpy(untouched, sd, sizeof(*sd));
    return m.pair;
}

/* A newer main core formats while the sub core looks its block up: what
 * the lookup read may mix two headers, so the attach is refused
 * (NOT_INIT) and writes nothing; the next attempt, in one session, works. */
Test(platform_edge, attach_races_a_main_format, .description = "a main format during the sub's registry lookup")
{
    static esp_amp_rpmsg_dev_t sd, untouched;
    static esp_amp_queue_t svq[2];
    const uint16_t id = 0x0141;
    esp_amp_shm_vq_pair_t *pair = main_then_sub(id, &sd, &untouched);
    s_bump_on_size = 2;
    esp_amp_clear_last_error();
    CHECK(esp_amp_rpmsg_sub_init_by_id(&sd, svq, false, true, id) == -1);
    CHECK_ERR(ESP_AMP_ERR_NOT_INIT);
    CHECK(s_bump_on_size == 0);
    CHECK(memcmp(&sd, &untouched, sizeof(sd)) == 0);   /* nothing written */
    CHECK(pair->ctl[0].join == 0);                      /* no request */
    CHECK(esp_amp_rpmsg_sub_init_by_id(&sd, svq, false, true, id) == 0);
    CHECK(sd.link == ESP_AMP_LINK_UP && pair->ctl[0].join == 1);
}

/* The main core never publishes session 0 (it counts 1, 2, ... and skips
 * 0 when the count wraps): a header that says 0 was written by someone
 * else, and a sub core does not attach to it. */
Test(platform_edge, a_header_with_session_0_is_not_attached, .description = "session 0 is refused")
{
    static esp_amp_rpmsg_dev_t sd, untouched;
    static esp_amp_queue_t svq[2];
    const uint16_t id = 0x0142;
    esp_amp_shm_vq_pair_t *pair = main_then_sub(id, &sd, &untouched);
    esp_amp_shm_header_t *h = (esp_amp_shm_header_t *)s_mem;
    uint32_t session = h->session;
    CHECK(session != 0);
    h->session = 0;
    esp_amp_clear_last_error();
    CHECK(esp_amp_rpmsg_sub_init_by_id(&sd, svq, false, true, id) == -1);
    CHECK_ERR(ESP_AMP_ERR_NOT_INIT);
    CHECK(memcmp(&sd, &untouched, sizeof(sd)) == 0);   /* nothing written */
    CHECK(pair->ctl[0].join == 0);                      /* no request */
    h->session = session;                               /* repaired */
    CHECK(esp_amp_rpmsg_sub_init_by_id(&sd, svq, false, true, id) == 0);
    CHECK(sd.link == ESP_AMP_LINK_UP && pair->ctl[0].join == 1);
}
