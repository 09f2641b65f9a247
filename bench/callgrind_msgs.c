/*
 * callgrind_msgs.c - instructions per message, for valgrind --tool=callgrind.
 *
 * One process, one thread, no IPC: the simulator's sim_enter_core() lets
 * this thread act as the main core (send) and then as the sub core (poll;
 * the endpoint callback destroys), in batches of BATCH messages. Every
 * configuration runs twice, with n and 2n messages, each run bracketed by
 * CALLGRIND_ZERO_STATS / CALLGRIND_DUMP_STATS_AT("cfg=...;size=...;n=...").
 * The caller (rpmsg_bench --callgrind, or by hand) takes the slope
 * (I(2n) - I(n)) / n, so set-up cancels out, and subtracts the slope of
 * "harness" (the same loop, core switches included, with no messages).
 *
 * Configurations (size = payload bytes):
 *   copy    esp_amp_rpmsg_send + esp_amp_rpmsg_poll + esp_amp_rpmsg_destroy
 *   zc      esp_amp_rpmsg_create_message + send_nocopy + poll + destroy
 *           (the application writes nothing into the buffer)
 *   ideal   the ideal SPSC ring of bench_ring.h: memcpy in, publish, take,
 *           read the first byte, release
 *   harness the loop and the core switches alone
 *   empty   esp_amp_rpmsg_poll on an empty ring (n calls)
 *
 * Usage: callgrind_msgs [n [item_size]]   (defaults 20000, 256)
 * Without valgrind it runs the same work and checks every message arrived.
 * Build it without -march=native: valgrind 3.19 stops on AVX-512 code.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_ring.h"
#include "esp_amp.h"
#include "esp_amp_platform.h"
#include "sim.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND_H 1
#endif
#endif
#ifndef HAVE_CALLGRIND_H
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

#define BATCH 32u
#define QLEN 32u   /* the longest ring of the default ESP_AMP_CONFIG_QUEUE_MAX_LEN */
#define EPT_MAIN 1u
#define EPT_SUB 101u

static esp_amp_rpmsg_dev_t dev_m, dev_s;
static esp_amp_queue_t vq_m[2], vq_s[2];
static esp_amp_rpmsg_ept_t ept_m, ept_s;
static unsigned long long received;
static uint8_t src[65536];
static volatile uint8_t sink;

static int rx_cb(void *data, uint16_t len, uint16_t from, void *priv)
{
    (void)len;
    (void)from;
    (void)priv;
    received++;
    return esp_amp_rpmsg_destroy(&dev_s, data);
}

static void die(const char *what)
{
    fprintf(stderr, "callgrind_msgs: %s failed (%s)\n", what,
            esp_amp_err_name(esp_amp_get_last_error()));
    exit(1);
}

static void setup(uint16_t item)
{
    if (sim_init(256u * 1024u) != 0) {
        die("sim_init");
    }
    if (sim_enter_core(ESP_AMP_CORE_MAIN) != 0 || esp_amp_init() != 0) {
        die("main init");
    }
    if (esp_amp_rpmsg_main_init_by_id(&dev_m, vq_m, QLEN, item, false, true,
                                      SYS_INFO_RESERVED_ID_VQUEUE) != 0 ||
        esp_amp_rpmsg_create_endpoint(&dev_m, EPT_MAIN, rx_cb, NULL,
                                      &ept_m) == NULL) {
        die("main rpmsg init");
    }
    if (sim_enter_core(ESP_AMP_CORE_SUB) != 0 || esp_amp_init() != 0) {
        die("sub init");
    }
    if (esp_amp_rpmsg_sub_init_by_id(&dev_s, vq_s, false, true,
                                     SYS_INFO_RESERVED_ID_VQUEUE) != 0 ||
        esp_amp_rpmsg_create_endpoint(&dev_s, EPT_SUB, rx_cb, NULL,
                                      &ept_s) == NULL) {
        die("sub rpmsg init");
    }
}

typedef enum { CFG_COPY, CFG_ZC, CFG_IDEAL, CFG_HARNESS, CFG_EMPTY } cfg_t;
static const char *const cfg_name[] = {"copy", "zc", "ideal", "harness",
                                       "empty"};

static bring_t *ring;
static bring_side_t ring_tx, ring_rx;

