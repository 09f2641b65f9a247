/*
 * test_util.c - helpers shared by the Criterion test files.
 */
#define _POSIX_C_SOURCE 200809L

#include "test_util.h"
#include "traffic.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------------- */
/* Fixtures                                                                */

void tu_setup_bare(void)
{
    cr_assert_eq(sim_init(TU_SHM_SIZE), 0, "sim_init failed");
}

void tu_setup(void)
{
    tu_setup_bare();
    tu_main();
    cr_assert_eq(esp_amp_init(), 0, "esp_amp_init on main failed");
    tu_sub();
    cr_assert_eq(esp_amp_init(), 0, "esp_amp_init on sub failed");
    tu_main();
}

void tu_teardown(void)
{
    sim_deinit();
}

void tu_main(void)
{
    cr_assert_eq(sim_enter_core(ESP_AMP_CORE_MAIN), 0, "enter main core");
    cr_assert_eq(sim_current_core(), ESP_AMP_CORE_MAIN);
}

void tu_sub(void)
{
    cr_assert_eq(sim_enter_core(ESP_AMP_CORE_SUB), 0, "enter sub core");
    cr_assert_eq(sim_current_core(), ESP_AMP_CORE_SUB);
}

/* ---------------------------------------------------------------------- */
/* Device pairs                                                            */

void tu_pair_up(tu_pair_t *p, tu_cfg_t cfg)
{
    int rc;
    memset(p, 0, sizeof(*p));
    p->cfg = cfg;

    tu_main();
    if (cfg.id == 0) {
        rc = esp_amp_rpmsg_main_init(&p->main, cfg.queue_len, cfg.item_size,
                                     cfg.main_notify, cfg.main_poll);
    } else {
        rc = esp_amp_rpmsg_main_init_by_id(&p->main, p->main_vq, cfg.queue_len,
                                           cfg.item_size, cfg.main_notify,
                                           cfg.main_poll, cfg.id);
    }
    cr_assert_eq(rc, 0, "main init (id %u, len %u, item %u): %s",
                 cfg.id, cfg.queue_len, cfg.item_size,
                 esp_amp_err_name(esp_amp_get_last_error()));

    tu_sub();
    if (cfg.id == 0) {
        rc = esp_amp_rpmsg_sub_init(&p->sub, cfg.sub_notify, cfg.sub_poll);
    } else {
        rc = esp_amp_rpmsg_sub_init_by_id(&p->sub, p->sub_vq, cfg.sub_notify,
                                          cfg.sub_poll, cfg.id);
    }
    cr_assert_eq(rc, 0, "sub init (id %u): %s", cfg.id,
                 esp_amp_err_name(esp_amp_get_last_error()));
    if (!cfg.sub_poll) {
        cr_assert_eq(esp_amp_rpmsg_intr_enable(&p->sub), 0,
                     "sub intr_enable: %s",
                     esp_amp_err_name(esp_amp_get_last_error()));
    }

    tu_main();
    if (!cfg.main_poll) {
        cr_assert_eq(esp_amp_rpmsg_intr_enable(&p->main), 0,
                     "main intr_enable: %s",
                     esp_amp_err_name(esp_amp_get_last_error()));
    }
    /* The main core answers the sub core's join at its next look. */
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&p->main), ESP_AMP_LINK_UP,
                 "main core link not UP after both inits");
}

int tu_drain(esp_amp_rpmsg_dev_t *dev)
{
    int n = 0;
    while (esp_amp_rpmsg_poll(dev) == 0) {
        n++;
        cr_assert_lt(n, 100000, "poll never runs dry");
    }
    return n;
}

int tu_fill(esp_amp_rpmsg_dev_t *dev)
{
    int n = 0;
    while (esp_amp_rpmsg_create_message(dev, 1, 0) != NULL) {
        n++;
        cr_assert_leq(n, 65536, "create_message never reports a full queue");
    }
    cr_assert_eq(esp_amp_get_last_error(), ESP_AMP_ERR_NO_BUF,
                 "create_message stopped with %s, not ESP_AMP_ERR_NO_BUF",
                 esp_amp_err_name(esp_amp_get_last_error()));
    return n;
}

esp_amp_rpmsg_stats_t tu_stats(esp_amp_rpmsg_dev_t *dev)
{
    esp_amp_rpmsg_stats_t s;
    memset(&s, 0xa5, sizeof(s));
    cr_assert_eq(esp_amp_rpmsg_get_stats(dev, &s), 0);
    return s;
}

