/*
 * target_stress.c - checked RPMsg traffic between the two harts of QEMU
 * virt, both directions at once, over several endpoints.
 *
 * One source, four images: TEST_MAIN=1/0 (main core on hart 0 / sub core
 * on hart 1) x TEST_INTR=1/0 (receive in the doorbell ISR / by polling).
 *
 * Each core sends TEST_MESSAGES messages to the other, from its endpoints
 * E[0..N) to the peer's endpoints, message k going from E[k % N] to
 * peer E[(k / N + k) % N], so all N*N streams carry traffic. Even k use
 * esp_amp_rpmsg_send (copy), odd k create_message + send_nocopy. Payload
 * sizes cycle through 12..max. Every message carries its stream, a per-
 * stream sequence number, its length and a checksum of a pattern that
 * depends on all three; the receiver checks each of them and the source
 * address. Some received buffers are kept for a while and given back out
 * of order. Every 997th message the sender also checks the overflow
 * refusals (create_message and send one byte too large).
 *
 * A full queue (ESP_AMP_ERR_NO_BUF) is waited out. When a core has sent
 * and received everything it reports to the peer's control endpoint; the
 * main core, having its own and the sub core's report, checks both
 * devices' counters and ends the run with exit code 0. Any failed check
 * ends it at once with a non-zero code.
 */
#include <stdbool.h>
#include <stdint.h>

#include "esp_amp.h"
#include "esp_amp_env.h"
#include "esp_amp_platform.h"
#include "rv_virt.h"
#include "traffic.h"

#if !defined(TEST_MAIN) || !defined(TEST_INTR)
#error "build with -DTEST_MAIN=0|1 -DTEST_INTR=0|1"
#endif

#ifndef TEST_MESSAGES
#define TEST_MESSAGES 12000
#endif
#define QUEUE_LEN 16
#define ITEM_SIZE 96
#define N_EPT 4
#define MAIN_EPT_BASE 10
#define SUB_EPT_BASE 20
#define CTL_EPT 99
#define HOLD_SLOTS 3
#define DEADLINE_MS 300000u

#define MY_BASE (TEST_MAIN ? MAIN_EPT_BASE : SUB_EPT_BASE)
#define PEER_BASE (TEST_MAIN ? SUB_EPT_BASE : MAIN_EPT_BASE)
#define WHO (TEST_MAIN ? "MAIN" : "SUB")
#define FAIL_BASE (TEST_MAIN ? 10 : 40)

typedef struct {
    uint32_t magic;
    uint32_t received;
    uint32_t sent;
    uint32_t held_max;
    uint32_t intr;
    esp_amp_rpmsg_stats_t stats;
} report_t;
#define REPORT_MAGIC 0x52455054u

static esp_amp_rpmsg_dev_t s_dev;
static esp_amp_rpmsg_ept_t s_ept[N_EPT];
static esp_amp_rpmsg_ept_t s_ctl;
static uint32_t s_rx_seq[N_EPT * N_EPT];   /* next expected, per stream   */
static uint32_t s_tx_seq[N_EPT * N_EPT];
static volatile uint32_t s_received;
static void *s_held[HOLD_SLOTS];
static unsigned s_nheld, s_held_max;
static report_t s_peer_report;
static volatile bool s_peer_done;
static uint32_t s_overflow_checks, s_full_waits;

__attribute__((noreturn)) static void fail(int code, const char *what,
                                           uint32_t a, uint32_t b)
{
    rv_virt_printf("%s: CHECK FAILED: %s (%u, %u) after %u received: FAIL\n", WHO,
                   what, (unsigned)a, (unsigned)b, (unsigned)s_received);
    rv_virt_exit(FAIL_BASE + code);
}

static uint16_t payload_len(uint32_t k, uint16_t max)
{
    return (uint16_t)(TR_HDR_SIZE + (k * 13u) % (max - TR_HDR_SIZE + 1u));
}

/* Receive ----------------------------------------------------------------*/

static void release_held(void)
{
    /* Newest first: out of the order in which they were received. */
    while (s_nheld > 0) {
        if (esp_amp_rpmsg_destroy(&s_dev, s_held[--s_nheld]) != 0) {
            fail(1, "destroy of a held buffer", s_nheld, esp_amp_get_last_error());
        }
    }
}

