/*
 * esp_amp_shm.h - the shared-memory format, written once.
 *
 * Everything here lives in the region shared by the two cores. Rules:
 *   - fixed-width, little-endian, naturally aligned fields, no packing;
 *   - no pointers: every reference is a byte offset from the region start
 *     (or, in a descriptor, a buffer index), so each core may map the
 *     region at its own address;
 *   - every value is input from the other core and is checked before use;
 *   - compact: the region header with its 6 registry entries (the
 *     default), a pair block's header and its descriptors take 288 bytes
 *     for a 16-slot device pair; the buffers take the rest.
 * docs/layout.md documents each field; the asserts below pin the offsets.
 */
#ifndef ESP_AMP_SHM_H
#define ESP_AMP_SHM_H

#include <stdint.h>
#include <stddef.h>

#define ESP_AMP_SHM_MAGIC 0x504d4145u   /* "EAMP" read as little-endian u32 */
#define ESP_AMP_SHM_VERSION 3u

/* Registry entry: one block of shared memory named by a 16-bit id. */
#define ESP_AMP_SYS_INFO_ENTRY_VALID 0x5a17u
typedef struct esp_amp_shm_sys_info_entry {
    uint16_t id;        /*  0: block id                                     */
    uint16_t state;     /*  2: 0 = free slot, ESP_AMP_SYS_INFO_ENTRY_VALID   */
    uint32_t offset;    /*  4: block start, from region start, 8-aligned     */
    uint32_t size;      /*  8: block size in bytes                           */
    uint32_t check;     /* 12: id ^ offset ^ size ^ ESP_AMP_SHM_MAGIC        */
} esp_amp_shm_sys_info_entry_t;

/* Region header, at offset 0 of the shared region; `slots` registry
 * entries follow it, and blocks follow the registry. */
typedef struct esp_amp_shm_header {
    uint32_t magic;          /*  0: ESP_AMP_SHM_MAGIC, written last by main   */
    uint16_t version;        /*  4: ESP_AMP_SHM_VERSION                       */
    uint16_t slots;          /*  6: registry entries after the header         */
    uint32_t region_size;    /*  8: size of the whole region                  */
    uint32_t session;        /* 12: generation, +1 at every region format    */
    uint32_t sw_intr_pending[2]; /* 16: [core] = pending source bits of core  */
    uint32_t reserved[2];    /* 24: zero                                      */
    /* 32: esp_amp_shm_sys_info_entry_t sys_info[slots]                      */
} esp_amp_shm_header_t;

/* Descriptor: one 32-bit word per slot of a ring, written and read whole.
 *   bits  0..1   ESP_AMP_DESC_F_* (the slot's state, see src/esp_amp_ring.h)
 *   bits  2..15  buffer index in the ring, 0 .. queue_len - 1
 *   bits 16..31  bytes used in the buffer (sent), 0 (freed) */
typedef uint32_t esp_amp_queue_desc_t;
#define ESP_AMP_DESC_F_AVAIL 0x0001u
#define ESP_AMP_DESC_F_USED 0x0002u
#define ESP_AMP_DESC(flags, index, len) \
    ((uint32_t)(flags) | ((uint32_t)(index) << 2) | ((uint32_t)(len) << 16))
#define ESP_AMP_DESC_FLAGS(d) ((d) & 3u)
#define ESP_AMP_DESC_INDEX(d) (((d) >> 2) & 0x3fffu)
#define ESP_AMP_DESC_LEN(d) ((uint16_t)((d) >> 16))

/* Control words of one core: ctl[0] is written by the sub core (consumer of
 * ring 0, producer of ring 1), ctl[1] by the main core (consumer of ring 1,
 * producer of ring 0). `join` is the sub core's join request in ctl[0] and
 * the main core's answer in ctl[1] (see src/esp_amp_link.c). */
typedef struct esp_amp_shm_ring_ctl {
    uint32_t kick_me;   /* 0: 1 = idle consumer of ring r: ring my doorbell  */
    uint32_t join;      /* 4: ctl[0]: sub's join request; ctl[1]: main's ack */
    uint32_t tx_wait;   /* 8: 1 = I wait for a free buffer in the ring I
                         *    produce: ring my doorbell after each free     */
} esp_amp_shm_ring_ctl_t;

/* Header of the block that holds one device pair's two rings.
 * Ring 0 carries main -> sub, ring 1 carries sub -> main.
 * Layout after the header (all offsets from the block start):
 *   32                          ring 0 descriptors (len * 4)
 *   32 + len * 4                ring 1 descriptors (len * 4)
 *   32 + len * 8                ring 0 buffers (len * item_size)
 *   32 + len * (8 + item_size)  ring 1 buffers (len * item_size)
 * The block's size in the registry is exactly 32 + len * (8 + 2 * item). */
#define ESP_AMP_VQ_MAGIC 0x51565045u  /* "EPVQ" */
typedef struct esp_amp_shm_vq_pair {
    uint32_t magic;         /*  0: ESP_AMP_VQ_MAGIC                           */
    uint16_t queue_len;     /*  4: descriptors per ring, a power of two       */
    uint16_t item_size;     /*  6: bytes per buffer, a multiple of 4          */
    esp_amp_shm_ring_ctl_t ctl[2]; /* 8: ctl[r] written by ring r's consumer  */
} esp_amp_shm_vq_pair_t;

/* RPMsg header at the start of every queue buffer; payload follows. */
typedef struct esp_amp_rpmsg_head_t {
    uint16_t src_addr;      /* 0: sender's endpoint address                  */
    uint16_t dst_addr;      /* 2: receiver's endpoint address                */
    uint16_t data_len;      /* 4: payload bytes                              */
    uint16_t data_flags;    /* 6: create_message's flags                     */
} esp_amp_rpmsg_head_t;

#define ESP_AMP_SHM_ASSERT(c, m) _Static_assert(c, m)
ESP_AMP_SHM_ASSERT(sizeof(esp_amp_shm_sys_info_entry_t) == 16, "entry size");
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_shm_sys_info_entry_t, offset) == 4, "entry");
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_shm_sys_info_entry_t, check) == 12, "entry");
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_shm_header_t, slots) == 6, "hdr");
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_shm_header_t, session) == 12, "hdr");
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_shm_header_t, sw_intr_pending) == 16, "hdr");
ESP_AMP_SHM_ASSERT(sizeof(esp_amp_shm_header_t) == 32, "hdr size");
ESP_AMP_SHM_ASSERT(sizeof(esp_amp_queue_desc_t) == 4, "desc size");
ESP_AMP_SHM_ASSERT(sizeof(esp_amp_shm_ring_ctl_t) == 12, "ctl size");
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_shm_ring_ctl_t, join) == 4, "ctl");
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_shm_ring_ctl_t, tx_wait) == 8, "ctl");
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_shm_vq_pair_t, ctl) == 8, "vq");
ESP_AMP_SHM_ASSERT(sizeof(esp_amp_shm_vq_pair_t) == 32, "vq size");
ESP_AMP_SHM_ASSERT(sizeof(esp_amp_rpmsg_head_t) == 8, "rpmsg head");
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_rpmsg_head_t, data_flags) == 6, "rpmsg");

#endif /* ESP_AMP_SHM_H */