#define TU_LINK_EPT_MAIN 0xfff0
#define TU_LINK_EPT_SUB 0xfff1

void tu_check_link(esp_amp_rpmsg_dev_t *main_dev, bool main_poll,
                   esp_amp_rpmsg_dev_t *sub_dev, bool sub_poll)
{
    static tu_log_t mlog, slog;
    esp_amp_rpmsg_ept_t me, se;

    tu_main();
    tu_log_init(&mlog, main_dev);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(main_dev, TU_LINK_EPT_MAIN,
                                               tu_log_cb, &mlog, &me), &me);
    tu_sub();
    tu_log_init(&slog, sub_dev);
    cr_assert_eq(esp_amp_rpmsg_create_endpoint(sub_dev, TU_LINK_EPT_SUB,
                                               tu_log_cb, &slog, &se), &se);

    tu_main();
    cr_assert_eq(esp_amp_rpmsg_send(main_dev, &me, TU_LINK_EPT_SUB, "ping", 4), 0,
                 "send ping: %s", esp_amp_err_name(esp_amp_get_last_error()));
    tu_sub();
    if (sub_poll) {
        cr_assert_eq(tu_drain(sub_dev), 1);
    }
    cr_assert_eq(slog.count, 1, "sub got %d messages", slog.count);
    cr_assert_eq(slog.msg[0].len, 4);
    cr_assert_arr_eq(slog.msg[0].data, "ping", 4);
    cr_assert_eq(slog.msg[0].src, TU_LINK_EPT_MAIN);
    cr_assert_eq(slog.destroy_rc, 0);
    cr_assert_eq(esp_amp_rpmsg_send(sub_dev, &se, TU_LINK_EPT_MAIN, "pong", 4), 0,
                 "send pong: %s", esp_amp_err_name(esp_amp_get_last_error()));

    tu_main();
    if (main_poll) {
        cr_assert_eq(tu_drain(main_dev), 1);
    }
    cr_assert_eq(mlog.count, 1, "main got %d messages", mlog.count);
    cr_assert_arr_eq(mlog.msg[0].data, "pong", 4);
    cr_assert_eq(mlog.msg[0].src, TU_LINK_EPT_SUB);
    cr_assert_eq(mlog.destroy_rc, 0);

    cr_assert_eq(esp_amp_rpmsg_del_endpoint(main_dev, TU_LINK_EPT_MAIN), &me);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_del_endpoint(sub_dev, TU_LINK_EPT_SUB), &se);
    tu_main();
}

/* ---------------------------------------------------------------------- */
/* Recording callback                                                      */

void tu_log_init(tu_log_t *log, esp_amp_rpmsg_dev_t *dev)
{
    memset(log, 0, sizeof(*log));
    log->dev = dev;
    log->destroy = dev != NULL;
}

int tu_log_cb(void *msg_data, uint16_t data_len, uint16_t src_addr,
              void *rx_cb_data)
{
    tu_log_t *log = rx_cb_data;
    if (log->count < TU_LOG_MAX) {
        tu_msg_t *m = &log->msg[log->count];
        m->ptr = msg_data;
        m->len = data_len;
        m->src = src_addr;
        m->cb_data = rx_cb_data;
        m->in_isr = esp_amp_env_in_isr();
        memcpy(m->data, msg_data, data_len < TU_DATA_MAX ? data_len : TU_DATA_MAX);
    }
    log->count++;
    if (log->destroy) {
        log->destroy_rc = esp_amp_rpmsg_destroy(log->dev, msg_data);
    }
    return 0;
}

