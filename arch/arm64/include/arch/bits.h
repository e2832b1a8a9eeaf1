/* SPDX-License-Identifier: GPL-2.0 */
/* BIT()-style helpers, usable from C++ and from assembly. */
#ifndef MOAT_ARCH_BITS_H
#define MOAT_ARCH_BITS_H

#ifdef __ASSEMBLER__
#define UL(x) x
#else
#define UL(x) x##ul
#endif

#define BIT(n) (UL(1) << (n))
/* Bits h..l set, h >= l. */
#define GENMASK(h, l) (((~UL(0)) << (l)) & (~UL(0) >> (63 - (h))))

#endif
