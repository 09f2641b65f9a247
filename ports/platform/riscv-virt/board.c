/*
 * board.c - start-up in C, sub-core release, UART console and the
 * sifive_test finisher. Compiled once per image: RV_VIRT_IMAGE_MAIN for
 * the main image (it owns the board page and the UART set-up).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rv_virt.h"
#include "rv_virt_csr.h"

extern uint8_t __rv_board_base[];
extern uint8_t __rv_sub_entry[];

#define BOARD_WORD(off) ((uint32_t *)(void *)(__rv_board_base + (off)))

/* 16550 registers (reg-shift 0 on QEMU virt). */
#define UART_THR 0u
#define UART_IER 1u
#define UART_FCR 2u
#define UART_LCR 3u
#define UART_LSR 5u
#define UART_LSR_THRE 0x20u

static void uart_putc(char c)
{
    while ((rv_mmio_r8(RV_UART0_BASE + UART_LSR) & UART_LSR_THRE) == 0) {
    }
    rv_mmio_w8(RV_UART0_BASE + UART_THR, (uint8_t)c);
}

#ifdef RV_VIRT_IMAGE_MAIN
static void uart_init(void)
{
    rv_mmio_w8(RV_UART0_BASE + UART_IER, 0x00);   /* no UART interrupts   */
    rv_mmio_w8(RV_UART0_BASE + UART_LCR, 0x03);   /* 8N1                  */
    rv_mmio_w8(RV_UART0_BASE + UART_FCR, 0x07);   /* FIFOs on and cleared */
}
#endif

void rv_virt_uart_raw_puts(const char *s)
{
    while (*s) {
        uart_putc(*s++);
    }
}

/* The console lock lives in the board page, seen by both images. It is
 * taken with interrupts masked so an ISR on the same hart cannot spin on
 * a lock its own task holds. */
static uint32_t console_lock(void)
{
    uint32_t st = esp_amp_port_irq_save();
    uint32_t *lock = BOARD_WORD(RV_BOARD_UART_LOCK_OFF);
    while (__atomic_exchange_n(lock, 1u, __ATOMIC_ACQUIRE) != 0) {
        while (__atomic_load_n(lock, __ATOMIC_RELAXED) != 0) {
        }
    }
    return st;
}

static void console_unlock(uint32_t st)
{
    __atomic_store_n(BOARD_WORD(RV_BOARD_UART_LOCK_OFF), 0u, __ATOMIC_RELEASE);
    esp_amp_port_irq_restore(st);
}

void rv_virt_puts(const char *s)
{
    uint32_t st = console_lock();
    rv_virt_uart_raw_puts(s);
    uart_putc('\n');
    console_unlock(st);
}

/* A small formatter writing through put(c, ctx). */
typedef void (*put_fn)(char c, void *ctx);

static int put_num(put_fn put, void *ctx, uint64_t v, unsigned base,
                   bool upper, bool neg, unsigned width, char pad)
{
    char tmp[24];
    unsigned n = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v != 0 && n < sizeof(tmp));
    int out = 0;
    if (neg && pad == '0') {
        put('-', ctx);
        out++;
    }
    unsigned len = n + (neg ? 1u : 0u);
    while (width > len) {
        put(pad, ctx);
        width--;
        out++;
    }
    if (neg && pad != '0') {
        put('-', ctx);
        out++;
    }
    while (n > 0) {
        put(tmp[--n], ctx);
        out++;
    }
    return out;
}

