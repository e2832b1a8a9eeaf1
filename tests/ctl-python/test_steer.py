#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Python example tools/ctl/steer.py, on the host: the guest's initramfs has no Python.

Its Link is replaced where it touches the device (the maps, the ring, the wait) by memory shared
with the cell's real steering code (tests/ctl-python/fake_cell.cpp, through ctypes): the
example's bytes, queue handling and checks meet the C++ the cell runs.

    test_steer.py EXAMPLE.py LIBFAKE_CELL.so
"""
import ctypes
import importlib.util
import mmap
import sys
import unittest

example_path, cell_path = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("steer", example_path)
steer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(steer)
cell = ctypes.CDLL(cell_path)
cell.fake_cell_setpoint.restype = ctypes.c_double


class FakeLink(steer.Link):
    """steer.Link with the device replaced: the section is anonymous memory the cell shares."""

    def __init__(self):
        self.section = mmap.mmap(-1, steer.SECTION)
        self.rings = 0
        cell.fake_cell_start(ctypes.c_void_p(ctypes.addressof(ctypes.c_char.from_buffer(self.section))))
        self.mem = self.section
        state = bytearray(mmap.PAGESIZE)
        steer.U32.pack_into(state, 8 + 4 * steer.CELL, steer.PEER_UP)
        self.state = state
        self.to_cell, self.to_linux = steer.Queue(self.mem, steer.TO_CELL), steer.Queue(self.mem, steer.TO_LINUX)

    def ring(self):
        self.rings += 1

    def wait(self, timeout_s):
        cell.fake_cell_run(int(timeout_s * 10000))  # the cell runs while we sleep


class SteerExample(unittest.TestCase):
    def test_setpoint_followed_and_telemetry_read(self):
        link = FakeLink()
        self.assertTrue(link.cell_up())
        lines = []
        self.assertEqual(steer.steer(link, 123.5, 5, out=lines.append), 0)
        self.assertEqual(lines[0], "setpoint 123.500 rad/s: ok (accepted 1, refused 0)")
        self.assertEqual(len(lines), 6)
        last = lines[-1]
        self.assertIn("setpoint 123.500", last)
        speed = float(last.split("speed ")[1].split(" ")[0])
        self.assertAlmostEqual(speed, 123.5, delta=1.235)
        self.assertEqual(cell.fake_cell_refused(), 0)
        self.assertEqual(link.rings, 3)  # setpoint, rate 10, rate 0
        self.assertEqual(cell.fake_cell_setpoint(), 123.5)

    def test_cell_refuses_what_the_example_would_not_send(self):
        link = FakeLink()
        status, accepted, refused = steer.command(link, steer.SETPOINT, steer.struct.pack("<iI", 400000, 0), 1)
        self.assertEqual(steer.VERDICTS[status], "value out of range")
        self.assertEqual((accepted, refused), (0, 1))
        self.assertNotEqual(cell.fake_cell_setpoint(), 400.0)
        with self.assertRaises(SystemExit):
            steer.steer(link, 301, 1, out=lambda s: None)

    def test_garbage_from_the_cell_is_ignored(self):
        link = FakeLink()
        bad = bytearray(steer.HEADER.pack(steer.MAGIC, 2, steer.TELEMETRY, 1, 0) + bytes(80))
        link.to_linux.push(bytes(bad), lambda: None)
        self.assertEqual(steer.receive(link), ("invalid", "bad header", None))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
