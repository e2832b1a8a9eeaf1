// SPDX-License-Identifier: GPL-2.0
// What the hypercall switch asks of the architecture's cell code (arch/arm64/cell.cpp).
#pragma once

#include "lib/types.hpp"

namespace moat::cell_ops {
s64 create(u64 desc_ipa, u64 size, u64 *id, char *err, size_t errlen);
s64 load(u32 id, u64 src_ipa, u64 dst_ipa, u64 size, char *err, size_t errlen);
s64 start(u32 id, char *err, size_t errlen);
// flags: MOAT_SHUTDOWN_FORCE. MOAT_HC_PENDING while a cooperative cell has not answered.
s64 shutdown(u32 id, u64 flags, char *err, size_t errlen);
s64 destroy(u32 id, char *err, size_t errlen);
// MOAT_CELL_STATE_*, the cell's CPUs and those powered on; false if there is no such cell.
bool state(u32 id, u32 *state, u32 *cpus, u32 *cpus_on);
void report_error(u64 root_ipa, const char *msg);
// The calling CPU's cell: ask me before shutdown, through `sgi`; my answer to the request.
s64 shutdown_notify(u64 sgi);
s64 shutdown_reply(u64 answer);
// MOAT_HC_DISABLE from a root CPU: false (and nothing changes) while any other cell exists;
// true, and no cell can be created from now on, once a CPU may leave.
bool begin_leave();
// Console output of the calling CPU's cell.
void console_putc(char c);
}  // namespace moat::cell_ops
