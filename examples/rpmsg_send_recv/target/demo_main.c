/*
 * demo_main.c - rpmsg_send_recv on the RISC-V target, main core (hart 0).
 *
 * The exchange of ESP-AMP's example of the same name (and of the host
 * demo in ../rpmsg_send_recv.c):
 *   - the sub core sends "Normal Msg: N" alternately to main endpoints 0
 *     and 1;
 *   - main endpoint 1 answers each with "Rsp from EPT1: N" to sub endpoint
 *     0, which answers with "Extra Msg: N" to main endpoint 0;
 *   - main endpoint 2 asks sub endpoint 1 to add and sub endpoint 2 to
 *     multiply pairs of numbers, and checks every answer.
 * After DEMO_ROUNDS normal messages and DEMO_ROUNDS checked answers the
 * main core sends "quit" to sub endpoint 3, waits for the sub core's
 * goodbye interrupt and ends the emulation: exit code 0 = PASS.
 *
 * DEMO_INTR=1: callbacks run in the doorbell ISR; 0: this core polls.
 */
#include <stdbool.h>
#include <stdint.h>

#include "esp_amp.h"
#include "esp_amp_env.h"
#include "esp_amp_platform.h"
#include "rv_virt.h"
#include "demo_cfg.h"

#define BOX_LEN QUEUE_LEN

/* Received messages handed from the callback (ISR or poll) to the loop. */
typedef struct {
    void *msg[BOX_LEN];
    uint16_t len[BOX_LEN];
    volatile unsigned head, tail;
} mailbox_t;

static esp_amp_rpmsg_dev_t m_dev;
static esp_amp_rpmsg_ept_t m_ept[3];
static mailbox_t m_box[3];
static volatile bool m_sub_ready, m_sub_bye;

static bool mailbox_put(mailbox_t *mb, void *msg, uint16_t len)
{
    if (mb->head - mb->tail == BOX_LEN) {
        return false;
    }
    mb->msg[mb->head % BOX_LEN] = msg;
    mb->len[mb->head % BOX_LEN] = len;
    mb->head++;
    return true;
}

static bool mailbox_get(mailbox_t *mb, void **msg, uint16_t *len)
{
    bool ok = false;
    esp_amp_env_enter_critical();
    if (mb->head != mb->tail) {
        *msg = mb->msg[mb->tail % BOX_LEN];
        *len = mb->len[mb->tail % BOX_LEN];
        mb->tail++;
        ok = true;
    }
    esp_amp_env_exit_critical();
    return ok;
}

static bool any_mail(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        if (m_box[i].head != m_box[i].tail) {
            return true;
        }
    }
    return false;
}

static bool flag_set(void *arg)
{
    return *(volatile bool *)arg;
}

static int main_ept_cb(void *msg, uint16_t len, uint16_t src, void *arg)
{
    (void)src;
    if (!mailbox_put(arg, msg, len)) {
        esp_amp_rpmsg_destroy(&m_dev, msg);
    }
    return 0;
}

static int on_sw_intr(void *arg)
{
    *(volatile bool *)arg = true;
    return 0;
}

static bool starts_with(const char *s, uint16_t len, const char *prefix)
{
    for (uint16_t i = 0; prefix[i] != '\0'; i++) {
        if (i >= len || s[i] != prefix[i]) {
            return false;
        }
    }
    return true;
}

static uint32_t s_seed = 42;
static int rand1000(void)
{
    s_seed = s_seed * 1103515245u + 12345u;
    return (int)((s_seed >> 16) % 1000u);
}

static void copy_bytes(void *dst, const void *src, uint32_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--) {
        *d++ = *s++;
    }
}

