/*
 * demo_exchange.c - both cores of the rpmsg_send_recv demo (see
 * demo_exchange.h); the variants supply only the I/O layer.
 */
#include "demo_exchange.h"

#include "esp_amp_env.h"
#include "esp_amp_platform.h"

void demo_say(const demo_cfg_t *cfg, const char *core, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cfg->io->vsay(core, fmt, ap);
    va_end(ap);
}

static void copy_bytes(void *dst, const void *src, uint32_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--) {
        *d++ = *s++;
    }
}

/* "prefix" followed by n in decimal, terminated; returns the length with
 * the terminator (what the demo sends). */
static uint16_t put_text(char *buf, uint16_t size, const char *prefix, int n)
{
    char digits[12];
    int nd = 0;
    unsigned u = n < 0 ? 0u - (unsigned)n : (unsigned)n;
    do {
        digits[nd++] = (char)('0' + u % 10u);
        u /= 10u;
    } while (u != 0);
    if (n < 0) {
        digits[nd++] = '-';
    }
    uint16_t len = 0;
    while (*prefix != '\0' && len + 1 < size) {
        buf[len++] = *prefix++;
    }
    while (nd > 0 && len + 1 < size) {
        buf[len++] = digits[--nd];
    }
    buf[len++] = '\0';
    return len;
}

static bool starts_with(const void *msg, uint16_t len, const char *prefix)
{
    const char *s = msg;
    for (uint16_t i = 0; prefix[i] != '\0'; i++) {
        if (i >= len || s[i] != prefix[i]) {
            return false;
        }
    }
    return true;
}

static bool flag_set(void *arg)
{
    return *(volatile bool *)arg;
}

/* ------------------------------------------------------------ sub core */

static const demo_cfg_t *s_cfg;
static esp_amp_rpmsg_dev_t s_dev;
static esp_amp_rpmsg_ept_t s_ept[4];
static volatile bool s_quit;

static void sub_reply(uint16_t ept, uint16_t dst, int value)
{
    int *msg = esp_amp_rpmsg_create_message(&s_dev, sizeof(int),
                                            ESP_AMP_RPMSG_DATA_DEFAULT);
    if (msg == NULL) {
        demo_say(s_cfg, "SUB", "[RPC%u]: FATAL! Failed to send results", ept);
        return;
    }
    copy_bytes(msg, &value, sizeof value);
    esp_amp_rpmsg_send_nocopy(&s_dev, &s_ept[ept], dst, msg, sizeof(int));
    demo_say(s_cfg, "SUB", "[RPC%u]: Results sent", ept);
}

