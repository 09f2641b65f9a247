/*
 * demo_sub.c - the sub core's side of rpmsg_send_recv (LP core of the
 * ESP32-C6/C5, bare metal; or HP core 1 of the ESP32-P4, in a task).
 *
 *   endpoint 0       prints nothing (the LP core has no console); answers
 *                    each message with "Extra Msg: N" to main endpoint 0
 *   endpoints 1, 2   add / multiply the two ints of a request, answer the
 *                    sender with the result
 *   endpoint 3       "quit": stop sending, ring SW_INTR_BYE, return
 *   every TICK_MS    "Normal Msg: N" alternately to main endpoints 0 and 1,
 *                    DEMO_ROUNDS of them
 * Needs no C library beyond what the compiler provides.
 */
#include <stdbool.h>
#include <stdint.h>

#include "esp_amp.h"
#include "esp_amp_platform.h"

#include "demo_cfg.h"

static esp_amp_rpmsg_dev_t s_dev;
static esp_amp_rpmsg_ept_t s_ept[4];
static volatile bool s_quit;

static void copy_bytes(void *dst, const void *src, uint32_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--) {
        *d++ = *s++;
    }
}

/* "<prefix><n>" into buf (NUL-terminated), returns the length with the NUL. */
static uint16_t format_count(char *buf, uint16_t size, const char *prefix, unsigned n)
{
    uint16_t i = 0;
    while (prefix[i] != '\0' && i + 1u < size) {
        buf[i] = prefix[i];
        i++;
    }
    char digits[10];
    int k = 0;
    do {
        digits[k++] = (char)('0' + n % 10u);
        n /= 10u;
    } while (n != 0 && k < (int)sizeof digits);
    while (k > 0 && i + 1u < size) {
        buf[i++] = digits[--k];
    }
    buf[i++] = '\0';
    return i;
}

static int ept0_cb(void *msg, uint16_t len, uint16_t src, void *arg)
{
    static unsigned count;
    (void)len, (void)src, (void)arg;
    esp_amp_rpmsg_destroy(&s_dev, msg);
    char *extra = esp_amp_rpmsg_create_message(&s_dev, 30, ESP_AMP_RPMSG_DATA_DEFAULT);
    if (extra != NULL) {
        uint16_t n = format_count(extra, 30, "Extra Msg: ", count++);
        esp_amp_rpmsg_send_nocopy(&s_dev, &s_ept[0], 0, extra, n);
    }
    return 0;
}

static int rpc_cb(void *msg, uint16_t len, uint16_t src, void *arg)
{
    uint16_t ept = (uint16_t)(uintptr_t)arg;
    int ab[2] = {0, 0};
    copy_bytes(ab, msg, len < sizeof ab ? len : sizeof ab);
    esp_amp_rpmsg_destroy(&s_dev, msg);
    int c = ept == 1 ? ab[0] + ab[1] : ab[0] * ab[1];
    esp_amp_rpmsg_send(&s_dev, &s_ept[ept], src, &c, sizeof c);
    return 0;
}

static int quit_cb(void *msg, uint16_t len, uint16_t src, void *arg)
{
    (void)len, (void)src, (void)arg;
    esp_amp_rpmsg_destroy(&s_dev, msg);
    s_quit = true;
    return 0;
}

int demo_sub_run(void)
{
    if (esp_amp_init() != 0 || esp_amp_rpmsg_sub_init(&s_dev, true, !SUB_INTR) != 0) {
        return -1;
    }
    if (SUB_INTR && esp_amp_rpmsg_intr_enable(&s_dev) != 0) {
        return -2;
    }
    esp_amp_rpmsg_create_endpoint(&s_dev, 0, ept0_cb, NULL, &s_ept[0]);
    esp_amp_rpmsg_create_endpoint(&s_dev, 1, rpc_cb, (void *)1, &s_ept[1]);
    esp_amp_rpmsg_create_endpoint(&s_dev, 2, rpc_cb, (void *)2, &s_ept[2]);
    esp_amp_rpmsg_create_endpoint(&s_dev, EPT_QUIT, quit_cb, NULL, &s_ept[3]);
    esp_amp_sw_intr_trigger(SW_INTR_READY);

    unsigned sent = 0;
    bool flip = true;
    uint32_t next = esp_amp_platform_get_time_ms();
    while (!s_quit) {
        if (!SUB_INTR) {
            while (esp_amp_rpmsg_poll(&s_dev) == 0) {
            }
        }
        if (sent < DEMO_ROUNDS && (int32_t)(esp_amp_platform_get_time_ms() - next) >= 0) {
            next += TICK_MS;
            char *msg = esp_amp_rpmsg_create_message(&s_dev, 48, ESP_AMP_RPMSG_DATA_DEFAULT);
            if (msg != NULL) {
                uint16_t n = format_count(msg, 48, "Normal Msg: ", sent++);
                esp_amp_rpmsg_send_nocopy(&s_dev, &s_ept[0], flip ? 0 : 1, msg, n);
                flip = !flip;
            }
        }
        demo_sub_idle();
    }
    esp_amp_sw_intr_trigger(SW_INTR_BYE);
    return 0;
}
