/*
 * fuzz_common.h - what the three libFuzzer harnesses share.
 *
 * Region placement. The simulator maps the shared region once per core at an
 * address the kernel picks; two such mappings are often adjacent, so a read
 * past the end of one core's mapping would silently land in the other one.
 * The harnesses are linked with -Wl,--wrap=esp_amp_platform_shm_base: the
 * library then sees, per core, a second mapping of the same pages (made with
 * mremap(old_size = 0), which duplicates a shared mapping) placed inside a
 * PROT_NONE reservation: one guard page below the region and more than 4 GiB
 * above it. Every region offset is a uint32_t, so any access the library
 * derives from a bad offset or length faults (SEGV, reported by libFuzzer)
 * instead of reading the neighbour. The region is exactly sim_shm_size()
 * bytes (a page multiple), as the library is told.
 *
 * Per-input reset. libFuzzer runs every input in one process, so each input
 * starts from a zeroed region and zeroed library state on both cores
 * (esp_amp_core_state(), from the private header: a power cycle of both
 * cores). The simulator itself is set up once.
 *
 * FZ_CHECK aborts with a message: libFuzzer records the input as a crash.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "esp_amp.h"
#include "esp_amp_platform.h"
#include "esp_amp_priv.h"
#include "esp_amp_rpmsg_priv.h" /* dev_is_main */
#include "sim.h"
#include "traffic.h" /* tests/ */

#define FZ_HDR ((uint32_t)sizeof(esp_amp_rpmsg_head_t))

#define FZ_CHECK(cond, ...)                                                  \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "\nFUZZ INVARIANT VIOLATED at %s:%d: %s\n  ",    \
                    __FILE__, __LINE__, #cond);                              \
            fprintf(stderr, __VA_ARGS__);                                    \
            fprintf(stderr, "\n");                                           \
            abort();                                                         \
        }                                                                    \
    } while (0)

/* ---------------------------------------------------------------------- */
/* FUZZ_TRACE=1: the harnesses print what they do (to replay a finding). */
static int fz_trace_cached = -1;

static inline bool fz_trace_on(void)
{
    if (fz_trace_cached < 0) {
        const char *e = getenv("FUZZ_TRACE");
        fz_trace_cached = e != NULL && e[0] == '1';
    }
    return fz_trace_cached != 0;
}

#define FZ_TRACE(...)                                                        \
    do {                                                                     \
        if (fz_trace_on()) {                                                 \
            fprintf(stderr, __VA_ARGS__);                                    \
        }                                                                    \
    } while (0)

/* FUZZ_KNOWN_OPEN=ID[,ID...]: an invariant that guards a finding still
 * open in the library (fuzz/repro-open.txt) lets the harness contain it
 * (it stops trusting what the finding spoiled) instead of aborting, so that
 * a long run can look for other findings. Off by default: scripts/fuzz.sh
 * --quick and plain runs stop at every finding. */
static inline bool fz_known_open(const char *id)
{
    const char *e = getenv("FUZZ_KNOWN_OPEN");
    size_t n = strlen(id);
    while (e != NULL && *e != '\0') {
        if (strncmp(e, id, n) == 0 && (e[n] == '\0' || e[n] == ',')) {
            return true;
        }
        e = strchr(e, ',');
        e = e != NULL ? e + 1 : NULL;
    }
    return false;
}

/* ---------------------------------------------------------------------- */
/* Input reader: the bytes of one fuzz input, consumed front to back;
 * reads past the end return 0.                                             */

typedef struct {
    const uint8_t *p;
    size_t n;
    size_t i;
} fz_in_t;

static inline bool fz_more(const fz_in_t *in)
{
    return in->i < in->n;
}
static inline uint8_t fz_u8(fz_in_t *in)
{
    return in->i < in->n ? in->p[in->i++] : 0;
}
static inline uint16_t fz_u16(fz_in_t *in)
{
    uint16_t lo = fz_u8(in);
    return (uint16_t)(lo | (uint16_t)fz_u8(in) << 8);
}
static inline uint32_t fz_u32(fz_in_t *in)
{
    uint32_t lo = fz_u16(in);
    return lo | (uint32_t)fz_u16(in) << 16;
}

