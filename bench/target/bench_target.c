/*
 * bench_target.c - instructions per message on the RISC-V target, counted
 * by the harts themselves (minstret, mcycle) on
 * qemu-system-riscv32 -machine virt -smp 2 -icount shift=0.
 *
 * One source, two images: BENCH_MAIN=1 (main core, hart 0) and
 * BENCH_MAIN=0 (sub core, hart 1), each linked with its own copy of the
 * library, built with the firmware's flags (-Os). Both devices poll (no
 * doorbells): queue length QLEN, item size ITEM, payload SIZE bytes.
 *
 * Under -icount shift=0 QEMU's minstret and mcycle are one virtual
 * instruction counter shared by both harts, not a per-hart count. So the
 * harts take turns: a hart counts only while the other one sleeps in WFI
 * (woken by its CLINT software interrupt when its turn comes, with
 * mstatus.MIE off, so no trap is taken), and QEMU's round-robin scheduler
 * runs a hart until it sleeps. Every window then holds only the counting
 * hart's own instructions, which the calibration below checks.
 *
 * A window is minstret/mcycle read, BATCH iterations of one operation,
 * minstret/mcycle read. One batch of a configuration is a main window and
 * then a sub window:
 *   copy   main: esp_amp_rpmsg_send of SIZE bytes
 *          sub:  esp_amp_rpmsg_poll (the callback destroys the buffer)
 *   zc     main: create_message + memcpy SIZE bytes in + send_nocopy
 *          sub:  esp_amp_rpmsg_poll (the callback destroys the buffer)
 *   empty  both: esp_amp_rpmsg_poll on an empty ring
 *   memcpy main: memcpy of SIZE bytes (the port's libc.c), for reference
 *   loop   both: the same loop with no operation (the harness)
 * Each configuration runs n and 2n messages (n from the control block,
 * written by QEMU's loader; default BENCH_N). The main image prints the
 * summed window counts of both harts per run:
 *   BENCH run cfg=<cfg> n=<n> main_ir=.. main_cy=.. sub_ir=.. sub_cy=..
 * and bench/target/bench_target.py takes the slopes. Any failed call ends
 * the run with a non-zero exit code and a "BENCH FAIL" line.
 */
#include <stdbool.h>
#include <stdint.h>

#include "esp_amp.h"
#include "esp_amp_platform.h"
#include "rv_virt.h"
#include "rv_virt_csr.h"

#ifndef BENCH_MAIN
#error "build with -DBENCH_MAIN=0|1"
#endif
#ifndef BENCH_N
#define BENCH_N 4096u
#endif
#define QLEN 32u   /* the longest ring of the default ESP_AMP_CONFIG_QUEUE_MAX_LEN */
#define ITEM 256u
#define SIZE 64u
#define BATCH 32u
#define EPT_MAIN 1u
#define EPT_SUB 101u
#define CALIB_NOPS 64u
#define MAX_N 1000000u

enum { OP_LOOP, OP_COPY, OP_ZC, OP_EMPTY, OP_MEMCPY, OP_QUIT };

/* Control block in BENCH_RAM (ld/memmap.ld), outside both images. Only
 * the hart whose turn it is touches it; the hand-over is ordered by
 * fences and the CLINT write. */
typedef struct {
    uint32_t n_req;      /* messages per short run; set by QEMU's loader  */
    uint32_t turn;       /* TURN_MAIN or TURN_SUB                         */
    uint32_t op;         /* the sub window's operation                    */
    uint32_t fail;       /* sub: non-zero = failure code                  */
    uint32_t ir, cy;     /* sub: counts of its last window                */
    uint32_t calib;      /* sub: minstret of CALIB_NOPS nops, minus empty */
    uint32_t received;   /* sub: messages delivered to its callback       */
} bench_ctl_t;
#define TURN_MAIN 0x4d41494eu
#define TURN_SUB 0x53554221u

extern uint8_t __rv_bench_base[];
#define CTL ((volatile bench_ctl_t *)(void *)__rv_bench_base)

static esp_amp_rpmsg_dev_t s_dev;
static esp_amp_rpmsg_ept_t s_ept;
static uint8_t s_src[SIZE];
#if BENCH_MAIN
static uint8_t s_dst[SIZE];
#endif
static uint32_t s_received;

#define WHO (BENCH_MAIN ? "main" : "sub")

__attribute__((noreturn)) static void fail(int code, const char *what)
{
    rv_virt_printf("BENCH FAIL %s core: %s (%s)\n", WHO, what,
                   esp_amp_err_name(esp_amp_get_last_error()));
    rv_virt_exit(code);
}

static inline uint32_t rd_instret(void)
{
    uint32_t v;
    __asm__ volatile("csrr %0, minstret" : "=r"(v)::"memory");
    return v;
}

static inline uint32_t rd_cycle(void)
{
    uint32_t v;
    __asm__ volatile("csrr %0, mcycle" : "=r"(v)::"memory");
    return v;
}

