/*
 * demo_sub.c - rpmsg_send_recv on the RISC-V target, sub core (hart 1):
 * the sub core of ../demo_exchange.c with the target's I/O layer. A
 * separately linked image with its own copy of the library, started by the
 * main core; after "quit" it idles in WFI.
 */
#include "demo_io_rv.h"

int main(void)
{
    char label[16];
    rv_virt_snprintf(label, sizeof label, " (hart %u)", (unsigned)rv_virt_hartid());
    demo_cfg_t cfg = {&demo_io_rv, DEMO_INTR, DEMO_ROUNDS, label};
    return demo_sub_core(&cfg);
}
