#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Steer the ctl-loop cell from Python over /dev/moat-link-ctl (docs/steering.md).

    steer.py RAD_S [COUNT]    hold this speed setpoint, then print COUNT telemetry messages
                              (default 5) at 10 per second

The same protocol as moat-ctl (include/moat/ctl_link.h), with the standard library only:
mmap the link's section (map 0) and state page (map 2), push commands into the SPSC queue of
include/moat/link_queue.h, write() to ring the cell, poll() and read() to wait for its doorbell.
"""
import mmap
import os
import select
import struct
import sys
import time

DEV = "/dev/moat-link-ctl"
MAGIC, VERSION, MSG_SIZE = 0x4C54434D, 1, 96
SETPOINT, RATE, ACK, TELEMETRY = 1, 2, 0x81, 0x82
SETPOINT_MAX = 300000                     # milli rad/s
SECTION, TO_CELL, TO_LINUX = 0x10000, 0x0, 0x8000
SLOT_SIZE, SLOTS = 256, 64
CELL, RING = 1, 0x80000000                # write() of RING | peer rings it
PEER_UP = 1
HEADER = struct.Struct("<IHHII")          # magic, version, type, seq, reserved
ACK_BODY = struct.Struct("<IIII64x")      # command, status, accepted, refused
TELEMETRY_BODY = struct.Struct("<QQiiiiIIiiIIIIIIII")
VERDICTS = ["ok", "wrong size", "bad magic", "unsupported version", "wrong type",
            "reserved field not zero", "value out of range", "not now (braking)"]
U32 = struct.Struct("<I")


class Queue:
    """One direction of include/moat/link_queue.h: head at +0, tail at +64, slots at +128."""

    def __init__(self, mem, offset):
        self.mem, self.off = mem, offset

    def _u32(self, at):
        return U32.unpack_from(self.mem, self.off + at)[0]

    def push(self, msg, publish):
        head, tail = self._u32(0), self._u32(64)
        if (head - tail) % 2**32 >= SLOTS:
            return False
        slot = self.off + 128 + (head % SLOTS) * SLOT_SIZE
        self.mem[slot + 4:slot + 4 + len(msg)] = msg
        U32.pack_into(self.mem, slot, len(msg))
        # Python has no memory barrier: publish() is a system call that writes the doorbell
        # register (the kernel's MMIO write orders every store before it), then the head.
        publish()
        U32.pack_into(self.mem, self.off, (head + 1) % 2**32)
        return True

    def pop(self):
        head, tail = self._u32(0), self._u32(64)
        if head == tail:
            return None
        slot = self.off + 128 + (tail % SLOTS) * SLOT_SIZE
        n = min(U32.unpack_from(self.mem, slot)[0], SLOT_SIZE - 4)
        msg = bytes(self.mem[slot + 4:slot + 4 + n])
        U32.pack_into(self.mem, self.off + 64, (tail + 1) % 2**32)
        return msg


class Link:
    """Linux's end of link "ctl": the device's maps, its doorbell, the two queues."""

    def __init__(self, path=DEV):
        self.fd = os.open(path, os.O_RDWR)
        self.mem = self.map(0, SECTION, writable=True)
        self.state = self.map(2, mmap.PAGESIZE, writable=False)
        self.to_cell, self.to_linux = Queue(self.mem, TO_CELL), Queue(self.mem, TO_LINUX)

    def map(self, index, size, writable):
        prot = mmap.PROT_READ | (mmap.PROT_WRITE if writable else 0)
        return mmap.mmap(self.fd, size, mmap.MAP_SHARED, prot, offset=index * mmap.PAGESIZE)

    def cell_up(self):
        return U32.unpack_from(self.state, 8 + 4 * CELL)[0] == PEER_UP  # moat_link_state

    def ring(self):
        os.write(self.fd, U32.pack(RING | CELL))  # no exit in the cell: it polls

    def wait(self, timeout_s):
        """Sleep until the cell rings (it does for answers) or timeout_s passes."""
        p = select.poll()
        p.register(self.fd, select.POLLIN)
        if p.poll(int(timeout_s * 1000)):
            os.read(self.fd, 4)


def command(link, kind, body, seq):
    msg = HEADER.pack(MAGIC, VERSION, kind, seq, 0) + body
    msg += bytes(MSG_SIZE - len(msg))
    if not link.to_cell.push(msg, link.ring):
        sys.exit("steer.py: the queue to the cell is full")
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        reply = receive(link)
        if reply and reply[0] == ACK and reply[1] == seq:
            command_, status, accepted, refused = reply[2]
            return status, accepted, refused
        if reply is None:
            link.wait(0.01)
    sys.exit("steer.py: no answer from the cell")


def receive(link):
    """(type, seq, fields) of the next message from the cell, checked as moat_ctl_decode() does;
    ('invalid', reason, None) for one that is not; None when the queue is empty."""
    raw = link.to_linux.pop()
    if raw is None:
        return None
    if len(raw) != MSG_SIZE:
        return ("invalid", "wrong size", None)
    magic, version, kind, seq, reserved = HEADER.unpack_from(raw)
    if magic != MAGIC or version != VERSION or reserved:
        return ("invalid", "bad header", None)
    if kind == ACK:
        fields = ACK_BODY.unpack_from(raw, HEADER.size)
        if any(raw[HEADER.size + 16:]) or fields[1] >= len(VERDICTS):
            return ("invalid", "bad answer", None)
        return (ACK, seq, fields)
    if kind == TELEMETRY:
        t = TELEMETRY_BODY.unpack_from(raw, HEADER.size)
        if t[-1] or abs(t[2]) > 1000000 or abs(t[3]) > SETPOINT_MAX or abs(t[4]) > 24000 or t[7] > t[6]:
            return ("invalid", "bad telemetry", None)
        return (TELEMETRY, seq, t)
    return ("invalid", "wrong type", None)


def next_seq(link):
    return (U32.unpack_from(link.mem, TO_CELL)[0] + 1) % 2**32  # head + 1: unique per command


def steer(link, rad_s, count, out=print):
    milli = round(rad_s * 1000)
    if abs(milli) > SETPOINT_MAX:
        sys.exit(f"steer.py: setpoint {rad_s} rad/s is out of range: at most 300 rad/s either way")
    while link.to_linux.pop() is not None:  # what an earlier run left
        pass
    status, accepted, refused = command(link, SETPOINT, struct.pack("<iI", milli, 0), next_seq(link))
    out(f"setpoint {milli / 1000:.3f} rad/s: {VERDICTS[status]} (accepted {accepted}, refused {refused})")
    if status:
        return 1
    command(link, RATE, U32.pack(10), next_seq(link))
    seen = 0
    while seen < count:
        reply = receive(link)
        if reply is None:
            link.wait(0.05)
        elif reply[0] == TELEMETRY:
            t = reply[2]
            out(f"period {t[0]}: speed {t[2] / 1000:.3f} rad/s, setpoint {t[3] / 1000:.3f}, "
                f"{t[4] / 1000:.3f} V, misses {t[7]}/{t[6]} periods, exec max {t[11]} ns")
            seen += 1
        elif reply[0] == "invalid":
            out(f"ignored a message from the cell: {reply[1]}")
    command(link, RATE, U32.pack(0), next_seq(link))
    return 0


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    link = Link()
    if not link.cell_up():
        sys.exit("steer.py: the link's cell is not running")
    return steer(link, float(argv[1]), int(argv[2]) if len(argv) == 3 else 5)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
