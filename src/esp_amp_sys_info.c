/*
 * esp_amp_sys_info.c - registry of shared-memory blocks by 16-bit id.
 *
 * The region starts with esp_amp_shm_header_t (include/esp_amp_shm.h).
 * The main core formats it: it clears the magic first, rewrites the header
 * with the next session number, and publishes the magic last (release), so
 * a sub core that sees the magic (acquire) sees a complete header.
 *
 * Blocks are carved from the region after the header, 64-byte aligned, by a
 * bump allocator whose top the main core keeps locally (the shared copy is
 * informative only: the sub core could overwrite it). An entry is written
 * field by field and made valid last with a release store of `state`.
 *
 * A lookup trusts nothing: the entry's check word must match, and the
 * block must lie inside the region, past the header.
 *
 * REPAIR
 * The main core keeps its own copy of the header values it wrote and of
 * every block it allocated. esp_amp_sys_info_repair() compares the region
 * with that copy and, if the peer damaged the header or the registry,
 * rewrites both (magic cleared first, published last) with the same
 * session, so that a sub core that restarts meanwhile can attach again.
 * The pending software-interrupt words are live and left alone. The main
 * core runs it from its doorbell handler (a sub core that cannot attach
 * rings it), from esp_amp_rpmsg_get_link_state() and now and then from an
 * empty poll.
 */
#include "esp_amp_shm.h"
#include "esp_amp_sys_info.h"
#include "esp_amp_priv.h"

#define HDR_SIZE ((uint32_t)sizeof(esp_amp_shm_header_t))

static esp_amp_shm_header_t *hdr(void)
{
    return (esp_amp_shm_header_t *)esp_amp_platform_shm_base();
}

static uint32_t entry_check(uint16_t id, uint32_t off, uint32_t size)
{
    return (uint32_t)id ^ off ^ size ^ ESP_AMP_SHM_MAGIC;
}

static bool region_ready(const esp_amp_shm_header_t *h)
{
    return shm_ld32_acq(&h->magic) == ESP_AMP_SHM_MAGIC &&
           shm_ld16(&h->version) == ESP_AMP_SHM_VERSION &&
           shm_ld16(&h->header_size) == HDR_SIZE &&
           shm_ld32(&h->region_size) == esp_amp_platform_shm_size();
}

static bool entry_get(const esp_amp_shm_header_t *h, unsigned i, uint16_t id,
                      uint32_t *off, uint32_t *size);

#if ESP_AMP_CONFIG_MAIN_CORE
/* Write the header fields and the registry from the main core's copy;
 * magic last. */
static void header_publish(esp_amp_shm_header_t *h)
{
    esp_amp_core_state_t *st = esp_amp_core_state();
    shm_st32_rel(&h->magic, 0);
    shm_st16(&h->version, ESP_AMP_SHM_VERSION);
    shm_st16(&h->header_size, (uint16_t)HDR_SIZE);
    shm_st32(&h->region_size, esp_amp_platform_shm_size());
    shm_st32(&h->session, st->session);
    shm_st32(&h->heap_top, st->heap_top);
    for (unsigned i = 0; i < ESP_AMP_SYS_INFO_SLOTS; i++) {
        esp_amp_shm_sys_info_entry_t *e = &h->sys_info[i];
        const esp_amp_block_t *b = &st->blocks[i];
        bool used = i < st->block_count;
        shm_st16(&e->state, 0);
        shm_st16(&e->id, used ? b->id : 0);
        shm_st32(&e->offset, used ? b->offset : 0);
        shm_st32(&e->size, used ? b->size : 0);
        shm_st32(&e->check, used ? entry_check(b->id, b->offset, b->size) : 0);
        if (used) {
            shm_st16_rel(&e->state, ESP_AMP_SYS_INFO_ENTRY_VALID);
        }
    }
    shm_st32_rel(&h->magic, ESP_AMP_SHM_MAGIC);
}

int esp_amp_sys_info_init(void)
{
    esp_amp_shm_header_t *h = hdr();
    esp_amp_core_state_t *st = esp_amp_core_state();
    uint32_t size = esp_amp_platform_shm_size();
    if (h == NULL || size < HDR_SIZE + ESP_AMP_SHM_LINE) {
        return esp_amp_fail(ESP_AMP_ERR_NO_MEM);
    }
    st->session = shm_ld32(&h->session) + 1u;
    if (st->session == 0) {
        st->session = 1;
    }
    st->heap_top = HDR_SIZE;
    st->block_count = 0;
    shm_st32_rel(&h->magic, 0);
    esp_amp_zero((uint8_t *)h + 4, HDR_SIZE - 4);
    /* The new session is visible before any pair block is formatted. */
    shm_st32(&h->session, st->session);
    shm_fence();
    header_publish(h);
    return 0;
}