int main(void)
{
    int failures = 0, normal_seen = 0, rpc_done = 0, rsp_count = 0;
    int expect = 0, outstanding = 0, algo = 0;

    rv_virt_printf("MAIN: rpmsg_send_recv on QEMU virt, hart %u, %s mode\n",
                   (unsigned)rv_virt_hartid(), DEMO_INTR ? "interrupt" : "polling");
    if (esp_amp_init() != 0 ||
        esp_amp_rpmsg_main_init(&m_dev, QUEUE_LEN, ITEM_SIZE, true, !DEMO_INTR) != 0) {
        rv_virt_printf("MAIN: init failed: %s\n",
                       esp_amp_err_name(esp_amp_get_last_error()));
        return 1;
    }
    for (uint16_t i = 0; i < 3; i++) {
        if (esp_amp_rpmsg_create_endpoint(&m_dev, i, main_ept_cb, &m_box[i],
                                          &m_ept[i]) == NULL) {
            return 1;
        }
    }
    if (DEMO_INTR && esp_amp_rpmsg_intr_enable(&m_dev) != 0) {
        return 1;
    }
    esp_amp_sw_intr_add_handler(SW_INTR_READY, on_sw_intr, (void *)&m_sub_ready);
    esp_amp_sw_intr_add_handler(SW_INTR_BYE, on_sw_intr, (void *)&m_sub_bye);
    rv_virt_printf("MAIN: %s-based RPMsg handling on the main core\n",
                   DEMO_INTR ? "interrupt" : "polling");

    uint32_t t0 = esp_amp_platform_get_time_ms();
    rv_virt_start_sub();
    while (!rv_virt_wait(flag_set, (void *)&m_sub_ready, 100000)) {
        if (esp_amp_platform_get_time_ms() - t0 > DEMO_DEADLINE_MS) {
            rv_virt_puts("MAIN: sub core never became ready: FAIL");
            return 2;
        }
    }
    rv_virt_puts("MAIN: sub core is ready");

    while (normal_seen < DEMO_ROUNDS || rpc_done < DEMO_ROUNDS) {
        if (esp_amp_platform_get_time_ms() - t0 > DEMO_DEADLINE_MS) {
            rv_virt_printf("MAIN: timeout (%d normal, %d answers): FAIL\n",
                           normal_seen, rpc_done);
            return 3;
        }
        if (!DEMO_INTR) {
            while (esp_amp_rpmsg_poll(&m_dev) == 0) {
            }
        }
        void *msg;
        uint16_t len;
        while (mailbox_get(&m_box[0], &msg, &len)) {
            rv_virt_printf("MAIN: EPT0: Message from Sub core ==> %.*s\n",
                           (int)len, (char *)msg);
            normal_seen += starts_with(msg, len, "Normal");
            esp_amp_rpmsg_destroy(&m_dev, msg);
        }
        while (mailbox_get(&m_box[1], &msg, &len)) {
            rv_virt_printf("MAIN: EPT1: Message from Sub core ==> %.*s\n",
                           (int)len, (char *)msg);
            normal_seen += starts_with(msg, len, "Normal");
            esp_amp_rpmsg_destroy(&m_dev, msg);
            char *rsp = esp_amp_rpmsg_create_message(&m_dev, 32,
                                                     ESP_AMP_RPMSG_DATA_DEFAULT);
            if (rsp == NULL) {
                rv_virt_puts("MAIN: EPT1: Failed to create new message!");
                failures++;
                continue;
            }
            int n = rv_virt_snprintf(rsp, 32, "Rsp from EPT1: %d", rsp_count++);
            if (esp_amp_rpmsg_send_nocopy(&m_dev, &m_ept[1], 0, rsp,
                                          (uint16_t)(n + 1)) != 0) {
                failures++;
            }
        }
        while (mailbox_get(&m_box[2], &msg, &len)) {
            int got = 0;
            if (len == sizeof got) {
                copy_bytes(&got, msg, sizeof got);
            }
            esp_amp_rpmsg_destroy(&m_dev, msg);
            bool ok = len == sizeof got && got == expect;
            rv_virt_printf("MAIN: Expected %d, got %d, %s\n", expect, got,
                           ok ? "PASS" : "INVALID");
            failures += !ok;
            rpc_done++;
            outstanding = 0;
        }
        if (!outstanding && rpc_done < DEMO_ROUNDS) {
            int ab[2] = {rand1000(), rand1000()};
            uint16_t dst = algo ? 1 : 2;
            expect = algo ? ab[0] + ab[1] : ab[0] * ab[1];
            rv_virt_printf("MAIN: Generating %d %s %d = %d\n", ab[0],
                           algo ? "+" : "x", ab[1], expect);
            algo = !algo;
            if (esp_amp_rpmsg_send(&m_dev, &m_ept[2], dst, ab, sizeof ab) == 0) {
                outstanding = 1;
            } else {
                rv_virt_puts("MAIN: Failed to send requests!");
            }
        }
        rv_virt_wait(any_mail, NULL, DEMO_INTR ? 100000 : 1000);
    }

    /* Tell the sub core to stop (retry while its queue is full) and wait
     * for its goodbye, so that its last words are printed. */
    while (esp_amp_rpmsg_send(&m_dev, &m_ept[0], EPT_QUIT, "quit", 5) != 0) {
        rv_virt_wait(NULL, NULL, 1000);
    }
    uint32_t t1 = esp_amp_platform_get_time_ms();
    while (!rv_virt_wait(flag_set, (void *)&m_sub_bye, 100000)) {
        if (!DEMO_INTR) {
            while (esp_amp_rpmsg_poll(&m_dev) == 0) {
            }
        }
        if (esp_amp_platform_get_time_ms() - t1 > 5000u) {
            rv_virt_puts("MAIN: no goodbye from the sub core");
            failures++;
            break;
        }
    }
    /* Late messages (e.g. the last "Extra Msg") are given back. */
    if (!DEMO_INTR) {
        while (esp_amp_rpmsg_poll(&m_dev) == 0) {
        }
    }
    for (int i = 0; i < 3; i++) {
        void *msg;
        uint16_t len;
        while (mailbox_get(&m_box[i], &msg, &len)) {
            esp_amp_rpmsg_destroy(&m_dev, msg);
        }
    }
    esp_amp_rpmsg_stats_t st;
    esp_amp_rpmsg_get_stats(&m_dev, &st);
    rv_virt_printf("MAIN: done: %d failures; sent %u, received %u, doorbells rung %u, "
                   "doorbell interrupts taken %u\n",
                   failures, (unsigned)st.tx_msgs, (unsigned)st.rx_msgs,
                   (unsigned)st.notifies, (unsigned)rv_virt_doorbell_count());
    rv_virt_printf("rpmsg_send_recv: main core %s mode: %s\n",
                   DEMO_INTR ? "interrupt" : "polling", failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
