/*
 * start.S - reset entry and trap entry of a riscv-virt firmware image.
 *
 * Assembled once per image: RV_VIRT_IMAGE_MAIN for the main image (the
 * machine's reset vector sends every hart to its first byte), nothing for
 * the sub image (entered by hart 1 only, when the main image releases it).
 *
 * Main image, hart 0: set up and run C.   Main image, hart 1: park in a WFI
 * loop with only the software interrupt enabled in mie (mstatus.MIE = 0,
 * so no trap is taken; WFI still wakes) until the main core writes the
 * release mailbox and sets our MSIP; then clear MSIP and jump to the entry
 * in the mailbox (the sub image's _start). Other harts park for ever.
 */
#include "rv_virt_hw.h"

    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    csrw    mie, zero
    csrci   mstatus, RV_MSTATUS_MIE
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
#ifdef RV_VIRT_IMAGE_MAIN
    csrr    t0, mhartid
    bnez    t0, rv_park
#endif
    la      sp, __stack_top
    la      t0, rv_trap_entry
    csrw    mtvec, t0            /* direct mode: entry is 4-byte aligned */

    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sw      zero, 0(t0)
    addi    t0, t0, 4
    j       1b
2:
    call    rv_virt_c_start      /* does not return */
3:  wfi
    j       3b
    .size _start, . - _start

#ifdef RV_VIRT_IMAGE_MAIN
rv_park:
    li      t1, RV_SUB_HART
    bne     t0, t1, 9f
    li      t1, RV_MIE_MSIE
    csrw    mie, t1
    la      t2, __rv_board_base
    li      t3, RV_CLINT_BASE
    slli    t4, t0, 2
    add     t3, t3, t4           /* t3 = &msip[hartid] */
    li      t5, RV_RELEASE_MAGIC
4:  wfi
    csrr    t1, mip
    andi    t1, t1, RV_MIP_MSIP
    beqz    t1, 4b
    sw      zero, 0(t3)          /* consume the wake-up */
    fence   rw, rw
    lw      t1, RV_BOARD_RELEASE_MAGIC_OFF(t2)
    bne     t1, t5, 4b
    fence   rw, rw
    lw      t6, RV_BOARD_RELEASE_ENTRY_OFF(t2)
    csrw    mie, zero
    mv      a0, t0               /* a0 = hartid, as at reset */
    jr      t6
9:  wfi
    j       9b
#endif

/*
 * Trap entry. Interrupts stay disabled while a trap is handled (no
 * nesting); the caller-saved registers go on the interrupted stack and
 * rv_virt_trap(mcause, mepc, mtval) does the rest in C.
 */
    .section .text.rv_trap, "ax", @progbits
    .balign 4
    .globl rv_trap_entry
    .type rv_trap_entry, @function
rv_trap_entry:
    addi    sp, sp, -64
    sw      ra, 0(sp)
    sw      t0, 4(sp)
    sw      t1, 8(sp)
    sw      t2, 12(sp)
    sw      a0, 16(sp)
    sw      a1, 20(sp)
    sw      a2, 24(sp)
    sw      a3, 28(sp)
    sw      a4, 32(sp)
    sw      a5, 36(sp)
    sw      a6, 40(sp)
    sw      a7, 44(sp)
    sw      t3, 48(sp)
    sw      t4, 52(sp)
    sw      t5, 56(sp)
    sw      t6, 60(sp)
    csrr    a0, mcause
    csrr    a1, mepc
    csrr    a2, mtval
    call    rv_virt_trap
    lw      ra, 0(sp)
    lw      t0, 4(sp)
    lw      t1, 8(sp)
    lw      t2, 12(sp)
    lw      a0, 16(sp)
    lw      a1, 20(sp)
    lw      a2, 24(sp)
    lw      a3, 28(sp)
    lw      a4, 32(sp)
    lw      a5, 36(sp)
    lw      a6, 40(sp)
    lw      a7, 44(sp)
    lw      t3, 48(sp)
    lw      t4, 52(sp)
    lw      t5, 56(sp)
    lw      t6, 60(sp)
    addi    sp, sp, 64
    mret
    .size rv_trap_entry, . - rv_trap_entry