bool esp_amp_sys_info_repair(void)
{
    esp_amp_shm_header_t *h = hdr();
    esp_amp_core_state_t *st = esp_amp_core_state();
    if (h == NULL || st->session == 0) {
        return false;                 /* this core formatted nothing */
    }
    bool ok = region_ready(h) && shm_ld32(&h->session) == st->session;
    for (unsigned i = 0; ok && i < ESP_AMP_SYS_INFO_SLOTS; i++) {
        const esp_amp_shm_sys_info_entry_t *e = &h->sys_info[i];
        const esp_amp_block_t *b = &st->blocks[i];
        if (i < st->block_count) {
            uint32_t off, size;
            ok = entry_get(h, i, b->id, &off, &size) && off == b->offset &&
                 size == b->size;
        } else {
            ok = shm_ld16(&e->state) == 0;
        }
    }
    if (!ok) {
        header_publish(h);
    }
    return !ok;
}
#else
int esp_amp_sys_info_init(void)
{
    return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
}

bool esp_amp_sys_info_repair(void)
{
    return false;
}
#endif

int esp_amp_sys_info_attach(void)
{
    esp_amp_shm_header_t *h = hdr();
    if (h == NULL || !region_ready(h)) {
        return esp_amp_fail(ESP_AMP_ERR_NOT_INIT);
    }
    return 0;
}

uint32_t esp_amp_sys_info_session(void)
{
    esp_amp_shm_header_t *h = hdr();
    if (h == NULL || !region_ready(h)) {
        return 0;
    }
    return shm_ld32(&h->session);
}

/* Validated view of slot i: true and *off, *size set if it is a valid entry
 * for `id`. */
static bool entry_get(const esp_amp_shm_header_t *h, unsigned i, uint16_t id,
                      uint32_t *off, uint32_t *size)
{
    const esp_amp_shm_sys_info_entry_t *e = &h->sys_info[i];
    if (shm_ld16_acq(&e->state) != ESP_AMP_SYS_INFO_ENTRY_VALID ||
        shm_ld16(&e->id) != id) {
        return false;
    }
    uint32_t o = shm_ld32(&e->offset);
    uint32_t s = shm_ld32(&e->size);
    uint32_t region = esp_amp_platform_shm_size();
    if (shm_ld32(&e->check) != entry_check(id, o, s) || o < HDR_SIZE ||
        (o & 7u) != 0 || o >= region || s == 0 || s > region - o) {
        return false;
    }
    *off = o;
    *size = s;
    return true;
}

void *esp_amp_sys_info_get(uint16_t info_id, uint32_t *size)
{
    esp_amp_shm_header_t *h = hdr();
    if (h == NULL || !region_ready(h)) {
        esp_amp_fail(ESP_AMP_ERR_NOT_INIT);
        return NULL;
    }
    for (unsigned i = 0; i < ESP_AMP_SYS_INFO_SLOTS; i++) {
        uint32_t off, sz;
        if (entry_get(h, i, info_id, &off, &sz)) {
            if (size != NULL) {
                *size = sz;
            }
            return (uint8_t *)h + off;
        }
    }
    esp_amp_fail(ESP_AMP_ERR_NOT_FOUND);
    return NULL;
}

#if ESP_AMP_CONFIG_MAIN_CORE
void *esp_amp_sys_info_alloc(uint16_t info_id, uint32_t size)
{
    esp_amp_shm_header_t *h = hdr();
    esp_amp_core_state_t *st = esp_amp_core_state();
    if (esp_amp_platform_core_id() != ESP_AMP_CORE_MAIN || size == 0) {
        esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
        return NULL;
    }
    if (h == NULL || !region_ready(h) || st->heap_top < HDR_SIZE) {
        esp_amp_fail(ESP_AMP_ERR_NOT_INIT);
        return NULL;
    }
    /* Our own copy decides: the shared registry may have been damaged. */
    for (unsigned i = 0; i < st->block_count; i++) {
        if (st->blocks[i].id == info_id) {
            return esp_amp_fail_null(ESP_AMP_ERR_EXISTS);
        }
    }
    uint32_t region = esp_amp_platform_shm_size();
    uint32_t top = st->heap_top;
    uint32_t rounded = esp_amp_align_up(size, 8u);
    if (st->block_count >= ESP_AMP_SYS_INFO_SLOTS || rounded < size ||
        rounded > region - top) {
        return esp_amp_fail_null(ESP_AMP_ERR_NO_MEM);
    }
    uint8_t *block = (uint8_t *)h + top;
    esp_amp_zero(block, rounded);
    esp_amp_shm_sys_info_entry_t *e = &h->sys_info[st->block_count];
    shm_st16(&e->id, info_id);
    shm_st32(&e->offset, top);
    shm_st32(&e->size, rounded);
    shm_st32(&e->check, entry_check(info_id, top, rounded));
    shm_st16_rel(&e->state, ESP_AMP_SYS_INFO_ENTRY_VALID);
    st->blocks[st->block_count++] = (esp_amp_block_t){info_id, top, rounded};
    uint32_t next = top + rounded;
    next = esp_amp_align_up(next, ESP_AMP_SHM_LINE);
    st->heap_top = next < top ? region : next;  /* saturate on overflow */
    if (st->heap_top > region) {
        st->heap_top = region;
    }
    shm_st32(&h->heap_top, st->heap_top);
    return block;
}
#else
void *esp_amp_sys_info_alloc(uint16_t info_id, uint32_t size)
{
    (void)info_id;
    (void)size;
    return esp_amp_fail_null(ESP_AMP_ERR_INVALID_ARG);
}
#endif
