/*
 * demo_main.c - rpmsg_send_recv on the RISC-V target, main core (hart 0):
 * the main core of ../demo_exchange.c with the target's I/O layer
 * (demo_io_rv.h). After DEMO_ROUNDS normal messages and DEMO_ROUNDS checked
 * answers it ends the emulation: exit code 0 = PASS.
 *
 * DEMO_INTR=1: callbacks run in the doorbell ISR; 0: this core polls.
 */
#define DEMO_IO_RV_MAIN
#include "demo_io_rv.h"

int main(void)
{
    demo_cfg_t cfg = {&demo_io_rv, DEMO_INTR, DEMO_ROUNDS, ""};
    rv_virt_printf("MAIN: rpmsg_send_recv on QEMU virt, hart %u, %s mode\n",
                   (unsigned)rv_virt_hartid(), DEMO_INTR ? "interrupt" : "polling");
    int rc = demo_main_core(&cfg);
    rv_virt_printf("MAIN: doorbell interrupts taken %u\n",
                   (unsigned)rv_virt_doorbell_count());
    rv_virt_printf("rpmsg_send_recv: main core %s mode: %s\n",
                   DEMO_INTR ? "interrupt" : "polling", rc ? "FAIL" : "PASS");
    return rc;
}
