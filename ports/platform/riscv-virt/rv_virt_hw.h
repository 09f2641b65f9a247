/*
 * rv_virt_hw.h - QEMU "virt" machine registers and the board page layout.
 * Private to the port; included from C and from start.S.
 */
#ifndef RV_VIRT_HW_H
#define RV_VIRT_HW_H

#ifdef __ASSEMBLER__
#define RV_U(x) x
#else
#define RV_U(x) x##u
#endif

/* Devices (QEMU hw/riscv/virt.c memory map). */
#define RV_SIFIVE_TEST_BASE RV_U(0x00100000)
#define RV_CLINT_BASE RV_U(0x02000000)
#define RV_CLINT_MSIP(h) (RV_CLINT_BASE + RV_U(4) * (h))      /* 32-bit, bit 0  */
#define RV_CLINT_MTIMECMP(h) (RV_CLINT_BASE + RV_U(0x4000) + RV_U(8) * (h))
#define RV_CLINT_MTIME (RV_CLINT_BASE + RV_U(0xbff8))         /* 64-bit counter */
#define RV_UART0_BASE RV_U(0x10000000)
#define RV_MTIME_HZ RV_U(10000000)                            /* 10 MHz         */

/* sifive_test: finisher codes. */
#define RV_TEST_PASS RV_U(0x5555)
#define RV_TEST_FAIL RV_U(0x3333)      /* | (exit_code << 16) */

/* CSR bits. */
#define RV_MSTATUS_MIE RV_U(0x8)
#define RV_MIE_MSIE RV_U(0x8)
#define RV_MIE_MTIE RV_U(0x80)
#define RV_MIP_MSIP RV_U(0x8)
#define RV_MCAUSE_INTR RV_U(0x80000000)
#define RV_IRQ_M_SOFT RV_U(3)
#define RV_IRQ_M_TIMER RV_U(7)

/* Harts: the main core is hart 0, the sub core hart 1. */
#define RV_MAIN_HART 0
#define RV_SUB_HART 1

/* Board page (at __rv_board_base, outside both images): */
#define RV_BOARD_RELEASE_MAGIC_OFF 0   /* word: RV_RELEASE_MAGIC = go        */
#define RV_BOARD_RELEASE_ENTRY_OFF 4   /* word: address hart 1 jumps to      */
#define RV_BOARD_UART_LOCK_OFF 64      /* word: spinlock, own 64-byte line   */
#define RV_RELEASE_MAGIC RV_U(0x53554231)   /* "1BUS" */

#endif /* RV_VIRT_HW_H */
