/*
 * fuzz_sysinfo.c - the registry lookup (esp_amp_sys_info.c) and the device
 * bring-up that follows it, with a region header, registry and blocks
 * written by the fuzzer.
 *
 * Region format version 3 (include/esp_amp_shm.h): a 32-byte header
 * (magic, version, slots, region_size, session, the two pending words,
 * two reserved words), then `slots` registry entries of 16 bytes at
 * 32 + 16 * i, then the blocks.
 *
 * Input
 *   byte 0  mode
 *     bit 0  fix the header: valid magic, version, region size, a non-zero
 *            session, and a `slots` count the sub core accepts (a count of
 *            0 or above ESP_AMP_FMT_SYS_INFO_SLOTS_MAX becomes
 *            count % 64 + 1; a valid count is kept)
 *     bit 1  fix the check word of every registry entry the header counts
 *     bit 2  let a real main core format the region and create two blocks
 *            first (the default device pair and a user block); the rest of
 *            the input is then a list of patches (offset u16, length u8,
 *            bytes) over that region; without bit 2 the rest of the input
 *            is copied over the region from offset 0
 *     bit 3  mark every registry entry the header counts valid
 *     bit 4  the sub core's device is set up for interrupts
 *     bits 5-6 (bit 2) the main core's queue length: 1 << bits
 *   then     (bit 2) patches, or (no bit 2) raw region bytes; the last two
 *            bytes of the input are one more id to look up
 *
 * Checks (abort on violation)
 *   - a main core that formats writes header version 3 with
 *     ESP_AMP_CONFIG_SYS_INFO_SLOTS entries, and packs its blocks from
 *     32 + 16 * slots on, 8-aligned, one after the other;
 *   - esp_amp_init() on the sub core succeeds whatever the region holds
 *     and writes nothing there; esp_amp_sys_info_session() is 0 unless
 *     esp_amp_sys_info_attach() accepts the header; a sub device does not
 *     initialise on a header attach refuses (ESP_AMP_ERR_NOT_INIT);
 *   - every pointer esp_amp_sys_info_get() returns lies in the region,
 *     past the header and the `slots` registry entries it announces,
 *     8-aligned, with the size it reports;
 *   - a sub core device that initialises is bound to exactly the block the
 *     lookup names, whose registry size is exactly the pair size of the
 *     geometry it bound; its rings and buffers are inside the region (and
 *     a few operations on it touch nothing else: the guard area around the
 *     region turns any stray access into a crash, and the sub core writes
 *     nothing in the header or the registry but the main core's pending
 *     word);
 *   - blocks the main core allocates after the fuzzer rewrote its registry
 *     lie in the region, right after the blocks it allocated before (its
 *     own allocation top, not anything in shared memory), and are
 *     zero-filled.
 */
#include "fuzz_common.h"

#define REGION_SIZE 8192u
#define USER_ID 0x0101u

static esp_amp_rpmsg_dev_t s_mdev, s_sdev;
static esp_amp_queue_t s_mvq[2], s_svq[2];
static esp_amp_rpmsg_ept_t s_ept;

static int destroy_cb(void *data, uint16_t len, uint16_t src, void *arg)
{
    (void)src;
    esp_amp_rpmsg_dev_t *dev = arg;
    FZ_CHECK(fz_is_buffer(fz_rxq(dev), data, FZ_HDR),
             "delivered pointer is not a buffer of the rx ring");
    FZ_CHECK(len + FZ_HDR <= fz_rxq(dev)->max_item_size,
             "delivered length %u exceeds the item size %u", len,
             fz_rxq(dev)->max_item_size);
    volatile uint8_t sink = 0;
    for (uint16_t i = 0; i < len; i++) {
        sink ^= ((const uint8_t *)data)[i]; /* touch the whole payload */
    }
    (void)sink;
    FZ_CHECK(esp_amp_rpmsg_destroy(dev, data) == 0,
             "destroy of a just-delivered buffer failed: %s",
             esp_amp_err_name(esp_amp_get_last_error()));
    return 0;
}

/* First byte past the header and the registry the header announces now
 * (the blocks start there). */
static uint32_t blocks_start(void)
{
    const esp_amp_shm_header_t *h = (const esp_amp_shm_header_t *)(void *)fz_alias[0];
    return FZ_SHM_HDR + FZ_ENTRY * (uint32_t)h->slots;
}