static int sub_ept0_cb(void *msg, uint16_t len, uint16_t src, void *arg)
{
    (void)arg;
    static int count;
    demo_say(s_cfg, "SUB", "[EPT%u]: %.*s (%s context)", src, (int)len,
             (char *)msg, esp_amp_env_in_isr() ? "ISR" : "task");
    esp_amp_rpmsg_destroy(&s_dev, msg);
    char *extra = esp_amp_rpmsg_create_message(&s_dev, 30,
                                               ESP_AMP_RPMSG_DATA_DEFAULT);
    if (extra != NULL) {
        uint16_t n = put_text(extra, 30, "Extra Msg: ", count++);
        esp_amp_rpmsg_send_nocopy(&s_dev, &s_ept[0], 0, extra, n);
    } else {
        demo_say(s_cfg, "SUB", "Failed to send extra msg!");
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
    demo_say(s_cfg, "SUB", "[RPC%u]: Receive RPC(%s) request from main core", ept,
             ept == 1 ? "add" : "multiply");
    demo_say(s_cfg, "SUB", "Result: %d %s %d = %d", ab[0], ept == 1 ? "+" : "x",
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

int demo_sub_core(const demo_cfg_t *cfg)
{
    s_cfg = cfg;
    demo_say(cfg, "SUB", "Hello!! %s-based RPMsg handling on the sub core%s",
             cfg->intr ? "interrupt" : "polling", cfg->label);
    if (esp_amp_init() != 0 ||
        esp_amp_rpmsg_sub_init(&s_dev, true, !cfg->intr) != 0) {
        demo_say(cfg, "SUB", "init failed: %s",
                 esp_amp_err_name(esp_amp_get_last_error()));
        return 1;
    }
    if (cfg->intr && esp_amp_rpmsg_intr_enable(&s_dev) != 0) {
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
        if (!cfg->intr) {
            while (esp_amp_rpmsg_poll(&s_dev) == 0) {
            }
        }
        if (sent < cfg->rounds &&
            (int32_t)(esp_amp_platform_get_time_ms() - next) >= 0) {
            next += TICK_MS;
            char *msg = esp_amp_rpmsg_create_message(&s_dev, 48,
                                                     ESP_AMP_RPMSG_DATA_DEFAULT);
            if (msg != NULL) {
                uint16_t n = put_text(msg, 48, "Normal Msg: ", sent++);
                esp_amp_rpmsg_send_nocopy(&s_dev, &s_ept[0], flip ? 0 : 1, msg, n);
                flip = !flip;
            } else {
                demo_say(cfg, "SUB", "Failed to send msg!");
            }
        }
        cfg->io->wait(flag_set, (void *)&s_quit, 1000);
    }
    demo_say(cfg, "SUB", "Bye!!");
    esp_amp_sw_intr_trigger(SW_INTR_BYE);
    return 0;
}

/* ----------------------------------------------------------- main core */

static int on_flag_intr(demo_main_t *m, volatile bool *flag)
{
    *flag = true;
    if (m->cfg->io->wake_from_isr != NULL) {
        m->cfg->io->wake_from_isr();
    }
    return 0;
}

static int on_ready(void *arg)
{
    demo_main_t *m = arg;
    return on_flag_intr(m, &m->sub_ready);
}

static int on_bye(void *arg)
{
    demo_main_t *m = arg;
    return on_flag_intr(m, &m->sub_bye);
}

int demo_main_setup(demo_main_t *m, const demo_cfg_t *cfg,
                    esp_amp_ept_cb_t cb, void *const cb_arg[3])
{
    m->cfg = cfg;
    m->seed = 42;
    if (esp_amp_init() != 0 ||
        esp_amp_rpmsg_main_init(&m->dev, QUEUE_LEN, ITEM_SIZE, true, !cfg->intr) != 0) {
        demo_say(cfg, "MAIN", "init failed: %s",
                 esp_amp_err_name(esp_amp_get_last_error()));
        return -1;
    }
    for (uint16_t i = 0; i < 3; i++) {
        if (esp_amp_rpmsg_create_endpoint(&m->dev, i, cb, cb_arg[i], &m->ept[i]) == NULL) {
            demo_say(cfg, "MAIN", "endpoint %u: %s", i,
                     esp_amp_err_name(esp_amp_get_last_error()));
            return -1;
        }
    }
    if (cfg->intr && esp_amp_rpmsg_intr_enable(&m->dev) != 0) {
        demo_say(cfg, "MAIN", "intr_enable: %s",
                 esp_amp_err_name(esp_amp_get_last_error()));
        return -1;
    }
    esp_amp_sw_intr_add_handler(SW_INTR_READY, on_ready, m);
    esp_amp_sw_intr_add_handler(SW_INTR_BYE, on_bye, m);
    demo_say(cfg, "MAIN", "%s%s-based RPMsg handling on the main core", cfg->label,
             cfg->intr ? "interrupt" : "polling");
    return 0;
}

bool demo_main_timed_out(const demo_main_t *m)
{
    return esp_amp_platform_get_time_ms() - m->t0 > DEMO_DEADLINE_MS;
}

bool demo_main_wait_ready(demo_main_t *m)
{
    m->t0 = esp_amp_platform_get_time_ms();
    m->cfg->io->start_sub();
    while (!m->cfg->io->wait(flag_set, (void *)&m->sub_ready, 100000)) {
        if (demo_main_timed_out(m)) {
            demo_say(m->cfg, "MAIN", "sub core never became ready: FAIL");
            return false;
        }
    }
    demo_say(m->cfg, "MAIN", "sub core is ready");
    return true;
}

bool demo_main_show(demo_main_t *m, int ept, const void *msg, uint16_t len)
{
    demo_say(m->cfg, "MAIN", "EPT%d: Message from Sub core ==> %.*s", ept, (int)len,
             (const char *)msg);
    return starts_with(msg, len, "Normal");
}

int demo_main_answer(demo_main_t *m)
{
    const demo_io_t *io = m->cfg->io;
    char *rsp = io->create_message != NULL
                    ? io->create_message(&m->dev, 32)
                    : esp_amp_rpmsg_create_message(&m->dev, 32, ESP_AMP_RPMSG_DATA_DEFAULT);
    if (rsp == NULL) {
        demo_say(m->cfg, "MAIN", "EPT1: Failed to create new message!");
        return -1;
    }
    uint16_t n = put_text(rsp, 32, "Rsp from EPT1: ", m->rsp_count++);
    if (esp_amp_rpmsg_send_nocopy(&m->dev, &m->ept[1], 0, rsp, n) != 0) {
        demo_say(m->cfg, "MAIN", "EPT1: Failed to send: %s",
                 esp_amp_err_name(esp_amp_get_last_error()));
        return -1;
    }
    return 0;
}

static int rand1000(demo_main_t *m)
{
    m->seed = m->seed * 1103515245u + 12345u;
    return (int)((m->seed >> 16) % 1000u);
}

void demo_main_request(demo_main_t *m, int ab[2], uint16_t *dst, int *expect)
{
    ab[0] = rand1000(m);
    ab[1] = rand1000(m);
    *dst = m->algo ? 1 : 2;
    *expect = m->algo ? ab[0] + ab[1] : ab[0] * ab[1];
    demo_say(m->cfg, "MAIN", "Generating %d %s %d = %d", ab[0], m->algo ? "+" : "x",
             ab[1], *expect);
    m->algo = !m->algo;
}

bool demo_main_check(demo_main_t *m, int expect, const void *msg, uint16_t len)
{
    int got = 0;
    if (len == sizeof got) {
        copy_bytes(&got, msg, sizeof got);
    }
    bool ok = len == sizeof got && got == expect;
    demo_say(m->cfg, "MAIN", "Expected %d, got %d, %s", expect, got,
             ok ? "PASS" : "INVALID");
    return ok;
}

static int send_any(demo_main_t *m, esp_amp_rpmsg_ept_t *ept, uint16_t dst,
                    void *data, uint16_t len)
{
    const demo_io_t *io = m->cfg->io;
    return io->send != NULL ? io->send(&m->dev, ept, dst, data, len)
                            : esp_amp_rpmsg_send(&m->dev, ept, dst, data, len);
}

bool demo_main_quit(demo_main_t *m)
{
    /* Retry while the sub core's queue is full. */
    uint32_t t1 = esp_amp_platform_get_time_ms();
    while (send_any(m, &m->ept[0], EPT_QUIT, "quit", 5) != 0) {
        if (esp_amp_platform_get_time_ms() - t1 > 5000u) {
            demo_say(m->cfg, "MAIN", "could not send quit: %s",
                     esp_amp_err_name(esp_amp_get_last_error()));
            return false;
        }
        m->cfg->io->wait(NULL, NULL, 1000);
    }
    t1 = esp_amp_platform_get_time_ms();
    while (!m->cfg->io->wait(flag_set, (void *)&m->sub_bye, 100000)) {
        if (!m->cfg->intr) {
            while (esp_amp_rpmsg_poll(&m->dev) == 0) {
            }
        }
        if (esp_amp_platform_get_time_ms() - t1 > 5000u) {
            demo_say(m->cfg, "MAIN", "no goodbye from the sub core");
            return false;
        }
    }
    return true;
}

void demo_main_report(demo_main_t *m, int failures)
{
    esp_amp_rpmsg_stats_t st;
    esp_amp_rpmsg_get_stats(&m->dev, &st);
    demo_say(m->cfg, "MAIN", "done: %d failures; sent %u, received %u, doorbells rung %u",
             failures, (unsigned)st.tx_msgs, (unsigned)st.rx_msgs,
             (unsigned)st.notifies);
}

/* The one-loop main core: callbacks (ISR or poll) hand messages over
 * through single-producer / single-consumer mailboxes. */
typedef struct {
    void *msg[QUEUE_LEN];
    uint16_t len[QUEUE_LEN];
    volatile unsigned head, tail;
} mailbox_t;

static demo_main_t m_main;
static mailbox_t m_box[3];

static int mailbox_cb(void *msg, uint16_t len, uint16_t src, void *arg)
{
    (void)src;
    mailbox_t *mb = arg;
    if (mb->head - mb->tail == QUEUE_LEN) {
        esp_amp_rpmsg_destroy(&m_main.dev, msg);
        return 0;
    }
    mb->msg[mb->head % QUEUE_LEN] = msg;
    mb->len[mb->head % QUEUE_LEN] = len;
    mb->head++;
    return 0;
}

static bool mailbox_get(mailbox_t *mb, void **msg, uint16_t *len)
{
    bool ok = false;
    esp_amp_env_enter_critical();
    if (mb->head != mb->tail) {
        *msg = mb->msg[mb->tail % QUEUE_LEN];
        *len = mb->len[mb->tail % QUEUE_LEN];
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

int demo_main_core(const demo_cfg_t *cfg)
{
    demo_main_t *m = &m_main;
    void *const boxes[3] = {&m_box[0], &m_box[1], &m_box[2]};
    int failures = 0, normal_seen = 0, rpc_done = 0, expect = 0;
    bool outstanding = false;

    if (demo_main_setup(m, cfg, mailbox_cb, boxes) != 0) {
        return 1;
    }
    if (!demo_main_wait_ready(m)) {
        return 2;
    }
    while (normal_seen < cfg->rounds || rpc_done < cfg->rounds) {
        if (demo_main_timed_out(m)) {
            demo_say(cfg, "MAIN", "timeout (%d normal, %d answers): FAIL",
                     normal_seen, rpc_done);
            return 3;
        }
        if (!cfg->intr) {
            while (esp_amp_rpmsg_poll(&m->dev) == 0) {
            }
        }
        void *msg;
        uint16_t len;
        while (mailbox_get(&m_box[0], &msg, &len)) {
            normal_seen += demo_main_show(m, 0, msg, len);
            esp_amp_rpmsg_destroy(&m->dev, msg);
        }
        while (mailbox_get(&m_box[1], &msg, &len)) {
            normal_seen += demo_main_show(m, 1, msg, len);
            esp_amp_rpmsg_destroy(&m->dev, msg);
            failures += demo_main_answer(m) != 0;
        }
        while (mailbox_get(&m_box[2], &msg, &len)) {
            failures += !demo_main_check(m, expect, msg, len);
            esp_amp_rpmsg_destroy(&m->dev, msg);
            rpc_done++;
            outstanding = false;
        }
        if (!outstanding && rpc_done < cfg->rounds) {
            int ab[2];
            uint16_t dst;
            demo_main_request(m, ab, &dst, &expect);
            if (send_any(m, &m->ept[2], dst, ab, sizeof ab) == 0) {
                outstanding = true;
            } else {
                demo_say(cfg, "MAIN", "Failed to send requests!");
                m->algo = !m->algo; /* the same request again */
            }
        }
        cfg->io->wait(any_mail, NULL, cfg->intr ? 100000 : 1000);
    }
    failures += !demo_main_quit(m);
    /* Late messages (e.g. the last "Extra Msg") are given back. */
    if (!cfg->intr) {
        while (esp_amp_rpmsg_poll(&m->dev) == 0) {
        }
    }
    for (int i = 0; i < 3; i++) {
        void *msg;
        uint16_t len;
        while (mailbox_get(&m_box[i], &msg, &len)) {
            esp_amp_rpmsg_destroy(&m->dev, msg);
        }
    }
    demo_main_report(m, failures);
    return failures ? 1 : 0;
}
