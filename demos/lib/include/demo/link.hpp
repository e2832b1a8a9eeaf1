// SPDX-License-Identifier: MIT
// moat-link for an inmate: a cell's end of a link (include/moat/link.h, docs/binding.md "Links").
// The cell knows its layout from its overlay (where the sections and the register pages are, the
// SPI its doorbell raises); this wraps the rest:
//   map     the sections are ordinary memory at their IPAs: section(k) gives the address;
//   ring    one store to the doorbell register page: one exit, the peer's doorbell SPI pending;
//   wait    sleep (WFI) until the doorbell rang since the last look;
//   poll    look without sleeping; with the doorbell masked, no interrupt at all;
//   state   each peer's state from the read-only state page (no exit).
// The SPSC queue on top is include/moat/link_queue.h (moat_linkq_push/pop).
#pragma once

#include <moat/link.h>
#include <stdint.h>

namespace demo::link {

struct Layout {
    uintptr_t first_section;  // IPA of section 0; the others follow in link order
    uintptr_t regs;           // the doorbell register page (the state page follows)
    uint32_t doorbell_intid;  // the SPI this cell's doorbell raises (the link's doorbell-intids)
};

class Endpoint {
public:
    explicit Endpoint(const Layout &l) : layout_(l) {}
    // Attaches the doorbell interrupt and enables it, routed to this CPU. False if it cannot.
    bool open();
    uintptr_t section(uintptr_t offset = 0) const { return layout_.first_section + offset; }
    // Each of these reads a trapped register: one exit.
    uint32_t self() const;
    uint32_t peers() const;
    uint32_t last_ring_status() const;  // MOAT_LINK_RING_*
    // One store, one exit; the hypervisor refuses a ring to no peer (last_ring_status says why).
    void ring(uint32_t peer) const;
    // Doorbells received since open().
    uint32_t count() const { return __atomic_load_n(&count_, __ATOMIC_ACQUIRE); }
    // Sleep until count() differs from `seen`; returns the new count.
    uint32_t wait(uint32_t seen) const;
    // Mask / unmask the doorbell interrupt (poll() still works, nothing interrupts).
    void mask() const;
    void unmask() const;
    // Whether the doorbell is pending in the GIC (masked polling) or has been counted.
    bool poll(uint32_t seen) const { return count() != seen; }
    // MOAT_LINK_PEER_* of peer `p`, from the state page; and its change counter.
    uint32_t peer_state(uint32_t p) const;
    uint32_t state_generation() const;

private:
    static void on_doorbell(uint32_t intid, uint64_t, void *ctx);
    Layout layout_;
    uint32_t count_ = 0;
};

}  // namespace demo::link
