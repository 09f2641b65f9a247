/*
 * esp_amp_shm.h - the shared-memory format, written once.
 *
 * Everything here lives in the region shared by the two cores. Rules:
 *   - fixed-width, little-endian, naturally aligned fields, no packing;
 *   - no pointers: every reference is a byte offset from the region start,
 *     so each core may map the region at its own address;
 *   - every value is input from the other core and is checked before use;
 *   - words written by different cores sit on different 64-byte lines.
 * docs/layout.md documents each field; the asserts below pin the offsets.
 */
#ifndef ESP_AMP_SHM_H
#define ESP_AMP_SHM_H

#include <stdint.h>
#include <stddef.h>

#define ESP_AMP_SHM_MAGIC 0x504d4145u   /* "EAMP" read as little-endian u32 */
#define ESP_AMP_SHM_VERSION 2u
#define ESP_AMP_SHM_LINE 64u            /* separation unit for hot words     */
#define ESP_AMP_SYS_INFO_SLOTS 32u      /* registry entries in the header    */

/* Registry entry: one block of shared memory named by a 16-bit id. */
#define ESP_AMP_SYS_INFO_ENTRY_VALID 0x5a17u
typedef struct esp_amp_shm_sys_info_entry {
    uint16_t id;        /*  0: block id                                     */
    uint16_t state;     /*  2: 0 = free slot, ESP_AMP_SYS_INFO_ENTRY_VALID   */
    uint32_t offset;    /*  4: block start, from region start, 8-aligned     */
    uint32_t size;      /*  8: block size in bytes                           */
    uint32_t check;     /* 12: id ^ offset ^ size ^ ESP_AMP_SHM_MAGIC        */
} esp_amp_shm_sys_info_entry_t;

/* Region header, at offset 0 of the shared region. */
typedef struct esp_amp_shm_header {
    uint32_t magic;          /*   0: ESP_AMP_SHM_MAGIC, written last by main  */
    uint16_t version;        /*   4: ESP_AMP_SHM_VERSION                      */
    uint16_t header_size;    /*   6: sizeof(esp_amp_shm_header_t)             */
    uint32_t region_size;    /*   8: size of the whole region                 */
    uint32_t session;        /*  12: generation, +1 at every main-core init   */
    uint32_t heap_top;       /*  16: first unallocated byte (offset)          */
    uint32_t reserved0[11];  /*  20: zero                                     */
    uint32_t sw_intr_pending[2][ESP_AMP_SHM_LINE / 4];
                             /*  64: [core][0] = pending source bits of core;
                              *      one line per core, rest of line zero    */
    esp_amp_shm_sys_info_entry_t sys_info[ESP_AMP_SYS_INFO_SLOTS];
                             /* 192: registry, 16 bytes per entry             */
    uint8_t reserved1[64];   /* 704: zero, pads the header to 768             */
} esp_amp_shm_header_t;

/* Queue descriptor: one slot of a packed ring. */
typedef struct esp_amp_queue_desc_t {
    uint32_t addr;      /* 0: buffer offset from region start               */
    uint16_t len;       /* 4: bytes used in the buffer                       */
    uint16_t flags;     /* 6: ESP_AMP_DESC_F_* bits, others zero             */
} esp_amp_queue_desc_t;

#define ESP_AMP_DESC_F_AVAIL 0x0001u  /* see src/esp_amp_queue.c            */
#define ESP_AMP_DESC_F_USED 0x0002u

/* Control words of one core, on a line of its own: ctl[0] is written by the
 * sub core (consumer of ring 0, producer of ring 1), ctl[1] by the main
 * core (consumer of ring 1, producer of ring 0). `join` is the sub core's
 * join request in ctl[0] and the main core's answer in ctl[1] (see
 * src/esp_amp_link.c). */
typedef struct esp_amp_shm_ring_ctl {
    uint32_t kick_me;   /* 0: 1 = idle consumer of ring r: ring my doorbell  */
    uint32_t join;      /* 4: ctl[0]: sub's join request; ctl[1]: main's ack */
    uint32_t tx_wait;   /* 8: 1 = I wait for a free buffer in the ring I
                         *    produce: ring my doorbell after each free     */
    uint32_t reserved[ESP_AMP_SHM_LINE / 4 - 3];
} esp_amp_shm_ring_ctl_t;

/* Header of the block that holds one device pair's two rings.
 * Ring 0 carries main -> sub, ring 1 carries sub -> main.
 * Layout after the header (all offsets from the block start):
 *   192                       ring 0 descriptors (len * 8)
 *   192 + len * 8             ring 1 descriptors (len * 8)
 *   buf_off                   ring 0 buffers (len * item_size)
 *   buf_off + len * item_size ring 1 buffers (len * item_size)
 * with buf_off = align64(192 + 2 * len * 8). */
#define ESP_AMP_VQ_MAGIC 0x51565045u  /* "EPVQ" */
typedef struct esp_amp_shm_vq_pair {
    uint32_t magic;         /*   0: ESP_AMP_VQ_MAGIC                          */
    uint16_t queue_len;     /*   4: descriptors per ring, a power of two      */
    uint16_t item_size;     /*   6: bytes per buffer, a multiple of 4         */
    uint32_t block_size;    /*   8: bytes of the whole block                  */
    uint32_t reserved[13];  /*  12: zero                                      */
    esp_amp_shm_ring_ctl_t ctl[2]; /* 64: ctl[r] written by ring r's consumer */
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
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_shm_header_t, session) == 12, "hdr");
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_shm_header_t, heap_top) == 16, "hdr");
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_shm_header_t, sw_intr_pending) == 64, "hdr");
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_shm_header_t, sys_info) == 192, "hdr");
ESP_AMP_SHM_ASSERT(sizeof(esp_amp_shm_header_t) == 768, "hdr size");
ESP_AMP_SHM_ASSERT(sizeof(esp_amp_queue_desc_t) == 8, "desc size");
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_queue_desc_t, flags) == 6, "desc");
ESP_AMP_SHM_ASSERT(sizeof(esp_amp_shm_ring_ctl_t) == 64, "ctl size");
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_shm_ring_ctl_t, join) == 4, "ctl");
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_shm_ring_ctl_t, tx_wait) == 8, "ctl");
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_shm_vq_pair_t, ctl) == 64, "vq");
ESP_AMP_SHM_ASSERT(sizeof(esp_amp_shm_vq_pair_t) == 192, "vq size");
ESP_AMP_SHM_ASSERT(sizeof(esp_amp_rpmsg_head_t) == 8, "rpmsg head");
ESP_AMP_SHM_ASSERT(offsetof(esp_amp_rpmsg_head_t, data_flags) == 6, "rpmsg");

#endif /* ESP_AMP_SHM_H */
