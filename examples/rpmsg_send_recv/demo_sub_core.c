/*
 * demo_sub_core.c - the sub core of the rpmsg_send_recv demo (see
 * rpmsg_send_recv.c): it sends "Normal Msg: N" alternately to main
 * endpoints 0 and 1, answers each "Rsp from EPT1" with "Extra Msg: N",
 * adds (endpoint 1) and multiplies (endpoint 2) the pairs of numbers the
 * main core asks about, and ends when endpoint 3 gets a message.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "demo_common.h"
#include "esp_amp.h"
#include "esp_amp_env.h"
#include "esp_amp_platform.h"
#include "sim.h"

void say(const char *core, const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(line, sizeof line, "%s: ", core);
    n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof line - 2) {
        n = (int)sizeof line - 2;
    }
    line[n++] = '\n';
    (void)!write(STDOUT_FILENO, line, (size_t)n);  /* one write per line */
}


static esp_amp_rpmsg_dev_t s_dev;
static esp_amp_rpmsg_ept_t s_ept[4];
static volatile bool s_quit;

static void sub_reply(uint16_t ept, uint16_t dst, int value)
{
    int *msg = esp_amp_rpmsg_create_message(&s_dev, sizeof(int),
                                            ESP_AMP_RPMSG_DATA_DEFAULT);
    if (msg == NULL) {
        say("SUB", "[RPC%u]: FATAL! Failed to send results", ept);
        return;
    }
    memcpy(msg, &value, sizeof value);
    esp_amp_rpmsg_send_nocopy(&s_dev, &s_ept[ept], dst, msg, sizeof(int));
    say("SUB", "[RPC%u]: Results sent", ept);
}

static int sub_ept0_cb(void *msg, uint16_t len, uint16_t src, void *arg)
{
    (void)arg;
    static int count;
    say("SUB", "[EPT%u]: %.*s (%s context)", src, (int)len, (char *)msg,
        esp_amp_env_in_isr() ? "ISR" : "task");
    esp_amp_rpmsg_destroy(&s_dev, msg);
    char *extra = esp_amp_rpmsg_create_message(&s_dev, 30,
                                               ESP_AMP_RPMSG_DATA_DEFAULT);
    if (extra != NULL) {
        int n = snprintf(extra, 30, "Extra Msg: %d", count++);
        esp_amp_rpmsg_send_nocopy(&s_dev, &s_ept[0], 0, extra,
                                  (uint16_t)(n + 1));
    } else {
        say("SUB", "Failed to send extra msg!");
    }
    return 0;
}

static int sub_rpc_cb(void *msg, uint16_t len, uint16_t src, void *arg)
{
    uint16_t ept = (uint16_t)(uintptr_t)arg;
    int ab[2] = {0, 0};
    memcpy(ab, msg, len < sizeof ab ? len : sizeof ab);
    esp_amp_rpmsg_destroy(&s_dev, msg);
    int c = ept == 1 ? ab[0] + ab[1] : ab[0] * ab[1];
    say("SUB", "[RPC%u]: Receive RPC(%s) request from main core", ept,
        ept == 1 ? "add" : "multiply");
    say("SUB", "Result: %d %s %d = %d", ab[0], ept == 1 ? "+" : "x", ab[1], c);
    sub_reply(ept, src, c);
    return 0;
}

static int sub_quit_cb(void *msg, uint16_t len, uint16_t src, void *arg)
{
    (void)len, (void)src, (void)arg;
    esp_amp_rpmsg_destroy(&s_dev, msg);
    s_quit = true;
    return 0;
}

int demo_sub_core(void *arg)
{
    const demo_sub_cfg_t *cfg = arg;
    const char *T = "SUB";
    say(T, "Hello!! %s-based RPMsg handling on the sub core%s",
        cfg->sub_intr ? "interrupt" : "polling", cfg->label);
    if (esp_amp_init() != 0 ||
        esp_amp_rpmsg_sub_init(&s_dev, true, !cfg->sub_intr) != 0) {
        say(T, "init failed: %s", esp_amp_err_name(esp_amp_get_last_error()));
        return 1;
    }
    if (cfg->sub_intr && esp_amp_rpmsg_intr_enable(&s_dev) != 0) {
        return 1;
    }
    esp_amp_rpmsg_create_endpoint(&s_dev, 0, sub_ept0_cb, NULL, &s_ept[0]);
    esp_amp_rpmsg_create_endpoint(&s_dev, 1, sub_rpc_cb, (void *)1, &s_ept[1]);
    esp_amp_rpmsg_create_endpoint(&s_dev, 2, sub_rpc_cb, (void *)2, &s_ept[2]);
    esp_amp_rpmsg_create_endpoint(&s_dev, EPT_QUIT, sub_quit_cb, NULL,
                                  &s_ept[3]);
    esp_amp_sw_intr_trigger(SW_INTR_ID_0);   /* tell main: ready */

    int sent = 0;
    bool flip = true;
    uint32_t next = esp_amp_platform_get_time_ms();
    while (!s_quit) {
        if (!cfg->sub_intr) {
            while (esp_amp_rpmsg_poll(&s_dev) == 0) {
            }
        }
        if (sent < cfg->rounds &&
            (int32_t)(esp_amp_platform_get_time_ms() - next) >= 0) {
            next += TICK_MS;
            char *msg = esp_amp_rpmsg_create_message(&s_dev, 48,
                                                     ESP_AMP_RPMSG_DATA_DEFAULT);
            if (msg != NULL) {
                int n = snprintf(msg, 48, "Normal Msg: %d", sent++);
                esp_amp_rpmsg_send_nocopy(&s_dev, &s_ept[0], flip ? 0 : 1, msg,
                                          (uint16_t)(n + 1));
                flip = !flip;
            } else {
                say(T, "Failed to send msg!");
            }
        }
        sim_wait_interrupt(1000);
    }
    say(T, "Bye!!");
    return 0;
}