static int vformat(put_fn put, void *ctx, const char *fmt, va_list ap)
{
    int out = 0;
    for (const char *p = fmt; *p != '\0'; p++) {
        if (*p != '%') {
            put(*p, ctx);
            out++;
            continue;
        }
        p++;
        char pad = ' ';
        unsigned width = 0;
        int prec = -1;
        int lng = 0;
        if (*p == '0') {
            pad = '0';
            p++;
        }
        while (*p >= '0' && *p <= '9') {
            width = width * 10u + (unsigned)(*p - '0');
            p++;
        }
        if (*p == '.') {
            p++;
            if (*p == '*') {
                prec = va_arg(ap, int);
                p++;
            } else {
                prec = 0;
                while (*p >= '0' && *p <= '9') {
                    prec = prec * 10 + (*p - '0');
                    p++;
                }
            }
        }
        while (*p == 'l') {
            lng++;
            p++;
        }
        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = lng >= 2 ? va_arg(ap, long long)
                        : lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
            uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            out += put_num(put, ctx, m, 10, false, v < 0, width, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = lng >= 2 ? va_arg(ap, unsigned long long)
                         : lng == 1 ? va_arg(ap, unsigned long)
                                    : va_arg(ap, unsigned int);
            out += put_num(put, ctx, v, *p == 'u' ? 10u : 16u, *p == 'X',
                           false, width, pad);
            break;
        }
        case 'p':
            put('0', ctx);
            put('x', ctx);
            out += 2 + put_num(put, ctx, (uintptr_t)va_arg(ap, void *), 16,
                               false, false, 8, '0');
            break;
        case 'c':
            put((char)va_arg(ap, int), ctx);
            out++;
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s == NULL) {
                s = "(null)";
            }
            unsigned len = 0;
            while (s[len] != '\0' && (prec < 0 || len < (unsigned)prec)) {
                len++;
            }
            while (width > len) {
                put(' ', ctx);
                width--;
                out++;
            }
            for (unsigned i = 0; i < len; i++) {
                put(s[i], ctx);
            }
            out += (int)len;
            break;
        }
        case '%':
            put('%', ctx);
            out++;
            break;
        case '\0':
            p--;
            break;
        default:
            put('%', ctx);
            put(*p, ctx);
            out += 2;
            break;
        }
    }
    return out;
}

static void put_uart(char c, void *ctx)
{
    (void)ctx;
    uart_putc(c);
}

int rv_virt_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    uint32_t st = console_lock();
    int out = vformat(put_uart, NULL, fmt, ap);
    console_unlock(st);
    va_end(ap);
    return out;
}

typedef struct {
    char *buf;
    size_t size;
    size_t len;
} strbuf_t;

static void put_buf(char c, void *ctx)
{
    strbuf_t *sb = ctx;
    if (sb->len + 1 < sb->size) {
        sb->buf[sb->len] = c;
    }
    sb->len++;
}

int rv_virt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    strbuf_t sb = {buf, size, 0};
    int out = vformat(put_buf, &sb, fmt, ap);
    if (size > 0) {
        buf[sb.len < size ? sb.len : size - 1] = '\0';
    }
    return out;
}

int rv_virt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int out = rv_virt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return out;
}

void rv_virt_exit(int code)
{
    uint32_t c = (uint32_t)code & 0xffffu;
    if (code != 0 && c == 0) {
        c = 1;
    }
    rv_fence_all();
    rv_mmio_w32(RV_SIFIVE_TEST_BASE, c == 0 ? RV_TEST_PASS : (c << 16) | RV_TEST_FAIL);
    for (;;) {
        __asm__ volatile("wfi");
    }
}

#ifdef RV_VIRT_IMAGE_MAIN
void rv_virt_start_sub(void)
{
    __atomic_store_n(BOARD_WORD(RV_BOARD_RELEASE_ENTRY_OFF),
                     (uint32_t)(uintptr_t)__rv_sub_entry, __ATOMIC_RELAXED);
    __atomic_store_n(BOARD_WORD(RV_BOARD_RELEASE_MAGIC_OFF), RV_RELEASE_MAGIC,
                     __ATOMIC_RELEASE);
    rv_fence_all();
    rv_mmio_w32(RV_CLINT_MSIP(RV_SUB_HART), 1);
}
#endif

void rv_virt_c_start(void);
void rv_virt_c_start(void)
{
#ifdef RV_VIRT_IMAGE_MAIN
    /* Hart 1 is parked and only reads the mailbox after an MSIP from us. */
    *BOARD_WORD(RV_BOARD_RELEASE_MAGIC_OFF) = 0;
    *BOARD_WORD(RV_BOARD_RELEASE_ENTRY_OFF) = 0;
    *BOARD_WORD(RV_BOARD_UART_LOCK_OFF) = 0;
    uart_init();
#endif
    RV_CSR_SET(mstatus, RV_MSTATUS_MIE);
    int rc = main();
#ifdef RV_VIRT_IMAGE_MAIN
    rv_virt_exit(rc);
#else
    if (rc != 0) {
        rv_virt_printf("sub: main() returned %d\n", rc);
        rv_virt_exit(rc);
    }
    for (;;) {
        __asm__ volatile("wfi");
    }
#endif
}