/* Sleep until it is our turn. MSIE on in mie and MIE off in mstatus:
 * WFI wakes on our software interrupt and no trap is taken; we clear it
 * ourselves. */
static void wait_turn(uint32_t me)
{
    uint32_t hart = rv_virt_hartid();
    uint32_t mie_old;
    RV_CSR_READ(mie, mie_old);
    uint32_t st = esp_amp_port_irq_save();
    RV_CSR_SET(mie, RV_MIE_MSIE);
    while (__atomic_load_n(&CTL->turn, __ATOMIC_ACQUIRE) != me) {
        __asm__ volatile("wfi" ::: "memory");
        rv_mmio_w32(RV_CLINT_MSIP(hart), 0);
        rv_fence_all();
    }
    rv_mmio_w32(RV_CLINT_MSIP(hart), 0);
    rv_fence_all();
    if ((mie_old & RV_MIE_MSIE) == 0) {
        RV_CSR_CLEAR(mie, RV_MIE_MSIE);
    }
    esp_amp_port_irq_restore(st);
}

static void give_turn(uint32_t peer)
{
    __atomic_store_n(&CTL->turn, peer, __ATOMIC_RELEASE);
    rv_fence_all();
    rv_mmio_w32(RV_CLINT_MSIP(peer == TURN_MAIN ? RV_MAIN_HART : RV_SUB_HART), 1);
}

static int on_msg(void *data, uint16_t len, uint16_t from, void *arg)
{
    (void)len;
    (void)from;
    (void)arg;
    s_received++;
    return esp_amp_rpmsg_destroy(&s_dev, data);
}

/* minstret of CALIB_NOPS nops minus that of none: exactly CALIB_NOPS when
 * the counter counts this hart's instructions and nothing else. */
static uint32_t calibrate(void)
{
    uint32_t a = rd_instret();
    uint32_t b = rd_instret();
    uint32_t c = rd_instret();
    __asm__ volatile(".rept 64\n\tnop\n\t.endr" ::: "memory");
    uint32_t d = rd_instret();
    return (d - c) - (b - a);
}

/* One window: BATCH operations between two counter reads. */
static void window(uint32_t op, uint32_t *ir, uint32_t *cy)
{
    uint32_t i0 = rd_instret();
    uint32_t c0 = rd_cycle();
    for (uint32_t b = 0; b < BATCH; b++) {
        switch (op) {
        case OP_COPY:
            if (BENCH_MAIN) {
                if (esp_amp_rpmsg_send(&s_dev, &s_ept, EPT_SUB, s_src, SIZE) != 0) {
                    fail(11, "esp_amp_rpmsg_send");
                }
            } else if (esp_amp_rpmsg_poll(&s_dev) != 0) {
                fail(41, "esp_amp_rpmsg_poll found no message");
            }
            break;
        case OP_ZC:
            if (BENCH_MAIN) {
                uint8_t *p = esp_amp_rpmsg_create_message(&s_dev, SIZE, 0);
                if (p == NULL) {
                    fail(12, "esp_amp_rpmsg_create_message");
                }
                __builtin_memcpy(p, s_src, SIZE);
                if (esp_amp_rpmsg_send_nocopy(&s_dev, &s_ept, EPT_SUB, p, SIZE) != 0) {
                    fail(13, "esp_amp_rpmsg_send_nocopy");
                }
            } else if (esp_amp_rpmsg_poll(&s_dev) != 0) {
                fail(42, "esp_amp_rpmsg_poll found no message");
            }
            break;
        case OP_MEMCPY:
#if BENCH_MAIN
            __builtin_memcpy(s_dst, s_src, SIZE);
            __asm__ volatile("" ::"r"(s_dst) : "memory");
#endif
            break;
        case OP_EMPTY:
            if (esp_amp_rpmsg_poll(&s_dev) == 0) {
                fail(BENCH_MAIN ? 14 : 43, "esp_amp_rpmsg_poll found a message on an empty ring");
            }
            break;
        default:
            __asm__ volatile("" ::: "memory");
            break;
        }
    }
    uint32_t c1 = rd_cycle();
    uint32_t i1 = rd_instret();
    *ir = i1 - i0;
    *cy = c1 - c0;
}

#if BENCH_MAIN
static const char *const s_cfg_name[] = {"loop", "copy", "zc", "empty", "memcpy"};

typedef struct {
    uint64_t main_ir, main_cy, sub_ir, sub_cy;
} totals_t;

/* One batch: our window, then the sub core's window of the same op. */
static void batch(uint32_t op, totals_t *t)
{
    uint32_t ir, cy;
    window(op, &ir, &cy);
    t->main_ir += ir;
    t->main_cy += cy;
    CTL->op = op;
    give_turn(TURN_SUB);
    wait_turn(TURN_MAIN);
    if (CTL->fail != 0) {
        rv_virt_printf("BENCH FAIL sub core reported code %u\n", (unsigned)CTL->fail);
        rv_virt_exit((int)CTL->fail);
    }
    t->sub_ir += CTL->ir;
    t->sub_cy += CTL->cy;
}