static int on_data(void *data, uint16_t len, uint16_t src, void *arg)
{
    uint32_t dst_idx = (uint32_t)(uintptr_t)arg;
    tr_hdr_t h;
    uint32_t bad = 0;
    int e = tr_check(data, len, &h, &bad);
    if (e == TR_E_SHORT) {
        fail(2, "short message", len, src);
    }
    uint32_t src_idx = h.stream / N_EPT;
    if (h.stream >= N_EPT * N_EPT || h.stream % N_EPT != dst_idx) {
        fail(3, "stream / destination endpoint", h.stream, dst_idx);
    }
    if (src != PEER_BASE + src_idx) {
        fail(4, "source address", src, PEER_BASE + src_idx);
    }
    if (e == TR_E_LEN) {
        fail(5, "length", len, h.len);
    }
    if (h.seq != s_rx_seq[h.stream]) {
        fail(6, "sequence", h.seq, s_rx_seq[h.stream]);
    }
    if (e == TR_E_DATA) {
        fail(7, "payload byte", bad, h.seq);
    }
    if (e != TR_OK) {
        fail(8, "checksum", h.seq, h.stream);
    }
    (void)tr_accept(&s_rx_seq[h.stream], h.seq);
    s_received = s_received + 1;
    if (s_received % 5u == 0 && s_nheld < HOLD_SLOTS) {
        s_held[s_nheld++] = data;          /* give back later */
        if (s_nheld > s_held_max) {
            s_held_max = s_nheld;
        }
    } else {
        if (esp_amp_rpmsg_destroy(&s_dev, data) != 0) {
            fail(9, "destroy", s_received, esp_amp_get_last_error());
        }
        if (s_nheld == HOLD_SLOTS) {
            release_held();
        }
    }
    return 0;
}

static int on_ctl(void *data, uint16_t len, uint16_t src, void *arg)
{
    (void)arg;
    if (len != sizeof(report_t) || src != CTL_EPT) {
        fail(10, "control message", len, src);
    }
    uint8_t *d = (uint8_t *)&s_peer_report;
    const uint8_t *s = data;
    for (uint32_t i = 0; i < sizeof(report_t); i++) {
        d[i] = s[i];
    }
    esp_amp_rpmsg_destroy(&s_dev, data);
    s_peer_done = true;
    return 0;
}

static void poll_all(void)
{
    while (esp_amp_rpmsg_poll(&s_dev) == 0) {
    }
}

/* Send -------------------------------------------------------------------*/

static bool overflow_refused(void)
{
    uint16_t max = esp_amp_rpmsg_get_max_size(&s_dev);
    static uint8_t big[ITEM_SIZE + 8];
    if (esp_amp_rpmsg_create_message(&s_dev, (uint32_t)max + 1u,
                                     ESP_AMP_RPMSG_DATA_DEFAULT) != NULL) {
        return false;
    }
    if (esp_amp_rpmsg_send(&s_dev, &s_ept[0], PEER_BASE, big,
                           (uint16_t)(max + 1u)) != -1) {
        return false;
    }
    return true;
}

/* A send failed: it must have been for a full queue. The device counter
 * tx_no_buf says so independently of the per-core last error, which an
 * ISR on this core (the RPMsg doorbell draining its ring) may overwrite
 * between the failing call and esp_amp_get_last_error(); such cases are
 * counted and reported, not failed. */
static uint32_t s_err_overwritten;
static void queue_full_or_fail(const esp_amp_rpmsg_stats_t *before, int code,
                               uint32_t k)
{
    esp_amp_err_t e = esp_amp_get_last_error();
    esp_amp_rpmsg_stats_t after;
    esp_amp_rpmsg_get_stats(&s_dev, &after);
    if (after.tx_no_buf == before->tx_no_buf) {
        fail(code, "send failed, queue not full; last error", k, e);
    }
    if (e != ESP_AMP_ERR_NO_BUF) {
        s_err_overwritten++;
    }
}

