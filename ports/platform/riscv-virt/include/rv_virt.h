/*
 * rv_virt.h - board services of the riscv-virt port for firmware code
 * (the library itself only uses esp_amp_platform.h / esp_amp_env.h).
 *
 * Start-up: start.S runs rv_virt_c_start(), which enables interrupts
 * globally (mstatus.MIE; individual sources stay off until a doorbell
 * handler is installed) and calls the image's main(). When main() returns:
 *   - main image: the run ends, rv_virt_exit(return value);
 *   - sub image: a non-zero value ends the run as a failure; zero leaves
 *     the hart idling in WFI, still serving its doorbell interrupt.
 */
#ifndef RV_VIRT_H
#define RV_VIRT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

int main(void);

/* UART (16550). Output of both harts is serialised line by line. */
void rv_virt_puts(const char *s);
/* Formats %s %c %d %i %u %x %X %p %% with optional '0', width,
 * precision (for %s, also ".*") and 'l'/'ll'. One call is printed without
 * interleaving with the other hart. */
int rv_virt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same formats into buf (always terminated when size > 0); returns the
 * length the whole output would have. */
int rv_virt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int rv_virt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* End the emulation through the sifive_test device: 0 = pass, otherwise
 * QEMU exits with this code (1..0xffff). */
__attribute__((noreturn)) void rv_virt_exit(int code);

/* Main image only: release hart 1 into the sub image's entry point. */
void rv_virt_start_sub(void);

uint32_t rv_virt_hartid(void);
uint64_t rv_virt_mtime(void);          /* 10 MHz CLINT counter */

/* Sleep until an interrupt is pending or timeout_us have passed (0: no
 * timeout), unless cond(arg) is already true (cond may be NULL: false).
 * The check and the WFI happen with interrupts masked, so a doorbell that
 * lands in between is not lost; its ISR runs before this returns.
 * Returns cond(arg) as seen afterwards. Must be called with interrupts
 * enabled (outside critical sections) for the ISR to run. */
bool rv_virt_wait(bool (*cond)(void *arg), void *arg, uint32_t timeout_us);

/* Number of doorbell interrupts taken on this hart. */
uint32_t rv_virt_doorbell_count(void);

/* Hooks for ports/env/baremetal (also declared by its esp_amp_env_port.h):
 * mask interrupts (mstatus.MIE) returning the previous state / restore it. */
uint32_t esp_amp_port_irq_save(void);
void esp_amp_port_irq_restore(uint32_t state);

#ifdef __cplusplus
}
#endif
#endif /* RV_VIRT_H */