static void run(cfg_t cfg, uint16_t size, unsigned n)
{
    unsigned long long want = received + (cfg == CFG_COPY || cfg == CFG_ZC ? n : 0);
    if (cfg == CFG_EMPTY) {
        if (sim_enter_core(ESP_AMP_CORE_SUB) != 0) {
            die("enter sub");
        }
        for (unsigned i = 0; i < n; i++) {
            if (esp_amp_rpmsg_poll(&dev_s) == 0) {
                die("empty poll found a message");
            }
        }
        return;
    }
    for (unsigned done = 0; done < n; done += BATCH) {
        (void)sim_enter_core(ESP_AMP_CORE_MAIN);
        for (unsigned b = 0; b < BATCH; b++) {
            switch (cfg) {
            case CFG_COPY:
                if (esp_amp_rpmsg_send(&dev_m, &ept_m, EPT_SUB, src, size) != 0) {
                    die("send");
                }
                break;
            case CFG_ZC: {
                void *p = esp_amp_rpmsg_create_message(&dev_m, size, 0);
                if (p == NULL ||
                    esp_amp_rpmsg_send_nocopy(&dev_m, &ept_m, EPT_SUB, p, size) != 0) {
                    die("create_message/send_nocopy");
                }
                break;
            }
            case CFG_IDEAL: {
                uint8_t *p = bring_prod_try(&ring_tx);
                if (p == NULL) {
                    die("ideal ring full");
                }
                memcpy(p, src, size);
                bring_prod_publish(&ring_tx, p, size);
                break;
            }
            default:
                break;
            }
        }
        (void)sim_enter_core(ESP_AMP_CORE_SUB);
        for (unsigned b = 0; b < BATCH; b++) {
            switch (cfg) {
            case CFG_COPY:
            case CFG_ZC:
                if (esp_amp_rpmsg_poll(&dev_s) != 0) {
                    die("poll");
                }
                break;
            case CFG_IDEAL: {
                uint32_t len;
                uint8_t *p = bring_cons_try(&ring_rx, &len);
                if (p == NULL || len != size) {
                    die("ideal ring empty");
                }
                sink = p[0];
                bring_cons_release(&ring_rx);
                break;
            }
            default:
                break;
            }
        }
    }
    if (received != want) {
        fprintf(stderr, "callgrind_msgs: %s size %u: %llu messages arrived, "
                        "%llu expected\n", cfg_name[cfg], size,
                received, want);
        exit(1);
    }
}

static void measure(cfg_t cfg, uint16_t size, unsigned n)
{
    char label[96];
    for (unsigned k = 1; k <= 2; k++) {
        snprintf(label, sizeof(label), "cfg=%s;size=%u;n=%u", cfg_name[cfg],
                 size, k * n);
        CALLGRIND_ZERO_STATS;
        run(cfg, size, k * n);
        CALLGRIND_DUMP_STATS_AT(label);
    }
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 20000u;
    uint16_t item = argc > 2 ? (uint16_t)strtoul(argv[2], NULL, 0) : 256u;
    n = (n + BATCH - 1u) / BATCH * BATCH;
    if (n == 0 || item <= 8) {
        fprintf(stderr, "usage: callgrind_msgs [n [item_size]]\n");
        return 2;
    }
    item = (uint16_t)((item + 3u) & ~3u);
    uint16_t max = (uint16_t)(item - 8u);
    memset(src, 0x5a, sizeof(src));
    setup(item);
    if (esp_amp_rpmsg_get_max_size(&dev_m) != max) {
        die("max size");
    }
    ring = aligned_alloc(64, (bring_bytes(QLEN, item) + 63u) & ~63u);
    if (ring == NULL) {
        return 1;
    }
    memset(ring, 0, bring_bytes(QLEN, item));
    bring_side_init(&ring_tx, ring, QLEN, item);
    bring_side_init(&ring_rx, ring, QLEN, item);

    const uint16_t sizes[] = {8, 64, 240, max};
    measure(CFG_HARNESS, 0, n);
    measure(CFG_EMPTY, 0, n);
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        measure(CFG_IDEAL, sizes[i], n);
        measure(CFG_COPY, sizes[i], n);
        measure(CFG_ZC, sizes[i], n);
    }
    printf("callgrind_msgs: %llu messages delivered (n = %u, item %u)%s\n",
           received, n, item,
#ifdef HAVE_CALLGRIND_H
           ""
#else
           " [built without valgrind/callgrind.h: no dumps]"
#endif
    );
    free(ring);
    sim_deinit();
    return 0;
}