static void check_block(int core, const void *p, uint32_t size,
                        const char *what)
{
    uint32_t off = fz_off(core, p);
    FZ_CHECK(off != UINT32_MAX, "%s: block pointer %+td from the region start (size %u), reported size %u", what, (const uint8_t *)p - fz_alias[core], fz_size, size);
    FZ_CHECK(off >= blocks_start(),
             "%s: block at %u overlaps the header or the registry (%u "
             "entries)", what, off,
             ((const esp_amp_shm_header_t *)(void *)fz_alias[0])->slots);
    FZ_CHECK((off & 7u) == 0, "%s: block at %u not 8-aligned", what, off);
    FZ_CHECK(size <= fz_size - off, "%s: block [%u, +%u) past the end (%u)",
             what, off, size, fz_size);
}

static bool header_acceptable(const esp_amp_shm_header_t *h);

/* The lookup as format version 3 defines it: on a header the sub core
 * accepts, the first of the `slots` entries whose first word is exactly
 * {id, ESP_AMP_SYS_INFO_ENTRY_VALID}, whose check word matches, and whose
 * block is 8-aligned, non-empty, past the registry and inside the region.
 * Its offset and size, or false. */
static bool lookup_model(uint16_t id, uint32_t *off, uint32_t *size)
{
    const uint8_t *shm = fz_alias[0];
    const esp_amp_shm_header_t *h = (const esp_amp_shm_header_t *)(const void *)shm;
    if (!header_acceptable(h)) {
        return false;
    }
    uint32_t first = blocks_start();
    for (uint32_t i = 0; i < h->slots; i++) {
        const esp_amp_shm_sys_info_entry_t *e =
            fz_entry((uint8_t *)(uintptr_t)shm, i);
        uint32_t o = e->offset, sz = e->size;
        if (e->id == id && e->state == ESP_AMP_SYS_INFO_ENTRY_VALID &&
            e->check == ((uint32_t)id ^ o ^ sz ^ ESP_AMP_SHM_MAGIC) &&
            o >= first && (o & 7u) == 0 && o < fz_size && sz != 0 &&
            sz <= fz_size - o) {
            *off = o;
            *size = sz;
            return true;
        }
    }
    return false;
}

/* esp_amp_sys_info_get(id) on `core`, checked against the model. */
static void *checked_get(int core, uint16_t id, uint32_t *size,
                         const char *what)
{
    uint32_t want_off = 0, want_size = 0;
    bool found = lookup_model(id, &want_off, &want_size);
    *size = 0xdeadbeefu;
    void *p = esp_amp_sys_info_get(id, size);
    esp_amp_err_t err = esp_amp_get_last_error();
    if (p != NULL) {
        check_block(core, p, *size, what);
    }
    FZ_CHECK(found ? p != NULL && fz_off(core, p) == want_off &&
                         *size == want_size
                   : p == NULL,
             "%s(%#x): %s at %u size %u, expected %s at %u size %u", what,
             id, p != NULL ? "found" : esp_amp_err_name(err),
             p != NULL ? fz_off(core, p) : 0u, p != NULL ? *size : 0u,
             found ? "found" : "nothing", want_off, want_size);
    FZ_CHECK(p != NULL ||
                 err == (header_acceptable((const esp_amp_shm_header_t *)(const void *)fz_alias[0])
                             ? ESP_AMP_ERR_NOT_FOUND
                             : ESP_AMP_ERR_NOT_INIT),
             "%s(%#x) failed with %s", what, id, esp_amp_err_name(err));
    return p;
}

