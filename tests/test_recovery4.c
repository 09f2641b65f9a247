/*
 * test_recovery4.c - the doorbell a refused descriptor raises on the other
 * core, when both cores receive by interrupt and each finds a refused
 * descriptor in its receive ring.
 *
 * refusal_doorbell: each core's doorbell handler refuses the slot at head
 *   of its receive ring and rings the other core, whose handler refuses its
 *   own and would ring back. The refusal rings once per refused
 *   descriptor (docs/layout.md section 7, rule 5), so the exchange ends
 *   after a few runs: no doorbell ping-pong between the two handlers, no
 *   link restart (the main core's answer is in place), each refusal
 *   counted once, and the links stay UP.
 *
 * Both cores are driven from the test's thread (tu_main / tu_sub deliver
 * the core's pending doorbell on entry).
 */
#include <stdint.h>
#include <string.h>

#include "test_util.h"

#define LEN 4
#define ITEM 32
#define ROUNDS 50

/* Format version 3 (include/esp_amp_shm.h): the descriptors follow the
 * 32-byte pair header, ring 0 (main -> sub) first. */
#define PAIR_HDR 32u

static uint32_t *desc(esp_amp_shm_vq_pair_t *pair, unsigned ring, unsigned slot)
{
    return (uint32_t *)(void *)((uint8_t *)pair + PAIR_HDR) + ring * LEN + slot;
}

TestSuite(refusal_doorbell, .init = tu_setup, .fini = tu_teardown,
          .timeout = 30);

Test(refusal_doorbell, refusals_in_both_receive_rings_ring_each_core_a_bounded_number_of_times)
{
    static tu_pair_t p;
    tu_pair_up(&p, TU_BOTH_INTR(LEN, ITEM));
    tu_main();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&p.main), ESP_AMP_LINK_UP);
    tu_sub();
    cr_assert_eq(esp_amp_rpmsg_get_link_state(&p.sub), ESP_AMP_LINK_UP);
    tu_main();

    /* Slot 0 of both rings: "freed in this lap" (flags 3, n = 3 at lap 0),
     * which no receiver accepts. Nothing was sent yet: both receivers
     * are at slot 0. */
    esp_amp_shm_vq_pair_t *pair = p.main.pair;
    uint32_t bad = ESP_AMP_DESC(ESP_AMP_DESC_F_AVAIL | ESP_AMP_DESC_F_USED, 0, 0);
    __atomic_store_n(desc(pair, 0, 0), bad, __ATOMIC_SEQ_CST);
    __atomic_store_n(desc(pair, 1, 0), bad, __ATOMIC_SEQ_CST);

    uint64_t isr0_main = sim_isr_count();
    tu_sub();
    uint64_t isr0_sub = sim_isr_count();
    /* Start the exchange: the sub core's handler runs once. */
    tu_main();
    cr_assert_eq(esp_amp_sw_intr_trigger(SW_INTR_RESERVED_ID_RPMSG), 0);

    uint64_t runs_main = 0, runs_sub = 0;
    for (int k = 0; k < ROUNDS; k++) {
        tu_sub();
        runs_sub = sim_isr_count() - isr0_sub;
        tu_main();
        runs_main = sim_isr_count() - isr0_main;
    }
    /* Sub: the trigger's run (refuses, rings the main core), the run the
     * main core's refusal rings (refuses again, rings nobody). Main: the
     * run the sub core's refusal rings. */
    cr_assert_leq(runs_sub, 3, "the sub core's handler ran %llu times in %d "
                  "rounds (main: %llu): the refusal doorbells ping-pong",
                  (unsigned long long)runs_sub, ROUNDS,
                  (unsigned long long)runs_main);
    cr_assert_leq(runs_main, 3, "the main core's handler ran %llu times in %d "
                  "rounds (sub: %llu): the refusal doorbells ping-pong",
                  (unsigned long long)runs_main, ROUNDS,
                  (unsigned long long)runs_sub);
    cr_assert_geq(runs_main, 1, "the sub core's refusal rang nothing");

    esp_amp_rpmsg_stats_t sm = tu_stats(&p.main);
    tu_sub();
    esp_amp_rpmsg_stats_t ss = tu_stats(&p.sub);
    cr_assert_eq(ss.rx_corrupt, 1, "sub rx_corrupt %u", ss.rx_corrupt);
    cr_assert_eq(sm.rx_corrupt, 1, "main rx_corrupt %u", sm.rx_corrupt);
    cr_assert_eq(sm.link_resets, 0, "a refusal restarted the link");
    cr_assert_eq(p.sub.link, ESP_AMP_LINK_UP);
    tu_main();
    cr_assert_eq(p.main.link, ESP_AMP_LINK_UP);
}
