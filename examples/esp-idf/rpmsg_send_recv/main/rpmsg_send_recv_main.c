/*
 * rpmsg_send_recv_main.c - rpmsg_send_recv on an ESP chip: the exchange of
 * examples/rpmsg_send_recv/demo_exchange.c (described in demo_exchange.h),
 * with an ESP-IDF I/O layer. Main core: the HP core, in the FreeRTOS task
 * of app_main. Sub core: the LP core (ESP32-C6/C5; image lp_rpmsg_sub,
 * built by esp_amp_add_lp_app, lp/lp_main.c) or HP core 1 (ESP32-P4; a task
 * pinned to it, in this image).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "esp_amp.h"
#include "esp_amp_platform.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "sdkconfig.h"

#include "demo_exchange.h"

#if CONFIG_IDF_TARGET_ESP32P4
#define SUB_NAME "HP core 1"
#else
#include "ulp_lp_core.h"
#define SUB_NAME "LP core"
extern const uint8_t lp_bin_start[] asm("_binary_lp_rpmsg_sub_bin_start");
extern const uint8_t lp_bin_end[] asm("_binary_lp_rpmsg_sub_bin_end");
#endif

/* One printf per line: lines of the two cores (ESP32-P4) do not mix. */
static void idf_vsay(const char *core, const char *fmt, va_list ap)
{
    char line[160];
    vsnprintf(line, sizeof line, fmt, ap);
    printf("%s: %s\n", core, line);
}

/* A task waits a tick at a time, checking done() after each. */
static bool idf_wait(bool (*done)(void *), void *arg, uint32_t timeout_us)
{
    uint32_t t0 = esp_amp_platform_get_time_ms();
    while (done == NULL || !done(arg)) {
        vTaskDelay(1);
        if ((esp_amp_platform_get_time_ms() - t0) * 1000u >= timeout_us) {
            return done != NULL && done(arg);
        }
    }
    return true;
}

static void start_sub(void);

static const demo_io_t idf_io = {
    .vsay = idf_vsay,
    .wait = idf_wait,
    .start_sub = start_sub,
};

#if CONFIG_IDF_TARGET_ESP32P4
static void sub_task(void *arg)
{
    (void)demo_sub_core(arg);
    vTaskDelete(NULL);
}

static void start_sub(void)
{
    static const demo_cfg_t sub_cfg = {&idf_io, SUB_INTR, DEMO_ROUNDS, " (HP core 1)"};
    if (xTaskCreatePinnedToCore(sub_task, "amp_sub", 4096, (void *)&sub_cfg, 5, NULL, 1) !=
        pdPASS) {
        printf("MAIN: could not start the sub core\n");
    }
}
#else
static void start_sub(void)
{
    ulp_lp_core_cfg_t cfg = {
        .wakeup_source = ULP_LP_CORE_WAKEUP_SOURCE_HP_CPU,
    };
    if (ulp_lp_core_load_binary(lp_bin_start, (size_t)(lp_bin_end - lp_bin_start)) != ESP_OK ||
        ulp_lp_core_run(&cfg) != ESP_OK) {
        printf("MAIN: could not start the sub core\n");
    }
}
#endif

void app_main(void)
{
    static const demo_cfg_t main_cfg = {&idf_io, MAIN_INTR, DEMO_ROUNDS, ""};
    printf("MAIN: rpmsg_send_recv: main core = HP core, sub core = %s; "
           "main %s, sub %s\n", SUB_NAME, MAIN_INTR ? "interrupt" : "polling",
           SUB_INTR ? "interrupt" : "polling");
    int rc = demo_main_core(&main_cfg);
    printf("rpmsg_send_recv: %s\n", rc == 0 ? "PASS" : "FAIL");
}
