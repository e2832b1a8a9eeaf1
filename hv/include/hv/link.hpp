// SPDX-License-Identifier: GPL-2.0
// moat-link in the core (hv/link.cpp): who may ring whom, what each peer is told about the others,
// and when a link's sections are zeroed. The register page a peer rings through is an emulated
// device region of its address space; the state page a hypervisor page mapped read-only. The
// arch maps both (arch_cell_create, the root's at enable) and sets a doorbell SPI pending
// (arch_link_doorbell); the descriptors (include/moat/link.h) say where and which.
#pragma once

#include <moat/link.h>

#include "hv/mmio.hpp"
#include "lib/types.hpp"

namespace moat {

struct Cell;

// Doorbell storms. A ring to a peer whose doorbell is still pending (set, not yet taken by the
// receiver) is coalesced: it returns MOAT_LINK_RING_OK and signals nothing, since the receiver will
// see what it announces when it takes the pending one. Each sender endpoint may then set at most
// LINK_RING_BUDGET doorbells pending in any LINK_RING_WINDOW_US (a sliding window, wherever it
// starts), plus one for each doorbell a peer sets pending at it (an answer); a ring over that is
// refused with MOAT_LINK_RING_THROTTLED (the sender rings again later). So a peer ringing flat
// out makes a receiver that does not answer take at most LINK_RING_BUDGET doorbells in any
// millisecond (one exit each when its interrupts are trapped), however fast it rings, and its own
// rings are its own exits; request and reply, however fast, never run out.
constexpr u32 LINK_RING_BUDGET = 16;
constexpr u64 LINK_RING_WINDOW_US = 1000;

// What one sender endpoint's accepted rings did: set a doorbell pending, found it already
// pending, or were refused over budget.
struct LinkRingCounts {
    u64 signalled;
    u64 coalesced;
    u64 throttled;
};
LinkRingCounts link_ring_counts(u32 cell, u32 link);

// The state page of cell slot `cell`'s link endpoint `link` (page aligned, 4 KiB). The arch maps
// it read-only at the endpoint's regs_ipa + MOAT_LINK_STATE_OFFSET.
const moat_link_state *link_state_page(u32 cell, u32 link);

// The register page of cell `c`'s endpoint `link`: the handler and its context for MmioMap::add
// (taken once, when the arch maps the endpoint: its status and state page start clean).
MmioResult link_regs_handler(void *ctx, MmioAccess &a);
void *link_regs_ctx(const Cell &c, u32 link);

// Cell `from` rings peer `peer` of its endpoint `link` (a store to MOAT_LINK_REG_RING). Under the
// cells lock (cell_link_ring takes it): the receiver must be a cell of that name that takes part
// in the same link at that index and names `from` at `from`'s, and still own its doorbell SPI.
// A ring to a receiver whose doorbell is still pending is coalesced, one over the sender's budget
// is refused (above). MOAT_LINK_RING_*.
u32 link_ring_locked(Cell &from, u32 link, u32 peer);

// Under the cells lock, after any change of cells: recompute every endpoint's state page and ring
// the doorbell of each endpoint whose view changed (a peer came, went, or failed); at enable,
// with `ring` false, only fill in the root's pages.
void links_publish(bool ring = true);
// Cell `c` failed (under its cpu_lock, not the cells lock): mark it failed in every endpoint that
// names it and ring those endpoints' cells. links_publish later confirms it.
void links_cell_failed(const Cell &c);
// Cell `c`'s last CPU powered off (it shut itself down, or was stopped), under its cpu_lock:
// likewise, marked down.
void links_cell_shut_down(const Cell &c);
// Under the cells lock. Cell `c` (not the root) was just created / was just destroyed: zero
// each section of its links that no other cell but the root maps at this point (a link's data
// never outlives its last cell peer nor reaches the next one; memory another cell still maps
// is never touched).
void links_zero_unshared(const Cell &c);

// For the host tests: every state page back to zero.
void links_reset();

}  // namespace moat
