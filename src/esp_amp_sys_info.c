/*
 * esp_amp_sys_info.c - registry of shared-memory blocks by 16-bit id.
 *
 * The region starts with esp_amp_shm_header_t (include/esp_amp_shm.h) and
 * its `slots` registry entries. Only the main core writes them, and it
 * writes them from a copy it keeps in its own RAM (the shadow). The region
 * is formatted by building the shadow and storing it: magic cleared
 * (release) and a release fence, then the words from the last registry
 * word down to version|slots (the pending words and the session
 * excepted), then the session (release), then the magic (release); a sub
 * core that sees the magic (acquire) sees a complete header. A new entry
 * is stored the same way: its first word, which holds `state`, last
 * (release). (Words are little-endian: id and state share word 0.)
 *
 * Blocks are carved from the region after the registry, 8-byte aligned
 * and packed: a new block starts where the shadow's last entry ends (the
 * shared registry is never asked).
 *
 * A lookup (esp_amp_sys_info_find, behind _get, _attach and _session)
 * trusts nothing: the header must be complete and consistent, the entry's
 * check word must match, and the block must lie inside the region, past
 * the registry.
 *
 * REPAIR
 * esp_amp_sys_info_repair() compares the region with the shadow and, if
 * the peer damaged the header or the registry, stores the shadow again
 * (magic cleared first, published last, the same session), so that a sub
 * core that restarts meanwhile can attach again. The pending software-
 * interrupt words are live and left alone. A format is a repair with a
 * new shadow (its session differs). The main core runs it once it
 * has allocated a block (a region without blocks has nothing to find):
 * from its doorbell handler (a sub core that cannot attach rings it),
 * from esp_amp_rpmsg_get_link_state() and now and then from an empty poll,
 * through the hook esp_amp_core_state()->repair, so that an image that
 * never allocates (a sub core's) does not carry it.
 */
#include "esp_amp_shm.h"
#include "esp_amp_sys_info.h"
#include "esp_amp_priv.h"

#define HDR_SIZE ((uint32_t)sizeof(esp_amp_shm_header_t))
#define ENTRY_SIZE ((uint32_t)sizeof(esp_amp_shm_sys_info_entry_t))

static esp_amp_shm_header_t *hdr(void)
{
    return (esp_amp_shm_header_t *)esp_amp_platform_shm_base();
}

static esp_amp_shm_sys_info_entry_t *entries(esp_amp_shm_header_t *h)
{
    return (esp_amp_shm_sys_info_entry_t *)(void *)(h + 1);
}

static uint32_t entry_check(uint32_t id, uint32_t off, uint32_t size)
{
    return id ^ off ^ size ^ ESP_AMP_SHM_MAGIC;
}

#if ESP_AMP_CONFIG_MAIN_CORE
#define SHADOW_WORDS ((HDR_SIZE + ESP_AMP_CONFIG_SYS_INFO_SLOTS * ENTRY_SIZE) / 4u)
#define SESSION_WORD (offsetof(esp_amp_shm_header_t, session) / 4u)
#define PENDING_WORD (offsetof(esp_amp_shm_header_t, sw_intr_pending) / 4u)
_Static_assert(PENDING_WORD == SESSION_WORD + 1u, "the pending words follow the session");

static uint32_t *shadow_words(void)
{
    return (uint32_t *)(void *)&esp_amp_core_state()->shadow;
}

/* Store `n` shadow words from word `first` on into the region at `dst`,
 * last to first, the first one with release. */
static void shadow_store(uint32_t *dst, unsigned first, unsigned n)
{
    const uint32_t *src = shadow_words() + first;
    dst += first;
    for (unsigned i = n - 1u; i != 0; i--) {
        shm_st32(&dst[i], src[i]);
    }
    shm_st32_rel(dst, *src);
}

