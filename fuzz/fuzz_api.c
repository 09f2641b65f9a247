/*
 * fuzz_api.c - API sequences on two honest cores.
 *
 * Both simulated cores run in this thread (sim_enter_core); the fuzzer's
 * bytes choose, step by step, which core does what: create and delete
 * endpoints, copying sends, create_message / send_nocopy pairs, destroy,
 * poll, doorbells, misuse of the API, and restarts of either core (its
 * library state is zeroed and its application initialises again, as after
 * a reset of that core alone). A model follows every message and every
 * buffer the applications hold, and checks after each step:
 *   - every delivered message is the oldest one still in flight in its
 *     direction (nothing lost, doubled or reordered), from the right
 *     endpoint, with its payload intact; a nocopy message arrives in the
 *     very buffer its sender filled;
 *   - messages to an endpoint that does not exist (or has no callback) are
 *     dropped in order and counted (rx_no_ept), nothing else is dropped;
 *   - no buffer is handed out (delivered or created) while an application
 *     of either core holds it in the current session;
 *   - held buffers stay within the ring length; destroy / send_nocopy of a
 *     held buffer succeed unless a restart was noticed on the way;
 *   - misuse fails with the documented reason and counter, nothing else;
 *   - at drain points and at the end: everything sent since the last
 *     restart has arrived, and (at the end) every buffer of both rings can
 *     be allocated again: nothing leaked.
 *
 * Restart rules the model applies (src/esp_amp_link.c):
 *   - a restarting core's esp_amp_init writes nothing in shared memory
 *     (checked: the region is byte for byte the same after it);
 *   - main restart: its main_init formats the region (a new session) and
 *     the pair block, both rings with it; everything in flight is lost;
 *     every later successful send is delivered;
 *   - sub restart: if the join words are not both zero, the main core
 *     resets both rings when it answers (link_resets + 1); everything in
 *     flight then is lost (including what the main sent between the
 *     restart and its answer), every later successful send is delivered;
 *   - a core's application holdings end when that core's device reports a
 *     reset (link_resets, session change, link DOWN).
 *
 * Input: byte 0 mode (bit 0 main by interrupt, bit 1 sub by interrupt,
 * bit 2 main notifies, bit 3 sub notifies), byte 1 queue length
 * 1 << (b % 4), byte 2 item size 16 + 4 * (b % 29); then steps.
 */
#include "fuzz_common.h"

#define REGION_SIZE 16384u
#define VQ_ID 0x0200u
#define N_EPT 3
#define MAX_HOLD 64
#define M ESP_AMP_CORE_MAIN
#define SB ESP_AMP_CORE_SUB

typedef struct {
    uint8_t *p;
    uint32_t off;    /* region offset of the buffer (not of msg_data) */
    uint16_t created;
    bool stale;      /* the peer restarted; the core has not noticed yet */
} hold_t;

typedef struct {
    esp_amp_rpmsg_dev_t dev;
    esp_amp_queue_t vq[2];
    esp_amp_rpmsg_ept_t ept[N_EPT];
    bool ept_on[N_EPT], ept_null[N_EPT];
    bool intr, notify;
    uint32_t epoch;
    uint32_t seen_resets, seen_session, seen_down, down_cb;
    uint32_t seen_no_ept;
    hold_t rx[MAX_HOLD], tx[MAX_HOLD];
    int nrx, ntx;
    void *last_destroyed;
    void *in_cb[8];
    int n_in_cb;
} core_t;

static struct {
    fz_in_t *in;
    core_t c[2];
    uint16_t len, item;
    fz_fifo_t fifo[2]; /* fifo[d]: messages from core d to core d ^ 1 */
    uint32_t seq;
    int depth;
    bool draining; /* callbacks just destroy: nothing new is sent */
    uint32_t join_before; /* misuse: the device's join word before */
} S;

static const int k_core_idx[2] = { M, SB };

static uint16_t ept_addr(int core, int j)
{
    return (uint16_t)(0x10u * (unsigned)(core + 1) + (unsigned)j);
}

static esp_amp_rpmsg_stats_t stats(int core)
{
    esp_amp_rpmsg_stats_t s;
    FZ_CHECK(esp_amp_rpmsg_get_stats(&S.c[core].dev, &s) == 0, "stats");
    return s;
}

static bool deliverable(int core, uint16_t dst)
{
    core_t *C = &S.c[core];
    for (int j = 0; j < N_EPT; j++) {
        if (C->ept_on[j] && ept_addr(core, j) == dst) {
            return !C->ept_null[j];
        }
    }
    return false;
}