/* Sub core: look up `id` and, if it names a device pair, use it a little. */
static void sub_try(uint16_t id, bool intr, bool attached)
{
    uint32_t size;
    void *p = checked_get(ESP_AMP_CORE_SUB, id, &size, "sub get");
    FZ_CHECK(p == NULL || attached, "lookup of %#x on a header that attach "
                                    "refuses", id);
    memset(&s_sdev, 0, sizeof(s_sdev));
    memset(s_svq, 0, sizeof(s_svq));
    if (esp_amp_rpmsg_sub_init_by_id(&s_sdev, s_svq, intr, !intr,
                                     (esp_amp_sys_info_id_t)id) != 0) {
        /* Before the main core has formatted (a header attach refuses),
         * a sub device fails with NOT_INIT. */
        FZ_CHECK(attached || esp_amp_get_last_error() == ESP_AMP_ERR_NOT_INIT,
                 "sub_init_by_id(%#x) on an unformatted region: %s", id,
                 esp_amp_err_name(esp_amp_get_last_error()));
        return;
    }
    FZ_CHECK(attached, "sub_init_by_id(%#x) worked on a header that attach "
                       "refuses", id);
    FZ_CHECK(p != NULL, "sub_init_by_id(%#x) worked but the lookup failed",
             id);
    fz_check_queue(ESP_AMP_CORE_SUB, fz_txq(&s_sdev), "sub tx");
    fz_check_queue(ESP_AMP_CORE_SUB, fz_rxq(&s_sdev), "sub rx");
    uint32_t pair_off = fz_off(ESP_AMP_CORE_SUB, s_sdev.pair);
    FZ_CHECK(pair_off == fz_off(ESP_AMP_CORE_SUB, p), "pair is not the block");
    uint32_t qlen = fz_qlen(fz_rxq(&s_sdev));
    uint32_t item = fz_rxq(&s_sdev)->max_item_size;
    /* The sub core binds ring 1 for sending, ring 0 for receiving, where
     * the format puts them in this block. */
    FZ_CHECK(fz_qlen(fz_txq(&s_sdev)) == qlen &&
                 fz_txq(&s_sdev)->max_item_size == item,
             "rx ring %u x %u, tx ring %u x %u", qlen, item,
             fz_qlen(fz_txq(&s_sdev)), fz_txq(&s_sdev)->max_item_size);
    FZ_CHECK(fz_off(ESP_AMP_CORE_SUB, fz_rxq(&s_sdev)->desc) ==
                     pair_off + fz_pair_desc_off(qlen, 0) &&
                 fz_off(ESP_AMP_CORE_SUB, fz_txq(&s_sdev)->desc) ==
                     pair_off + fz_pair_desc_off(qlen, 1) &&
                 fz_off(ESP_AMP_CORE_SUB, fz_rxq(&s_sdev)->buf) ==
                     pair_off + fz_pair_buf_off(qlen, item, 0) &&
                 fz_off(ESP_AMP_CORE_SUB, fz_txq(&s_sdev)->buf) ==
                     pair_off + fz_pair_buf_off(qlen, item, 1),
             "rings of a %u x %u pair at %u not where the format puts them",
             qlen, item, pair_off);
    /* No block_size in the pair header any more: the registry size is the
     * one the sub core checks, and it must be exactly the pair size. */
    FZ_CHECK(esp_amp_queue_pair_size((uint16_t)qlen, (uint16_t)item) == size,
             "bound geometry %u x %u (%u bytes) is not the registry block "
             "(%u bytes)", qlen, item,
             esp_amp_queue_pair_size((uint16_t)qlen, (uint16_t)item), size);
    if (intr) {
        (void)esp_amp_rpmsg_intr_enable(&s_sdev);
    }
    (void)esp_amp_rpmsg_create_endpoint(&s_sdev, 1, destroy_cb, &s_sdev,
                                        &s_ept);
    (void)esp_amp_rpmsg_get_link_state(&s_sdev);
    for (unsigned i = 0; i <= fz_qlen(fz_rxq(&s_sdev)); i++) {
        (void)esp_amp_rpmsg_poll(&s_sdev);
    }
    uint8_t *m = esp_amp_rpmsg_create_message(&s_sdev, 1, 0);
    if (m != NULL) {
        FZ_CHECK(fz_is_buffer(fz_txq(&s_sdev), m, FZ_HDR),
                 "create_message outside the tx ring");
        m[0] = 0x5a;
        (void)esp_amp_rpmsg_send_nocopy(&s_sdev, &s_ept, 1, m, 1);
    }
    (void)esp_amp_rpmsg_send(&s_sdev, &s_ept, 1, "x", 1);
    /* Leave no handler pointing at s_sdev for the next lookup. */
    memset(esp_amp_core_state()->sw_intr, 0,
           sizeof(esp_amp_core_state()->sw_intr));
}

/* A copy of the region (esp_amp_init must not write it) and of the header
 * and registry (the sub core writes nothing there but the pending words). */