/* Try to send message k: 1 sent, 0 queue full (try again later). */
static int send_one(uint32_t k)
{
    uint16_t max = esp_amp_rpmsg_get_max_size(&s_dev);
    uint32_t src_idx = k % N_EPT;
    uint32_t dst_idx = (k / N_EPT + k) % N_EPT;
    uint16_t stream = (uint16_t)(src_idx * N_EPT + dst_idx);
    uint16_t len = payload_len(k, max);
    uint16_t dst = (uint16_t)(PEER_BASE + dst_idx);
    int rc;
    esp_amp_rpmsg_stats_t before;
    esp_amp_rpmsg_get_stats(&s_dev, &before);
    static uint32_t last_checked = UINT32_MAX;
    if (k % 997u == 0 && k != last_checked) {
        if (!overflow_refused()) {
            fail(11, "oversized message accepted", k, max);
        }
        s_overflow_checks++;
        last_checked = k;
    }
    if ((k & 1u) == 0) {
        uint8_t buf[ITEM_SIZE];
        tr_fill(buf, len, stream, s_tx_seq[stream]);
        rc = esp_amp_rpmsg_send(&s_dev, &s_ept[src_idx], dst, buf, len);
    } else {
        uint8_t *buf = esp_amp_rpmsg_create_message(&s_dev, len,
                                                    ESP_AMP_RPMSG_DATA_DEFAULT);
        if (buf == NULL) {
            rc = -1;
        } else {
            tr_fill(buf, len, stream, s_tx_seq[stream]);
            rc = esp_amp_rpmsg_send_nocopy(&s_dev, &s_ept[src_idx], dst, buf, len);
            if (rc != 0) {
                fail(12, "send_nocopy of a created message", k,
                     esp_amp_get_last_error());
            }
        }
    }
    if (rc != 0) {
        queue_full_or_fail(&before, 13, k);
        return 0;
    }
    s_tx_seq[stream]++;
    return 1;
}

static bool all_received(void *arg)
{
    (void)arg;
    return s_received >= TEST_MESSAGES;
}

#if TEST_MAIN
static bool peer_done(void *arg)
{
    (void)arg;
    return s_peer_done;
}

static int ready_isr(void *arg)
{
    *(volatile bool *)arg = true;
    return 0;
}
#endif

static void check_stats(const char *who, const esp_amp_rpmsg_stats_t *st)
{
    rv_virt_printf("%s: %s stats: tx %u rx %u rx_no_ept %u rx_bad_header %u "
                   "rx_corrupt %u tx_no_buf %u tx_too_big %u bad_ptr %u notifies %u\n",
                   WHO, who, (unsigned)st->tx_msgs, (unsigned)st->rx_msgs,
                   (unsigned)st->rx_no_ept, (unsigned)st->rx_bad_header,
                   (unsigned)st->rx_corrupt, (unsigned)st->tx_no_buf,
                   (unsigned)st->tx_too_big, (unsigned)st->bad_ptr,
                   (unsigned)st->notifies);
    if (st->rx_no_ept || st->rx_bad_header || st->rx_corrupt || st->bad_ptr) {
        fail(14, "error counters not zero", st->rx_corrupt, st->bad_ptr);
    }
    if (st->tx_msgs < TEST_MESSAGES || st->rx_msgs < TEST_MESSAGES) {
        fail(15, "message counters", st->tx_msgs, st->rx_msgs);
    }
}

