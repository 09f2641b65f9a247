/*
 * demo_sub.c - rpmsg_send_recv on the RISC-V target, sub core (hart 1).
 * See demo_main.c for the exchange. This is a separately linked image with
 * its own copy of the library; it is started by the main core.
 */
#include <stdbool.h>
#include <stdint.h>

#include "esp_amp.h"
#include "esp_amp_env.h"
#include "esp_amp_platform.h"
#include "rv_virt.h"
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

static void sub_reply(uint16_t ept, uint16_t dst, int value)
{
    int *msg = esp_amp_rpmsg_create_message(&s_dev, sizeof(int),
                                            ESP_AMP_RPMSG_DATA_DEFAULT);
    if (msg == NULL) {
        rv_virt_printf("SUB: [RPC%u]: FATAL! Failed to send results\n", ept);
        return;
    }
    copy_bytes(msg, &value, sizeof value);
    esp_amp_rpmsg_send_nocopy(&s_dev, &s_ept[ept], dst, msg, sizeof(int));
    rv_virt_printf("SUB: [RPC%u]: Results sent\n", ept);
}

static int sub_ept0_cb(void *msg, uint16_t len, uint16_t src, void *arg)
{
    (void)arg;
    static int count;
    rv_virt_printf("SUB: [EPT%u]: %.*s (%s context)\n", src, (int)len,
                   (char *)msg, esp_amp_env_in_isr() ? "ISR" : "task");
    esp_amp_rpmsg_destroy(&s_dev, msg);
    char *extra = esp_amp_rpmsg_create_message(&s_dev, 30,
                                               ESP_AMP_RPMSG_DATA_DEFAULT);
    if (extra != NULL) {
        int n = rv_virt_snprintf(extra, 30, "Extra Msg: %d", count++);
        esp_amp_rpmsg_send_nocopy(&s_dev, &s_ept[0], 0, extra, (uint16_t)(n + 1));
    } else {
        rv_virt_puts("SUB: Failed to send extra msg!");
    }
    return 0;
}

static int sub_rpc_cb(void *msg, uint16_t len, uint16_t src, void *arg)
{
    uint16_t ept = (uint16_t)(uintptr_t)arg;
    int ab[2] = {0, 0};
    copy_bytes(ab, msg, len < sizeof ab ? len : sizeof ab);
    esp_amp_rpmsg_destroy(&s_dev, msg);
    int c = ept == 1 ? ab[0] + ab[1] : ab[0] * ab[1];
    rv_virt_printf("SUB: [RPC%u]: Receive RPC(%s) request from main core\n", ept,
                   ept == 1 ? "add" : "multiply");
    rv_virt_printf("SUB: Result: %d %s %d = %d\n", ab[0], ept == 1 ? "+" : "x",
                   ab[1], c);
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

static bool quit_set(void *arg)
{
    (void)arg;
    return s_quit;
}

int main(void)
{
    rv_virt_printf("SUB: Hello!! %s-based RPMsg handling on the sub core (hart %u)\n",
                   DEMO_INTR ? "interrupt" : "polling", (unsigned)rv_virt_hartid());
    if (esp_amp_init() != 0 || esp_amp_rpmsg_sub_init(&s_dev, true, !DEMO_INTR) != 0) {
        rv_virt_printf("SUB: init failed: %s\n",
                       esp_amp_err_name(esp_amp_get_last_error()));
        return 1;
    }
    if (DEMO_INTR && esp_amp_rpmsg_intr_enable(&s_dev) != 0) {
        return 1;
    }
    esp_amp_rpmsg_create_endpoint(&s_dev, 0, sub_ept0_cb, NULL, &s_ept[0]);
    esp_amp_rpmsg_create_endpoint(&s_dev, 1, sub_rpc_cb, (void *)1, &s_ept[1]);
    esp_amp_rpmsg_create_endpoint(&s_dev, 2, sub_rpc_cb, (void *)2, &s_ept[2]);
    esp_amp_rpmsg_create_endpoint(&s_dev, EPT_QUIT, sub_quit_cb, NULL, &s_ept[3]);
    esp_amp_sw_intr_trigger(SW_INTR_READY);

    int sent = 0;
    bool flip = true;
    uint32_t next = esp_amp_platform_get_time_ms();
    while (!s_quit) {
        if (!DEMO_INTR) {
            while (esp_amp_rpmsg_poll(&s_dev) == 0) {
            }
        }
        if (sent < DEMO_ROUNDS &&
            (int32_t)(esp_amp_platform_get_time_ms() - next) >= 0) {
            next += TICK_MS;
            char *msg = esp_amp_rpmsg_create_message(&s_dev, 48,
                                                     ESP_AMP_RPMSG_DATA_DEFAULT);
            if (msg != NULL) {
                int n = rv_virt_snprintf(msg, 48, "Normal Msg: %d", sent++);
                esp_amp_rpmsg_send_nocopy(&s_dev, &s_ept[0], flip ? 0 : 1, msg,
                                          (uint16_t)(n + 1));
                flip = !flip;
            } else {
                rv_virt_puts("SUB: Failed to send msg!");
            }
        }
        rv_virt_wait(quit_set, NULL, 1000);
    }
    rv_virt_puts("SUB: Bye!!");
    esp_amp_sw_intr_trigger(SW_INTR_BYE);
    return 0;   /* idle in WFI */
}