static uint8_t s_copy[REGION_SIZE];
static uint8_t s_zero[REGION_SIZE];

/* Registry entries the header announces, as far as the harness reads them
 * (the sub core refuses more than ESP_AMP_FMT_SYS_INFO_SLOTS_MAX). */
static uint32_t hdr_slots(const esp_amp_shm_header_t *h)
{
    uint32_t n = h->slots;
    return n > ESP_AMP_FMT_SYS_INFO_SLOTS_MAX ? ESP_AMP_FMT_SYS_INFO_SLOTS_MAX : n;
}

/* Bytes of header + registry outside the two pending words that differ
 * from s_copy: -1 if none, else the first offset. */
static int hdr_changed(const uint8_t *shm, uint32_t n_entries)
{
    uint32_t end = FZ_SHM_HDR + FZ_ENTRY * n_entries;
    uint32_t pend = (uint32_t)offsetof(esp_amp_shm_header_t, sw_intr_pending);
    for (uint32_t k = 0; k < end; k++) {
        if ((k < pend || k >= pend + 8u) && shm[k] != s_copy[k]) {
            return (int)k;
        }
    }
    return -1;
}

/* What the sub core must accept: a complete header of version 3 for this
 * region with 1..ESP_AMP_FMT_SYS_INFO_SLOTS_MAX entries that fit it. */
static bool header_acceptable(const esp_amp_shm_header_t *h)
{
    return h->magic == ESP_AMP_SHM_MAGIC && h->version == ESP_AMP_SHM_VERSION &&
           h->region_size == fz_size && h->slots >= 1 &&
           h->slots <= ESP_AMP_FMT_SYS_INFO_SLOTS_MAX &&
           FZ_SHM_HDR + FZ_ENTRY * (uint32_t)h->slots <= fz_size;
}