static bool held_anywhere(uint32_t off)
{
    for (int k = 0; k < 2; k++) {
        core_t *C = &S.c[k];
        for (int i = 0; i < C->nrx; i++) {
            if (C->rx[i].off == off && !C->rx[i].stale) {
                return true;
            }
        }
        for (int i = 0; i < C->ntx; i++) {
            if (C->tx[i].off == off && !C->tx[i].stale) {
                return true;
            }
        }
    }
    return false;
}

/* Notice resets of `core`'s device and drops for missing endpoints. */
static void sync_core(int core)
{
    core_t *C = &S.c[core];
    if (C->dev.vq == NULL) {
        return;
    }
    esp_amp_rpmsg_stats_t st = stats(core);
    if (st.link_resets != C->seen_resets || C->dev.session != C->seen_session ||
        C->down_cb != C->seen_down) {
        FZ_TRACE("  [%s] reset noticed (resets %u session %u down %u)\n",
                 core ? "sub" : "main", st.link_resets, C->dev.session,
                 C->down_cb);
        if (core == M && st.link_resets != C->seen_resets) {
            /* The main core answered a rejoin: both rings were reset, what
             * was in flight either way is gone (sent before the answer). */
            fz_fifo_clear(&S.fifo[0]);
            fz_fifo_clear(&S.fifo[1]);
        }
        C->seen_resets = st.link_resets;
        C->seen_session = C->dev.session;
        C->seen_down = C->down_cb;
        C->epoch++;
        C->nrx = C->ntx = 0;
    }
    while (C->seen_no_ept != st.rx_no_ept) {
        C->seen_no_ept++;
        fz_fifo_t *f = &S.fifo[core ^ 1];
        fz_msg_t *m = fz_fifo_front(f);
        FZ_TRACE("  [%s] dropped (no endpoint) seq %d\n",
                 core ? "sub" : "main", m ? (int)m->seq : -1);
        if (f->overflow && m == NULL) {
            continue;
        }
        FZ_CHECK(m != NULL, "core %d dropped a message nobody sent", core);
        FZ_CHECK(!deliverable(core, m->dst),
                 "core %d dropped message %u to its live endpoint %#x", core,
                 m->seq, m->dst);
        fz_fifo_pop(f);
    }
    FZ_CHECK(st.rx_bad_header == 0 && st.rx_corrupt == 0,
             "core %d: bad header %u, corrupt %u between honest cores", core,
             st.rx_bad_header, st.rx_corrupt);
}

static void sync_all(void)
{
    sync_core(M);
    sync_core(SB);
}

static void check_core(int core)
{
    core_t *C = &S.c[core];
    if (C->dev.vq == NULL) {
        return;
    }
    fz_check_queue(core, fz_rxq(&C->dev), "rx");
    fz_check_queue(core, fz_txq(&C->dev), "tx");
    fz_check_dev_held(&C->dev, core ? "sub" : "main");
    FZ_CHECK((uint32_t)C->nrx <= fz_qlen(fz_rxq(&C->dev)) &&
                 (uint32_t)C->ntx <= fz_qlen(fz_txq(&C->dev)),
             "core %d application holds %d rx / %d tx of %u", core, C->nrx,
             C->ntx, fz_qlen(fz_rxq(&C->dev)));
}

/* ---------------------------------------------------------------------- */

static void link_cb(esp_amp_rpmsg_dev_t *dev, esp_amp_link_state_t st,
                    void *arg)
{
    (void)dev;
    if (st == ESP_AMP_LINK_DOWN) {
        S.c[*(const int *)arg].down_cb++;
    }
}

static void step(int core, uint8_t op);

