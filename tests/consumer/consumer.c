/*
 * consumer.c - a program of another project using the installed library:
 * two simulated cores (processes), one message each way, both checked.
 * The main core receives on endpoint 1, the sub core on endpoint 2; both
 * poll. Exit 0 and "consumer: PASS" when both cores got their message.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "esp_amp.h"
#include "esp_amp_platform.h"
#include "sim.h"

#define TIMEOUT_MS 10000u

static int g_ready[2]; /* main core -> parent: initialised, start the sub */
static esp_amp_rpmsg_dev_t dev;
static esp_amp_rpmsg_ept_t ept;
static char got[32];

static int on_msg(void *data, uint16_t len, uint16_t src, void *arg)
{
    (void)src, (void)arg;
    snprintf(got, sizeof got, "%.*s", (int)len, (const char *)data);
    esp_amp_rpmsg_destroy(&dev, data);
    return 0;
}

/* Send `text` to `dst` (retried while the link comes up), then poll until a
 * message arrives (if `recv_first`, the other way round); the received text
 * must be `want`. */
static int exchange(uint16_t dst, const char *text, const char *want, int recv_first)
{
    uint32_t t0 = esp_amp_platform_get_time_ms();
    int sent = 0;
    while (esp_amp_platform_get_time_ms() - t0 < TIMEOUT_MS) {
        esp_amp_rpmsg_poll(&dev);
        if (!sent && (!recv_first || got[0] != '\0')) {
            sent = esp_amp_rpmsg_send(&dev, &ept, dst, (void *)text,
                                      (uint16_t)strlen(text)) == 0;
        }
        if (sent && got[0] != '\0') {
            printf("consumer: core %d got \"%s\"\n", esp_amp_platform_core_id(), got);
            return strcmp(got, want) != 0;
        }
        esp_amp_platform_delay_us(100);
    }
    printf("consumer: core %d timed out\n", esp_amp_platform_core_id());
    return 1;
}

static int main_core(void *arg)
{
    (void)arg;
    if (esp_amp_init() != 0 || esp_amp_rpmsg_main_init(&dev, 8, 64, false, true) != 0 ||
        esp_amp_rpmsg_create_endpoint(&dev, 1, on_msg, NULL, &ept) == NULL ||
        write(g_ready[1], "r", 1) != 1) {
        return 1;
    }
    return exchange(2, "hello sub", "hello main", 1);
}

static int sub_core(void *arg)
{
    (void)arg;
    if (esp_amp_init() != 0 || esp_amp_rpmsg_sub_init(&dev, false, true) != 0 ||
        esp_amp_rpmsg_create_endpoint(&dev, 2, on_msg, NULL, &ept) == NULL) {
        return 1;
    }
    return exchange(1, "hello main", "hello sub", 0);
}

int main(void)
{
    char c;
    int rc_main = 1, rc_sub = 1;
    if (pipe(g_ready) != 0 || sim_init(64 * 1024) != 0 ||
        sim_start_core(ESP_AMP_CORE_MAIN, SIM_PROCESS, main_core, NULL) != 0) {
        return 1;
    }
    if (read(g_ready[0], &c, 1) == 1 &&
        sim_start_core(ESP_AMP_CORE_SUB, SIM_PROCESS, sub_core, NULL) == 0) {
        sim_join_core(ESP_AMP_CORE_SUB, &rc_sub);
    }
    sim_join_core(ESP_AMP_CORE_MAIN, &rc_main);
    sim_deinit();
    printf("consumer: %s\n", rc_main == 0 && rc_sub == 0 ? "PASS" : "FAIL");
    return rc_main == 0 && rc_sub == 0 ? 0 : 1;
}