/* Compare the region's header and registry with the shadow, the pending
 * words excepted; if a word differs, store them all in the order above
 * (four runs of shadow_store: the release on the first word of the first
 * two runs is more than needed) and return true. A reader checks the magic
 * (acquire), reads the session (acquire), reads what it needs, then checks
 * the magic and the session again (esp_amp_sys_info_find, twice): the fence
 * makes the cleared magic visible before any new word, and the session is
 * stored (release) after every other word, so a reader that mixed old and
 * new words sees either a cleared magic or a session that moved. */
static bool sys_info_repair(void)
{
    uint32_t *dst = (uint32_t *)(void *)hdr();
    const uint32_t *src = shadow_words();
    /* From the session, i steps over the two pending words after it. */
    for (unsigned i = 0; i < SHADOW_WORDS; i += i == SESSION_WORD ? 3u : 1u) {
        if (shm_ld32(&dst[i]) != src[i]) {
            shm_st32_rel(&dst[0], 0);
            atomic_thread_fence(memory_order_release);
            /* registry and reserved words, region_size, version|slots */
            shadow_store(dst, PENDING_WORD + 2u, SHADOW_WORDS - PENDING_WORD - 2u);
            shadow_store(dst, 1, 2);
            shadow_store(dst, SESSION_WORD, 1);
            shadow_store(dst, 0, 1);                    /* the magic */
            return true;
        }
    }
    return false;
}

int esp_amp_sys_info_init(void)
{
    esp_amp_shm_header_t *h = hdr();
    esp_amp_core_state_t *st = esp_amp_core_state();
    uint32_t size = esp_amp_platform_shm_size();
    if (esp_amp_platform_core_id() != ESP_AMP_CORE_MAIN) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    if (h == NULL || size < SHADOW_WORDS * 4u) {
        return esp_amp_fail(ESP_AMP_ERR_NO_MEM);
    }
    esp_amp_zero(&st->shadow, sizeof(st->shadow));
    esp_amp_shm_header_t *s = &st->shadow.h;
    s->magic = ESP_AMP_SHM_MAGIC;
    s->version = ESP_AMP_SHM_VERSION;
    s->slots = ESP_AMP_CONFIG_SYS_INFO_SLOTS;
    s->region_size = size;
    s->session = shm_ld32(&h->session) + 1u;
    if (s->session == 0) {
        s->session = 1;
    }
    /* Interrupts of the last session: the shadow's pending words are 0. */
    shadow_store((uint32_t *)(void *)h, PENDING_WORD, 2);
    /* The region holds the old session (or no header): the repair stores
     * the whole header. */
    (void)sys_info_repair();
    /* The new session is visible before any pair block is formatted. */
    shm_fence();
    return 0;
}

void *esp_amp_sys_info_alloc(uint16_t info_id, uint32_t size)
{
    esp_amp_core_state_t *st = esp_amp_core_state();
    if (esp_amp_platform_core_id() != ESP_AMP_CORE_MAIN || size == 0) {
        return esp_amp_fail_null(ESP_AMP_ERR_INVALID_ARG);
    }
    if (st->shadow.h.magic != ESP_AMP_SHM_MAGIC && esp_amp_sys_info_init() != 0) {
        return NULL;    /* the region is formatted with the first block */
    }
    /* From now on the main core watches the header it wrote. */
    st->repair = sys_info_repair;
    (void)sys_info_repair();
    /* The shadow decides: the shared registry may have been damaged. The
     * blocks are packed: the next one starts where the last one ends. */
    esp_amp_shm_sys_info_entry_t *e = st->shadow.e;
    uint32_t top = SHADOW_WORDS * 4u;
    for (; e < st->shadow.e + ESP_AMP_CONFIG_SYS_INFO_SLOTS && e->state != 0; e++) {
        if (e->id == info_id) {
            return esp_amp_fail_null(ESP_AMP_ERR_EXISTS);
        }
        top = e->offset + e->size;
    }
    /* The room left, in whole 8-byte units: `size` fits once rounded up
     * exactly when it fits in that (and the rounding cannot wrap then). */
    if (e == st->shadow.e + ESP_AMP_CONFIG_SYS_INFO_SLOTS ||
        size > ((st->shadow.h.region_size - top) & ~7u)) {
        return esp_amp_fail_null(ESP_AMP_ERR_NO_MEM);
    }
    uint32_t rounded = esp_amp_align_up(size, 8u);
    uint8_t *block = (uint8_t *)hdr() + top;
    esp_amp_zero(block, rounded);
    /* id and state as one word, as a lookup reads them (little-endian) */
    uint32_t *w0 = (uint32_t *)(void *)e;
    *w0 = (uint32_t)ESP_AMP_SYS_INFO_ENTRY_VALID << 16 | info_id;
    e->offset = top;
    e->size = rounded;
    e->check = entry_check(info_id, top, rounded);
    unsigned w = (unsigned)(w0 - shadow_words());
    shadow_store((uint32_t *)(void *)hdr(), w, ENTRY_SIZE / 4u);
    return block;
}
#else
int esp_amp_sys_info_init(void)
{
    return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
}