static int ept_cb(void *data, uint16_t len, uint16_t src, void *arg)
{
    int core = *(const int *)arg;
    core_t *C = &S.c[core];
    uint8_t *p = data;
    sync_all();
    FZ_CHECK(C->dev.link == ESP_AMP_LINK_UP || core == M,
             "sub delivered a message while its link is not UP");
    FZ_CHECK(fz_is_buffer(fz_rxq(&C->dev), p, FZ_HDR),
             "msg_data not a buffer of the rx ring");
    FZ_CHECK((uint32_t)len + FZ_HDR <= fz_rxq(&C->dev)->max_item_size,
             "data_len %u too long", len);
    uint32_t off = fz_off(core, p - FZ_HDR);
    FZ_CHECK(!held_anywhere(off),
             "core %d got buffer %u that an application holds", core, off);
    FZ_CHECK((uint32_t)C->nrx < fz_qlen(fz_rxq(&C->dev)),
             "core %d: a delivery beyond the ring length", core);
    fz_fifo_t *f = &S.fifo[core ^ 1];
    fz_msg_t *m = fz_fifo_front(f);
    FZ_TRACE("  [%s] deliver buf %u src %#x len %u (%s)%s\n",
             core ? "sub" : "main", off, src, len,
             esp_amp_env_in_isr() ? "isr" : "task",
             m ? "" : " fifo empty");
    if (m != NULL || !f->overflow) {
        FZ_CHECK(m != NULL, "core %d got a message nobody sent (len %u)", core,
                 len);
        FZ_CHECK(src == m->src && len == m->len && fz_same(p, len, m->seq),
                 "core %d: message %u arrived as src %#x len %u (sent src "
                 "%#x len %u)%s", core, m->seq, src, len, m->src, m->len,
                 fz_same(p, len, m->seq) ? "" : ", payload damaged");
        FZ_CHECK(m->off == UINT32_MAX || m->off == off,
                 "core %d: nocopy message %u arrived in buffer %u, sent in %u",
                 core, m->seq, off, m->off);
        FZ_CHECK(deliverable(core, m->dst), "delivered to a missing endpoint");
        fz_fifo_pop(f);
    }
    uint8_t act = S.draining ? 0 : fz_u8(S.in);
    uint32_t epoch = C->epoch;
    bool hold = false;
    S.depth++;
    C->in_cb[C->n_in_cb++ & 7] = p;
    switch (act & 3u) {
    case 0:
        break;
    case 1:
        hold = true;
        break;
    default: /* the application calls the library from the callback */
        if (S.depth < 3) {
            step(core, fz_u8(S.in));
        }
        hold = (act & 4u) != 0;
        break;
    }
    C->n_in_cb--;
    S.depth--;
    sync_all();
    if (C->epoch != epoch) {
        return 0;
    }
    if (hold && C->nrx < MAX_HOLD) {
        C->rx[C->nrx++] = (hold_t){ p, off, 0, false };
        return 0;
    }
    int rc = esp_amp_rpmsg_destroy(&C->dev, p);
    sync_all();
    FZ_CHECK(rc == 0 || C->epoch != epoch, "core %d: destroy in callback: %s",
             core, esp_amp_err_name(esp_amp_get_last_error()));
    C->last_destroyed = p;
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Bring-up and restarts                                                   */

static void app_init(int core, bool first)
{
    core_t *C = &S.c[core];
    memset(&C->dev, 0, sizeof(C->dev));
    memset(C->vq, 0, sizeof(C->vq));
    memset(C->ept, 0, sizeof(C->ept));
    memset(C->ept_on, 0, sizeof(C->ept_on));
    memset(C->ept_null, 0, sizeof(C->ept_null));
    C->nrx = C->ntx = 0;
    C->last_destroyed = NULL;
    C->n_in_cb = 0;
    fz_reboot_core(core);
    /* esp_amp_init touches no shared memory (the main core formats with
     * its first block, main_init below). */
    static uint8_t before[REGION_SIZE];
    FZ_CHECK(fz_size <= sizeof(before), "region of %u bytes", fz_size);
    memcpy(before, fz_alias[core], fz_size);
    FZ_CHECK(esp_amp_init() == 0, "%s esp_amp_init", core == M ? "main" : "sub");
    FZ_CHECK(memcmp(before, fz_alias[core], fz_size) == 0,
             "%s esp_amp_init wrote the region", core == M ? "main" : "sub");
    if (core == M) {
        FZ_CHECK(esp_amp_rpmsg_main_init_by_id(&C->dev, C->vq, S.len, S.item,
                                               C->notify, !C->intr,
                                               (esp_amp_sys_info_id_t)VQ_ID) == 0,
                 "main_init: %s", esp_amp_err_name(esp_amp_get_last_error()));
    } else {
        FZ_CHECK(esp_amp_rpmsg_sub_init_by_id(&C->dev, C->vq, C->notify,
                                              !C->intr,
                                              (esp_amp_sys_info_id_t)VQ_ID) == 0,
                 "sub_init: %s", esp_amp_err_name(esp_amp_get_last_error()));
    }
    FZ_CHECK(esp_amp_rpmsg_set_link_callback(&C->dev, link_cb,
                                             (void *)&k_core_idx[core]) == 0,
             "link cb");
    for (int j = 0; j < N_EPT; j++) {
        C->ept[j].addr = ept_addr(core, j);
    }
    FZ_CHECK(esp_amp_rpmsg_create_endpoint(&C->dev, ept_addr(core, 0), ept_cb,
                                           (void *)&k_core_idx[core],
                                           &C->ept[0]) == &C->ept[0],
             "endpoint");
    C->ept_on[0] = true;
    if (C->intr) {
        FZ_CHECK(esp_amp_rpmsg_intr_enable(&C->dev) == 0, "intr_enable: %s",
                 esp_amp_err_name(esp_amp_get_last_error()));
    }
    if (first) {
        C->epoch = 0;
    } else {
        C->epoch++;
    }
    esp_amp_rpmsg_stats_t st = stats(core);
    C->seen_resets = st.link_resets;
    C->seen_session = C->dev.session;
    C->seen_down = C->down_cb;
    C->seen_no_ept = st.rx_no_ept;
}

static void restart(int core)
{
    FZ_TRACE("  [%s] RESTART\n", core ? "sub" : "main");
    if (S.depth != 0) {
        return; /* a core does not reset itself from a callback here */
    }
    if (core == M) {
        /* Everything in flight is lost; the sub application's buffers
         * belong to the old session (it learns of it later). */
        fz_fifo_clear(&S.fifo[0]);
        fz_fifo_clear(&S.fifo[1]);
        for (int i = 0; i < S.c[SB].nrx; i++) {
            S.c[SB].rx[i].stale = true;
        }
        for (int i = 0; i < S.c[SB].ntx; i++) {
            S.c[SB].tx[i].stale = true;
        }
    } else {
        /* The new sub rejoins; what the old one sent is lost when the main
         * core answers and resets both rings (sync_core sees link_resets
         * move), and so is what the main sends until then. A first join
         * (both join words 0) resets nothing. Nothing of the old sub's
         * can arrive later: clear its direction now. */
        const esp_amp_shm_vq_pair_t *pair = S.c[M].dev.pair;
        if (pair->ctl[0].join != 0 || pair->ctl[1].join != 0) {
            fz_fifo_clear(&S.fifo[1]);
        }
    }
    app_init(core, false);
}

/* ---------------------------------------------------------------------- */
/* Steps                                                                   */

static void expect_fail(int core, int rc, esp_amp_err_t want, bool link_first,
                        const esp_amp_rpmsg_stats_t *before, size_t counter,
                        uint32_t epoch, const char *what)
{
    core_t *C = &S.c[core];
    esp_amp_err_t err = esp_amp_get_last_error();
    sync_all();
    FZ_CHECK(rc == -1, "core %d %s: returned %d", core, what, rc);
    if (C->epoch != epoch) {
        return;
    }
    if (link_first && err == ESP_AMP_ERR_LINK_DOWN) {
        counter = offsetof(esp_amp_rpmsg_stats_t, link_down);
    } else {
        FZ_CHECK(err == want, "core %d %s: %s, expected %s", core, what,
                 esp_amp_err_name(err), esp_amp_err_name(want));
    }
    esp_amp_rpmsg_stats_t exp = *before, now = stats(core);
    if (counter != SIZE_MAX) {
        (*(uint32_t *)(void *)((uint8_t *)&exp + counter))++;
    }
    if (C->dev.join != S.join_before && now.notifies == exp.notifies + 1) {
        exp.notifies++; /* the call's link check joined or answered a
                           join, and rang the peer (notify, kick_me set) */
    }
    FZ_CHECK(memcmp(&exp, &now, sizeof(now)) == 0,
             "core %d %s: counters other than the documented one moved", core,
             what);
}

#define STAT(f) offsetof(esp_amp_rpmsg_stats_t, f)

static void misuse(int core, uint8_t sel)
{
    core_t *C = &S.c[core];
    esp_amp_rpmsg_dev_t *dev = &C->dev;
    esp_amp_rpmsg_stats_t b = stats(core);
    uint32_t epoch = C->epoch;
    S.join_before = dev->join;
    uint16_t held_rx = esp_amp_queue_held(fz_rxq(dev));
    uint16_t held_tx = esp_amp_queue_held(fz_txq(dev));
    uint8_t local[8] = { 0 };
    int rc;
    switch (sel % 10u) {
    case 0:
        rc = esp_amp_rpmsg_destroy(dev, NULL);
        expect_fail(core, rc, ESP_AMP_ERR_INVALID_ARG, false, &b, SIZE_MAX,
                    epoch, "destroy(NULL)");
        break;
    case 1: /* double destroy */
        if (C->last_destroyed == NULL) {
            return;
        }
        for (int i = 0; i < C->nrx; i++) {
            if (C->rx[i].p == C->last_destroyed) {
                return;
            }
        }
        for (int i = 0; i < C->n_in_cb && i < 8; i++) {
            if (C->in_cb[i] == C->last_destroyed) {
                return;
            }
        }
        rc = esp_amp_rpmsg_destroy(dev, C->last_destroyed);
        expect_fail(core, rc, ESP_AMP_ERR_NOT_OWNED, true, &b, STAT(bad_ptr),
                    epoch, "double destroy");
        break;
    case 2: /* destroy of a created (tx) buffer */
        if (C->ntx == 0) {
            return;
        }
        rc = esp_amp_rpmsg_destroy(dev, C->tx[0].p);
        expect_fail(core, rc, ESP_AMP_ERR_NOT_OWNED, true, &b, STAT(bad_ptr),
                    epoch, "destroy(tx buffer)");
        break;
    case 3:
        rc = esp_amp_rpmsg_destroy(dev, local + 8);
        expect_fail(core, rc, ESP_AMP_ERR_NOT_OWNED, true, &b, STAT(bad_ptr),
                    epoch, "destroy(foreign)");
        break;
    case 4: /* send_nocopy of a received buffer */
        if (C->nrx == 0) {
            return;
        }
        rc = esp_amp_rpmsg_send_nocopy(dev, &C->ept[0], ept_addr(core ^ 1, 0),
                                       C->rx[0].p, 0);
        expect_fail(core, rc, ESP_AMP_ERR_NOT_OWNED, true, &b, STAT(bad_ptr),
                    epoch, "send_nocopy(rx buffer)");
        break;
    case 5:
        rc = esp_amp_rpmsg_send_nocopy(dev, &C->ept[0], 0, local, 0);
        expect_fail(core, rc, ESP_AMP_ERR_NOT_OWNED, true, &b, STAT(bad_ptr),
                    epoch, "send_nocopy(not created)");
        break;
    case 6: /* longer than created */
        for (int i = 0; i < C->ntx; i++) {
            if (C->tx[i].created < esp_amp_rpmsg_get_max_size(dev)) {
                rc = esp_amp_rpmsg_send_nocopy(dev, &C->ept[0], 0, C->tx[i].p,
                                               (uint16_t)(C->tx[i].created + 1));
                expect_fail(core, rc, ESP_AMP_ERR_TOO_BIG, true, &b,
                            STAT(tx_too_big), epoch, "send_nocopy(> created)");
                break;
            }
        }
        break;
    case 7:
        rc = esp_amp_rpmsg_send_nocopy(dev, NULL, 0, local, 0);
        expect_fail(core, rc, ESP_AMP_ERR_INVALID_ARG, false, &b, SIZE_MAX,
                    epoch, "send_nocopy(NULL ept)");
        rc = esp_amp_rpmsg_send(dev, &C->ept[0], 0, NULL, 3);
        expect_fail(core, rc, ESP_AMP_ERR_INVALID_ARG, false, &b, SIZE_MAX,
                    epoch, "send(NULL data)");
        break;
    case 8: {
        uint16_t max = esp_amp_rpmsg_get_max_size(dev);
        /* The size is checked after the link check (which may rebind a
         * sub core to another geometry): LINK_DOWN comes first. */
        rc = esp_amp_rpmsg_send(dev, &C->ept[0], 0, local,
                                (uint16_t)(max + 1u));
        expect_fail(core, rc, ESP_AMP_ERR_TOO_BIG, true, &b, STAT(tx_too_big),
                    epoch, "send(max + 1)");
        break;
    }
    default:
        FZ_CHECK(esp_amp_rpmsg_poll(NULL) == -1 &&
                     esp_amp_get_last_error() == ESP_AMP_ERR_INVALID_ARG,
                 "poll(NULL)");
        FZ_CHECK(esp_amp_rpmsg_create_message(NULL, 1, 0) == NULL,
                 "create_message(NULL)");
        FZ_CHECK(esp_amp_rpmsg_get_link_state(NULL) == ESP_AMP_LINK_DOWN,
                 "get_link_state(NULL)");
        FZ_CHECK(esp_amp_rpmsg_create_endpoint(dev, 1, ept_cb, NULL, NULL) ==
                     NULL, "create_endpoint(NULL ctx)");
        break;
    }
    if (C->epoch == epoch) {
        FZ_CHECK(esp_amp_queue_held(fz_rxq(dev)) == held_rx &&
                     esp_amp_queue_held(fz_txq(dev)) == held_tx,
                 "core %d: misuse %u changed what the rings hold", core,
                 sel % 10u);
    }
}

static void do_send(int core, bool nocopy)
{
    core_t *C = &S.c[core];
    esp_amp_rpmsg_dev_t *dev = &C->dev;
    int j = fz_u8(S.in) % N_EPT;
    uint8_t dsel = fz_u8(S.in);
    uint16_t dst = (dsel & 0x80u) ? (uint16_t)(dsel & 0x7fu)
                                  : ept_addr(core ^ 1, dsel % N_EPT);
    uint16_t max = esp_amp_rpmsg_get_max_size(dev);
    uint16_t len = (uint16_t)(fz_u8(S.in) % (max + 1u));
    uint32_t seq = S.seq++;
    uint32_t epoch = C->epoch;
    if (!nocopy) {
        uint8_t data[512];
        fz_fill(data, len, seq);
        int rc = esp_amp_rpmsg_send(dev, &C->ept[j], dst, data, len);
        esp_amp_err_t err = esp_amp_get_last_error();
        sync_all();
        FZ_TRACE("  [%s] send seq %u %#x->%#x len %u: %d %s\n",
                 core ? "sub" : "main", seq, C->ept[j].addr, dst, len, rc,
                 rc ? esp_amp_err_name(err) : "");
        if (rc == 0) {
            fz_fifo_push(&S.fifo[core], (fz_msg_t){ seq, C->ept[j].addr, dst,
                                                    len, UINT32_MAX });
        } else {
            FZ_CHECK(err == ESP_AMP_ERR_NO_BUF || err == ESP_AMP_ERR_LINK_DOWN,
                     "core %d send: %s", core, esp_amp_err_name(err));
        }
        (void)epoch;
        return;
    }
    if (C->ntx == 0) {
        return;
    }
    int i = (int)(len % (unsigned)C->ntx);
    hold_t h = C->tx[i];
    if (h.stale) {
        /* Created before the peer (main) restarted; the core has not
         * noticed yet. Writing a payload would write into the new session
         * (the application's hazard), but sending it must be refused:
         * data_len 0, nothing written by the application. */
        int rc = esp_amp_rpmsg_send_nocopy(dev, &C->ept[j], dst, h.p, 0);
        esp_amp_err_t err = esp_amp_get_last_error();
        FZ_TRACE("  [%s] send_nocopy of a stale buffer %u: %d %s\n",
                 core ? "sub" : "main", h.off, rc, esp_amp_err_name(err));
        FZ_CHECK(rc == -1, "core %d: a buffer created before the peer "
                           "restarted was sent into the new session", core);
        sync_all();
        for (int k = 0; k < C->ntx; k++) {
            if (C->tx[k].p == h.p && C->tx[k].stale) {
                C->tx[k] = C->tx[--C->ntx];
                break;
            }
        }
        return;
    }
    len = (uint16_t)(len % (h.created + 1u));
    fz_fill(h.p, len, seq);
    int rc = esp_amp_rpmsg_send_nocopy(dev, &C->ept[j], dst, h.p, len);
    esp_amp_err_t err = esp_amp_get_last_error();
    FZ_TRACE("  [%s] send_nocopy seq %u buf %u %#x->%#x len %u: %d %s\n",
             core ? "sub" : "main", seq, h.off, C->ept[j].addr, dst, len, rc,
             rc ? esp_amp_err_name(err) : "");
    sync_all();
    if (C->epoch != epoch) {
        return;
    }
    FZ_CHECK(rc == 0, "core %d send_nocopy of a created buffer: %s", core,
             esp_amp_err_name(err));
    C->tx[i] = C->tx[--C->ntx];
    fz_fifo_push(&S.fifo[core],
                 (fz_msg_t){ seq, C->ept[j].addr, dst, len, h.off });
}

static void step(int core, uint8_t op)
{
    core_t *C = &S.c[core];
    esp_amp_rpmsg_dev_t *dev = &C->dev;
    FZ_TRACE("[%s] step %u (depth %d, link %d)\n", core ? "sub" : "main",
             op % 11u, S.depth, dev->link);
    switch (op % 11u) {
    case 0:
    case 1: {
        int rc = esp_amp_rpmsg_poll(dev);
        esp_amp_err_t err = esp_amp_get_last_error();
        FZ_CHECK(rc == 0 || err == ESP_AMP_ERR_EMPTY ||
                     err == ESP_AMP_ERR_LINK_DOWN ||
                     (err == ESP_AMP_ERR_BUSY && S.depth > 0),
                 "core %d poll: %s", core, esp_amp_err_name(err));
        break;
    }
    case 2:
        do_send(core, false);
        break;
    case 3: {
        uint16_t max = esp_amp_rpmsg_get_max_size(dev);
        uint32_t n = fz_u8(S.in) % (max + 1u);
        uint32_t epoch = C->epoch;
        uint8_t *p = esp_amp_rpmsg_create_message(dev, n, 0);
        esp_amp_err_t err = esp_amp_get_last_error();
        sync_all();
        if (p == NULL) {
            FZ_CHECK(err == ESP_AMP_ERR_NO_BUF || err == ESP_AMP_ERR_LINK_DOWN,
                     "core %d create_message: %s", core,
                     esp_amp_err_name(err));
            FZ_CHECK(err != ESP_AMP_ERR_NO_BUF || C->epoch != epoch ||
                         C->ntx > 0 || S.fifo[core].n > 0 ||
                         S.fifo[core].overflow || S.c[core ^ 1].nrx > 0 ||
                         S.c[core ^ 1].n_in_cb > 0 ||
                         fz_qlen(fz_txq(dev)) == 0,
                     "core %d: NO_BUF but no buffer is in use", core);
            break;
        }
        FZ_CHECK(fz_is_buffer(fz_txq(dev), p, FZ_HDR),
                 "create_message: not a tx buffer");
        uint32_t off = fz_off(core, p - FZ_HDR);
        FZ_CHECK(!held_anywhere(off),
                 "core %d create_message gave buffer %u that an application "
                 "holds", core, off);
        FZ_CHECK((uint32_t)C->ntx < fz_qlen(fz_txq(dev)), "more created than the ring");
        FZ_TRACE("  [%s] created buf %u (%u bytes)\n", core ? "sub" : "main",
                 off, n);
        C->tx[C->ntx++] = (hold_t){ p, off, (uint16_t)n, false };
        break;
    }
    case 4:
        do_send(core, true);
        break;
    case 5: {
        if (C->nrx == 0) {
            break;
        }
        int i = fz_u8(S.in) % C->nrx;
        hold_t h = C->rx[i];
        uint32_t epoch = C->epoch;
        int rc = esp_amp_rpmsg_destroy(dev, h.p);
        esp_amp_err_t err = esp_amp_get_last_error();
        sync_all();
        if (C->epoch != epoch) {
            break;
        }
        FZ_CHECK(rc == 0, "core %d destroy of a held buffer: %s", core,
                 esp_amp_err_name(err));
        C->rx[i] = C->rx[--C->nrx];
        C->last_destroyed = h.p;
        break;
    }
    case 6:
        misuse(core, fz_u8(S.in));
        break;
    case 7: { /* endpoints */
        uint8_t sel = fz_u8(S.in);
        int j = sel % N_EPT;
        if (C->ept_on[j]) {
            FZ_CHECK(esp_amp_rpmsg_delete_endpoint(dev, ept_addr(core, j)) ==
                         &C->ept[j], "delete endpoint");
            C->ept_on[j] = false;
        } else {
            bool null_cb = (sel & 0x30u) == 0x30u;
            FZ_CHECK(esp_amp_rpmsg_create_endpoint(dev, ept_addr(core, j),
                                                   null_cb ? NULL : ept_cb,
                                                   (void *)&k_core_idx[core],
                                                   &C->ept[j]) == &C->ept[j],
                     "create endpoint");
            C->ept_on[j] = true;
            C->ept_null[j] = null_cb;
        }
        break;
    }
    case 8:
        if (S.depth == 0 && (fz_u8(S.in) & 7u) == 0) {
            restart(core);
        }
        break;
    case 9:
        (void)esp_amp_rpmsg_get_link_state(dev);
        break;
    default:
        if (C->intr && S.depth == 0) {
            FZ_CHECK(esp_amp_sw_intr_trigger_self(SW_INTR_RESERVED_ID_RPMSG) ==
                         0, "trigger_self");
        }
        break;
    }
    sync_all();
}

/* ---------------------------------------------------------------------- */
/* Drain: both cores take everything; nothing may stay in flight.          */

static void drain(void)
{
    S.draining = true;
    for (int round = 0; round < 8; round++) {
        for (int core = 0; core < 2; core++) {
            fz_enter(core);
            core_t *C = &S.c[core];
            (void)esp_amp_rpmsg_get_link_state(&C->dev);
            if (C->intr) {
                (void)esp_amp_sw_intr_trigger_self(SW_INTR_RESERVED_ID_RPMSG);
            }
            for (int i = 0; i < 4096 && esp_amp_rpmsg_poll(&C->dev) == 0; i++) {
            }
            sync_all();
        }
    }
    S.draining = false;
    for (int d = 0; d < 2; d++) {
        fz_fifo_t *f = &S.fifo[d];
        if (f->overflow) {
            continue;
        }
        /* Receiving needs no free buffer on the receiving side, so after
         * both cores took everything, nothing may be left in flight. */
        FZ_CHECK(f->n == 0,
                 "%u messages from core %d never arrived (first: seq %u to "
                 "%#x, len %u; link main %d sub %d)", f->n, d,
                 fz_fifo_front(f)->seq, fz_fifo_front(f)->dst,
                 fz_fifo_front(f)->len, S.c[M].dev.link, S.c[SB].dev.link);
    }
}

static void finish(void)
{
    S.depth = 0;
    drain();
    for (int core = 0; core < 2; core++) {
        fz_enter(core);
        core_t *C = &S.c[core];
        while (C->nrx > 0) {
            hold_t h = C->rx[--C->nrx];
            FZ_CHECK(esp_amp_rpmsg_destroy(&C->dev, h.p) == 0,
                     "core %d final destroy: %s", core,
                     esp_amp_err_name(esp_amp_get_last_error()));
            sync_all();
        }
        while (C->ntx > 0) {
            hold_t h = C->tx[--C->ntx];
            FZ_CHECK(esp_amp_rpmsg_send_nocopy(&C->dev, &C->ept[0], 0x7f, h.p,
                                               0) == 0,
                     "core %d final send_nocopy: %s", core,
                     esp_amp_err_name(esp_amp_get_last_error()));
            fz_fifo_push(&S.fifo[core],
                         (fz_msg_t){ S.seq++, C->ept[0].addr, 0x7f, 0, h.off });
            sync_all();
        }
    }
    drain();
    for (int core = 0; core < 2; core++) {
        fz_enter(core);
        core_t *C = &S.c[core];
        FZ_CHECK(C->dev.link == ESP_AMP_LINK_UP,
                 "core %d link %d after draining", core, C->dev.link);
        FZ_CHECK(esp_amp_queue_held(fz_rxq(&C->dev)) == 0,
                 "core %d still holds %u rx buffers", core,
                 esp_amp_queue_held(fz_rxq(&C->dev)));
        FZ_CHECK(esp_amp_queue_held(fz_txq(&C->dev)) == 0,
                 "core %d still holds %u tx buffers", core,
                 esp_amp_queue_held(fz_txq(&C->dev)));
        unsigned n = 0;
        while (esp_amp_rpmsg_create_message(&C->dev, 0, 0) != NULL) {
            n++;
            FZ_CHECK(n <= fz_qlen(fz_txq(&C->dev)), "more than the ring");
        }
        FZ_CHECK(n == fz_qlen(fz_txq(&C->dev)) &&
                     esp_amp_get_last_error() == ESP_AMP_ERR_NO_BUF,
                 "core %d leaked: %u of %u tx buffers free (%s)", core, n,
                 fz_qlen(fz_txq(&C->dev)),
                 esp_amp_err_name(esp_amp_get_last_error()));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_sim_setup(REGION_SIZE);
    fz_reset();
    memset(&S, 0, sizeof(S));
    fz_in_t in = { data, size, 0 };
    S.in = &in;
    uint8_t mode = fz_u8(&in);
    S.len = (uint16_t)(1u << (fz_u8(&in) % 4u));
    S.item = (uint16_t)(16u + 4u * (fz_u8(&in) % 29u));
    S.c[M].intr = (mode & 1) != 0;
    S.c[SB].intr = (mode & 2) != 0;
    S.c[M].notify = (mode & 4) != 0;
    S.c[SB].notify = (mode & 8) != 0;
    app_init(M, true);
    app_init(SB, true);
    unsigned steps = 0;
    while (fz_more(&in) && steps++ < 2048) {
        uint8_t op = fz_u8(&in);
        int core = op & 1;
        if ((op >> 1) == 0x7f) {
            FZ_TRACE("drain\n");
            drain();
            continue;
        }
        fz_enter(core); /* runs the core's pending doorbell, if any */
        sync_all();
        step(core, (uint8_t)(op >> 1));
        check_core(M);
        check_core(SB);
    }
    finish();
    return 0;
}
