/*
 * boot_main.c - port bring-up test, main image: UART, release of hart 1,
 * MSIP doorbells both ways, mtime, sifive_test exit. No library code.
 */
#include <stdbool.h>
#include <stdint.h>

#include "esp_amp_platform.h"
#include "rv_virt.h"

#define PINGS 1000u

static volatile uint32_t s_rx;

static void on_doorbell(void)
{
    s_rx = s_rx + 1;
}

static bool got(void *arg)
{
    return s_rx >= *(uint32_t *)arg;
}

int main(void)
{
    volatile uint32_t *shm = esp_amp_platform_shm_base();
    rv_virt_printf("boot: main core on hart %u, shm %p + %u\n",
                   (unsigned)rv_virt_hartid(), (void *)shm,
                   (unsigned)esp_amp_platform_shm_size());
    if (esp_amp_platform_core_id() != ESP_AMP_CORE_MAIN) {
        return 2;
    }
    shm[0] = 0;
    esp_amp_platform_set_doorbell_handler(on_doorbell);
    uint32_t t0 = esp_amp_platform_get_time_ms();
    rv_virt_start_sub();
    while (__atomic_load_n(&shm[0], __ATOMIC_ACQUIRE) != 1) {
    }
    for (uint32_t i = 1; i <= PINGS; i++) {
        esp_amp_platform_raise_doorbell(ESP_AMP_CORE_SUB);
        while (!rv_virt_wait(got, &i, 0)) {
        }
    }
    esp_amp_platform_delay_us(2000);
    uint32_t t1 = esp_amp_platform_get_time_ms();
    /* A timed wait with nothing to wake us: the CLINT timer ends it. */
    uint64_t w0 = rv_virt_mtime();
    rv_virt_wait(NULL, NULL, 5000);
    uint32_t waited_us = (uint32_t)((rv_virt_mtime() - w0) / 10u);
    char line[48];
    rv_virt_snprintf(line, sizeof line, "%.*s %u us", 10, "timed wait ok?", (unsigned)waited_us);
    rv_virt_printf("boot: %s\n", line);
    if (waited_us < 5000 || waited_us > 500000) {
        rv_virt_puts("boot: FAIL (timed wait)");
        return 1;
    }
    rv_virt_printf("boot: %u doorbell round trips, sub counted %u, %u ms\n",
                   (unsigned)s_rx, (unsigned)shm[1], (unsigned)(t1 - t0));
    if (s_rx != PINGS || shm[1] != PINGS || t1 - t0 < 2) {
        rv_virt_puts("boot: FAIL");
        return 1;
    }
    rv_virt_puts("boot: PASS");
    return 0;
}
