#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Tiny AArch32 (ARM-state, EABI5) static ELF executables for the Linux cell's initramfs, written
# byte by byte so that no 32-bit toolchain is needed. Each touches one register a 32-bit process
# may not use and then exits 0; the cell's /init reports how it ended (SIGILL: exit status 132).
#   a32-ok       exits 7 (shows that the cell's kernel runs 32-bit processes at all)
#   a32-mrc-p14  MRC p14, 0, r0, c0, c1, 0   (DBGDSCRint, the DCC status; MDCR_EL2.TDA traps it)
#   a32-pmcr     MRC p15, 0, r0, c9, c12, 0  (PMCR; PMUSERENR_EL0.EN=0 or MDCR_EL2.TPM traps it)
# Usage: mk-a32.py OUTDIR
import os
import struct
import sys

MOV_R0_0 = 0xE3A00000
MOV_R0_7 = 0xE3A00007
MOV_R7_1 = 0xE3A07001  # __NR_exit (EABI)
SVC_0 = 0xEF000000
EXIT = [MOV_R7_1, SVC_0]


def mrc(coproc, opc1, crn, crm, opc2, rt=0):
    return 0xEE100010 | opc1 << 21 | crn << 16 | rt << 12 | coproc << 8 | opc2 << 5 | crm


PROGRAMS = {
    "a32-ok": [MOV_R0_7] + EXIT,
    "a32-mrc-p14": [mrc(14, 0, 0, 1, 0), MOV_R0_0] + EXIT,
    "a32-pmcr": [mrc(15, 0, 9, 12, 0), MOV_R0_0] + EXIT,
}
assert mrc(14, 0, 0, 1, 0) == 0xEE100E11 and mrc(15, 0, 9, 12, 0) == 0xEE190F1C

BASE = 0x10000
EHDR, PHDR = 52, 32


def elf(words):
    code = b"".join(struct.pack("<I", w) for w in words)
    entry = BASE + EHDR + PHDR
    size = EHDR + PHDR + len(code)
    ident = b"\x7fELF" + bytes([1, 1, 1, 0]) + bytes(8)  # ELFCLASS32, little-endian, SYSV
    ehdr = ident + struct.pack("<HHIIIIIHHHHHH",
                               2, 40, 1,          # ET_EXEC, EM_ARM, EV_CURRENT
                               entry, EHDR, 0,    # entry, program headers, no sections
                               0x05000000,        # EF_ARM_EABI_VER5
                               EHDR, PHDR, 1, 40, 0, 0)
    phdr = struct.pack("<IIIIIIII", 1, 0, BASE, BASE, size, size, 5, 0x1000)  # PT_LOAD, R+X
    return ehdr + phdr + code


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: mk-a32.py OUTDIR")
    for name, words in PROGRAMS.items():
        path = os.path.join(sys.argv[1], name)
        with open(path, "wb") as f:
            f.write(elf(words))
        os.chmod(path, 0o755)


main()