int main(void)
{
    rv_virt_printf("%s: target stress test on hart %u, %s mode, %u messages each way\n",
                   WHO, (unsigned)rv_virt_hartid(), TEST_INTR ? "interrupt" : "polling",
                   (unsigned)TEST_MESSAGES);
    int rc = esp_amp_init();
#if TEST_MAIN
    if (rc == 0) {
        rc = esp_amp_rpmsg_main_init(&s_dev, QUEUE_LEN, ITEM_SIZE, true, !TEST_INTR);
    }
#else
    if (rc == 0) {
        rc = esp_amp_rpmsg_sub_init(&s_dev, true, !TEST_INTR);
    }
#endif
    if (rc != 0) {
        fail(16, "init", (uint32_t)rc, esp_amp_get_last_error());
    }
    for (uint32_t i = 0; i < N_EPT; i++) {
        if (esp_amp_rpmsg_create_endpoint(&s_dev, (uint16_t)(MY_BASE + i), on_data,
                                          (void *)(uintptr_t)i, &s_ept[i]) == NULL) {
            fail(17, "create_endpoint", i, esp_amp_get_last_error());
        }
    }
    if (esp_amp_rpmsg_create_endpoint(&s_dev, CTL_EPT, on_ctl, NULL, &s_ctl) == NULL) {
        fail(17, "create_endpoint", CTL_EPT, esp_amp_get_last_error());
    }
    if (TEST_INTR && esp_amp_rpmsg_intr_enable(&s_dev) != 0) {
        fail(18, "intr_enable", 0, esp_amp_get_last_error());
    }

#if TEST_MAIN
    /* The sub core's endpoints must exist before we send to them: it says
     * so with SW_INTR_ID_0. */
    static volatile bool sub_ready;
    esp_amp_sw_intr_add_handler(SW_INTR_ID_0, ready_isr, (void *)&sub_ready);
    rv_virt_start_sub();
    while (!sub_ready) {
        rv_virt_wait(NULL, NULL, 1000);
    }
#else
    esp_amp_sw_intr_trigger(SW_INTR_ID_0);
#endif

    uint32_t t0 = esp_amp_platform_get_time_ms();
    uint32_t sent = 0;
    while (sent < TEST_MESSAGES || s_received < TEST_MESSAGES) {
        if (esp_amp_platform_get_time_ms() - t0 > DEADLINE_MS) {
            fail(19, "deadline: sent / received", sent, s_received);
        }
        if (!TEST_INTR) {
            poll_all();
        }
        if (sent < TEST_MESSAGES) {
            if (send_one(sent)) {
                sent++;
            } else {
                s_full_waits++;
                if (TEST_INTR) {
                    rv_virt_wait(NULL, NULL, 20);   /* let the peer free */
                }
            }
        } else if (TEST_INTR) {
            rv_virt_wait(all_received, NULL, 1000);
        }
    }
    /* Everything sent and received: give back what we keep, report. */
    esp_amp_env_enter_critical();
    release_held();
    esp_amp_env_exit_critical();
    uint32_t ms = esp_amp_platform_get_time_ms() - t0;

    report_t rep = {REPORT_MAGIC, s_received, sent, s_held_max, TEST_INTR, {0}};
    esp_amp_rpmsg_get_stats(&s_dev, &rep.stats);
    check_stats(TEST_MAIN ? "main device" : "sub device", &rep.stats);
    rv_virt_printf("%s: sent %u and received %u checked messages in %u ms (emulated); "
                   "%u overflow refusals checked, %u full-queue waits, held up to %u; "
                   "last error overwritten by an ISR %u times\n",
                   WHO, (unsigned)sent, (unsigned)s_received, (unsigned)ms,
                   (unsigned)s_overflow_checks, (unsigned)s_full_waits,
                   (unsigned)s_held_max, (unsigned)s_err_overwritten);
    for (;;) {
        esp_amp_rpmsg_stats_t before;
        esp_amp_rpmsg_get_stats(&s_dev, &before);
        if (esp_amp_rpmsg_send(&s_dev, &s_ctl, CTL_EPT, &rep, sizeof rep) == 0) {
            break;
        }
        queue_full_or_fail(&before, 20, 0);
        rv_virt_wait(NULL, NULL, 100);
    }

#if TEST_MAIN
    while (!s_peer_done) {
        if (esp_amp_platform_get_time_ms() - t0 > DEADLINE_MS) {
            fail(21, "no report from the sub core", 0, 0);
        }
        if (!TEST_INTR) {
            poll_all();
        }
        rv_virt_wait(peer_done, NULL, 1000);
    }
    if (s_peer_report.magic != REPORT_MAGIC || s_peer_report.received != TEST_MESSAGES ||
        s_peer_report.sent != TEST_MESSAGES) {
        fail(22, "sub core report", s_peer_report.received, s_peer_report.sent);
    }
    check_stats("sub device (reported)", &s_peer_report.stats);
    rv_virt_printf("target_stress: %u messages main->sub and %u sub->main checked, "
                   "main %s / sub %s: PASS\n",
                   (unsigned)s_peer_report.received, (unsigned)s_received,
                   TEST_INTR ? "interrupt" : "polling",
                   s_peer_report.intr ? "interrupt" : "polling");
    return 0;
#else
    return 0;   /* keep serving interrupts until the main core ends the run */
#endif
}
