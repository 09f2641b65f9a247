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
 */
#include "esp_amp_shm.h"
#include "esp_amp_sw_intr.h"
#include "esp_amp_priv.h"

static uint32_t *pending_word(int core)
{
    esp_amp_shm_header_t *h = esp_amp_platform_shm_base();
    return &h->sw_intr_pending[core & 1];
}

int esp_amp_sw_intr_init(void)
{
    esp_amp_core_state_t *st = esp_amp_core_state();
    if (esp_amp_platform_shm_base() == NULL) {
        return esp_amp_fail(ESP_AMP_ERR_NOT_INIT);
    }
    if (!st->sw_intr_ready) {
        st->sw_intr_ready = true;
        esp_amp_platform_set_doorbell_handler(esp_amp_sw_intr_dispatch);
    }
    return 0;
}

int esp_amp_sw_intr_add_handler(esp_amp_sw_intr_id_t intr_id,
                                esp_amp_sw_intr_handler_t handler, void *arg)
{
    esp_amp_core_state_t *st = esp_amp_core_state();
    if ((unsigned)intr_id > SW_INTR_ID_MAX || handler == NULL) {
        return esp_amp_fail(ESP_AMP_ERR_INVALID_ARG);
    }
    /* The dispatcher is installed with the first handler: a core that
     * only raises interrupts on its peer needs none. */
    if (esp_amp_sw_intr_init() != 0) {
        return -1;
    }
    int rc = 0;
    esp_amp_env_enter_critical();
    for (unsigned i = 0; i < st->sw_intr_count; i++) {
        if (st->sw_intr[i].id == intr_id && st->sw_intr[i].fn == handler &&
            st->sw_intr[i].arg == arg) {
            rc = esp_amp_fail(ESP_AMP_ERR_EXISTS);
        }
    }
    if (rc == 0 && st->sw_intr_count >= ESP_AMP_SW_INTR_HANDLERS) {
        rc = esp_amp_fail(ESP_AMP_ERR_NO_MEM);
    }
    if (rc == 0) {
        esp_amp_sw_intr_slot_t *s = &st->sw_intr[st->sw_intr_count];
        s->fn = handler;
        s->arg = arg;
        s->id = (uint8_t)intr_id;
        st->sw_intr_count++;
    }
    esp_amp_env_exit_critical();
    return rc;
}

int esp_amp_sw_intr_delete_handler(esp_amp_sw_intr_id_t intr_id,
                                   esp_amp_sw_intr_handler_t handler)
{
    esp_amp_core_state_t *st = esp_amp_core_state();
    unsigned kept = 0, removed = 0;
    esp_amp_env_enter_critical();
    for (unsigned i = 0; i < st->sw_intr_count; i++) {
        if (st->sw_intr[i].id == (uint8_t)intr_id &&
            st->sw_intr[i].fn == handler) {
            removed++;
        } else {
            st->sw_intr[kept++] = st->sw_intr[i];
        }
    }
    st->sw_intr_count = (uint8_t)kept;
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
    int core = esp_amp_platform_core_id();
    /* An ISR must not change the error the interrupted code is about to
     * read: keep it, as an ISR keeps the registers it interrupts. */
    esp_amp_err_t saved_err = st->last_err;
    /* Main core: a sub core that cannot attach rings us; look at the
     * header. */
    esp_amp_sys_info_repair();
    uint32_t bits = atomic_exchange_explicit(
        (_Atomic uint32_t *)pending_word(core), 0, memory_order_acquire);
    while (bits != 0) {
        unsigned id = 0;
        while (((bits >> id) & 1u) == 0) {
            id++;
        }
        bits &= ~(1u << id);
        /* Walk the handlers that were there when the pass began (n), by
         * index: a handler may delete itself or another one. Step on only
         * if the slot still holds the handler just called; otherwise the
         * next one has moved into it and one fewer is left. Handlers added
         * meanwhile wait for the next trigger. */
        unsigned n = st->sw_intr_count;
        for (unsigned i = 0; i < n && i < st->sw_intr_count;) {
            esp_amp_sw_intr_slot_t s = st->sw_intr[i];
            if (s.id == id) {
                s.fn(s.arg);
            }
            if (i < st->sw_intr_count && st->sw_intr[i].fn == s.fn &&
                st->sw_intr[i].arg == s.arg && st->sw_intr[i].id == s.id) {
                i++;
            } else {
                n--;
            }
        }
    }
    st->last_err = saved_err;
}
