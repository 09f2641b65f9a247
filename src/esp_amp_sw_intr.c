/*
 * esp_amp_sw_intr.c - 32 software interrupt sources over one doorbell.
 *
 * Each core has a pending word in the region header (sw_intr_pending[core]).
 * trigger(id): atomic OR of bit id into the peer's word (release), then ring
 * the peer's doorbell. The doorbell ISR (dispatch) swaps its own word with 0
 * (acquire) and, for every bit that was set, calls each handler registered
 * for that source. A bit set after the swap rings the doorbell again, so no
 * trigger is lost; several triggers before one swap merge into one call,
 * as with any level of interrupt coalescing.
 *
 * The peer can set any bit at any time: handlers must treat a call as "look
 * whether there is work", which is what the RPMsg handler does.
 *
 * The handlers live in a fixed table of ESP_AMP_SW_INTR_HANDLERS slots,
 * each holding its source as a bit (1u << id); a slot whose bit is 0 is
 * free. Nothing ever moves: delete frees a slot in place, add takes the
 * lowest free one. The dispatcher walks the table once and calls every
 * slot whose bit was pending, in table order (not ordered by source, which
 * nothing needs), so a handler may delete itself or any other one (a
 * deleted slot is simply not called), and one that deletes and re-adds
 * itself lands in its own slot or a lower one and runs once per trigger.
 * A handler added during the walk into a higher slot whose source is
 * pending runs in this walk already: an early "look whether there is
 * work", which every handler accepts.
 */
#include "esp_amp_shm.h"
#include "esp_amp_sw_intr.h"
#include "esp_amp_priv.h"

/* `core` is this core's platform's answer (ESP_AMP_CORE_MAIN or _SUB, as
 * the per-core state trusts it), or that XOR 1: never the peer's word. */
static uint32_t *pending_word(int core)
{
    esp_amp_shm_header_t *h = esp_amp_platform_shm_base();
    return &h->sw_intr_pending[core];
}

/* Install the dispatcher as this core's doorbell handler, once: for
 * esp_amp_sw_intr_init and the first handler. */
ESP_AMP_INLINE esp_amp_err_t sw_intr_install(esp_amp_core_state_t *st)
{
    if (esp_amp_platform_shm_base() == NULL) {
        return ESP_AMP_ERR_NOT_INIT;
    }
    if (!st->sw_intr_ready) {
        st->sw_intr_ready = true;
        esp_amp_platform_set_doorbell_handler(esp_amp_sw_intr_dispatch);
    }
    return ESP_AMP_OK;
}

int esp_amp_sw_intr_init(void)
{
    esp_amp_err_t err = sw_intr_install(esp_amp_core_state());
    return err == ESP_AMP_OK ? 0 : esp_amp_fail(err);
}

int esp_amp_sw_intr_add_handler(esp_amp_sw_intr_id_t intr_id,
                                esp_amp_sw_intr_handler_t handler, void *arg)
{
    esp_amp_core_state_t *st = esp_amp_core_state();
    if ((unsigned)intr_id > SW_INTR_ID_MAX || handler == NULL) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    uint32_t bit = 1u << intr_id;
    /* The dispatcher is installed with the first handler: a core that
     * only raises interrupts on its peer needs none. */
    esp_amp_err_t err = sw_intr_install(st);
    if (err != ESP_AMP_OK) {
        return esp_amp_fail(err);
    }
    err = ESP_AMP_ERR_NO_MEM;
    esp_amp_sw_intr_slot_t *slot = NULL;
    esp_amp_env_enter_critical();
    /* Backwards, so that the lowest free slot is the one taken (see the
     * top of the file). */
    for (esp_amp_sw_intr_slot_t *s = st->sw_intr + ESP_AMP_SW_INTR_HANDLERS;
         s-- != st->sw_intr;) {
        if (s->bit == bit && s->fn == handler && s->arg == arg) {
            err = ESP_AMP_ERR_EXISTS;
            slot = NULL;
            break;
        }
        if (s->bit == 0) {
            slot = s;
        }
    }
    if (slot != NULL) {
        slot->fn = handler;
        slot->arg = arg;
        slot->bit = bit;
    }
    esp_amp_env_exit_critical();
    return slot != NULL ? 0 : esp_amp_fail(err);
}

int esp_amp_sw_intr_delete_handler(esp_amp_sw_intr_id_t intr_id,
                                   esp_amp_sw_intr_handler_t handler)
{
    esp_amp_core_state_t *st = esp_amp_core_state();
    /* A bad source matches no slot (0 is no slot's bit). */
    uint32_t bit = (unsigned)intr_id <= SW_INTR_ID_MAX ? 1u << intr_id : 0;
    bool removed = false;
    esp_amp_env_enter_critical();
    for (unsigned i = 0; i < ESP_AMP_SW_INTR_HANDLERS; i++) {
        esp_amp_sw_intr_slot_t *s = &st->sw_intr[i];
        if ((s->bit & bit) != 0 && s->fn == handler) {
            s->bit = 0;
            removed = true;
        }
    }
    esp_amp_env_exit_critical();
    return removed ? 0 : esp_amp_fail(ESP_AMP_ERR_NOT_FOUND);
}

void esp_amp_sw_intr_raise(int core, unsigned intr_id)
{
    atomic_fetch_or_explicit((_Atomic uint32_t *)pending_word(core),
                             1u << intr_id, memory_order_release);
    esp_amp_platform_raise_doorbell(core);
}

static int sw_intr_raise(int core, esp_amp_sw_intr_id_t intr_id)
{
    if ((unsigned)intr_id > SW_INTR_ID_MAX) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    if (esp_amp_platform_shm_base() == NULL) {
        return esp_amp_fail(ESP_AMP_ERR_NOT_INIT);
    }
    esp_amp_sw_intr_raise(core, (unsigned)intr_id);
    return 0;
}

int esp_amp_sw_intr_trigger(esp_amp_sw_intr_id_t intr_id)
{
    return sw_intr_raise(esp_amp_platform_core_id() ^ 1, intr_id);
}

int esp_amp_sw_intr_trigger_self(esp_amp_sw_intr_id_t intr_id)
{
    return sw_intr_raise(esp_amp_platform_core_id(), intr_id);
}

void esp_amp_sw_intr_dispatch(void)
{
    esp_amp_core_state_t *st = esp_amp_core_state();
    /* An ISR must not change the error the interrupted code is about to
     * read: keep it, as an ISR keeps the registers it interrupts. */
    esp_amp_err_t saved_err = st->last_err;
    /* Main core: a sub core that cannot attach rings us; look at the
     * header. */
    esp_amp_sys_info_repair();
    uint32_t bits = atomic_exchange_explicit(
        (_Atomic uint32_t *)pending_word(esp_amp_platform_core_id()), 0,
        memory_order_acquire);
    for (unsigned i = 0; i < ESP_AMP_SW_INTR_HANDLERS; i++) {
        esp_amp_sw_intr_slot_t *s = &st->sw_intr[i];
        if ((s->bit & bits) != 0) {
            s->fn(s->arg);
        }
    }
    st->last_err = saved_err;
}