uint32_t tu_rand(uint32_t *state)
{
    uint32_t x = *state ? *state : 0x12345678u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* ---------------------------------------------------------------------- */
/* Concurrency: a checked stream in both directions.                       */

#define STREAM_CTL_ID 0x0100
#define STREAM_VQ_ID 0x0101
#define STREAM_EPT_MAIN 0x0010
#define STREAM_EPT_SUB 0x0020
#define STREAM_HOLD_MAX 4
#define STREAM_BUF_MAX 1024

typedef struct {
    uint32_t ready;  /* cores that created their endpoint      */
    uint32_t done;   /* cores that sent and received everything */
} stream_ctl_t;

typedef struct {
    esp_amp_rpmsg_dev_t dev;
    esp_amp_queue_t vq[2];
    esp_amp_rpmsg_ept_t ept;
    const char *name;
    uint16_t own_addr;
    uint16_t peer_addr;
    uint16_t max;
    bool poll;
    _Atomic uint32_t rx_next;  /* seq expected next       */
    _Atomic int err;           /* first TU_E_* seen       */
    _Atomic uint32_t err_seq;  /* rx_next when it happened */
    _Atomic uint32_t err_got;  /* seq found in the message */
    void *held[STREAM_HOLD_MAX];
    int nheld;
    uint32_t rng;
} stream_ctx_t;

static uint16_t stream_len(uint32_t seq, uint16_t max)
{
    return (uint16_t)(4u + (seq * 7u) % (uint32_t)(max - 4u + 1u));
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_us(long us)
{
    struct timespec ts = { .tv_sec = 0, .tv_nsec = us * 1000L };
    nanosleep(&ts, NULL);
}

static void stream_error(stream_ctx_t *c, int e, uint32_t seq, uint32_t got)
{
    int zero = 0;
    if (atomic_compare_exchange_strong(&c->err, &zero, e)) {
        atomic_store(&c->err_seq, seq);
        atomic_store(&c->err_got, got);
    }
}

static int stream_cb(void *msg_data, uint16_t data_len, uint16_t src_addr,
                     void *rx_cb_data)
{
    stream_ctx_t *c = rx_cb_data;
    uint32_t seq = atomic_load(&c->rx_next);
    uint32_t next = seq, bad = 0;

    if (esp_amp_env_in_isr() == c->poll) {
        stream_error(c, TU_E_CTX, seq, 0);
    }
    if (src_addr != c->peer_addr) {
        stream_error(c, TU_E_SRC, seq, src_addr);
    } else if (data_len != stream_len(seq, c->max)) {
        stream_error(c, TU_E_LEN, seq, data_len);
    } else {
        /* The stream of a message is its sender's endpoint address. */
        int e = tr_expect(msg_data, data_len, src_addr, &next, &bad);
        if (e == TR_E_SEQ || e == TR_E_STREAM) {
            stream_error(c, TU_E_SEQ, seq, e);
        } else if (e == TR_E_LEN) {
            stream_error(c, TU_E_LEN, seq, data_len);
        } else if (e != TR_OK) {
            stream_error(c, TU_E_DATA, seq, bad);
        }
    }
    atomic_store(&c->rx_next, seq + 1u);

    /* Poll mode: sometimes keep the buffer and give it back later, in a
     * random order (task context only, so no race with the loop). */
    if (c->poll && c->nheld < STREAM_HOLD_MAX && (tu_rand(&c->rng) & 1u)) {
        c->held[c->nheld++] = msg_data;
        return 0;
    }
    if (esp_amp_rpmsg_destroy(&c->dev, msg_data) != 0) {
        stream_error(c, TU_E_DESTROY, seq, esp_amp_get_last_error());
    }
    return 0;
}

static void stream_release(stream_ctx_t *c, bool all)
{
    while (c->nheld > 0) {
        if (!all && (tu_rand(&c->rng) & 3u) != 0) {
            return;
        }
        int i = (int)(tu_rand(&c->rng) % (uint32_t)c->nheld);
        if (esp_amp_rpmsg_destroy(&c->dev, c->held[i]) != 0) {
            stream_error(c, TU_E_DESTROY, atomic_load(&c->rx_next),
                         esp_amp_get_last_error());
        }
        c->held[i] = c->held[--c->nheld];
    }
}

/* Did the failed create_message/send just now find the queue full? Decided
 * by the tx_no_buf counter, not by esp_amp_get_last_error(): the library's
 * doorbell ISR, run when the call leaves its critical section, overwrites
 * the last error with ESP_AMP_ERR_EMPTY (see test_errors.c,
 * last_error_survives_an_interrupt). */
static bool stream_no_buf(stream_ctx_t *c, uint32_t no_buf_before)
{
    return c->dev.stats.tx_no_buf != no_buf_before;
}

/* 0 sent, 1 queue full (retry), else TU_E_SEND. */
static int stream_send(stream_ctx_t *c, uint32_t seq)
{
    uint16_t len = stream_len(seq, c->max);
    uint8_t local[STREAM_BUF_MAX];
    uint8_t *p;
    bool nocopy = seq % 3u == 0;
    uint32_t no_buf = c->dev.stats.tx_no_buf;

    if (nocopy) {
        p = esp_amp_rpmsg_create_message(&c->dev, len, 0);
        if (p == NULL) {
            return stream_no_buf(c, no_buf) ? 1 : TU_E_SEND;
        }
    } else {
        p = local;
    }
    tr_fill(p, len, c->own_addr, seq);
    if (nocopy) {
        return esp_amp_rpmsg_send_nocopy(&c->dev, &c->ept, c->peer_addr, p, len)
                   ? TU_E_SEND : 0;
    }
    if (esp_amp_rpmsg_send(&c->dev, &c->ept, c->peer_addr, p, len) != 0) {
        return stream_no_buf(c, no_buf) ? 1 : TU_E_SEND;
    }
    return 0;
}

static bool barrier(uint32_t *word, uint64_t deadline)
{
    _Atomic uint32_t *w = (_Atomic uint32_t *)word;
    atomic_fetch_add(w, 1u);
    while (atomic_load(w) < 2u) {
        if (now_ms() > deadline) {
            return false;
        }
        sched_yield();
    }
    return true;
}

#define STREAM_FAIL(code, ...)                                         \
    do {                                                               \
        fprintf(stderr, "[stream %s] ", c->name);                      \
        fprintf(stderr, __VA_ARGS__);                                  \
        fprintf(stderr, "\n");                                         \
        return (code);                                                 \
    } while (0)

int tu_stream_core(void *arg)
{
    const tu_stream_cfg_t *cfg = arg;
    bool is_main = sim_current_core() == ESP_AMP_CORE_MAIN;
    uint64_t deadline = now_ms() + (cfg->timeout_ms ? cfg->timeout_ms : 30000u);
    stream_ctl_t *ctl = NULL;
    stream_ctx_t ctx_storage; /* this core's stack: the ISR runs on it too */
    stream_ctx_t *c = &ctx_storage;
    bool notify = is_main ? cfg->main_notify : cfg->sub_notify;
    bool poll = is_main ? cfg->main_poll : cfg->sub_poll;

    memset(c, 0, sizeof(*c));
    c->name = is_main ? "main" : "sub";
    c->poll = poll;
    c->own_addr = is_main ? STREAM_EPT_MAIN : STREAM_EPT_SUB;
    c->peer_addr = is_main ? STREAM_EPT_SUB : STREAM_EPT_MAIN;
    c->rng = is_main ? 0x1234567u : 0x89abcdeu;

    if (is_main) {
        if (esp_amp_init() != 0) {
            STREAM_FAIL(TU_E_INIT, "esp_amp_init: %s",
                        esp_amp_err_name(esp_amp_get_last_error()));
        }
        ctl = esp_amp_sys_info_alloc(STREAM_CTL_ID, sizeof(*ctl));
        if (ctl == NULL ||
            esp_amp_rpmsg_main_init_by_id(&c->dev, c->vq, cfg->queue_len,
                                          cfg->item_size, notify, poll,
                                          STREAM_VQ_ID) != 0) {
            STREAM_FAIL(TU_E_INIT, "main init: %s",
                        esp_amp_err_name(esp_amp_get_last_error()));
        }
    } else {
        /* The main core must init first: retry until it has. */
        while (esp_amp_init() != 0 ||
               esp_amp_rpmsg_sub_init_by_id(&c->dev, c->vq, notify, poll,
                                            STREAM_VQ_ID) != 0) {
            if (now_ms() > deadline) {
                STREAM_FAIL(TU_E_TIMEOUT, "sub init: %s",
                            esp_amp_err_name(esp_amp_get_last_error()));
            }
            sleep_us(100);
        }
        ctl = esp_amp_sys_info_get(STREAM_CTL_ID, NULL);
        if (ctl == NULL) {
            STREAM_FAIL(TU_E_INIT, "sub: control block missing");
        }
    }
    c->max = esp_amp_rpmsg_get_max_size(&c->dev);
    if (c->max < 4 || c->max > STREAM_BUF_MAX) {
        STREAM_FAIL(TU_E_INIT, "max size %u outside [4, %u]", c->max,
                    STREAM_BUF_MAX);
    }
    if (esp_amp_rpmsg_create_endpoint(&c->dev,
                                      is_main ? STREAM_EPT_MAIN : STREAM_EPT_SUB,
                                      stream_cb, c, &c->ept) != &c->ept) {
        STREAM_FAIL(TU_E_INIT, "create_endpoint: %s",
                    esp_amp_err_name(esp_amp_get_last_error()));
    }
    if (!poll && esp_amp_rpmsg_intr_enable(&c->dev) != 0) {
        STREAM_FAIL(TU_E_INTR, "intr_enable: %s",
                    esp_amp_err_name(esp_amp_get_last_error()));
    }
    /* Nobody sends before both endpoints exist. */
    if (!barrier(&ctl->ready, deadline)) {
        STREAM_FAIL(TU_E_TIMEOUT, "start barrier");
    }

    uint32_t n = cfg->n_msgs;
    uint32_t tx = 0;
    while (tx < n || atomic_load(&c->rx_next) < n) {
        bool progress = false;
        for (int k = 0; k < 16 && tx < n; k++) {
            int rc = stream_send(c, tx);
            if (rc == 0) {
                tx++;
                progress = true;
            } else if (rc == 1) {
                break;
            } else {
                STREAM_FAIL(rc, "send #%u: %s", tx,
                            esp_amp_err_name(esp_amp_get_last_error()));
            }
        }
        if (poll) {
            for (int k = 0; k < 16; k++) {
                if (esp_amp_rpmsg_poll(&c->dev) != 0) {
                    break;
                }
                progress = true;
            }
            stream_release(c, !progress);
        }
        if (atomic_load(&c->err) != 0) {
            break;
        }
        if (!progress) {
            if (now_ms() > deadline) {
                STREAM_FAIL(TU_E_TIMEOUT, "sent %u/%u, received %u/%u", tx, n,
                            atomic_load(&c->rx_next), n);
            }
            if (!poll && tx == n) {
                (void)sim_wait_interrupt(1000);
            } else {
                sched_yield();
            }
        }
    }
    stream_release(c, true);
    int e = atomic_load(&c->err);
    if (e != 0) {
        STREAM_FAIL(e, "error %d at message %u (found %u)", e,
                    atomic_load(&c->err_seq), atomic_load(&c->err_got));
    }
    /* Exit only when the peer has finished too: no doorbell may target a
     * core that has ended. */
    if (!barrier(&ctl->done, deadline)) {
        STREAM_FAIL(TU_E_TIMEOUT, "end barrier");
    }

    esp_amp_rpmsg_stats_t s;
    if (esp_amp_rpmsg_get_stats(&c->dev, &s) != 0) {
        STREAM_FAIL(TU_E_STATS, "get_stats");
    }
    if (s.tx_msgs != n || s.rx_msgs != n || s.rx_no_ept != 0 ||
        s.rx_bad_header != 0 || s.rx_corrupt != 0 || s.bad_ptr != 0 ||
        s.tx_too_big != 0) {
        STREAM_FAIL(TU_E_STATS,
                    "stats tx %u rx %u no_ept %u bad_hdr %u corrupt %u "
                    "bad_ptr %u too_big %u (expected %u)",
                    s.tx_msgs, s.rx_msgs, s.rx_no_ept, s.rx_bad_header,
                    s.rx_corrupt, s.bad_ptr, s.tx_too_big, n);
    }
    if (!poll && sim_isr_count() == 0) {
        STREAM_FAIL(TU_E_STATS, "interrupt mode but no ISR ran");
    }
    return 0;
}

void tu_stream_run(sim_mode_t mode, const tu_stream_cfg_t *cfg)
{
    int rc_main = -1, rc_sub = -1;
    cr_assert_eq(sim_start_core(ESP_AMP_CORE_MAIN, mode, tu_stream_core,
                                (void *)cfg), 0, "start main core");
    cr_assert_eq(sim_start_core(ESP_AMP_CORE_SUB, mode, tu_stream_core,
                                (void *)cfg), 0, "start sub core");
    cr_assert_eq(sim_join_core(ESP_AMP_CORE_MAIN, &rc_main), 0);
    cr_assert_eq(sim_join_core(ESP_AMP_CORE_SUB, &rc_sub), 0);
    cr_assert_eq(rc_main, 0, "main core exit code %d", rc_main);
    cr_assert_eq(rc_sub, 0, "sub core exit code %d", rc_sub);
}