static void run(uint32_t op, uint32_t n)
{
    totals_t t = {0, 0, 0, 0};
    uint32_t before = CTL->received;
    for (uint32_t done = 0; done < n; done += BATCH) {
        batch(op, &t);
    }
    uint32_t want = op == OP_COPY || op == OP_ZC ? n : 0;
    if (CTL->received - before != want) {
        rv_virt_printf("BENCH FAIL %s n=%u: %u messages arrived, %u expected\n",
                       s_cfg_name[op], (unsigned)n,
                       (unsigned)(CTL->received - before), (unsigned)want);
        rv_virt_exit(20);
    }
    rv_virt_printf("BENCH run cfg=%s n=%u main_ir=%llu main_cy=%llu sub_ir=%llu sub_cy=%llu\n",
                   s_cfg_name[op], (unsigned)n, (unsigned long long)t.main_ir,
                   (unsigned long long)t.main_cy, (unsigned long long)t.sub_ir,
                   (unsigned long long)t.sub_cy);
}

int main(void)
{
    uint32_t n = CTL->n_req;
    if (n == 0) {
        n = BENCH_N;
    }
    if (n % QLEN != 0 || n > MAX_N) {
        rv_virt_printf("BENCH FAIL main core: n=%u must be a multiple of %u, at most %u\n",
                       (unsigned)n, (unsigned)QLEN, (unsigned)MAX_N);
        return 2;
    }
    for (uint32_t i = 0; i < SIZE; i++) {
        s_src[i] = (uint8_t)(0x5a + i);
    }
    CTL->fail = 0;
    CTL->received = 0;
    CTL->turn = TURN_SUB;
    if (esp_amp_init() != 0 ||
        esp_amp_rpmsg_main_init(&s_dev, QLEN, ITEM, false, true) != 0 ||
        esp_amp_rpmsg_create_endpoint(&s_dev, EPT_MAIN, on_msg, NULL, &s_ept) == NULL) {
        fail(3, "init");
    }
    rv_virt_start_sub();
    wait_turn(TURN_MAIN);   /* the sub core is initialised */
    if (CTL->fail != 0) {
        rv_virt_printf("BENCH FAIL sub core reported code %u\n", (unsigned)CTL->fail);
        return (int)CTL->fail;
    }
    uint32_t calib = calibrate();
    rv_virt_printf("BENCH calib main=%u sub=%u nops=%u\n", (unsigned)calib,
                   (unsigned)CTL->calib, (unsigned)CALIB_NOPS);
    if (calib != CALIB_NOPS || CTL->calib != CALIB_NOPS) {
        rv_virt_printf("BENCH FAIL minstret counted %u (main) / %u (sub) for %u nops: "
                       "not an exact instruction count (run QEMU with -icount shift=0)\n",
                       (unsigned)calib, (unsigned)CTL->calib, (unsigned)CALIB_NOPS);
        return 4;
    }
    rv_virt_printf("BENCH config qlen=%u item=%u size=%u batch=%u n=%u\n",
                   (unsigned)QLEN, (unsigned)ITEM, (unsigned)SIZE, (unsigned)BATCH,
                   (unsigned)n);
    /* Warm-up: the link comes up, every buffer has been used once. */
    run(OP_COPY, 2u * QLEN);
    run(OP_ZC, 2u * QLEN);
    static const uint32_t ops[] = {OP_LOOP, OP_COPY, OP_ZC, OP_EMPTY, OP_MEMCPY};
    for (uint32_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        run(ops[i], n);
        run(ops[i], 2u * n);
    }
    CTL->op = OP_QUIT;
    give_turn(TURN_SUB);
    wait_turn(TURN_MAIN);
    rv_virt_printf("BENCH done received=%u\n", (unsigned)CTL->received);
    return 0;
}

#else /* sub core */

int main(void)
{
    if (esp_amp_init() != 0 || esp_amp_rpmsg_sub_init(&s_dev, false, true) != 0 ||
        esp_amp_rpmsg_create_endpoint(&s_dev, EPT_SUB, on_msg, NULL, &s_ept) == NULL) {
        CTL->fail = 40;
        rv_virt_printf("BENCH FAIL sub core: init (%s)\n",
                       esp_amp_err_name(esp_amp_get_last_error()));
    }
    CTL->calib = calibrate();
    for (;;) {
        give_turn(TURN_MAIN);
        wait_turn(TURN_SUB);
        uint32_t op = CTL->op;
        if (op == OP_QUIT) {
            break;
        }
        uint32_t ir, cy;
        window(op, &ir, &cy);
        CTL->ir = ir;
        CTL->cy = cy;
        CTL->received = s_received;
    }
    give_turn(TURN_MAIN);
    return 0;
}
#endif