void *esp_amp_sys_info_alloc(uint16_t info_id, uint32_t size)
{
    (void)info_id;
    (void)size;
    return esp_amp_fail_null(ESP_AMP_ERR_INVALID_ARG);
}
#endif

/* The header is checked as docs/layout.md section 1 says, the session
 * read after it (acquire), then the entries (section 2). */
esp_amp_err_t esp_amp_sys_info_find(uint16_t info_id, void **block,
                                    uint32_t *size, uint32_t *session)
{
    esp_amp_shm_header_t *h = hdr();
    uint32_t region = esp_amp_platform_shm_size();
    if (h == NULL || shm_ld32_acq(&h->magic) != ESP_AMP_SHM_MAGIC ||
        shm_ld32(&h->region_size) != region) {
        return ESP_AMP_ERR_NOT_INIT;
    }
    uint32_t vs = shm_ld32((const uint32_t *)(const void *)&h->version);
    uint32_t slots = vs >> 16;                          /* little-endian */
    uint32_t first = HDR_SIZE + slots * ENTRY_SIZE;     /* past the registry */
    if ((vs & 0xffffu) != ESP_AMP_SHM_VERSION || slots == 0 ||
        slots > ESP_AMP_FMT_SYS_INFO_SLOTS_MAX || first > region) {
        return ESP_AMP_ERR_NOT_INIT;
    }
    *session = shm_ld32_acq(&h->session);
    if (block == NULL) {
        return ESP_AMP_OK;
    }
    const esp_amp_shm_sys_info_entry_t *e = entries(h);
    for (; slots != 0; slots--, e++) {
        uint32_t w = shm_ld32_acq((const uint32_t *)(const void *)e); /* id, state */
        if (w != ((uint32_t)ESP_AMP_SYS_INFO_ENTRY_VALID << 16 | info_id)) {
            continue;           /* not a valid entry of this id */
        }
        uint32_t o = shm_ld32(&e->offset);
        uint32_t n = shm_ld32(&e->size);
        uint32_t end = o + n;   /* past o (n not 0, no wrap), in the region */
        if (shm_ld32(&e->check) == entry_check(info_id, o, n) && o >= first &&
            (o & 7u) == 0 && end > o && end <= region) {
            *size = n;
            *block = (uint8_t *)h + o;
            return ESP_AMP_OK;
        }
    }
    return ESP_AMP_ERR_NOT_FOUND;
}

int esp_amp_sys_info_attach(void)
{
    uint32_t session;
    esp_amp_err_t err = esp_amp_sys_info_find(0, NULL, NULL, &session);
    return err == ESP_AMP_OK ? 0 : esp_amp_fail(err);
}

uint32_t esp_amp_sys_info_session(void)
{
    uint32_t session = 0;
    (void)esp_amp_sys_info_find(0, NULL, NULL, &session);
    return session;
}

void *esp_amp_sys_info_get(uint16_t info_id, uint32_t *size)
{
    void *block;
    uint32_t n, session;
    esp_amp_err_t err = esp_amp_sys_info_find(info_id, &block, &n, &session);
    if (err != ESP_AMP_OK) {
        return esp_amp_fail_null(err);
    }
    if (size != NULL) {
        *size = n;
    }
    return block;
}
