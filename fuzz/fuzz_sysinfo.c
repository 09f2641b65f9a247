/*
 * fuzz_sysinfo.c - the registry lookup (esp_amp_sys_info.c) and the device
 * bring-up that follows it, with a region header, registry and blocks
 * written by the fuzzer.
 *
 * Input
 *   byte 0  mode
 *     bit 0  fix the header: valid magic, version, header size, region size
 *     bit 1  fix the check word of every registry entry
 *     bit 2  let a real main core format the region and create two blocks
 *            first (the default device pair and a user block); the rest of
 *            the input is then a list of patches (offset u16, length u8,
 *            bytes) over that region; without bit 2 the rest of the input
 *            is copied over the region from offset 0
 *     bit 3  mark every registry slot valid
 *     bit 4  the sub core's device is set up for interrupts
 *   then     (bit 2) patches, or (no bit 2) raw region bytes; the last two
 *            bytes of the input are one more id to look up
 *
 * Checks (abort on violation)
 *   - every pointer esp_amp_sys_info_get() returns lies in the region, past
 *     the header, with the size it reports;
 *   - a sub core device that initialises has its rings and buffers inside
 *     the region (and a few operations on it touch nothing else: the guard
 *     area around the region turns any stray access into a crash);
 *   - blocks the main core allocates after the fuzzer rewrote its registry
 *     lie in the region, past the header and past every block it allocated
 *     before, and are zero-filled.
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
    FZ_CHECK(fz_is_buffer(dev->rx_queue, data, FZ_HDR),
             "delivered pointer is not a buffer of the rx ring");
    FZ_CHECK(len + FZ_HDR <= dev->rx_queue->max_item_size,
             "delivered length %u exceeds the item size %u", len,
             dev->rx_queue->max_item_size);
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

static void check_block(int core, const void *p, uint32_t size,
                        const char *what)
{
    uint32_t off = fz_off(core, p);
    FZ_CHECK(off != UINT32_MAX, "%s: block pointer %+td from the region start (size %u), reported size %u", what, (const uint8_t *)p - fz_alias[core], fz_size, size);
    FZ_CHECK(off >= sizeof(esp_amp_shm_header_t),
             "%s: block at %u overlaps the header", what, off);
    FZ_CHECK((off & 7u) == 0, "%s: block at %u not 8-aligned", what, off);
    FZ_CHECK(size <= fz_size - off, "%s: block [%u, +%u) past the end (%u)",
             what, off, size, fz_size);
}

/* Sub core: look up `id` and, if it names a device pair, use it a little. */
static void sub_try(uint16_t id, bool intr)
{
    uint32_t size = 0xdeadbeefu;
    void *p = esp_amp_sys_info_get(id, &size);
    if (p != NULL) {
        check_block(ESP_AMP_CORE_SUB, p, size, "sub get");
    }
    memset(&s_sdev, 0, sizeof(s_sdev));
    memset(s_svq, 0, sizeof(s_svq));
    if (esp_amp_rpmsg_sub_init_by_id(&s_sdev, s_svq, intr, !intr,
                                     (esp_amp_sys_info_id_t)id) != 0) {
        return;
    }
    FZ_CHECK(p != NULL, "sub_init_by_id(%#x) worked but the lookup failed",
             id);
    fz_check_queue(ESP_AMP_CORE_SUB, s_sdev.tx_queue, "sub tx");
    fz_check_queue(ESP_AMP_CORE_SUB, s_sdev.rx_queue, "sub rx");
    uint32_t pair_off = fz_off(ESP_AMP_CORE_SUB, s_sdev.pair);
    FZ_CHECK(pair_off == fz_off(ESP_AMP_CORE_SUB, p), "pair is not the block");
    FZ_CHECK(pair_off + (uint64_t)esp_amp_queue_pair_size(
                            fz_qlen(s_sdev.rx_queue),
                            s_sdev.rx_queue->max_item_size) <=
                 (uint64_t)pair_off + size,
             "bound geometry larger than the registry block");
    if (intr) {
        (void)esp_amp_rpmsg_intr_enable(&s_sdev);
    }
    (void)esp_amp_rpmsg_create_endpoint(&s_sdev, 1, destroy_cb, &s_sdev,
                                        &s_ept);
    (void)esp_amp_rpmsg_get_link_state(&s_sdev);
    for (unsigned i = 0; i <= fz_qlen(s_sdev.rx_queue); i++) {
        (void)esp_amp_rpmsg_poll(&s_sdev);
    }
    uint8_t *m = esp_amp_rpmsg_create_message(&s_sdev, 1, 0);
    if (m != NULL) {
        FZ_CHECK(fz_is_buffer(s_sdev.tx_queue, m, FZ_HDR),
                 "create_message outside the tx ring");
        m[0] = 0x5a;
        (void)esp_amp_rpmsg_send_nocopy(&s_sdev, &s_ept, 1, m, 1);
    }
    (void)esp_amp_rpmsg_send(&s_sdev, &s_ept, 1, "x", 1);
    /* Leave no handler pointing at s_sdev for the next lookup. */
    memset(esp_amp_core_state()->sw_intr, 0,
           sizeof(esp_amp_core_state()->sw_intr));
    esp_amp_core_state()->sw_intr_count = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_sim_setup(REGION_SIZE);
    fz_reset();
    fz_in_t in = { data, size, 0 };
    uint8_t mode = fz_u8(&in);
    uint16_t extra_id = size >= 3 ? (uint16_t)(data[size - 2] |
                                               data[size - 1] << 8) : 0;
    uint8_t *shm = fz_alias[0];
    esp_amp_shm_header_t *h = (esp_amp_shm_header_t *)shm;

    /* Blocks the real main core allocated: [off, off + size). */
    uint32_t own_off[4], own_size[4];
    int nown = 0;
    bool formatted = (mode & 4) != 0;

    if (formatted) {
        fz_enter(ESP_AMP_CORE_MAIN);
        FZ_CHECK(esp_amp_init() == 0, "main init");
        uint16_t len = (uint16_t)(1u << ((mode >> 5) & 3u));
        FZ_CHECK(esp_amp_rpmsg_main_init_by_id(&s_mdev, s_mvq, len, 32, false,
                                               true,
                                               SYS_INFO_RESERVED_ID_VQUEUE) == 0,
                 "main_init");
        void *u = esp_amp_sys_info_alloc(USER_ID, 40);
        FZ_CHECK(u != NULL, "user block");
        uint32_t sz;
        own_off[nown] = fz_off(ESP_AMP_CORE_MAIN,
                               esp_amp_sys_info_get(SYS_INFO_RESERVED_ID_VQUEUE,
                                                    &sz));
        own_size[nown++] = sz;
        own_off[nown] = fz_off(ESP_AMP_CORE_MAIN, u);
        own_size[nown++] = 40;
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
        h->header_size = (uint16_t)sizeof(esp_amp_shm_header_t);
        h->region_size = fz_size;
        if (h->session == 0) {
            h->session = 1;
        }
    }
    for (unsigned i = 0; i < ESP_AMP_SYS_INFO_SLOTS; i++) {
        esp_amp_shm_sys_info_entry_t *e = &h->sys_info[i];
        if (mode & 8) {
            e->state = ESP_AMP_SYS_INFO_ENTRY_VALID;
        }
        if (mode & 2) {
            e->check = (uint32_t)e->id ^ e->offset ^ e->size ^ ESP_AMP_SHM_MAGIC;
        }
    }

    /* The sub core: attach, look up, bring devices up. */
    fz_enter(ESP_AMP_CORE_SUB);
    bool attached = esp_amp_sys_info_attach() == 0;
    uint32_t session = esp_amp_sys_info_session();
    FZ_CHECK(attached || session == 0, "session %u without a valid header",
             session);
    if (esp_amp_init() == 0) {
        FZ_CHECK(attached, "esp_amp_init accepted what attach refused");
    }
    uint16_t ids[ESP_AMP_SYS_INFO_SLOTS + 3];
    unsigned nids = 0;
    ids[nids++] = SYS_INFO_RESERVED_ID_VQUEUE;
    ids[nids++] = USER_ID;
    ids[nids++] = extra_id;
    for (unsigned i = 0; i < ESP_AMP_SYS_INFO_SLOTS; i++) {
        uint16_t id = h->sys_info[i].id;
        bool seen = false;
        for (unsigned k = 0; k < nids; k++) {
            seen = seen || ids[k] == id;
        }
        if (!seen) {
            ids[nids++] = id;
        }
    }
    for (unsigned k = 0; k < nids; k++) {
        sub_try(ids[k], (mode & 16) != 0);
    }

    /* The main core, after the fuzzer rewrote what it formatted. */
    if (formatted) {
        fz_enter(ESP_AMP_CORE_MAIN);
        for (unsigned k = 0; k < nids; k++) {
            uint32_t sz = 0;
            void *p = esp_amp_sys_info_get(ids[k], &sz);
            if (p != NULL) {
                check_block(ESP_AMP_CORE_MAIN, p, sz, "main get");
            }
        }
        uint32_t want = (uint32_t)extra_id % (fz_size / 2u) + 1u;
        uint16_t id = (uint16_t)(extra_id ^ 0x00ffu);
        uint8_t *b = esp_amp_sys_info_alloc(id, want);
        if (b != NULL) {
            uint32_t rounded = (want + 7u) & ~7u;
            check_block(ESP_AMP_CORE_MAIN, b, rounded, "main alloc");
            uint32_t off = fz_off(ESP_AMP_CORE_MAIN, b);
            for (int k = 0; k < nown; k++) {
                FZ_CHECK(off >= own_off[k] + own_size[k] ||
                             off + rounded <= own_off[k],
                         "new block [%u,+%u) overlaps own block [%u,+%u)",
                         off, rounded, own_off[k], own_size[k]);
            }
            for (uint32_t k = 0; k < rounded; k++) {
                FZ_CHECK(b[k] == 0, "new block not zero-filled at %u", k);
            }
        }
    }
    return 0;
}
