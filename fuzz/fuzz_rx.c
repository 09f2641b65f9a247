/*
 * fuzz_rx.c - the fuzzer is the peer core.
 *
 * One core ("local") runs the library; the other core's side of device pair
 * A belongs to the fuzzer, which may write any byte of the shared region at
 * any time: between the local core's calls and from inside its callbacks.
 * A real main core formats the region and creates the pairs; a real sub
 * core joins them; from then on pair A is the fuzzer's. A second pair, B,
 * stays with the real peer library, to check that whatever happened to
 * pair A, the local core keeps serving B.
 *
 * Input: 3 bytes of configuration, then operations: an opcode byte, whose
 * top two bits choose the kind, and its arguments (the encoding is spelled
 * out in make_corpus.py); the endpoint callback also takes one byte per
 * message (what the application does with it).
 *   byte 0  bit 0: local = main core (else sub); bit 1: local receives by
 *           interrupt (else polls); bit 2: local notifies after sending;
 *           bit 3: the honest peer rings the local doorbell after sending
 *   byte 1  queue length of pair A: 1 << (b % 5)
 *   byte 2  item size of pair A: 12 + 4 * (b % 60)
 *   op >> 6 0: local_op()  1: honest peer  2: peer_raw_op()  3: peer_lib_op()
 *           (the real peer: pair B traffic, or a restart of the peer core)
 *
 * Operations of the peer are either honest (they follow the ring protocol
 * of docs/layout.md, format version 3, with counters of their own) or raw
 * (any bytes anywhere, or a chosen field of a descriptor, header, control
 * word, registry entry). A descriptor is one 32-bit word {flags, buffer
 * index, len}; the raw descriptor operations write a buffer index of the
 * ring, one just past it (queue_len), the largest one (0x3fff), one the
 * local core holds, any 14 bits, a length, any of the four flag patterns,
 * a whole word, or a whole "sent" descriptor. The honest peer frees a slot
 * with len 0, or with any length (a freed slot's length is not looked at:
 * that is still honest).
 * While only honest operations have run ("sync" mode), the harness also
 * checks the data: every message arrives once, in order, intact, and no
 * buffer leaks; and the local core's descriptors follow the format: a
 * slot it freed names a buffer of the ring with len 0, a slot it sent a
 * buffer of the ring that the peer does not hold, with len <= item size.
 * Always, whatever the peer wrote, it checks that
 *   - a callback's msg_data is exactly a buffer of the local rx ring (+8),
 *     msg_data + data_len stays inside that buffer, and the ring itself is
 *     inside the region (the guard area catches any other stray access);
 *   - a buffer is never delivered, nor returned by create_message, while
 *     the application holds it (holdings end when the device reports a
 *     reset: link callback, session change or link_resets);
 *   - a sub core delivers nothing while its link is not UP, and does not
 *     send a buffer created before the peer main core restarted;
 *   - the application never holds more than queue_len buffers per ring;
 *   - destroy / send_nocopy of a held buffer succeed unless the call itself
 *     saw a reset; misuse (NULL, foreign pointers, double destroy, too
 *     long) fails with the documented reason, bumps exactly the documented
 *     counter and changes nothing else;
 *   - poll / the ISR return (libFuzzer's -timeout catches a loop);
 *   - a local main core's get_link_state leaves the region header and
 *     registry exactly as it formatted them (its repair), pending words
 *     aside;
 *   - at the end, if the fuzzer left pair B's bytes and the region header
 *     alone, a message goes each way over pair B.
 */
#include "fuzz_common.h"

#define REGION_SIZE 16384u
#define ID_A ((uint16_t)SYS_INFO_RESERVED_ID_VQUEUE)
#define ID_B 0x0101u
#define N_EPT 4
#define EPT_BASE 0x40u
#define EPT_B 0x50u
#define EPT_PEER_B 0x60u
#define MAX_HOLD 512

enum { DEV_A = 0, DEV_B = 1 };

typedef struct {
    esp_amp_rpmsg_dev_t dev;
    esp_amp_queue_t vq[2];
    uint32_t epoch;
    uint32_t seen_resets, seen_session, seen_cb, seen_no_ept;
    uint32_t cb_count;
} ldev_t;

typedef struct {
    uint8_t *p;      /* msg_data as the application sees it */
    int dev;
    uint32_t epoch;
    uint16_t created; /* tx: nbytes given to create_message */
    bool stale;       /* the peer restarted since: the application does
                         not know yet, but the memory may be reused */
    bool blind;       /* stale, and the restart cannot be seen: the
                         fuzzer made the new session reuse the device's
                         number while its join word stayed in place */
} hold_t;

static struct {
    fz_in_t *in;
    int local, peer;
    bool intr, notify, peer_kicks;
    ldev_t d[2];
    esp_amp_rpmsg_dev_t pdev[2];
    esp_amp_queue_t pvq[2][2];
    esp_amp_rpmsg_ept_t ept[N_EPT];
    bool ept_on[N_EPT], ept_null_cb[N_EPT];
    esp_amp_rpmsg_ept_t ept_b, pept_b;
    hold_t rx[MAX_HOLD], tx[MAX_HOLD];
    int nrx, ntx;
    void *last_destroyed;
    /* pair A as the peer sees it */
    uint32_t a_off, a_buf;
    uint16_t a_len, a_item;
    uint32_t b_off, b_size;
    /* the honest peer's counters on pair A */
    uint16_t p_sent, p_recv, p_freed;
    uint32_t p_held[256];
    int p_nheld;
    uint32_t p_sent_total;
    /* the honest peer's side of the join protocol on pair A: peer main:
     * the request it answered (0: none yet); peer sub: its request and
     * whether the local main has answered it (or it was a first join) */
    uint32_t p_join, p_session;
    bool p_up;
    bool hdr_touched; /* the fuzzer wrote the region header words */
    bool sync;
    bool b_dirty;
    fz_fifo_t to_local, to_peer;
    uint32_t seq;
    int depth;
    void *in_cb[8]; /* buffers being delivered (callbacks running) */
    int n_in_cb;
    int peer_b_got;
    bool local_b_got;
    /* local main: the header and registry as it formatted them */
    uint8_t hdr_formatted[FZ_SHM_HDR + FZ_ENTRY * ESP_AMP_CONFIG_SYS_INFO_SLOTS];
} S;

static const int k_dev_idx[2] = { DEV_A, DEV_B };

/* ---------------------------------------------------------------------- */
/* Small helpers                                                           */

static uint8_t *shm(void)
{
    return fz_alias[S.local];
}

static int rx_ring(void)
{
    return S.local == ESP_AMP_CORE_SUB ? 0 : 1;
}

static unsigned wrap_of(uint16_t c, uint16_t len)
{
    unsigned shift = 0;
    while ((1u << shift) < len) {
        shift++;
    }
    return ((unsigned)(c >> shift) & 1u) ^ 1u;
}
static uint32_t sent_flags(unsigned w)
{
    return w ? ESP_AMP_DESC_F_AVAIL : ESP_AMP_DESC_F_USED;
}
static uint32_t freed_flags(unsigned w)
{
    return w ? (ESP_AMP_DESC_F_AVAIL | ESP_AMP_DESC_F_USED) : 0u;
}

/* A descriptor of pair A: one 32-bit word {flags 0-1, buffer index 2-15,
 * len 16-31}, written with one release store and read with one acquire
 * load, as the library does. */
static uint32_t *a_desc(int ring, uint16_t slot)
{
    return (uint32_t *)(void *)(shm() + S.a_off + FZ_PAIR_HDR) +
           (uint32_t)ring * S.a_len + (slot & (S.a_len - 1u));
}
static uint32_t desc_ld(int ring, uint16_t slot)
{
    return __atomic_load_n(a_desc(ring, slot), __ATOMIC_ACQUIRE);
}
static void desc_st(int ring, uint16_t slot, uint32_t v)
{
    __atomic_store_n(a_desc(ring, slot), v, __ATOMIC_RELEASE);
}
static uint32_t a_buf_off(int ring, uint32_t i)
{
    return S.a_buf + (uint32_t)ring * S.a_len * S.a_item +
           (i % S.a_len) * S.a_item;
}
static esp_amp_shm_vq_pair_t *a_pair(void)
{
    return (esp_amp_shm_vq_pair_t *)(void *)(shm() + S.a_off);
}

static esp_amp_rpmsg_stats_t stats_of(int k)
{
    esp_amp_rpmsg_stats_t s;
    FZ_CHECK(esp_amp_rpmsg_get_stats(&S.d[k].dev, &s) == 0, "get_stats");
    return s;
}

static bool deliverable(uint16_t dst)
{
    for (int j = 0; j < N_EPT; j++) {
        if (S.ept_on[j] && EPT_BASE + (unsigned)j == dst) {
            return !S.ept_null_cb[j];
        }
    }
    return false;
}

/* Drop holdings of device k (the application learnt of a reset). */
static void drop_holdings(int k)
{
    int n = 0;
    for (int i = 0; i < S.nrx; i++) {
        if (S.rx[i].dev != k) {
            S.rx[n++] = S.rx[i];
        }
    }
    S.nrx = n;
    n = 0;
    for (int i = 0; i < S.ntx; i++) {
        if (S.tx[i].dev != k) {
            S.tx[n++] = S.tx[i];
        }
    }
    S.ntx = n;
}

/* Has device k seen a reset since we last looked? Then the application's
 * buffers of k are void: forget them. */
static void sync_dev(int k)
{
    ldev_t *L = &S.d[k];
    esp_amp_rpmsg_stats_t st = stats_of(k);
    if (st.link_resets != L->seen_resets || L->dev.session != L->seen_session ||
        L->cb_count != L->seen_cb) {
        L->seen_resets = st.link_resets;
        L->seen_session = L->dev.session;
        L->seen_cb = L->cb_count;
        L->epoch++;
        drop_holdings(k);
    }
    /* Messages the device dropped for want of an endpoint, in order. */
    while (L->seen_no_ept != st.rx_no_ept) {
        L->seen_no_ept++;
        if (k == DEV_A && S.sync) {
            fz_msg_t *m = fz_fifo_front(&S.to_local);
            FZ_CHECK(m != NULL, "rx_no_ept counted a message never sent");
            FZ_CHECK(!deliverable(m->dst),
                     "message %u to live endpoint %#x was dropped", m->seq,
                     m->dst);
            fz_fifo_pop(&S.to_local);
        }
    }
}

