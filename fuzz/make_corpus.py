#!/usr/bin/env python3
"""Write the seed corpora of the three fuzzers (fuzz/corpus/<name>/).

The seeds are small inputs in each harness's input format (described at the
top of fuzz_rx.c, fuzz_api.c and fuzz_sysinfo.c) that reach the interesting
states quickly: messages both ways, held buffers, nocopy pairs, misuse,
restarts, corrupted descriptors / headers / registry entries. None of them
triggers a finding. Run it again after changing an input format:
    python3 fuzz/make_corpus.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def u16(v):
    return struct.pack("<H", v & 0xFFFF)


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def write(name, seeds):
    d = os.path.join(HERE, "corpus", name)
    os.makedirs(d, exist_ok=True)
    for old in os.listdir(d):
        os.remove(os.path.join(d, old))
    for i, (label, data) in enumerate(seeds):
        with open(os.path.join(d, "seed-%02d-%s" % (i, label)), "wb") as f:
            f.write(bytes(data))


# --------------------------------------------------------------------------
# fuzz_rx: cfg, lenb, itemb, then operations.
#   op >> 6 == 0: local op (next byte): bit 7 pair B; (b & 0x7f) % 9:
#       0 poll, 1 create(n), 2 send_nocopy(i, len, ept, dst16 [, b: if the
#       buffer predates a peer restart, bit 0 = try to send it]),
#       3 send(len, ept, dst16), 4 destroy(i), 5 misuse(sel), 6 endpoint(j
#       [, cb byte]), 7 link state, 8 own doorbell
#   op >> 6 == 1: honest peer, op % 4: 0/1 send(sel, dlen16 [, dst16 if
#       sel & 0x80] [, lie if sel & 0x40]), 2 take one, 3 free(sel [, len16
#       written into the freed slot if sel & 0x80])
#   op >> 6 == 2: raw write (next byte = kind % 9, then its arguments):
#       0 bytes anywhere (off16, n8, bytes), 1 bytes in pair A, 2 one
#       descriptor word (sel, slot, ...: see desc_op below), 3 rpmsg header,
#       4 ctl word (sel: bit 0 ctl[1], bit 1 join / bit 3 tx_wait / else
#       kick_me, bit 2 a u32 value else u8 % 4), 5 pending bits (u32),
#       6 header field (sel % 6: session, magic, version, slots, region
#       size, reserved), 7 pair A header field, 8 registry entry field
#   op >> 6 == 3: peer library op (next byte % 4: 0 send on B(len),
#       1 poll B, 2/3 restart [+ lenb, itemb if bit 7])
# Every delivered message takes one more byte: what the callback does
# (0 destroy, 1 hold, 2 raw write then destroy, 3 library call).

def rx_local(op, *args):
    return [0x00, op] + list(args)


def rx_peer_send(dlen, ept=0, src=0):
    return [0x40, (ept & 7) | (src & 3) << 3] + list(u16(dlen))


RX_TAKE = [0x42]


def rx_free(sel=0):
    return [0x43, sel]


def rx_raw(kind, *args):
    return [0x80, kind] + list(args)


# Descriptor words (format version 3): flags bits 0-1, buffer index bits
# 2-15, len bits 16-31. Raw kind 2 takes sel, slot, then per field
# (sel >> 1) % 6: 0 index, 1 len (u16), 2 flags (u8 & 3), 3 whole word
# (u32), 4/5 a whole "sent" descriptor (slot8, index, len16; sel bit 6:
# flags of the next lap). An index is u16 & 0x3fff if sel bit 7, else a
# chosen kind ((sel >> 4) & 3: 0 a buffer of the ring, 1 queue_len + b&3,
# 2 0x3fff - b&3, 3 a buffer the local core holds) and a byte b.
IDX_RING, IDX_PAST, IDX_MAX, IDX_HELD = range(4)


def desc_sel(field, ring, explicit=False, how=0, lap=False):
    for sel in range(256):
        if (sel & 1) != ring or ((sel >> 1) % 6 == 4 or (sel >> 1) % 6 == 5) != (field == 4):
            continue
        if field != 4 and (sel >> 1) % 6 != field:
            continue
        if bool(sel & 0x80) != explicit:
            continue
        if field in (0, 4) and not explicit and ((sel >> 4) & 3) != how:
            continue
        if field == 4 and bool(sel & 0x40) != lap:
            continue
        return sel
    raise ValueError("no selector")


def rx_desc_index(ring, slot, how=IDX_RING, b=0, value=None):
    if value is not None:
        return rx_raw(2, desc_sel(0, ring, True), slot) + list(u16(value))
    return rx_raw(2, desc_sel(0, ring, False, how), slot, b)


def rx_desc_len(ring, slot, length):
    return rx_raw(2, desc_sel(1, ring), slot) + list(u16(length))


def rx_desc_flags(ring, slot, flags):
    return rx_raw(2, desc_sel(2, ring), slot, flags)


def rx_desc_word(ring, slot, word):
    return rx_raw(2, desc_sel(3, ring), slot) + list(u32(word))


def rx_desc_sent(ring, slot, length, how=IDX_RING, b=0, value=None, lap=False):
    if value is not None:
        return (rx_raw(2, desc_sel(4, ring, True, lap=lap), 0, slot)
                + list(u16(value)) + list(u16(length)))
    return (rx_raw(2, desc_sel(4, ring, False, how, lap), 0, slot, b)
            + list(u16(length)))


def rx_seeds():
    s = []
    # local sub, polling, 4 x 64: traffic both ways, hold, nocopy, misuse
    b = [0x00, 2, 13]
    b += rx_peer_send(16) * 3
    b += rx_local(0) + [0] + rx_local(0) + [1] + rx_local(0) + [0]
    b += rx_local(4, 0)                       # destroy the held one
    b += rx_local(1, 10)                      # create 10 bytes
    b += rx_local(2, 0, 10, 0) + list(u16(0x20))
    b += RX_TAKE + rx_free(0)
    b += rx_local(3, 5, 1) + list(u16(0x21)) + RX_TAKE + rx_free(0)
    for m in range(12):
        b += rx_local(5, m)
    s.append(("sub-poll-traffic", b))
    # local main, interrupts, the peer rings the doorbell
    b = [0x0B, 3, 20]
    for i in range(6):                        # each send rings the doorbell:
        b += rx_peer_send(40, ept=1)          # the callback runs at once
        b += [1 if i < 3 else 0]              # and takes its byte

    b += rx_local(4, 0) + rx_local(4, 0) + rx_local(4, 0)
    b += rx_local(1, 30) + rx_local(1, 0)
    b += rx_local(2, 0, 30, 2) + list(u16(0x20))
    b += RX_TAKE + RX_TAKE + rx_free(1) + rx_free(0)
    b += rx_local(8)
    s.append(("main-intr-traffic", b))
    # corrupt descriptors of the local rx ring (sub: ring 0), then poll:
    # a sent length above the item size, an index just past the ring
    # (== queue_len), the largest index (0x3fff), a held index, bad flags
    b = [0x00, 2, 13]
    b += rx_desc_sent(0, 0, 0x200)            # len > item size
    b += rx_local(0)
    b += rx_desc_sent(0, 0, 16, how=IDX_PAST)  # index == queue_len
    b += rx_local(0)
    b += rx_desc_sent(0, 0, 16, how=IDX_MAX)   # index 0x3fff
    b += rx_local(0)
    b += rx_desc_flags(0, 2, 1)               # flags pattern
    b += rx_local(0) + rx_local(1, 1)
    b += rx_raw(3, 0x00, 0) + list(u16(0xFFFF))      # data_len
    b += rx_peer_send(8) + rx_local(0)
    s.append(("sub-corrupt-descriptors", b))
    # restart of the peer main with another geometry; pair B afterwards
    b = [0x00, 2, 13]
    b += rx_peer_send(4) + rx_local(0) + [1]
    b += [0xC0, 0x82, 3, 20]
    b += rx_local(0) + rx_local(1, 4) + rx_local(0x80)
    b += [0xC0, 0x00, 4]                      # the peer sends on pair B
    b += rx_local(0x80) + [0]
    s.append(("peer-main-restart", b))
    # session bump, rejoin answered by a forged ack; join garbage for main
    b = [0x00, 1, 5]
    b += rx_raw(6, 0x00) + rx_local(0)        # session + 1: rejoin
    b += rx_raw(4, 0x03, 2) + rx_local(7) + rx_local(0)
    s.append(("sub-session-rejoin", b))
    b = [0x01, 1, 5]
    b += rx_raw(4, 0x06) + list(u32(7)) + rx_local(0)   # join request 7
    b += rx_peer_send(3) + rx_local(0) + [0]
    b += [0xC0, 0x03] + rx_local(0x80) + rx_local(0)   # peer sub restarts
    s.append(("main-join-garbage", b))
    # registry and pair header rewrites, then the peer restarts
    b = [0x00, 2, 13]
    b += rx_raw(8, 0x21, 1) + rx_raw(7, 0x01) + list(u16(8))
    b += rx_raw(6, 0x00) + rx_local(0) + rx_local(1, 3)
    b += [0xC0, 0x02] + rx_local(0)
    s.append(("registry-and-pair-header", b))
    # local main, polling: it holds a received buffer; the peer sends a
    # descriptor naming that buffer again (refused: held), then one with
    # the index field alone past the ring, then fixes it
    b = [0x01, 2, 13]
    b += rx_peer_send(16) + rx_local(0) + [1]         # hold buffer 0
    b += rx_desc_sent(1, 1, 24, how=IDX_HELD)         # names the held one
    b += rx_local(0) + rx_local(5, 3)
    b += rx_desc_index(1, 1, value=4)                 # == queue_len
    b += rx_local(0)
    b += rx_desc_index(1, 1, value=1)                 # buffer 1, to ept 0x40
    b += rx_raw(3, 0x03, 1, 0) + rx_local(0) + [0]
    b += rx_local(4, 0) + rx_local(7)
    s.append(("main-held-index", b))
    # the honest peer frees a buffer of the local tx ring with a garbage
    # length (not looked at by an alloc): the local core allocates on
    b = [0x00, 0, 13]                          # 1 x 64: every alloc reuses it
    b += rx_local(3, 5, 1) + list(u16(0x21)) + RX_TAKE
    b += [0x43, 0x80] + list(u16(0xFFFF))      # free with len 0xffff
    b += rx_local(3, 6, 1) + list(u16(0x21)) + RX_TAKE
    b += [0x43, 0x80] + list(u16(0x0041))      # free with len 65
    b += rx_local(1, 3) + rx_local(2, 0, 3, 0) + list(u16(0x22))
    b += RX_TAKE + rx_free(0)
    # and the other way: each send of the peer reuses the slot the local
    # core freed (len 0 checked there)
    b += (rx_peer_send(4) + rx_local(0) + [0]) * 3
    s.append(("sub-freed-garbage-len", b))
    # local sub's tx ring (ring 1): whole words and a freed slot's len
    b = [0x00, 2, 13]
    b += rx_desc_len(1, 0, 0xFFFF) + rx_local(1, 4)   # freed len: ignored
    b += rx_desc_word(1, 1, 0x0000FFFF) + rx_local(1, 4)
    b += rx_desc_index(1, 2, how=IDX_MAX) + rx_local(1, 4) + rx_local(1, 4)
    s.append(("sub-tx-descriptor-words", b))
    # another geometry of the same pair size (4 x 64 = 2 x 132), the
    # session moves: the sub rebinds to it; slots and reserved words
    b = [0x00, 2, 13]
    b += rx_raw(7, 0x03, 1) + rx_raw(6, 0x00) + rx_local(0)
    b += RX_TAKE + rx_local(7)                # the honest main answers
    b += rx_local(1, 100) + rx_local(3, 120, 0) + list(u16(0x20))
    b += rx_raw(6, 0x03, 7) + rx_raw(6, 0x05) + list(u32(0xDEAD))
    b += rx_raw(6, 0x00) + rx_local(0)
    s.append(("sub-same-size-geometry", b))
    # local main: header words and registry damaged, repaired by
    # get_link_state; traffic goes on
    b = [0x01, 2, 13]
    b += rx_raw(6, 0x03, 65) + rx_raw(6, 0x0D) + list(u32(7))
    b += rx_raw(8, 0x41) + list(u32(0x999)) + [1]
    b += rx_local(7) + rx_peer_send(16) + rx_local(0) + [0]
    b += [0xC0, 0x03] + rx_local(7) + rx_local(0)
    s.append(("main-header-repair", b))
    return s


# --------------------------------------------------------------------------
# fuzz_api: mode, lenb, itemb, then steps: op bit 0 = core (0 main, 1 sub),
# op >> 1 = kind % 11 (0x7f: drain): 0/1 poll, 2 send(ept, dsel, len),
# 3 create(n), 4 send_nocopy(ept, dsel, len), 5 destroy(i), 6 misuse(sel),
# 7 endpoint(sel), 8 restart(b; b & 7 == 0), 9 link state, 10 doorbell.
# Each delivery takes one byte (0 destroy, 1 hold, 2/3 a step from the
# callback: next byte).

def api(core, kind, *args):
    return [(kind << 1) | core] + list(args)


API_DRAIN = [0xFE]


def api_seeds():
    s = []
    b = [0x00, 2, 4]
    b += api(0, 2, 0, 0, 5) + api(1, 0) + [0]
    b += api(1, 2, 0, 0, 7) + api(0, 0) + [1] + api(0, 5, 0)
    b += api(1, 3, 9) + api(1, 4, 0, 0, 9) + api(0, 0) + [0]
    b += API_DRAIN
    s.append(("poll-both", b))
    b = [0x0F, 3, 10]
    for _ in range(4):
        # interrupt mode: a core's callbacks run when the next step enters
        # that core, and take their byte right after the step's op byte
        b += api(0, 2, 0, 0, 20)
        b += [(9 << 1) | 1, 1]                # sub: link state; hold
        b += api(1, 2, 0, 0, 21)
        b += [(9 << 1) | 0, 0]                # main: link state; destroy
    b += api(1, 5, 0) + api(0, 10) + API_DRAIN
    s.append(("intr-both", b))
    b = [0x05, 2, 6]
    b += api(0, 2, 0, 0, 3) + api(1, 8, 0) + api(0, 9) + api(1, 9)
    b += api(0, 2, 0, 0, 4) + api(1, 0) + [0]
    b += api(1, 2, 0, 0, 4) + api(0, 0) + [0]
    b += api(0, 8, 0) + api(1, 2, 0, 0, 6) + api(0, 0) + [0]
    b += api(0, 2, 0, 0, 6) + api(1, 0) + [0] + API_DRAIN
    s.append(("restarts", b))
    b = [0x02, 1, 3]
    b += api(0, 2, 0, 0, 2) + api(1, 0) + [1]
    b += api(1, 3, 2) + api(0, 3, 1)
    for m in range(10):
        b += api(0, 6, m) + api(1, 6, m)
    b += API_DRAIN
    s.append(("misuse", b))
    b = [0x00, 2, 4]
    b += api(1, 7, 0) + api(0, 2, 0, 0, 1) + api(1, 0)           # no ept
    b += api(1, 7, 0x31) + api(0, 2, 0, 1, 1) + api(1, 0)        # null cb
    b += api(1, 7, 0) + api(0, 2, 0, 0, 1) + api(1, 0) + [0]
    b += api(0, 2, 0, 0x85, 1) + api(1, 0) + API_DRAIN
    s.append(("endpoints", b))
    return s


# --------------------------------------------------------------------------
# fuzz_sysinfo: mode (bit 0 fix header (slots made 1..64 if not), 1 fix
# checks, 2 formatted by a real main core + patches (off16, len8 = count -
# 1, bytes), 3 all entries the header counts valid, 4 interrupts, 5-6 the
# main core's queue length 1 << bits), then patches or raw region bytes;
# last 2 bytes: an id to look up.

MAGIC = 0x504D4145


# Format version 3: a 32-byte header (magic, version, slots, region size,
# session, pending[2], reserved[2]), then `slots` entries of 16 bytes.
VERSION = 3
HDR = 32
SLOTS = 6          # ESP_AMP_CONFIG_SYS_INFO_SLOTS (the main core's)


def entry_off(slot):
    return HDR + 16 * slot


def header(region_size=8192, session=1, slots=SLOTS):
    h = bytearray(HDR + 16 * slots)
    struct.pack_into("<IHHII", h, 0, MAGIC, VERSION, slots, region_size,
                     session)
    return h


def entry(h, slot, ident, off, size, state=0x5A17, check=None):
    if check is None:
        check = ident ^ off ^ size ^ MAGIC
    struct.pack_into("<HHIII", h, entry_off(slot), ident, state, off, size,
                     check & 0xFFFFFFFF)


def pair_size(qlen, item):
    return 32 + qlen * (8 + 2 * item)


def vq_block(qlen, item):
    """A formatted pair block: 32-byte header, then slot i = {0, i, 0} in
    both rings (one word each), then the buffers."""
    b = bytearray(pair_size(qlen, item))
    struct.pack_into("<IHH", b, 0, 0x51565045, qlen, item)
    for ring in range(2):
        for i in range(qlen):
            struct.pack_into("<I", b, 32 + 4 * (ring * qlen + i), i << 2)
    return b


def sysinfo_seeds():
    s = []
    s.append(("formatted", [0x04, 0x01, 0xFF]))
    s.append(("formatted-intr", [0x14 | 0x20]))
    b = [0x07] + list(u16(entry_off(0) + 4)) + [3] + list(u32(8192 - 64)) \
        + list(u16(entry_off(0) + 8)) + [3] + list(u32(128)) \
        + list(u16(0xFF03))
    s.append(("patch-entry-offset", b))
    h = header()
    blk = vq_block(2, 32)
    first = len(h)
    entry(h, 0, 0xFF03, first, len(blk))
    entry(h, 1, 0x0101, 2048, 64)
    entry(h, 2, 0x0102, 8184, 8)
    raw = h + blk
    s.append(("raw-pair", [0x00] + list(raw) + list(u16(0x0101))))
    h = header()
    entry(h, 0, 0xFF03, len(h), 16, check=0)
    entry(h, 3, 0xFF03, len(h) + 1, 4096)
    s.append(("raw-bad-entries", [0x02] + list(h) + list(u16(0xFF03))))
    # one registry entry only: the pair right after it, at 48
    h = header(slots=1)
    blk = vq_block(4, 16)
    entry(h, 0, 0xFF03, len(h), len(blk))
    s.append(("raw-one-slot", [0x00] + list(h + blk) + list(u16(0xFF03))))
    # the most entries (64), a pair after them; and an entry inside the
    # registry the header announces (refused)
    h = header(slots=64)
    blk = vq_block(8, 20)
    entry(h, 0, 0xFF03, len(h), len(blk))
    entry(h, 63, 0x0101, 8, 64)
    s.append(("raw-64-slots", [0x00] + list(h + blk) + list(u16(0x0101))))
    # slots 65 (refused) fixed by mode bit 0 to 2; pair at 64
    h = header(slots=65)
    h = h[:HDR + 32]
    blk = vq_block(1, 12)
    entry(h, 1, 0xFF03, 64, len(blk))
    s.append(("raw-slots-65", [0x01] + list(h + blk) + list(u16(0xFF03))))
    # formatted, then the pair header's geometry rewritten to another one
    # of the same size (2 x 32 = 1 x 68, 176 bytes); slots patched to 3
    pa = entry_off(SLOTS)
    b = [0x24] + list(u16(pa + 4)) + [3] + list(u16(1)) + list(u16(68)) \
        + list(u16(6)) + [1] + list(u16(3)) + list(u16(0xFF03))
    s.append(("patch-same-size-geometry", b))
    return s


# --------------------------------------------------------------------------
# Reproductions of the library bugs found (fuzz/repro/, see README.md):
# each one is a finding of its harness, until the bug is fixed.

def repros():
    r = {}
    # BUG-SYSINFO-END: a registry entry at offset == region size, size 0
    # (format 3: entry 0 is at 32, its offset field at 36, size at 40)
    r["fuzz_sysinfo-BUG-SYSINFO-END"] = (
        [0x07] + list(u16(entry_off(0) + 4)) + [3] + list(u32(8192))
        + list(u16(entry_off(0) + 8)) + [3] + list(u32(0))
        + list(u16(0xFF03)))
    # BUG-ISR-LOOP: the sub core receives by interrupt; slot 0 of its rx
    # ring says "sent" but names a buffer past the ring (format 2: offset
    # 16; format 3: index 4 == queue_len); its own doorbell -> rx_isr spins
    r["fuzz_rx-BUG-ISR-LOOP"] = (
        [0x02, 2, 13] + rx_desc_sent(0, 0, 8, how=IDX_PAST) + rx_local(8))
    # BUG-ISR-RELINK: the callback (in rx_isr) sees a new session; the
    # relink leaves the sub JOINING, and rx_isr delivers slot 0 again
    r["fuzz_rx-BUG-ISR-RELINK"] = (
        [0x0A, 2, 13] + rx_peer_send(16) + [0x02, 6, 0x00])
    # BUG-STALE-SEND: the local sub creates a message, the peer main
    # restarts (same geometry, same place), the sub sends the old buffer
    r["fuzz_rx-BUG-STALE-SEND"] = (
        [0x00, 2, 13] + rx_local(1, 4) + [0xC0, 0x02]
        + rx_local(2, 0, 0, 0) + list(u16(0x20)) + [1])
    # stale buffer after a hidden restart (reduced from the input that
    # stopped the old harness; the harness was wrong): the local sub creates
    # a buffer on pair B, the fuzzer sets the session word to 0, the peer
    # main restarts with a smaller pair A (session 1 again, pair B moves,
    # B's join word stays at its old place), the sub sends the old buffer
    r["fuzz_rx-stale-buffer-after-wiped-restart-min"] = (
        [0x00, 4, 24] + rx_local(0x81, 4) + rx_raw(6, 0x18) + list(u32(0))
        + [0xC3, 0x82, 0, 0] + rx_local(0x82, 0, 0, 0) + list(u16(0x60))
        + [1])
    # stale buffer after a hidden restart, the long form (it replaces the
    # 4086-byte input the fuzzer found on format 2, whose bytes format 3
    # reads differently: its trajectory no longer hides a restart). As
    # the original: local sub, pair A 16 x 108; a buffer created on pair
    # B; the fuzzer sets the session word to 0xffffffff, so the peer
    # main's restart counts 0 + 1 = 1, B's session; it restarts with pair
    # A 16 x 72, so B's block moves (3744 -> 2592) and B's join word at
    # the old place stays: B cannot see the restart and sends its old
    # buffer (allowed: the harness exempts a hidden restart). Then, as the
    # original did later on its way, create_message(100) on pair A, which
    # notices the restart and rebinds to 16 x 72 (payload 64) inside the
    # call: it must fail with TOO_BIG (BUG-CREATE-REBIND); then the peer
    # restarts with 16 x 108 (A rebinds at its next send) and again with
    # 16 x 72, and a copying send of 90 bytes rebinds inside the call: TOO_BIG
    # too (BUG-SEND-REBIND).
    r["fuzz_rx-stale-buffer-after-wiped-restart"] = (
        [0x00, 4, 24] + rx_local(0x81, 4) + rx_raw(6, 0x18)
        + list(u32(0xFFFFFFFF)) + [0xC3, 0x82, 4, 15]
        + rx_local(0x82, 0, 0, 0) + list(u16(0x60)) + [1]
        + rx_local(1, 100) + rx_local(0x87) + rx_local(7)
        + [0xC3, 0x82, 4, 24] + rx_local(3, 100, 0) + list(u16(0x40))
        + [0xC3, 0x82, 4, 15] + rx_local(3, 90, 0) + list(u16(0x40))
        + rx_local(0x87) + rx_local(0x80))
    # BUG-CREATE-REBIND: local sub, 4 x 64; the peer main restarts with
    # 1 x 12; create_message(56) rebinds inside and returns a 12-byte buffer
    r["fuzz_rx-BUG-CREATE-REBIND"] = (
        [0x00, 2, 13] + [0xC0, 0x82, 0, 0] + rx_local(1, 56))
    # BUG-SEND-REBIND: the same with a copying send of 56 bytes
    r["fuzz_rx-BUG-SEND-REBIND"] = (
        [0x00, 2, 13] + [0xC0, 0x82, 0, 0] + rx_local(3, 56, 0)
        + list(u16(0x40)))
    return r


if __name__ == "__main__":
    write("fuzz_rx", rx_seeds())
    write("fuzz_api", api_seeds())
    write("fuzz_sysinfo", sysinfo_seeds())
    d = os.path.join(HERE, "repro")
    os.makedirs(d, exist_ok=True)
    for name, data in repros().items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(bytes(data))