static void set_entry(esp_amp_shm_sys_info_entry_t *e, uint16_t id,
                      uint32_t off, uint32_t size)
{
    e->id = id;
    e->state = ESP_AMP_SYS_INFO_ENTRY_VALID;
    e->offset = off;
    e->size = size;
    e->check = (uint32_t)id ^ off ^ size ^ ESP_AMP_SHM_MAGIC;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_sim_setup(REGION_SIZE);
    FZ_CHECK(fz_size == REGION_SIZE, "region of %u bytes", fz_size);
    fz_reset();
    fz_in_t in = { data, size, 0 };
    uint8_t mode = fz_u8(&in);
    uint16_t extra_id = size >= 3 ? (uint16_t)(data[size - 2] |
                                               data[size - 1] << 8) : 0;
    uint8_t *shm = fz_alias[0];
    esp_amp_shm_header_t *h = (esp_amp_shm_header_t *)shm;

    /* Blocks the real main core allocated: [off, off + size). */
    uint32_t own_off[4], own_size[4];
    uint16_t own_id[4];
    int nown = 0;
    bool formatted = (mode & 4) != 0;
    uint32_t first = FZ_SHM_HDR + FZ_ENTRY * ESP_AMP_CONFIG_SYS_INFO_SLOTS;

    if (formatted) {
        fz_enter(ESP_AMP_CORE_MAIN);
        FZ_CHECK(esp_amp_init() == 0, "main init");
        /* esp_amp_init no longer formats: the first block does. */
        FZ_CHECK(memcmp(shm, s_zero, fz_size) == 0,
                 "the main core's esp_amp_init wrote the region");
        uint16_t len = (uint16_t)(1u << ((mode >> 5) & 3u));
        FZ_CHECK(esp_amp_rpmsg_main_init_by_id(&s_mdev, s_mvq, len, 32, false,
                                               true,
                                               SYS_INFO_RESERVED_ID_VQUEUE) == 0,
                 "main_init");
        FZ_CHECK(h->magic == ESP_AMP_SHM_MAGIC &&
                     h->version == ESP_AMP_SHM_VERSION &&
                     h->slots == ESP_AMP_CONFIG_SYS_INFO_SLOTS &&
                     h->region_size == fz_size && h->session == 1u &&
                     h->reserved[0] == 0 && h->reserved[1] == 0,
                 "formatted header: magic %#x version %u slots %u size %u "
                 "session %u", h->magic, h->version, h->slots,
                 h->region_size, h->session);
        void *u = esp_amp_sys_info_alloc(USER_ID, 40);
        FZ_CHECK(u != NULL, "user block");
        uint32_t sz = 0;
        void *pair = esp_amp_sys_info_get(SYS_INFO_RESERVED_ID_VQUEUE, &sz);
        FZ_CHECK(pair != NULL, "pair block lookup");
        own_id[nown] = SYS_INFO_RESERVED_ID_VQUEUE;
        own_off[nown] = fz_off(ESP_AMP_CORE_MAIN, pair);
        own_size[nown++] = sz;
        own_id[nown] = USER_ID;
        own_off[nown] = fz_off(ESP_AMP_CORE_MAIN, u);
        own_size[nown++] = 40;
        /* Blocks start after the registry, packed, 8-aligned. */
        FZ_CHECK(own_off[0] == first &&
                     sz == esp_amp_queue_pair_size(len, 32) &&
                     own_off[1] == first + ((sz + 7u) & ~7u),
                 "blocks at %u (+%u) and %u; expected %u and %u", own_off[0],
                 sz, own_off[1], first, first + ((sz + 7u) & ~7u));
        /* Patches. */
        while (in.n - in.i > 2) {
            uint32_t off = fz_u16(&in) % fz_size;
            uint32_t n = fz_u8(&in) % 32u + 1u;
            for (uint32_t k = 0; k < n && in.n - in.i > 2; k++) {
                if (off + k < fz_size) {
                    shm[off + k] = fz_u8(&in);
                }
            }
        }
    } else {
        size_t n = in.n - in.i;
        if (n > 2) {
            n -= 2;
        } else {
            n = 0;
        }
        if (n > fz_size) {
            n = fz_size;
        }
        memcpy(shm, in.p + in.i, n);
    }

    if (mode & 1) {
        h->magic = ESP_AMP_SHM_MAGIC;
        h->version = ESP_AMP_SHM_VERSION;
        if (h->slots == 0 || h->slots > ESP_AMP_FMT_SYS_INFO_SLOTS_MAX) {
            h->slots = (uint16_t)(h->slots % ESP_AMP_FMT_SYS_INFO_SLOTS_MAX + 1u);
        }
        h->region_size = fz_size;
        if (h->session == 0) {
            h->session = 1;
        }
    }
    uint32_t nslots = hdr_slots(h);
    for (uint32_t i = 0; i < nslots; i++) {
        esp_amp_shm_sys_info_entry_t *e = fz_entry(shm, i);
        if (mode & 8) {
            e->state = ESP_AMP_SYS_INFO_ENTRY_VALID;
        }
        if (mode & 2) {
            e->check = (uint32_t)e->id ^ e->offset ^ e->size ^ ESP_AMP_SHM_MAGIC;
        }
    }

    /* The sub core: bring-up, attach, look up, bring devices up. */
    fz_enter(ESP_AMP_CORE_SUB);
    memcpy(s_copy, shm, fz_size);
    FZ_CHECK(esp_amp_init() == 0, "sub esp_amp_init: %s",
             esp_amp_err_name(esp_amp_get_last_error()));
    FZ_CHECK(memcmp(s_copy, shm, fz_size) == 0,
             "the sub core's esp_amp_init wrote the region");
    bool attached = esp_amp_sys_info_attach() == 0;
    uint32_t session = esp_amp_sys_info_session();
    FZ_CHECK(attached == header_acceptable(h),
             "attach %s a header with magic %#x version %u slots %u size %u",
             attached ? "accepted" : "refused", h->magic, h->version,
             h->slots, h->region_size);
    FZ_CHECK(attached ? session == h->session : session == 0,
             "session %u (header %u, attached %d)", session, h->session,
             attached);
    uint16_t ids[ESP_AMP_FMT_SYS_INFO_SLOTS_MAX + 3];
    unsigned nids = 0;
    ids[nids++] = SYS_INFO_RESERVED_ID_VQUEUE;
    ids[nids++] = USER_ID;
    ids[nids++] = extra_id;
    for (uint32_t i = 0; i < nslots; i++) {
        uint16_t id = fz_entry(shm, i)->id;
        bool seen = false;
        for (unsigned k = 0; k < nids; k++) {
            seen = seen || ids[k] == id;
        }
        if (!seen) {
            ids[nids++] = id;
        }
    }
    for (unsigned k = 0; k < nids; k++) {
        sub_try(ids[k], (mode & 16) != 0, attached);
        int at = hdr_changed(shm, nslots);
        FZ_CHECK(at < 0, "the sub core (device %#x) wrote byte %d of the "
                         "header or registry", ids[k], at);
    }

    /* The main core, after the fuzzer rewrote what it formatted. */
    if (formatted) {
        fz_enter(ESP_AMP_CORE_MAIN);
        for (unsigned k = 0; k < nids; k++) {
            uint32_t sz;
            (void)checked_get(ESP_AMP_CORE_MAIN, ids[k], &sz, "main get");
        }
        uint32_t pending[2] = { h->sw_intr_pending[0], h->sw_intr_pending[1] };
        uint32_t want = (uint32_t)extra_id % (fz_size / 2u) + 1u;
        uint32_t rounded = (want + 7u) & ~7u;
        uint16_t id = (uint16_t)(extra_id ^ 0x00ffu);
        uint32_t top = own_off[nown - 1] + ((own_size[nown - 1] + 7u) & ~7u);
        /* Its own record decides, not the registry in shared memory. */
        bool exists = false;
        for (int k = 0; k < nown; k++) {
            exists = exists || own_id[k] == id;
        }
        esp_amp_err_t expect = exists ? ESP_AMP_ERR_EXISTS
                               : rounded > fz_size - top ? ESP_AMP_ERR_NO_MEM
                                                         : ESP_AMP_OK;
        uint8_t *b = esp_amp_sys_info_alloc(id, want);
        esp_amp_err_t err = b != NULL ? ESP_AMP_OK : esp_amp_get_last_error();
        FZ_CHECK(err == expect, "alloc(%#x, %u) after registry damage: %s, "
                                "expected %s", id, want, esp_amp_err_name(err),
                 esp_amp_err_name(expect));
        if (b != NULL) {
            check_block(ESP_AMP_CORE_MAIN, b, rounded, "main alloc");
            uint32_t off = fz_off(ESP_AMP_CORE_MAIN, b);
            FZ_CHECK(off == top, "new block at %u, expected right after the "
                                 "main core's own blocks, at %u", off, top);
            for (int k = 0; k < nown; k++) {
                FZ_CHECK(off >= own_off[k] + own_size[k] ||
                             off + rounded <= own_off[k],
                         "new block [%u,+%u) overlaps own block [%u,+%u)",
                         off, rounded, own_off[k], own_size[k]);
            }
            for (uint32_t k = 0; k < rounded; k++) {
                FZ_CHECK(b[k] == 0, "new block not zero-filled at %u", k);
            }
            own_id[nown] = id;
            own_off[nown] = off;
            own_size[nown++] = rounded;
        }
        /* The allocation repaired the header and the registry: they are
         * what the main core formatted and allocated, byte for byte; the
         * pending words are left as they were. */
        esp_amp_shm_header_t eh;
        memset(&eh, 0, sizeof(eh));
        eh.magic = ESP_AMP_SHM_MAGIC;
        eh.version = ESP_AMP_SHM_VERSION;
        eh.slots = ESP_AMP_CONFIG_SYS_INFO_SLOTS;
        eh.region_size = fz_size;
        eh.session = 1;
        eh.sw_intr_pending[0] = pending[0];
        eh.sw_intr_pending[1] = pending[1];
        memcpy(s_copy, &eh, sizeof(eh));
        memset(s_copy + FZ_SHM_HDR, 0, FZ_ENTRY * ESP_AMP_CONFIG_SYS_INFO_SLOTS);
        for (int k = 0; k < nown; k++) {
            set_entry(fz_entry(s_copy, (uint32_t)k), own_id[k], own_off[k],
                      own_size[k]);
        }
        FZ_CHECK(memcmp(shm, s_copy, first) == 0 &&
                     h->sw_intr_pending[0] == pending[0] &&
                     h->sw_intr_pending[1] == pending[1],
                 "header or registry not repaired after an allocation "
                 "(first difference at byte %d)",
                 hdr_changed(shm, ESP_AMP_CONFIG_SYS_INFO_SLOTS));
    }
    return 0;
}