/* A held buffer may be refused with LINK_DOWN, without a reset, only while
 * the link is not UP: a main core whose join request the fuzzer cleared
 * uses no ring until a request comes (its holdings stay valid if the old
 * one comes back, and end with the reset if another one does). */
static bool link_refused(int k, esp_amp_err_t err)
{
    return err == ESP_AMP_ERR_LINK_DOWN && !S.sync &&
           S.d[k].dev.link != ESP_AMP_LINK_UP;
}

static void check_geometry(void)
{
    for (int k = 0; k < 2; k++) {
        fz_check_queue(S.local, fz_rxq(&S.d[k].dev), k ? "B rx" : "A rx");
        fz_check_queue(S.local, fz_txq(&S.d[k].dev), k ? "B tx" : "A tx");
        fz_check_dev_held(&S.d[k].dev, k ? "B" : "A");
    }
}

static uint32_t count_held(hold_t *h, int n, int k)
{
    uint32_t c = 0;
    for (int i = 0; i < n; i++) {
        c += h[i].dev == k;
    }
    return c;
}

static int find_hold(hold_t *h, int n, const void *p)
{
    for (int i = 0; i < n; i++) {
        if (h[i].p == p) {
            return i;
        }
    }
    return -1;
}

/* Held by the application in the current session of the peer: a stale
 * holding (peer restarted, the local core has not noticed yet) may alias a
 * buffer of the new session. */
/* Does the application hold p through device k? (Only through k: a peer
 * main core that damages the registry can point the sub core's two pair
 * blocks at overlapping memory, and then a buffer of one device is also a
 * buffer of the other. That is shared memory, which the peer writes
 * anyway; what the library promises is per device: it never hands out
 * twice a buffer the application holds.) */
static bool app_holds(hold_t *h, int n, const void *p, int k)
{
    for (int i = 0; i < n; i++) {
        if (h[i].p == p && h[i].dev == k && !h[i].stale) {
            return true;
        }
    }
    return false;
}

/* A buffer handed out again through device k (a new session reused it)
 * voids what the application still held of it from the last session: the
 * two holdings are one pointer, and the library rightly takes it as the
 * live one. */
static void drop_stale(hold_t *h, int *n, const void *p, int k)
{
    for (int i = 0; i < *n;) {
        if (h[i].p == p && h[i].dev == k && h[i].stale) {
            h[i] = h[--*n];
        } else {
            i++;
        }
    }
}

/* Would a link check of sub device dv find nothing changed (the
 * library's esp_amp_link_moved: session number and own join word)? */
static bool sees_no_restart(const esp_amp_rpmsg_dev_t *dv)
{
    return dv->link != ESP_AMP_LINK_DOWN &&
           ((const esp_amp_shm_header_t *)(void *)shm())->session ==
               dv->session &&
           dv->pair->ctl[0].join == dv->join;
}

/* End of the registry the main core formats (32-byte header, then
 * ESP_AMP_CONFIG_SYS_INFO_SLOTS entries); the blocks follow. */
#define REG_END (FZ_SHM_HDR + FZ_ENTRY * ESP_AMP_CONFIG_SYS_INFO_SLOTS)

/* The region byte range [off, off + n) was written by the fuzzer. The
 * header words 0-15 (magic, version, slots, region size, session) and
 * the registry decide where pair B is found; the pending words (16-23)
 * are live doorbell bits and the reserved words (24-31) are read by
 * nobody (the main core's repair rewrites them): neither spoils pair B. */
static void raw_touch(uint32_t off, uint32_t n)
{
    S.sync = false;
    uint64_t end = (uint64_t)off + n;
    if (off < 16) {
        S.hdr_touched = true;
    }
    if (off < 16 || (off < REG_END && end > FZ_SHM_HDR) ||
        (end > S.b_off && off < S.b_off + S.b_size)) {
        S.b_dirty = true; /* header words, registry, or pair B */
    }
}

static void raw_write(uint32_t off, const void *src, uint32_t n)
{
    if (off >= fz_size) {
        return;
    }
    if (n > fz_size - off) {
        n = fz_size - off;
    }
    memcpy(shm() + off, src, n);
    raw_touch(off, n);
}

/* Switch back to the local core; a doorbell the peer left pending runs its
 * ISR now. */
static void enter_local(void)
{
    fz_enter(S.local);
}

/* ---------------------------------------------------------------------- */
/* Callbacks                                                               */

static void link_cb(esp_amp_rpmsg_dev_t *dev, esp_amp_link_state_t st,
                    void *arg)
{
    (void)dev;
    /* DOWN voids what the application holds (the sub core forgets its
     * buffers). A sub core that comes UP again may have bound another
     * geometry (even under the same session number): a new epoch too. On
     * the main core JOINING -> UP (first join) keeps everything. */
    if (st == ESP_AMP_LINK_DOWN ||
        (st == ESP_AMP_LINK_UP && S.local == ESP_AMP_CORE_SUB)) {
        S.d[*(const int *)arg].cb_count++;
    }
}

static void local_op(uint8_t op);
static void peer_raw_op(uint8_t op);

static int ept_cb(void *data, uint16_t len, uint16_t src, void *arg)
{
    int k = *(const int *)arg;
    ldev_t *L = &S.d[k];
    const esp_amp_queue_t *q = fz_rxq(&L->dev);
    uint8_t *p = data;

    FZ_TRACE("  [cb %s] buf %p len %u src %#x (%s)\n", k ? "B" : "A", data, len,
             src, esp_amp_env_in_isr() ? "isr" : "task");
    sync_dev(k);
    /* A sub core whose link is not UP does not touch the rings (the
     * design: it "waits without touching the rings"; BUG-ISR-RELINK). */
    FZ_CHECK(S.local != ESP_AMP_CORE_SUB || L->dev.link == ESP_AMP_LINK_UP,
             "message delivered while the sub core's link is %s",
             L->dev.link == ESP_AMP_LINK_DOWN ? "DOWN" : "JOINING");
    fz_check_queue(S.local, q, "callback rx");
    FZ_CHECK(fz_is_buffer(q, p, FZ_HDR),
             "msg_data %p is not a buffer start + 8 of the rx ring", data);
    FZ_CHECK((uint32_t)len + FZ_HDR <= q->max_item_size,
             "data_len %u + 8 exceeds the item size %u", len,
             q->max_item_size);
    FZ_CHECK(!app_holds(S.rx, S.nrx, p, k) && !app_holds(S.tx, S.ntx, p, k),
             "buffer %p delivered while the application holds it", data);
    FZ_CHECK(count_held(S.rx, S.nrx, k) < fz_qlen(q),
             "%u buffers held on a ring of %u, and one more delivered",
             count_held(S.rx, S.nrx, k), fz_qlen(q));
    volatile uint8_t sink = 0;
    for (uint16_t i = 0; i < len; i++) {
        sink ^= p[i];
    }
    (void)sink;

    if (k == DEV_A && S.sync) {
        fz_msg_t *m = fz_fifo_front(&S.to_local);
        FZ_CHECK(m != NULL, "delivered a message the peer never sent");
        FZ_CHECK(m->src == src && m->len == len && fz_same(p, len, m->seq),
                 "message %u: src %#x len %u (expected %#x %u) or payload "
                 "changed", m->seq, src, len, m->src, m->len);
        fz_fifo_pop(&S.to_local);
    }
    if (k == DEV_B && len == 4 && memcmp(p, "PING", 4) == 0 &&
        src == EPT_PEER_B) {
        S.local_b_got = true;
    }

    uint8_t act = fz_u8(S.in);
    uint32_t epoch = L->epoch;
    bool hold = false;
    S.depth++;
    S.in_cb[S.n_in_cb++ & 7] = p;
    switch (act & 3u) {
    case 0:
        break;
    case 1:
        hold = true;
        break;
    case 2: /* the peer strikes while we are in the callback */
        if (S.depth < 3) {
            peer_raw_op(fz_u8(S.in));
        }
        break;
    case 3: /* the application calls the library from its callback */
        if (S.depth < 3) {
            local_op(fz_u8(S.in));
        }
        hold = (act & 4u) != 0;
        break;
    }
    S.depth--;
    S.n_in_cb--;
    if (hold && S.nrx < MAX_HOLD && L->epoch == epoch) {
        S.rx[S.nrx++] = (hold_t){ p, k, epoch, 0, false, false };
        return 0;
    }
    if (L->epoch != epoch) {
        return 0; /* reset meanwhile: the buffer is no longer ours */
    }
    int rc = esp_amp_rpmsg_destroy(&L->dev, p);
    esp_amp_err_t err = esp_amp_get_last_error();
    sync_dev(k);
    if (rc != 0 && link_refused(k, err) && L->epoch == epoch &&
        S.nrx < MAX_HOLD) {
        /* Still ours: the application gives it back later. */
        S.rx[S.nrx++] = (hold_t){ p, k, epoch, 0, false, false };
        return 0;
    }
    FZ_CHECK(rc == 0 || L->epoch != epoch,
             "destroy of a just-delivered buffer failed: %s",
             esp_amp_err_name(esp_amp_get_last_error()));
    S.last_destroyed = p;
    return 0;
}