/* ---------------------------------------------------------------------- */
/* Guarded per-core aliases of the simulator's region.                     */

#define FZ_GUARD_ABOVE (((size_t)1 << 32) + ((size_t)1 << 20))

static uint8_t *fz_alias[2];
static uint32_t fz_size;

void *__real_esp_amp_platform_shm_base(void);
void *__wrap_esp_amp_platform_shm_base(void);

void *__wrap_esp_amp_platform_shm_base(void)
{
    int c = sim_current_core();
    if (c == ESP_AMP_CORE_MAIN || c == ESP_AMP_CORE_SUB) {
        if (fz_alias[c] != NULL) {
            return fz_alias[c];
        }
    }
    return __real_esp_amp_platform_shm_base();
}

static inline void fz_enter(int core)
{
    if (sim_enter_core(core) != 0) {
        fprintf(stderr, "fuzz: sim_enter_core(%d) failed\n", core);
        abort();
    }
}

/* Once per process: the simulator and the guarded aliases. */
static void fz_sim_setup(uint32_t region_size)
{
    if (fz_size != 0) {
        return;
    }
    if (sim_init(region_size) != 0) {
        fprintf(stderr, "fuzz: sim_init failed\n");
        abort();
    }
    fz_size = sim_shm_size();
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    for (int core = 0; core < 2; core++) {
        fz_enter(core);
        void *view = __real_esp_amp_platform_shm_base();
        size_t span = page + fz_size + FZ_GUARD_ABOVE;
        uint8_t *r = mmap(NULL, span, PROT_NONE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (view == NULL || r == MAP_FAILED) {
            fprintf(stderr, "fuzz: cannot reserve the guard area\n");
            abort();
        }
        void *a = mremap(view, 0, fz_size, MREMAP_MAYMOVE | MREMAP_FIXED,
                         r + page);
        if (a != (void *)(r + page)) {
            fprintf(stderr, "fuzz: mremap alias failed\n");
            abort();
        }
        fz_alias[core] = a;
    }
}

static void fz_no_isr(void)
{
}

/* Per input: zeroed region, both cores' library state zeroed, no doorbell
 * handler installed and no doorbell pending on either core (the library
 * installs its dispatcher with the first software-interrupt handler, so a
 * handler left by the previous input would make this input depend on it).
 * A doorbell still pending from the previous input runs here, against the
 * zeroed state: no pending bits, no handler, nothing formatted. */
static void fz_reset(void)
{
    memset(fz_alias[0], 0, fz_size);
    memset(esp_amp_core_states, 0, sizeof(esp_amp_core_states));
    for (int core = 0; core < 2; core++) {
        fz_enter(core);
        sim_set_doorbell_isr(fz_no_isr); /* takes a pending doorbell */
        sim_set_doorbell_isr(NULL);
    }
}

/* A core "reboots": its library state is zeroed and its doorbell handler
 * is gone until its application installs one again (the region stays). */
static inline void fz_reboot_core(int core)
{
    fz_enter(core);
    sim_set_doorbell_isr(NULL);
    memset(esp_amp_core_state(), 0, sizeof(esp_amp_core_state_t));
}

/* Region offset of a pointer into `core`'s alias, or UINT32_MAX. */
static inline uint32_t fz_off(int core, const void *p)
{
    uintptr_t b = (uintptr_t)fz_alias[core];
    uintptr_t a = (uintptr_t)p;
    if (a < b || a - b >= fz_size) {
        return UINT32_MAX;
    }
    return (uint32_t)(a - b);
}

/* A device's rings, as include/esp_amp_rpmsg.h documents them: vq[0] is
 * the tx ring, vq[1] the rx ring (NULL: never initialised). Spelled out
 * here rather than taken from the library's private helpers, so that a
 * library that swapped them would fail the harnesses' checks. */
static inline esp_amp_queue_t *fz_txq(const esp_amp_rpmsg_dev_t *dev)
{
    return dev->vq == NULL ? NULL : &dev->vq[0];
}
static inline esp_amp_queue_t *fz_rxq(const esp_amp_rpmsg_dev_t *dev)
{
    return dev->vq == NULL ? NULL : &dev->vq[1];
}
/* The device was set up by esp_amp_rpmsg_main_init* (the role test of
 * src/esp_amp_rpmsg_priv.h). */
static inline bool fz_dev_main(const esp_amp_rpmsg_dev_t *dev)
{
    return dev_is_main(dev);
}

/* Format version 3 (include/esp_amp_shm.h): a 32-byte region header, then
 * `slots` registry entries of 16 bytes; a pair block is a 32-byte header,
 * the descriptors of both rings (one 32-bit word each), then the buffers
 * of ring 0 and of ring 1. */
#define FZ_SHM_HDR ((uint32_t)sizeof(esp_amp_shm_header_t))
#define FZ_ENTRY ((uint32_t)sizeof(esp_amp_shm_sys_info_entry_t))
#define FZ_PAIR_HDR ((uint32_t)sizeof(esp_amp_shm_vq_pair_t))
#define FZ_DESC ((uint32_t)sizeof(esp_amp_queue_desc_t))

/* Registry entry i of the region at `shm` (at 32 + 16 * i). */
static inline esp_amp_shm_sys_info_entry_t *fz_entry(uint8_t *shm, uint32_t i)
{
    return (esp_amp_shm_sys_info_entry_t *)(void *)(shm + FZ_SHM_HDR +
                                                    FZ_ENTRY * i);
}

/* Where a pair block of len x item puts ring `ring`'s descriptors and
 * buffers (offsets from the block start). */
static inline uint32_t fz_pair_desc_off(uint32_t len, int ring)
{
    return FZ_PAIR_HDR + (ring ? len * FZ_DESC : 0u);
}
static inline uint32_t fz_pair_buf_off(uint32_t len, uint32_t item, int ring)
{
    return FZ_PAIR_HDR + 2u * len * FZ_DESC + (ring ? len * item : 0u);
}

/* Descriptors of a bound queue (0 if never bound). */
static inline uint32_t fz_qlen(const esp_amp_queue_t *q)
{
    return q == NULL || q->desc == NULL ? 0u : (uint32_t)q->mask + 1u;
}

/* Buffers marked held in q's bitmap. */
static inline uint32_t fz_held_bits(const esp_amp_queue_t *q)
{
    uint32_t n = 0;
    for (size_t w = 0; w < sizeof(q->held) / sizeof(q->held[0]); w++) {
        n += (uint32_t)__builtin_popcount(q->held[w]);
    }
    return n;
}

/* The local state of a bound queue stays inside `core`'s region alias
 * (descriptors and buffers, past the smallest header + registry + pair
 * header there can be) and is consistent: a power-of-two length the build
 * allows, the buffers where the format puts them after the descriptors
 * (ring 0: right after both descriptor arrays; ring 1: after those and
 * ring 0's buffers), held bits only for buffers of the ring, never more
 * than the ring has. */
static inline void fz_check_queue(int core, const esp_amp_queue_t *q,
                                  const char *what)
{
    uint32_t len = fz_qlen(q);
    if (len == 0) {
        return; /* never bound */
    }
    uintptr_t b = (uintptr_t)fz_alias[core];
    uintptr_t e = b + fz_size;
    uintptr_t d = (uintptr_t)q->desc;
    uintptr_t buf = (uintptr_t)q->buf;
    uint64_t span = (uint64_t)len * q->max_item_size;
    uint32_t lowest = FZ_SHM_HDR + FZ_ENTRY + FZ_PAIR_HDR;
    FZ_CHECK((len & (len - 1u)) == 0 && len <= ESP_AMP_CONFIG_QUEUE_MAX_LEN,
             "%s: ring length %u", what, len);
    FZ_CHECK(q->max_item_size > FZ_HDR && (q->max_item_size & 3u) == 0,
             "%s: item size %u", what, q->max_item_size);
    FZ_CHECK(d >= b + lowest && d + (uint64_t)len * FZ_DESC <= e &&
                 ((d - b) & 3u) == 0,
             "%s: descriptors [%#lx, +%u*4) outside the region", what,
             (unsigned long)(d - b), len);
    FZ_CHECK(buf >= b + lowest && buf + span <= e,
             "%s: buffers [%#lx, +%llu) outside the region", what,
             (unsigned long)(buf - b), (unsigned long long)span);
    FZ_CHECK(buf == d + 2u * len * FZ_DESC ||
                 buf == d + len * FZ_DESC + span,
             "%s: buffers at %#lx, descriptors at %#lx: not a ring of a "
             "%u x %u pair block", what, (unsigned long)(buf - b),
             (unsigned long)(d - b), len, q->max_item_size);
    for (uint32_t i = len; i < ESP_AMP_CONFIG_QUEUE_MAX_LEN; i++) {
        FZ_CHECK(((q->held[i >> 5] >> (i & 31u)) & 1u) == 0,
                 "%s: buffer %u of a ring of %u marked held", what, i, len);
    }
    FZ_CHECK((uint16_t)(q->head - q->tail) <= len,
             "%s: head %u tail %u on a ring of %u", what, q->head, q->tail,
             len);
}

/* The device's rings: what `held` marks is exactly what the counters say
 * this core holds (head - tail). A sub core that noticed a restart forgets
 * its buffers (bitmap cleared) and keeps its counters until it binds again:
 * not checked while its link is DOWN. */
static inline void fz_check_dev_held(const esp_amp_rpmsg_dev_t *dev,
                                     const char *what)
{
    if (dev->vq == NULL || (!fz_dev_main(dev) && dev->link == ESP_AMP_LINK_DOWN)) {
        return;
    }
    const esp_amp_queue_t *q[2] = { fz_rxq(dev), fz_txq(dev) };
    for (int i = 0; i < 2; i++) {
        FZ_CHECK(fz_held_bits(q[i]) == (uint16_t)(q[i]->head - q[i]->tail),
                 "%s %s: %u buffers marked held, counters say %u", what,
                 i ? "tx" : "rx", fz_held_bits(q[i]),
                 (uint16_t)(q[i]->head - q[i]->tail));
    }
}

/* Is p exactly the start of one of q's buffers (plus `skip` bytes)? */
static inline bool fz_is_buffer(const esp_amp_queue_t *q, const void *p,
                                uint32_t skip)
{
    uint32_t len = fz_qlen(q);
    if (len == 0 || q->max_item_size == 0) {
        return false;
    }
    uintptr_t a = (uintptr_t)p - skip;
    uintptr_t b = (uintptr_t)q->buf;
    if (a < b || a - b >= (uintptr_t)len * q->max_item_size) {
        return false;
    }
    return (a - b) % q->max_item_size == 0;
}

/* ---------------------------------------------------------------------- */
/* Payloads and the model of messages in flight.                           */

/* A payload is message `seq` of traffic.h (stream 0; every length, short
 * ones included). The model below knows which message it expects, so a
 * payload is checked for being exactly that one. */
static inline void fz_fill(uint8_t *p, uint32_t len, uint32_t seq)
{
    tr_fill(p, (uint16_t)len, 0, seq);
}
static inline bool fz_same(const uint8_t *p, uint32_t len, uint32_t seq)
{
    uint32_t next = seq, bad;
    return len <= UINT16_MAX &&
           tr_expect(p, (uint16_t)len, 0, &next, &bad) == TR_OK;
}

#define FZ_FIFO_MAX 1024

typedef struct {
    uint32_t seq;
    uint16_t src, dst, len;
    uint32_t off; /* nocopy: region offset of the buffer; else UINT32_MAX */
} fz_msg_t;

typedef struct {
    fz_msg_t m[FZ_FIFO_MAX];
    unsigned head, n;
    bool overflow; /* more than FZ_FIFO_MAX in flight: model gave up */
} fz_fifo_t;

static inline void fz_fifo_push(fz_fifo_t *f, fz_msg_t m)
{
    if (f->n == FZ_FIFO_MAX) {
        f->overflow = true;
        return;
    }
    f->m[(f->head + f->n) % FZ_FIFO_MAX] = m;
    f->n++;
}
static inline fz_msg_t *fz_fifo_front(fz_fifo_t *f)
{
    return f->n ? &f->m[f->head] : NULL;
}
static inline void fz_fifo_pop(fz_fifo_t *f)
{
    if (f->n) {
        f->head = (f->head + 1u) % FZ_FIFO_MAX;
        f->n--;
    }
}
static inline void fz_fifo_clear(fz_fifo_t *f)
{
    f->head = 0;
    f->n = 0;
    f->overflow = false;
}

#endif /* FUZZ_COMMON_H */
