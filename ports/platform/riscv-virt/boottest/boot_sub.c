/*
 * boot_sub.c - port bring-up test, sub image: answers each doorbell with
 * a doorbell, from its ISR.
 */
#include <stdint.h>

#include "esp_amp_platform.h"
#include "rv_virt.h"

static volatile uint32_t s_static_state = 0x1234;   /* checks our own .data */
static uint32_t s_count;                   /* and our own .bss     */

static void on_doorbell(void)
{
    volatile uint32_t *shm = esp_amp_platform_shm_base();
    s_count++;
    shm[1] = s_count;
    esp_amp_platform_raise_doorbell(ESP_AMP_CORE_MAIN);
}

int main(void)
{
    volatile uint32_t *shm = esp_amp_platform_shm_base();
    rv_virt_printf("boot: sub core on hart %u, data %x, bss %u\n",
                   (unsigned)rv_virt_hartid(), (unsigned)s_static_state,
                   (unsigned)s_count);
    if (esp_amp_platform_core_id() != ESP_AMP_CORE_SUB || s_static_state != 0x1234 ||
        s_count != 0) {
        return 3;
    }
    esp_amp_platform_set_doorbell_handler(on_doorbell);
    __atomic_store_n(&shm[0], 1u, __ATOMIC_RELEASE);
    return 0;   /* idle in WFI, serving doorbells */
}