static int peer_b_cb(void *data, uint16_t len, uint16_t src, void *arg)
{
    (void)arg;
    if (len == 4 && memcmp(data, "PONG", 4) == 0 && src == EPT_B) {
        S.peer_b_got++;
    }
    (void)esp_amp_rpmsg_destroy(&S.pdev[DEV_B], data);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Bring-up                                                                */

static void locate_pairs(void)
{
    uint32_t sz = 0;
    uint8_t *a = esp_amp_sys_info_get(ID_A, &sz);
    FZ_CHECK(a != NULL, "pair A missing after bring-up");
    esp_amp_shm_vq_pair_t *pa = (esp_amp_shm_vq_pair_t *)(void *)a;
    uint8_t *base = esp_amp_platform_shm_base();
    S.a_off = (uint32_t)(a - base);
    S.a_len = pa->queue_len;
    S.a_item = pa->item_size;
    FZ_CHECK(sz == esp_amp_queue_pair_size(S.a_len, S.a_item),
             "pair A: registry size %u for %u x %u", sz, S.a_len, S.a_item);
    S.a_buf = S.a_off + fz_pair_buf_off(S.a_len, S.a_item, 0);
    uint8_t *b = esp_amp_sys_info_get(ID_B, &S.b_size);
    FZ_CHECK(b != NULL, "pair B missing after bring-up");
    S.b_off = (uint32_t)(b - base);
}

/* The real peer brings its side up (first time or after a restart). */
static void peer_bringup(uint16_t len, uint16_t item)
{
    fz_reboot_core(S.peer);
    memset(S.pdev, 0, sizeof(S.pdev));
    memset(S.pvq, 0, sizeof(S.pvq));
    if (S.peer == ESP_AMP_CORE_MAIN) {
        FZ_CHECK(esp_amp_init() == 0, "peer main init");
        FZ_CHECK(esp_amp_rpmsg_main_init_by_id(&S.pdev[DEV_A], S.pvq[DEV_A],
                                               len, item, false, true,
                                               (esp_amp_sys_info_id_t)ID_A) == 0,
                 "peer main_init A");
        FZ_CHECK(esp_amp_rpmsg_main_init_by_id(&S.pdev[DEV_B], S.pvq[DEV_B], 2,
                                               32, false, true,
                                               (esp_amp_sys_info_id_t)ID_B) == 0,
                 "peer main_init B");
        locate_pairs();
        /* Everything was formatted again, so whatever the fuzzer wrote
         * before is gone, unless its session word made the new session
         * number equal one a local device is bound to: that device cannot
         * see that the peer restarted, and its stale ring state may point
         * into what is now pair B (see README, session reuse). */
        uint32_t ns = esp_amp_sys_info_session();
        S.b_dirty = ns == S.d[DEV_B].dev.session || ns == S.d[DEV_A].dev.session;
    } else {
        /* esp_amp_init touches no shared memory and cannot fail here;
         * sub_init fails (NOT_INIT, CORRUPT) if the fuzzer broke the
         * header, the registry or the pair block: the peer then has no
         * device on that pair. */
        FZ_CHECK(esp_amp_init() == 0, "peer sub esp_amp_init");
        (void)esp_amp_rpmsg_sub_init_by_id(&S.pdev[DEV_A], S.pvq[DEV_A], false,
                                           true, (esp_amp_sys_info_id_t)ID_A);
        (void)esp_amp_rpmsg_sub_init_by_id(&S.pdev[DEV_B], S.pvq[DEV_B], false,
                                           true, (esp_amp_sys_info_id_t)ID_B);
    }
    if (S.pdev[DEV_B].vq != NULL) {
        (void)esp_amp_rpmsg_create_endpoint(&S.pdev[DEV_B], EPT_PEER_B,
                                            peer_b_cb, NULL, &S.pept_b);
    }
    S.p_sent = S.p_recv = S.p_freed = 0;
    S.p_nheld = 0;
    /* The honest peer takes over pair A where the real library left it. */
    S.p_join = S.pdev[DEV_A].vq != NULL ? S.pdev[DEV_A].join : 0;
    S.p_up = S.peer == ESP_AMP_CORE_SUB &&
             S.pdev[DEV_A].link == ESP_AMP_LINK_UP;
    S.p_session = ((esp_amp_shm_header_t *)(void *)shm())->session;
}

static void setup(uint8_t cfg, uint8_t lenb, uint8_t itemb)
{
    memset(&S, 0, sizeof(S));
    S.local = (cfg & 1) ? ESP_AMP_CORE_MAIN : ESP_AMP_CORE_SUB;
    S.peer = S.local ^ 1;
    S.intr = (cfg & 2) != 0;
    S.notify = (cfg & 4) != 0;
    S.peer_kicks = (cfg & 8) != 0;
    uint16_t len = (uint16_t)(1u << (lenb % 5u));
    uint16_t item = (uint16_t)(12u + 4u * (itemb % 60u));

    /* The main core formats and creates both pairs. */
    fz_enter(ESP_AMP_CORE_MAIN);
    FZ_CHECK(esp_amp_init() == 0, "main esp_amp_init");
    if (S.local == ESP_AMP_CORE_MAIN) {
        ldev_t *A = &S.d[DEV_A], *B = &S.d[DEV_B];
        FZ_CHECK(esp_amp_rpmsg_main_init_by_id(&A->dev, A->vq, len, item,
                                               S.notify, !S.intr,
                                               (esp_amp_sys_info_id_t)ID_A) == 0,
                 "main_init A");
        FZ_CHECK(esp_amp_rpmsg_main_init_by_id(&B->dev, B->vq, 2, 32, false,
                                               true,
                                               (esp_amp_sys_info_id_t)ID_B) == 0,
                 "main_init B");
        locate_pairs();
        /* The real sub core joins, then leaves pair A to the fuzzer. */
        fz_enter(ESP_AMP_CORE_SUB);
        FZ_CHECK(esp_amp_init() == 0, "sub esp_amp_init");
        FZ_CHECK(esp_amp_rpmsg_sub_init_by_id(&S.pdev[DEV_A], S.pvq[DEV_A],
                                              false, true,
                                              (esp_amp_sys_info_id_t)ID_A) == 0,
                 "peer sub_init A");
        FZ_CHECK(esp_amp_rpmsg_sub_init_by_id(&S.pdev[DEV_B], S.pvq[DEV_B],
                                              false, true,
                                              (esp_amp_sys_info_id_t)ID_B) == 0,
                 "peer sub_init B");
        FZ_CHECK(esp_amp_rpmsg_create_endpoint(&S.pdev[DEV_B], EPT_PEER_B,
                                               peer_b_cb, NULL, &S.pept_b),
                 "peer endpoint");
        fz_enter(ESP_AMP_CORE_MAIN);
    } else {
        FZ_CHECK(esp_amp_rpmsg_main_init_by_id(&S.pdev[DEV_A], S.pvq[DEV_A],
                                               len, item, false, true,
                                               (esp_amp_sys_info_id_t)ID_A) == 0,
                 "peer main_init A");
        FZ_CHECK(esp_amp_rpmsg_main_init_by_id(&S.pdev[DEV_B], S.pvq[DEV_B], 2,
                                               32, false, true,
                                               (esp_amp_sys_info_id_t)ID_B) == 0,
                 "peer main_init B");
        FZ_CHECK(esp_amp_rpmsg_create_endpoint(&S.pdev[DEV_B], EPT_PEER_B,
                                               peer_b_cb, NULL, &S.pept_b),
                 "peer endpoint");
        locate_pairs();
        fz_enter(ESP_AMP_CORE_SUB);
        FZ_CHECK(esp_amp_init() == 0, "sub esp_amp_init");
        ldev_t *A = &S.d[DEV_A], *B = &S.d[DEV_B];
        FZ_CHECK(esp_amp_rpmsg_sub_init_by_id(&A->dev, A->vq, S.notify,
                                              !S.intr,
                                              (esp_amp_sys_info_id_t)ID_A) == 0,
                 "sub_init A");
        FZ_CHECK(esp_amp_rpmsg_sub_init_by_id(&B->dev, B->vq, false, true,
                                              (esp_amp_sys_info_id_t)ID_B) == 0,
                 "sub_init B");
    }
    /* Now as the local core. */
    for (int k = 0; k < 2; k++) {
        ldev_t *L = &S.d[k];
        FZ_CHECK(esp_amp_rpmsg_set_link_callback(&L->dev, link_cb,
                                                 (void *)&k_dev_idx[k]) == 0,
                 "link cb");
        L->seen_session = L->dev.session;
    }
    if (S.intr) {
        FZ_CHECK(esp_amp_rpmsg_intr_enable(&S.d[DEV_A].dev) == 0,
                 "intr_enable: %s",
                 esp_amp_err_name(esp_amp_get_last_error()));
    }
    for (int j = 0; j < N_EPT; j++) {
        S.ept[j].addr = (uint16_t)(EPT_BASE + (unsigned)j);
    }
    for (int j = 0; j < 2; j++) { /* two endpoints to start with */
        FZ_CHECK(esp_amp_rpmsg_create_endpoint(&S.d[DEV_A].dev,
                                               (uint16_t)(EPT_BASE + (unsigned)j),
                                               ept_cb, (void *)&k_dev_idx[DEV_A],
                                               &S.ept[j]) == &S.ept[j],
                 "create endpoint");
        S.ept_on[j] = true;
    }
    FZ_CHECK(esp_amp_rpmsg_create_endpoint(&S.d[DEV_B].dev, EPT_B, ept_cb,
                                           (void *)&k_dev_idx[DEV_B],
                                           &S.ept_b) == &S.ept_b,
             "create endpoint B");
    S.p_join = S.pdev[DEV_A].join;
    S.p_up = S.peer == ESP_AMP_CORE_SUB &&
             S.pdev[DEV_A].link == ESP_AMP_LINK_UP;
    S.p_session = ((esp_amp_shm_header_t *)(void *)shm())->session;
    S.sync = true;
    memcpy(S.hdr_formatted, shm(), sizeof(S.hdr_formatted));
    check_geometry();
}

/* ---------------------------------------------------------------------- */
/* The honest peer on pair A                                               */

static void ring_local_doorbell(void)
{
    esp_amp_shm_header_t *h = (esp_amp_shm_header_t *)(void *)shm();
    __atomic_fetch_or(&h->sw_intr_pending[S.local],
                      1u << SW_INTR_RESERVED_ID_RPMSG, __ATOMIC_RELEASE);
    sim_raise_doorbell(S.local);
}

/* The honest peer resets both rings of pair A to their initial state (as
 * esp_amp_ring_reset does: slot i = {flags 0, index i, len 0}) and
 * forgets what it held. */
static void peer_reset_rings(void)
{
    for (int r = 0; r < 2; r++) {
        for (uint16_t i = 0; i < S.a_len; i++) {
            desc_st(r, i, ESP_AMP_DESC(freed_flags(0), i, 0));
        }
    }
    S.p_sent = S.p_recv = S.p_freed = 0;
    S.p_nheld = 0;
    S.sync = false; /* what was in flight is dropped */
}

/* The honest peer's link check on pair A (src/esp_amp_link.c, format
 * version 3), before each of its ring operations: true when it may use
 * the rings now.
 *   peer main: uses no ring before it has answered a join; a first
 *     request (1, nothing answered yet) is answered as is, any other new
 *     non-zero request after resetting both rings; 0 (only its own format
 *     writes it) stops it until a request comes.
 *   peer sub: UP after a first join, or once the answer equals its
 *     request; if its request is no longer in place or the session moved
 *     (only the fuzzer does that here: the local main never restarts) it
 *     joins again with max(req, ack) + 1 and waits, without touching the
 *     rings.
 * Join requests and answers ring the local core like a message does (the
 * peer "notifies" and the local core's kick_me is set). */
static bool peer_link(void)
{
    esp_amp_shm_vq_pair_t *p = a_pair();
    int own = S.peer == ESP_AMP_CORE_MAIN ? 1 : 0;
    if (S.peer == ESP_AMP_CORE_MAIN) {
        uint32_t req = __atomic_load_n(&p->ctl[0].join, __ATOMIC_ACQUIRE);
        if (req == S.p_join) {
            return req != 0;
        }
        if (req == 0) {
            return false;
        }
        if (req != 1u || S.p_join != 0) {
            FZ_TRACE("  honest main: request %u (answered %u): reset\n", req,
                     S.p_join);
            peer_reset_rings();
        }
        S.p_join = req;
    } else {
        uint32_t req = __atomic_load_n(&p->ctl[0].join, __ATOMIC_ACQUIRE);
        uint32_t ack = __atomic_load_n(&p->ctl[1].join, __ATOMIC_ACQUIRE);
        uint32_t ses = ((esp_amp_shm_header_t *)(void *)shm())->session;
        if (req == S.p_join && ses == S.p_session) {
            if (!S.p_up && ack == S.p_join) {
                S.p_up = true;
                S.p_sent = S.p_recv = S.p_freed = 0;
                S.p_nheld = 0;
            }
            return S.p_up;
        }
        S.p_join = (req > ack ? req : ack) + 1u;
        if (S.p_join < 2u) {
            S.p_join = 2u;
        }
        S.p_session = ses;
        S.p_up = false;
        S.sync = false;
        FZ_TRACE("  honest sub: joins again with %u\n", S.p_join);
    }
    __atomic_store_n(&p->ctl[own].join, S.p_join, __ATOMIC_RELEASE);
    if (S.peer_kicks && p->ctl[own ^ 1].kick_me != 0) {
        ring_local_doorbell();
    }
    return S.peer == ESP_AMP_CORE_MAIN;
}

/* Send one message into the local core's rx ring. */
static void peer_send(void)
{
    uint8_t sel = fz_u8(S.in);
    uint16_t dlen = fz_u16(S.in);
    if (!peer_link()) {
        return;
    }
    int r = rx_ring();
    uint16_t c = S.p_sent;
    uint32_t d = desc_ld(r, c);
    unsigned w = wrap_of(c, S.a_len);
    /* Honest alloc: the slot must have been freed by the local core. */
    if (ESP_AMP_DESC_FLAGS(d) != freed_flags(!w)) {
        return; /* the ring is full */
    }
    uint32_t idx = ESP_AMP_DESC_INDEX(d);
    FZ_CHECK(!S.sync || idx < S.a_len,
             "local core freed descriptor %u naming buffer %u, past the "
             "ring of %u", c, idx, S.a_len);
    /* The local core frees (and formats) a slot with len 0. The peer
     * does not need the length (an alloc reads only flags and index). */
    FZ_CHECK(!S.sync || ESP_AMP_DESC_LEN(d) == 0,
             "local core freed descriptor %u with len %u (a freed slot "
             "carries 0)", c, ESP_AMP_DESC_LEN(d));
    if (idx >= S.a_len) {
        return;
    }
    uint32_t off = a_buf_off(r, idx);
    uint16_t max = (uint16_t)(S.a_item - FZ_HDR);
    dlen = (uint16_t)(dlen % (max + 1u));
    uint16_t dst = (sel & 0x80u) ? (uint16_t)fz_u16(S.in)
                                 : (uint16_t)(EPT_BASE + (sel & 7u));
    uint16_t src = (uint16_t)(0x20u + (sel >> 3 & 3u));
    esp_amp_rpmsg_head_t *hd = (esp_amp_rpmsg_head_t *)(void *)(shm() + off);
    hd->src_addr = src;
    hd->dst_addr = dst;
    hd->data_len = dlen;
    hd->data_flags = 0;
    uint32_t seq = S.seq++;
    fz_fill((uint8_t *)(hd + 1), dlen, seq);
    uint16_t used = (uint16_t)(dlen + FZ_HDR);
    if (sel & 0x40u) {
        /* A near miss: header and descriptor lengths off by a little. */
        uint8_t lie = fz_u8(S.in);
        if (lie & 0x80u) {
            hd->data_len = (uint16_t)(dlen + (lie & 15u) - 8u);
        } else {
            used = (uint16_t)(dlen + FZ_HDR + (lie & 15u) - 8u);
        }
        S.sync = false;
    }
    desc_st(r, c, ESP_AMP_DESC(sent_flags(w), idx, used));
    S.p_sent++;
    S.p_sent_total++;
    if (S.sync) {
        fz_fifo_push(&S.to_local, (fz_msg_t){ seq, src, dst, dlen, UINT32_MAX });
    }
    if (S.peer_kicks && a_pair()->ctl[rx_ring()].kick_me != 0) {
        ring_local_doorbell();
    }
}

/* Take one message from the local core's tx ring. */
static bool peer_recv(void)
{
    if (!peer_link()) {
        return false;
    }
    int r = rx_ring() ^ 1;
    uint16_t c = S.p_recv;
    uint32_t d = desc_ld(r, c);
    unsigned w = wrap_of(c, S.a_len);
    uint32_t fl = ESP_AMP_DESC_FLAGS(d);
    if (fl != sent_flags(w)) {
        FZ_CHECK(!S.sync || fl == freed_flags(!w) || fl == sent_flags(!w),
                 "local core wrote flags %#x at tx slot %u", fl, c);
        return false;
    }
    if (S.p_nheld >= S.a_len) {
        return false;
    }
    uint32_t idx = ESP_AMP_DESC_INDEX(d);
    uint16_t dlen = ESP_AMP_DESC_LEN(d);
    bool valid = idx < S.a_len && dlen <= S.a_item;
    for (int i = 0; valid && i < S.p_nheld; i++) {
        valid = S.p_held[i] != idx;
    }
    FZ_CHECK(!S.sync || valid,
             "local core sent descriptor %u: buffer %u len %u (buffer held "
             "by the peer, or not in the ring, or longer than %u)", c, idx,
             dlen, S.a_item);
    S.p_recv++;
    if (!valid) {
        return true; /* a dishonest ring: the peer just skips it */
    }
    uint32_t off = a_buf_off(r, idx);
    S.p_held[S.p_nheld++] = idx;
    if (S.sync) {
        fz_msg_t *m = fz_fifo_front(&S.to_peer);
        const esp_amp_rpmsg_head_t *hd =
            (const esp_amp_rpmsg_head_t *)(const void *)(shm() + off);
        FZ_CHECK(m != NULL, "peer received a message the local core never "
                            "sent");
        FZ_CHECK(hd->src_addr == m->src && hd->dst_addr == m->dst &&
                     hd->data_len == m->len &&
                     dlen == (uint16_t)(m->len + FZ_HDR) &&
                     (m->off == UINT32_MAX || m->off == off) &&
                     fz_same((const uint8_t *)(hd + 1), m->len, m->seq),
                 "local message %u arrived damaged (src %#x dst %#x len %u "
                 "desc len %u off %u; expected %#x %#x %u off %u)",
                 m->seq, hd->src_addr, hd->dst_addr, hd->data_len, dlen,
                 off, m->src, m->dst, m->len, m->off);
        fz_fifo_pop(&S.to_peer);
    }
    return true;
}

/* Free one buffer the peer took (sel & 0x7f chooses which). A freed slot
 * carries len 0; with sel bit 7 the peer writes any length instead (the
 * next u16): an alloc reads only flags and index, so this is still an
 * honest free, and the local core must take the buffer as usual. */
static void peer_free(uint8_t sel)
{
    uint16_t junk = (sel & 0x80u) ? fz_u16(S.in) : 0u;
    if (!peer_link() || S.p_nheld == 0) {
        return; /* (a rejoin in peer_link forgets what the peer held) */
    }
    int i = (sel & 0x7fu) % S.p_nheld;
    uint32_t idx = S.p_held[i];
    S.p_held[i] = S.p_held[--S.p_nheld];
    int r = rx_ring() ^ 1;
    uint16_t c = S.p_freed++;
    desc_st(r, c, ESP_AMP_DESC(freed_flags(wrap_of(c, S.a_len)), idx, junk));
}

/* ---------------------------------------------------------------------- */
/* The dishonest peer                                                      */

/* The local core's queue on ring `ring` of pair A. */
static const esp_amp_queue_t *local_q(int ring)
{
    const esp_amp_rpmsg_dev_t *dev = &S.d[DEV_A].dev;
    return ring == rx_ring() ? fz_rxq(dev) : fz_txq(dev);
}

/* A buffer index for a descriptor the fuzzer writes into ring `ring`
 * (format version 3: 14 bits). how & 3: 0 a buffer of the ring; 1 one just
 * past it (queue_len .. queue_len + 3); 2 the largest ones (0x3fff ..
 * 0x3ffc); 3 a buffer the local core holds in that ring now (allocated or
 * received, not given back), or a buffer of the ring if it holds none.
 * The next input byte picks within the choice. */
static uint32_t raw_index(int ring, unsigned how)
{
    uint8_t b = fz_u8(S.in);
    switch (how & 3u) {
    case 0:
        return b % S.a_len;
    case 1:
        return S.a_len + (b & 3u);
    case 2:
        return 0x3fffu - (b & 3u);
    default: {
        const esp_amp_queue_t *q = local_q(ring);
        uint32_t n = fz_held_bits(q);
        if (n == 0) {
            return b % S.a_len;
        }
        uint32_t k = b % n;
        for (uint32_t i = 0; i < S.a_len; i++) {
            if (((q->held[i >> 5] >> (i & 31u)) & 1u) && k-- == 0) {
                return i;
            }
        }
        return b % S.a_len;
    }
    }
}

static void peer_raw_op(uint8_t op)
{
    fz_in_t *in = S.in;
    uint8_t buf[64];
    FZ_TRACE("  raw kind %u\n", op % 9u);
    switch (op % 9u) {
    case 0: { /* any bytes anywhere */
        uint32_t off = fz_u16(in) % fz_size;
        uint32_t n = fz_u8(in) % 32u + 1u;
        for (uint32_t i = 0; i < n; i++) {
            buf[i] = fz_u8(in);
        }
        raw_write(off, buf, n);
        break;
    }
    case 1: { /* any bytes inside pair A */
        uint32_t size = (uint32_t)esp_amp_queue_pair_size(S.a_len, S.a_item);
        uint32_t off = S.a_off + fz_u16(in) % size;
        uint32_t n = fz_u8(in) % 16u + 1u;
        for (uint32_t i = 0; i < n; i++) {
            buf[i] = fz_u8(in);
        }
        raw_write(off, buf, n);
        break;
    }
    case 2: { /* one descriptor word of pair A: a field, or all of it */
        uint8_t sel = fz_u8(in);
        int ring = sel & 1;
        uint16_t slot = fz_u8(in);
        uint32_t v = desc_ld(ring, slot);
        switch ((sel >> 1) % 6u) {
        case 0: /* buffer index: any 14 bits, or a chosen kind of index */
            v = (v & ~(0x3fffu << 2)) |
                ((sel & 0x80u) ? (uint32_t)(fz_u16(in) & 0x3fffu)
                               : raw_index(ring, sel >> 4)) << 2;
            break;
        case 1: /* length (a received one above the item size is refused,
                 * a freed one is not looked at) */
            v = (v & 0xffffu) | (uint32_t)fz_u16(in) << 16;
            break;
        case 2: /* flags: one of the four patterns (each is wrong in some
                 * state of the slot) */
            v = (v & ~3u) | (fz_u8(in) & 3u);
            break;
        case 3: /* the whole word */
            v = fz_u32(in);
            break;
        default: { /* a whole "sent" descriptor, flags right for its slot
                    * (bit 6: for the slot one lap later) */
            slot = fz_u8(in);
            uint32_t idx = (sel & 0x80u) ? (uint32_t)(fz_u16(in) & 0x3fffu)
                                         : raw_index(ring, sel >> 4);
            uint16_t len = fz_u16(in);
            v = ESP_AMP_DESC(sent_flags(wrap_of((uint16_t)(slot + (sel & 0x40u ? S.a_len : 0)),
                                                S.a_len)),
                             idx, len);
            break;
        }
        }
        desc_st(ring, slot, v);
        raw_touch((uint32_t)((uint8_t *)a_desc(ring, slot) - shm()), 4);
        break;
    }
    case 3: { /* rpmsg header of one buffer of pair A */
        uint8_t sel = fz_u8(in);
        uint32_t off = a_buf_off(sel & 1, fz_u8(in));
        esp_amp_rpmsg_head_t *hd = (esp_amp_rpmsg_head_t *)(void *)(shm() + off);
        switch ((sel >> 1) & 3u) {
        case 0: hd->data_len = fz_u16(in); break;
        case 1: hd->dst_addr = (uint16_t)((sel & 0x80u) ? fz_u16(in)
                                            : EPT_BASE + (fz_u8(in) & 7u)); break;
        case 2: hd->src_addr = fz_u16(in); break;
        default: hd->data_flags = fz_u16(in); break;
        }
        raw_touch(off, 8);
        break;
    }
    case 4: { /* control words of pair A: join, kick_me or tx_wait */
        uint8_t sel = fz_u8(in);
        esp_amp_shm_ring_ctl_t *ctl = &a_pair()->ctl[sel & 1];
        uint32_t v = (sel & 4u) ? fz_u32(in) : fz_u8(in) % 4u;
        if (sel & 2) {
            ctl->join = v;
        } else if (sel & 8) {
            ctl->tx_wait = v;
        } else {
            ctl->kick_me = v;
        }
        raw_touch((uint32_t)((uint8_t *)ctl - shm()), 12);
        break;
    }
    case 5: { /* pending bits of the local core, then its doorbell */
        uint32_t bits = fz_u32(in);
        esp_amp_shm_header_t *h = (esp_amp_shm_header_t *)(void *)shm();
        __atomic_fetch_or(&h->sw_intr_pending[S.local], bits,
                          __ATOMIC_RELEASE);
        if (S.depth == 0) {
            sim_raise_doorbell(S.local);
        }
        break;
    }
    case 6: { /* region header field */
        esp_amp_shm_header_t *h = (esp_amp_shm_header_t *)(void *)shm();
        uint8_t sel = fz_u8(in);
        switch (sel % 6u) {
        case 0: h->session = (sel & 8u) ? fz_u32(in) : h->session + 1u; break;
        case 1: h->magic = (sel & 8u) ? fz_u32(in) : ESP_AMP_SHM_MAGIC; break;
        case 2: h->version = fz_u16(in); break;
        /* (format 2 had header_size here; its successor is `slots`: 0 and
         * 65 are refused, others move where blocks may start) */
        case 3: h->slots = (sel & 8u) ? fz_u16(in) : (uint16_t)(fz_u8(in) % 66u); break;
        case 4: h->region_size = (sel & 8u) ? fz_u32(in) : fz_size; break;
        default:
            /* (format 2 had heap_top here, a shared copy nobody had to
             * trust; the main core now keeps its allocation top only in
             * its RAM. The nearest field: the reserved words, which
             * nobody reads; a main core's repair rewrites them.) */
            h->reserved[(sel >> 3) & 1u] = fz_u32(in);
            raw_touch(24u + 4u * ((sel >> 3) & 1u), 4);
            return;
        }
        raw_touch(0, 16);
        break;
    }
    case 7: { /* pair A header field */
        esp_amp_shm_vq_pair_t *p = a_pair();
        uint8_t sel = fz_u8(in);
        switch (sel % 4u) {
        case 0: p->magic = (sel & 4u) ? fz_u32(in) : ESP_AMP_VQ_MAGIC; break;
        case 1: p->queue_len = fz_u16(in); break;
        case 2: p->item_size = fz_u16(in); break;
        default: {
            /* (format 2 had block_size here; a sub core now checks the
             * geometry against the registry size only.) Another geometry
             * of exactly the registry size of pair A: len' = 1 << b,
             * item' from 32 + len' * (8 + 2 * item') = size, if there is
             * one (else len' alone). A sub core that binds it must still
             * stay inside the block. */
            uint32_t size = esp_amp_queue_pair_size(S.a_len, S.a_item);
            uint32_t len = 1u << (fz_u8(in) % 7u);
            uint32_t rest = size - FZ_PAIR_HDR - 8u * len;
            p->queue_len = (uint16_t)len;
            if (size > FZ_PAIR_HDR + 8u * len && rest % (2u * len) == 0 &&
                (rest / (2u * len)) % 4u == 0 && rest / (2u * len) <= 0xfffcu) {
                p->item_size = (uint16_t)(rest / (2u * len));
            }
            break;
        }
        }
        raw_touch(S.a_off, 8);
        break;
    }
    default: { /* registry entry field, check word optionally kept right */
        uint8_t sel = fz_u8(in);
        uint32_t slot = (sel & 0x1fu) % ESP_AMP_CONFIG_SYS_INFO_SLOTS;
        esp_amp_shm_sys_info_entry_t *e = fz_entry(shm(), slot);
        switch ((sel >> 5) & 3u) {
        case 0: e->id = (sel & 0x80u) ? fz_u16(in) : ID_A; break;
        case 1: e->state = (sel & 0x80u) ? fz_u16(in)
                                         : ESP_AMP_SYS_INFO_ENTRY_VALID; break;
        case 2: e->offset = fz_u32(in); break;
        default: e->size = fz_u32(in); break;
        }
        if (fz_u8(in) & 1u) {
            e->check = (uint32_t)e->id ^ e->offset ^ e->size ^ ESP_AMP_SHM_MAGIC;
        }
        raw_touch(FZ_SHM_HDR + FZ_ENTRY * slot, FZ_ENTRY);
        break;
    }
    }
}

/* ---------------------------------------------------------------------- */
/* The local application                                                   */

/* What a misuse call must leave unchanged: stats except `counter`, held
 * counts of both rings. */
typedef struct {
    esp_amp_rpmsg_stats_t st;
    uint16_t held_rx, held_tx;
    uint32_t epoch, join;
    int nrx, ntx;
} snap_t;

static snap_t snap(int k)
{
    snap_t s;
    s.st = stats_of(k);
    s.held_rx = esp_amp_queue_held(fz_rxq(&S.d[k].dev));
    s.held_tx = esp_amp_queue_held(fz_txq(&S.d[k].dev));
    s.epoch = S.d[k].epoch;
    s.join = S.d[k].dev.join;
    s.nrx = S.nrx;
    s.ntx = S.ntx;
    return s;
}

/* A refused call: -1/NULL, reason `want` (or LINK_DOWN where the call looks
 * at the link first), exactly one counter moved, nothing else changed. */
static void expect_refused(int k, const snap_t *before, int rc,
                           esp_amp_err_t want, size_t counter_off,
                           bool link_first, const char *what)
{
    esp_amp_err_t err = esp_amp_get_last_error();
    sync_dev(k);
    FZ_CHECK(rc == -1, "%s: returned %d", what, rc);
    if (S.d[k].epoch != before->epoch) {
        return; /* a reset happened on the way: anything may have moved */
    }
    if (link_first && err == ESP_AMP_ERR_LINK_DOWN) {
        counter_off = offsetof(esp_amp_rpmsg_stats_t, link_down);
    } else {
        FZ_CHECK(err == want, "%s: reason %s, expected %s", what,
                 esp_amp_err_name(err), esp_amp_err_name(want));
    }
    esp_amp_rpmsg_stats_t exp = before->st;
    if (counter_off != SIZE_MAX) {
        uint32_t *c = (uint32_t *)(void *)((uint8_t *)&exp + counter_off);
        (*c)++;
    }
    esp_amp_rpmsg_stats_t now = stats_of(k);
    if (S.d[k].dev.join != before->join && now.notifies == exp.notifies + 1) {
        exp.notifies++; /* the call's link check joined or answered, and
                           rang the peer (notify, peer's kick_me set) */
    }
    FZ_CHECK(memcmp(&exp, &now, sizeof(now)) == 0,
             "%s: counters moved other than documented", what);
    FZ_CHECK(esp_amp_queue_held(fz_rxq(&S.d[k].dev)) == before->held_rx &&
                 esp_amp_queue_held(fz_txq(&S.d[k].dev)) == before->held_tx,
             "%s: ring state changed", what);
}

#define STAT(f) offsetof(esp_amp_rpmsg_stats_t, f)

static void local_misuse(int k, uint8_t sel)
{
    esp_amp_rpmsg_dev_t *dev = &S.d[k].dev;
    snap_t b = snap(k);
    uint8_t stack_buf[16] = { 0 };
    int rc;
    switch (sel % 12u) {
    case 0:
        rc = esp_amp_rpmsg_destroy(dev, NULL);
        expect_refused(k, &b, rc, ESP_AMP_ERR_INVALID_ARG, SIZE_MAX, false,
                       "destroy(NULL)");
        break;
    case 1: /* destroy of a buffer being created for sending */
        for (int i = 0; i < S.ntx; i++) {
            if (S.tx[i].dev == k) {
                rc = esp_amp_rpmsg_destroy(dev, S.tx[i].p);
                expect_refused(k, &b, rc, ESP_AMP_ERR_NOT_OWNED, STAT(bad_ptr),
                               true, "destroy(tx buffer)");
                break;
            }
        }
        break;
    case 2: /* destroy of a held pointer, off by a few bytes */
        for (int i = 0; i < S.nrx; i++) {
            if (S.rx[i].dev == k) {
                rc = esp_amp_rpmsg_destroy(dev, S.rx[i].p + 1 + sel % 3u);
                expect_refused(k, &b, rc, ESP_AMP_ERR_NOT_OWNED, STAT(bad_ptr),
                               true, "destroy(held + n)");
                break;
            }
        }
        break;
    case 3: /* double destroy */
        for (int i = 0; i < S.n_in_cb && i < 8; i++) {
            if (S.in_cb[i] == S.last_destroyed) {
                return; /* delivered again, right now: not a double */
            }
        }
        if (S.last_destroyed != NULL &&
            find_hold(S.rx, S.nrx, S.last_destroyed) < 0 &&
            fz_is_buffer(fz_rxq(dev), S.last_destroyed, FZ_HDR)) {
            rc = esp_amp_rpmsg_destroy(dev, S.last_destroyed);
            expect_refused(k, &b, rc, ESP_AMP_ERR_NOT_OWNED, STAT(bad_ptr),
                           true, "double destroy");
        }
        break;
    case 4:
        rc = esp_amp_rpmsg_destroy(dev, stack_buf + 8);
        expect_refused(k, &b, rc, ESP_AMP_ERR_NOT_OWNED, STAT(bad_ptr), true,
                       "destroy(stack)");
        break;
    case 5: /* send_nocopy of a received buffer */
        for (int i = 0; i < S.nrx; i++) {
            if (S.rx[i].dev == k) {
                rc = esp_amp_rpmsg_send_nocopy(dev, &S.ept[0], EPT_BASE,
                                               S.rx[i].p, 0);
                expect_refused(k, &b, rc, ESP_AMP_ERR_NOT_OWNED, STAT(bad_ptr),
                               true, "send_nocopy(rx buffer)");
                break;
            }
        }
        break;
    case 6:
        rc = esp_amp_rpmsg_send_nocopy(dev, &S.ept[0], EPT_BASE, NULL, 0);
        expect_refused(k, &b, rc, ESP_AMP_ERR_INVALID_ARG, SIZE_MAX, false,
                       "send_nocopy(NULL)");
        break;
    case 7: /* send_nocopy of a created pointer + 4 */
        for (int i = 0; i < S.ntx; i++) {
            if (S.tx[i].dev == k) {
                rc = esp_amp_rpmsg_send_nocopy(dev, &S.ept[0], EPT_BASE,
                                               S.tx[i].p + 4, 0);
                expect_refused(k, &b, rc, ESP_AMP_ERR_NOT_OWNED, STAT(bad_ptr),
                               true, "send_nocopy(created + 4)");
                break;
            }
        }
        break;
    case 8:
        rc = esp_amp_rpmsg_send(dev, NULL, EPT_BASE, stack_buf, 1);
        expect_refused(k, &b, rc, ESP_AMP_ERR_INVALID_ARG, SIZE_MAX, false,
                       "send(NULL ept)");
        rc = esp_amp_rpmsg_send(dev, &S.ept[0], EPT_BASE, NULL, 1);
        expect_refused(k, &b, rc, ESP_AMP_ERR_INVALID_ARG, SIZE_MAX, false,
                       "send(NULL data)");
        break;
    case 9: {
        /* The size is checked after the link check, inside the critical
         * section: LINK_DOWN comes first; and a sub core's link check may
         * rebind it to the geometry of a restarted main core, where
         * max + 1 may fit: then (and only then: a new epoch, a larger
         * item size) the call may succeed. */
        static uint8_t zeros[0x10000];
        uint16_t max = esp_amp_rpmsg_get_max_size(dev);
        rc = esp_amp_rpmsg_send(dev, &S.ept[0], EPT_BASE, zeros,
                                (uint16_t)(max + 1u));
        if (rc == 0) {
            sync_dev(k);
            FZ_CHECK(S.d[k].epoch != b.epoch &&
                         max + 1u + FZ_HDR <= fz_txq(dev)->max_item_size,
                     "send(max + 1 = %u) succeeded (item size %u, epoch %s)",
                     max + 1u, fz_txq(dev)->max_item_size,
                     S.d[k].epoch != b.epoch ? "new" : "same");
            S.sync = false; /* not followed by the model */
        } else {
            expect_refused(k, &b, rc, ESP_AMP_ERR_TOO_BIG, STAT(tx_too_big),
                           true, "send(max + 1)");
        }
        /* If the send rebound the device, max + 1 may fit now. */
        uint32_t epoch = S.d[k].epoch;
        bool fits = max + 1u + FZ_HDR <= fz_txq(dev)->max_item_size;
        uint8_t *m = esp_amp_rpmsg_create_message(dev, max + 1u, 0);
        esp_amp_err_t err = esp_amp_get_last_error();
        sync_dev(k);
        bool moved = S.d[k].epoch != epoch;
        if (m != NULL) {
            const esp_amp_queue_t *q = fz_txq(dev);
            FZ_CHECK((fits || moved) && max + 1u + FZ_HDR <= q->max_item_size,
                     "create_message(max + 1 = %u) gave a buffer (item size "
                     "%u, epoch %s)", max + 1u, q->max_item_size,
                     moved ? "new" : "same");
            FZ_CHECK(fz_is_buffer(q, m, FZ_HDR) &&
                         !app_holds(S.tx, S.ntx, m, k) &&
                         !app_holds(S.rx, S.nrx, m, k),
                     "create_message(max + 1) after a rebind gave %p",
                     (void *)m);
            if (S.ntx < MAX_HOLD) {
                S.tx[S.ntx++] = (hold_t){ m, k, S.d[k].epoch,
                                          (uint16_t)(max + 1u), false, false };
            }
        } else {
            FZ_CHECK(err == ESP_AMP_ERR_LINK_DOWN ||
                         (err == ESP_AMP_ERR_TOO_BIG && (!fits || moved)) ||
                         ((fits || moved) &&
                          (err == ESP_AMP_ERR_NO_BUF || err == ESP_AMP_ERR_CORRUPT)),
                     "create_message(max + 1): %s (%s)", esp_amp_err_name(err),
                     fits ? "fits the geometry the send rebound to"
                          : "too big");
        }
        break;
    }
    case 10: /* send_nocopy longer than created */
        for (int i = 0; i < S.ntx; i++) {
            const esp_amp_rpmsg_head_t *hd =
                (const esp_amp_rpmsg_head_t *)(const void *)(S.tx[i].p - FZ_HDR);
            uint16_t max = esp_amp_rpmsg_get_max_size(dev);
            if (S.tx[i].dev == k && S.tx[i].created < max &&
                hd->data_len == S.tx[i].created) {
                rc = esp_amp_rpmsg_send_nocopy(dev, &S.ept[0], EPT_BASE,
                                               S.tx[i].p,
                                               (uint16_t)(S.tx[i].created + 1u));
                expect_refused(k, &b, rc, ESP_AMP_ERR_TOO_BIG,
                               STAT(tx_too_big), true,
                               "send_nocopy(created + 1)");
                break;
            }
        }
        break;
    default:
        rc = esp_amp_rpmsg_poll(NULL);
        FZ_CHECK(rc == -1 && esp_amp_get_last_error() == ESP_AMP_ERR_INVALID_ARG,
                 "poll(NULL)");
        FZ_CHECK(esp_amp_rpmsg_create_message(NULL, 1, 0) == NULL &&
                     esp_amp_get_last_error() == ESP_AMP_ERR_INVALID_ARG,
                 "create_message(NULL)");
        rc = esp_amp_rpmsg_destroy(NULL, stack_buf);
        FZ_CHECK(rc == -1 && esp_amp_get_last_error() == ESP_AMP_ERR_INVALID_ARG,
                 "destroy(NULL dev)");
        break;
    }
}

static void check_poll_result(int k, int rc)
{
    if (rc == 0) {
        return;
    }
    esp_amp_err_t err = esp_amp_get_last_error();
    FZ_CHECK(err == ESP_AMP_ERR_EMPTY || err == ESP_AMP_ERR_CORRUPT ||
                 err == ESP_AMP_ERR_LINK_DOWN || err == ESP_AMP_ERR_BUSY,
             "poll failed with %s", esp_amp_err_name(err));
    FZ_CHECK(!(k == DEV_A && S.sync && err == ESP_AMP_ERR_CORRUPT),
             "poll reported CORRUPT while the peer was honest");
    FZ_CHECK(S.depth > 0 || err != ESP_AMP_ERR_BUSY, "poll BUSY outside a "
                                                      "callback");
}

static void local_op(uint8_t op)
{
    fz_in_t *in = S.in;
    int k = (op & 0x80u) ? DEV_B : DEV_A;
    ldev_t *L = &S.d[k];
    esp_amp_rpmsg_dev_t *dev = &L->dev;
    FZ_TRACE("  local %s op %u (depth %d, link %d, session %u, region %u)\n",
             k ? "B" : "A", (op & 0x7fu) % 9u, S.depth, dev->link, dev->session,
             ((esp_amp_shm_header_t *)(void *)shm())->session);
    switch ((op & 0x7fu) % 9u) {
    case 0: { /* poll */
        int rc = esp_amp_rpmsg_poll(dev);
        check_poll_result(k, rc);
        break;
    }
    case 1: { /* create_message */
        uint16_t max = esp_amp_rpmsg_get_max_size(dev);
        uint32_t n = fz_u8(in) % (max + 1u);
        uint32_t epoch = L->epoch;
        uint8_t *p = esp_amp_rpmsg_create_message(dev, n, 0);
        esp_amp_err_t err = esp_amp_get_last_error();
        sync_dev(k);
        if (p == NULL) {
            /* After a rebind to another geometry, n may be too big now. */
            FZ_CHECK(err == ESP_AMP_ERR_NO_BUF || err == ESP_AMP_ERR_CORRUPT ||
                         err == ESP_AMP_ERR_LINK_DOWN ||
                         (err == ESP_AMP_ERR_TOO_BIG && L->epoch != epoch),
                     "create_message(%u) failed with %s", n,
                     esp_amp_err_name(err));
            FZ_CHECK(!(k == DEV_A && S.sync && err == ESP_AMP_ERR_CORRUPT &&
                       L->epoch == epoch),
                     "create_message: CORRUPT while the peer was honest");
            break;
        }
        const esp_amp_queue_t *q = fz_txq(dev);
        fz_check_queue(S.local, q, "tx after create");
        /* The buffer has room for what was asked, in the geometry the
         * device is bound to now (it may have rebound during the call). */
        if (n + FZ_HDR > q->max_item_size) {
            FZ_CHECK(fz_known_open("BUG-CREATE-REBIND"),
                     "create_message(%u) gave a buffer of %u bytes (payload "
                     "%u)", n, q->max_item_size,
                     q->max_item_size - FZ_HDR);
            n = q->max_item_size - FZ_HDR; /* write no more than fits */
        }
        FZ_CHECK(fz_is_buffer(q, p, FZ_HDR),
                 "create_message gave %p, not a tx buffer + 8", (void *)p);
        FZ_CHECK(!app_holds(S.tx, S.ntx, p, k) && !app_holds(S.rx, S.nrx, p, k),
                 "create_message gave a buffer the application holds");
        drop_stale(S.tx, &S.ntx, p, k);
        FZ_CHECK(count_held(S.tx, S.ntx, k) < fz_qlen(q),
                 "more created buffers than the ring has");
        if (S.ntx < MAX_HOLD) {
            S.tx[S.ntx++] = (hold_t){ p, k, L->epoch, (uint16_t)n, false,
                                              false };
        }
        break;
    }
    case 2: { /* send_nocopy of a created buffer */
        if (S.ntx == 0) {
            break;
        }
        int i = fz_u8(in) % S.ntx;
        hold_t h = S.tx[i];
        if (h.dev != k) {
            break;
        }
        uint16_t len = (uint16_t)(fz_u8(in) % (h.created + 1u));
        int j = fz_u8(in) % N_EPT;
        uint16_t dst = fz_u16(in);
        const esp_amp_rpmsg_head_t *hd =
            (const esp_amp_rpmsg_head_t *)(const void *)(h.p - FZ_HDR);
        bool tampered = hd->data_len != h.created;
        uint32_t seq = S.seq++;
        if (h.stale && (fz_u8(in) & 1u)) {
            /* Created before the peer restarted (not noticed yet): sending
             * it must be refused. data_len 0, nothing written. Unless the
             * fuzzer hid the restart (blind): then the device still uses
             * the old block, and its writes there are stray writes for
             * the new session. */
            /* The restart can also have become invisible after it
             * happened: the fuzzer forged the session word back to the
             * device's number later on, while the device's join word
             * stayed in a block the new main core did not format. What
             * counts is what the device can see when it is called, if it
             * has not rebound since (epoch). */
            bool blind = h.blind || (L->epoch == h.epoch && sees_no_restart(dev));
            FZ_CHECK(!blind || S.hdr_touched,
                     "device %c cannot see the peer's restart, and the "
                     "session word was never forged", k ? 'B' : 'A');
            int rc = esp_amp_rpmsg_send_nocopy(dev, &S.ept[j], dst, h.p, 0);
            if (blind) {
                S.sync = false;
                S.b_dirty = true;
            }
            FZ_CHECK(rc == -1 || blind,
                     "a buffer created before the peer restarted "
                     "was sent into the new session");
            sync_dev(k);
            int at = find_hold(S.tx, S.ntx, h.p);
            if (at >= 0 && S.tx[at].stale) {
                S.tx[at] = S.tx[--S.ntx];
            }
            break;
        }
        if (h.stale) {
            /* Writing into a buffer of a session that has ended: for the
             * new session this is a stray write, like the fuzzer's. */
            raw_touch(fz_off(S.local, h.p), len);
        }
        fz_fill(h.p, len, seq);
        int rc = esp_amp_rpmsg_send_nocopy(dev, &S.ept[j], dst, h.p, len);
        esp_amp_err_t err = esp_amp_get_last_error();
        sync_dev(k);
        if (L->epoch != h.epoch) {
            break; /* reset: the buffer was void anyway */
        }
        FZ_CHECK(rc == 0 || (tampered && err == ESP_AMP_ERR_TOO_BIG) ||
                     link_refused(k, err),
                 "send_nocopy of a created buffer failed: %s",
                 esp_amp_err_name(err));
        if (rc == 0) {
            S.tx[i] = S.tx[--S.ntx];
            if (k == DEV_A && S.sync) {
                fz_fifo_push(&S.to_peer,
                          (fz_msg_t){ seq, S.ept[j].addr, dst, len,
                                   fz_off(S.local, h.p - FZ_HDR) });
            }
        }
        break;
    }
    case 3: { /* copying send */
        uint16_t max = esp_amp_rpmsg_get_max_size(dev);
        uint8_t data[1024];
        uint16_t len = (uint16_t)(fz_u8(in) % (max + 1u));
        int j = fz_u8(in) % N_EPT;
        uint16_t dst = fz_u16(in);
        uint32_t seq = S.seq++;
        uint32_t epoch = L->epoch;
        fz_fill(data, len, seq);
        int rc = esp_amp_rpmsg_send(dev, &S.ept[j], dst, data, len);
        esp_amp_err_t err = esp_amp_get_last_error();
        sync_dev(k);
        if (rc != 0) {
            FZ_CHECK(err == ESP_AMP_ERR_NO_BUF || err == ESP_AMP_ERR_CORRUPT ||
                         err == ESP_AMP_ERR_LINK_DOWN ||
                         (err == ESP_AMP_ERR_TOO_BIG && L->epoch != epoch),
                     "send failed with %s", esp_amp_err_name(err));
            FZ_CHECK(!(k == DEV_A && S.sync && err == ESP_AMP_ERR_CORRUPT &&
                       L->epoch == epoch),
                     "send: CORRUPT while the peer was honest");
        }
        if (rc == 0 && len + FZ_HDR > fz_txq(dev)->max_item_size) {
            FZ_CHECK(fz_known_open("BUG-SEND-REBIND"),
                     "send of %u bytes succeeded into buffers of %u bytes "
                     "(payload %u)", len, fz_txq(dev)->max_item_size,
                     fz_txq(dev)->max_item_size - FZ_HDR);
            /* The copy ran past the buffer: a stray write anywhere. */
            S.sync = false;
            S.b_dirty = true;
            break;
        }
        if (rc == 0 && k == DEV_A && S.sync) {
            fz_fifo_push(&S.to_peer,
                      (fz_msg_t){ seq, S.ept[j].addr, dst, len, UINT32_MAX });
        }
        break;
    }
    case 4: { /* destroy a held buffer */
        if (S.nrx == 0) {
            break;
        }
        int i = fz_u8(in) % S.nrx;
        hold_t h = S.rx[i];
        if (h.dev != k) {
            break;
        }
        int rc = esp_amp_rpmsg_destroy(dev, h.p);
        esp_amp_err_t err = esp_amp_get_last_error();
        sync_dev(k);
        if (L->epoch != h.epoch) {
            break;
        }
        if (rc != 0 && link_refused(k, err)) {
            break; /* still held */
        }
        FZ_CHECK(rc == 0, "destroy of a held buffer failed: %s",
                 esp_amp_err_name(err));
        S.rx[i] = S.rx[--S.nrx]; /* same epoch: the list did not change */
        S.last_destroyed = h.p;
        break;
    }
    case 5:
        local_misuse(k, fz_u8(in));
        break;
    case 6: { /* endpoints of pair A */
        int j = fz_u8(in) % N_EPT;
        if (k == DEV_B) {
            break;
        }
        if (S.ept_on[j]) {
            FZ_CHECK(esp_amp_rpmsg_delete_endpoint(dev, S.ept[j].addr) ==
                         &S.ept[j], "delete endpoint");
            S.ept_on[j] = false;
        } else {
            bool null_cb = (fz_u8(in) & 3u) == 0;
            FZ_CHECK(esp_amp_rpmsg_create_endpoint(
                         dev, (uint16_t)(EPT_BASE + (unsigned)j),
                         null_cb ? NULL : ept_cb, (void *)&k_dev_idx[DEV_A],
                         &S.ept[j]) == &S.ept[j],
                     "create endpoint");
            S.ept_on[j] = true;
            S.ept_null_cb[j] = null_cb;
        }
        break;
    }
    case 7: {
        esp_amp_link_state_t st = esp_amp_rpmsg_get_link_state(dev);
        FZ_CHECK(st == ESP_AMP_LINK_DOWN || st == ESP_AMP_LINK_JOINING ||
                     st == ESP_AMP_LINK_UP, "link state %d", (int)st);
        if (S.local == ESP_AMP_CORE_MAIN) {
            /* The main core repairs the header and the registry here:
             * whatever the peer wrote, they are what it formatted and
             * allocated again (the pending words are live: not compared). */
            const uint8_t *h = shm();
            uint32_t pend = (uint32_t)offsetof(esp_amp_shm_header_t,
                                               sw_intr_pending);
            for (uint32_t i = 0; i < sizeof(S.hdr_formatted); i++) {
                FZ_CHECK((i >= pend && i < pend + 8u) ||
                             h[i] == S.hdr_formatted[i],
                         "byte %u of the header/registry is %#x after "
                         "get_link_state, formatted %#x", i, h[i],
                         S.hdr_formatted[i]);
            }
        }
        break;
    }
    default: /* interrupt the local core (its own doorbell) */
        if (S.intr && k == DEV_A && S.depth == 0) {
            FZ_CHECK(esp_amp_sw_intr_trigger_self(SW_INTR_RESERVED_ID_RPMSG) ==
                         0, "trigger_self");
        }
        break;
    }
    sync_dev(k);
}

/* ---------------------------------------------------------------------- */
/* Peer operations that use the real peer library                          */

static void peer_lib_op(uint8_t op)
{
    FZ_TRACE("  peer library op %u\n", op % 4u);
    fz_enter(S.peer);
    esp_amp_rpmsg_dev_t *pb = &S.pdev[DEV_B];
    switch (op % 4u) {
    case 0:
        if (pb->vq != NULL) {
            (void)esp_amp_rpmsg_send(pb, &S.pept_b, EPT_B, "PINGPING",
                                     fz_u8(S.in) % 9u);
        }
        break;
    case 1:
        if (pb->vq != NULL) {
            (void)esp_amp_rpmsg_poll(pb);
        }
        break;
    default: { /* restart of the peer core */
        uint16_t len = S.a_len, item = S.a_item;
        if (op & 0x80u) {
            len = (uint16_t)(1u << (fz_u8(S.in) % 5u));
            item = (uint16_t)(12u + 4u * (fz_u8(S.in) % 60u));
        }
        peer_bringup(len, item);
        FZ_TRACE("  peer restarted: session %u, pair A at %u (%u x %u), B at "
                 "%u\n", ((esp_amp_shm_header_t *)(void *)shm())->session,
                 S.a_off, S.a_len, S.a_item, S.b_off);
        S.sync = false;
        /* A main core that restarts formats the region again: what the
         * local sub holds belongs to the old session (it learns so at its
         * next call). A sub core that restarts changes nothing until the
         * local main answers its join (and then resets both rings). */
        bool blind[2] = { false, false };
        for (int k = 0; S.peer == ESP_AMP_CORE_MAIN && k < 2; k++) {
            /* Can device k see the restart (esp_amp_link_moved)? Only a
             * session number the fuzzer forged can hide it: the new one
             * equals the device's, and the pair block moved (another
             * geometry of pair A), so that the device's join word, at the
             * old place, was not cleared by the format. */
            const esp_amp_rpmsg_dev_t *dv = &S.d[k].dev;
            blind[k] = sees_no_restart(dv);
            FZ_CHECK(!blind[k] || S.hdr_touched,
                     "device %c cannot see the peer's restart, and the "
                     "session word was never forged", k ? 'B' : 'A');
            if (blind[k]) {
                FZ_TRACE("  device %c cannot see the restart (session %u "
                         "reused)\n", k ? 'B' : 'A', dv->session);
            }
        }
        for (int i = 0; S.peer == ESP_AMP_CORE_MAIN && i < S.ntx; i++) {
            S.tx[i].stale = true;
            S.tx[i].blind = blind[S.tx[i].dev];
        }
        for (int i = 0; S.peer == ESP_AMP_CORE_MAIN && i < S.nrx; i++) {
            S.rx[i].stale = true;
            S.rx[i].blind = blind[S.rx[i].dev];
        }
        break;
    }
    }
    enter_local(); /* runs the local doorbell if one is pending */
}

/* ---------------------------------------------------------------------- */
/* End of input                                                            */

static void deliver_all(void)
{
    for (int i = 0; i < 4 * 256; i++) {
        if (S.intr) {
            (void)esp_amp_sw_intr_trigger_self(SW_INTR_RESERVED_ID_RPMSG);
        }
        int rc = esp_amp_rpmsg_poll(&S.d[DEV_A].dev);
        check_poll_result(DEV_A, rc);
        sync_dev(DEV_A);
        if (rc != 0) {
            break;
        }
    }
}

static void finish_sync(void)
{
    ldev_t *A = &S.d[DEV_A];
    /* Everything the honest peer sent arrives (or was dropped for want of
     * an endpoint), in order. */
    deliver_all();
    while (S.to_local.n != 0) {
        fz_msg_t *m = fz_fifo_front(&S.to_local);
        FZ_CHECK(!deliverable(m->dst),
                 "message %u to live endpoint %#x never delivered", m->seq,
                 m->dst);
        fz_fifo_pop(&S.to_local);
    }
    esp_amp_rpmsg_stats_t st = stats_of(DEV_A);
    FZ_CHECK(st.rx_msgs + st.rx_no_ept == S.p_sent_total &&
                 st.rx_bad_header == 0 && st.rx_corrupt == 0,
             "rx %u + no_ept %u != sent %u (bad header %u, corrupt %u)",
             st.rx_msgs, st.rx_no_ept, S.p_sent_total, st.rx_bad_header,
             st.rx_corrupt);
    /* Give everything back; send what was created. */
    while (S.nrx > 0) {
        hold_t h = S.rx[--S.nrx];
        FZ_CHECK(esp_amp_rpmsg_destroy(&S.d[h.dev].dev, h.p) == 0,
                 "final destroy: %s",
                 esp_amp_err_name(esp_amp_get_last_error()));
    }
    for (int i = 0; i < S.ntx; i++) {
        hold_t h = S.tx[i];
        FZ_CHECK(esp_amp_rpmsg_send_nocopy(&S.d[h.dev].dev, &S.ept[0], 0,
                                           h.p, 0) == 0,
                 "final send_nocopy: %s",
                 esp_amp_err_name(esp_amp_get_last_error()));
        if (h.dev == DEV_A) {
            fz_fifo_push(&S.to_peer, (fz_msg_t){ 0, S.ept[0].addr, 0, 0,
                                           fz_off(S.local, h.p - FZ_HDR) });
        }
    }
    S.ntx = 0;
    /* The peer takes and frees everything the local core sent. */
    while (peer_recv()) {
    }
    FZ_CHECK(S.to_peer.n == 0, "%u local messages never reached the peer",
             S.to_peer.n);
    while (S.p_nheld > 0) {
        peer_free(0);
    }
    /* No leak: every tx buffer can be created again, every rx slot is
     * free for the peer. */
    unsigned n = 0;
    while (esp_amp_rpmsg_create_message(&A->dev, 0, 0) != NULL) {
        n++;
        FZ_CHECK(n <= fz_qlen(fz_txq(&A->dev)), "more buffers than the ring");
    }
    FZ_CHECK(n == fz_qlen(fz_txq(&A->dev)), "leak: %u of %u tx buffers free", n,
             fz_qlen(fz_txq(&A->dev)));
    int r = rx_ring();
    for (uint16_t c = S.p_sent; c != (uint16_t)(S.p_sent + S.a_len); c++) {
        FZ_CHECK(ESP_AMP_DESC_FLAGS(desc_ld(r, c)) ==
                     freed_flags(!wrap_of(c, S.a_len)),
                 "leak: rx slot %u not freed by the local core", c);
    }
}

static void finish_pair_b(void)
{
    ldev_t *B = &S.d[DEV_B];
    while (S.nrx > 0) {
        hold_t h = S.rx[--S.nrx];
        (void)esp_amp_rpmsg_destroy(&S.d[h.dev].dev, h.p);
    }
    for (int i = 0; i < S.ntx; i++) {
        (void)esp_amp_rpmsg_send_nocopy(&S.d[S.tx[i].dev].dev, &S.ept_b, 0,
                                        S.tx[i].p, 0);
    }
    S.ntx = 0;
    bool ping_sent = false, pong_sent = false;
    esp_amp_err_t pong_err = ESP_AMP_OK;
    S.local_b_got = false;
    S.peer_b_got = 0;
    for (int round = 0; round < 64 && S.peer_b_got == 0; round++) {
        fz_enter(S.peer);
        esp_amp_rpmsg_dev_t *pb = &S.pdev[DEV_B];
        if (pb->vq != NULL) {
            while (esp_amp_rpmsg_poll(pb) == 0) {
            }
            if (!ping_sent) {
                ping_sent = esp_amp_rpmsg_send(pb, &S.pept_b, EPT_B, "PING",
                                               4) == 0;
                if (round < 2) {
                    FZ_TRACE("pair B: peer link %d session %u, ping %d (%s)\n",
                             pb->link, pb->session, ping_sent,
                             esp_amp_err_name(esp_amp_get_last_error()));
                }
            }
        }
        enter_local();
        while (esp_amp_rpmsg_poll(&B->dev) == 0) {
        }
        if (S.local_b_got && !pong_sent) {
            pong_sent = esp_amp_rpmsg_send(&B->dev, &S.ept_b, EPT_PEER_B,
                                           "PONG", 4) == 0;
            if (!pong_sent) {
                pong_err = esp_amp_get_last_error();
            }
        }
    }
    FZ_CHECK(S.local_b_got && S.peer_b_got == 1,
             "pair B, untouched by the fuzzer, stopped working (ping %d/%d, "
             "pong %d/%d, %s)", ping_sent, S.local_b_got, pong_sent,
             S.peer_b_got, esp_amp_err_name(pong_err));
}

/* ---------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_sim_setup(REGION_SIZE);
    fz_reset();
    fz_in_t in = { data, size, 0 };
    uint8_t cfg = fz_u8(&in), lenb = fz_u8(&in), itemb = fz_u8(&in);
    setup(cfg, lenb, itemb);
    S.in = &in;
    unsigned steps = 0;
    while (fz_more(&in) && steps++ < 4096) {
        uint8_t op = fz_u8(&in);
        FZ_TRACE("op %#04x (%s)\n", op,
                 (const char *[]){ "local", "honest peer", "raw", "peer lib" }[op >> 6]);
        switch (op >> 6) {
        case 0:
            local_op(fz_u8(&in));
            break;
        case 1: /* honest peer on pair A */
            switch (op % 4u) {
            case 0:
            case 1:
                peer_send();
                break;
            case 2:
                (void)peer_recv();
                break;
            default:
                peer_free(fz_u8(&in));
                break;
            }
            break;
        case 2:
            peer_raw_op(fz_u8(&in));
            break;
        default:
            peer_lib_op(fz_u8(&in));
            break;
        }
        sync_dev(DEV_A);
        sync_dev(DEV_B);
        if (S.to_local.overflow || S.to_peer.overflow) {
            S.sync = false; /* too much in flight to follow */
        }
        check_geometry();
        FZ_CHECK(count_held(S.rx, S.nrx, DEV_A) <= fz_qlen(fz_rxq(&S.d[DEV_A].dev)) &&
                     count_held(S.tx, S.ntx, DEV_A) <= fz_qlen(fz_txq(&S.d[DEV_A].dev)),
                 "application holds more buffers than the rings have");
    }
    if (S.sync) {
        finish_sync();
    }
    if (!S.b_dirty) {
        finish_pair_b();
    }
    return 0;
}
