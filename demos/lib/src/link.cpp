// SPDX-License-Identifier: MIT
#include "demo/link.hpp"

#include "demo/gic.hpp"
#include "demo/irq.hpp"
#include "demo/mmio.hpp"
#include "demo/sysreg.hpp"

namespace demo::link {

bool Endpoint::open()
{
    if (!irq::attach(layout_.doorbell_intid, on_doorbell, this))
        return false;
    // Edge: the hypervisor sets the SPI pending once per ring.
    gic::enable_spi(layout_.doorbell_intid, gic::kDefaultPriority, gic::Trigger::Edge);
    return true;
}

void Endpoint::on_doorbell(uint32_t, uint64_t, void *ctx)
{
    Endpoint *e = static_cast<Endpoint *>(ctx);
    __atomic_store_n(&e->count_, e->count_ + 1, __ATOMIC_RELEASE);
}

uint32_t Endpoint::self() const { return mmio::read32(layout_.regs + MOAT_LINK_REG_SELF); }
uint32_t Endpoint::peers() const { return mmio::read32(layout_.regs + MOAT_LINK_REG_PEERS); }
uint32_t Endpoint::last_ring_status() const { return mmio::read32(layout_.regs + MOAT_LINK_REG_STATUS); }

void Endpoint::ring(uint32_t peer) const
{
    // The message must be visible before the peer can see the doorbell.
    arch::dsb_ish();
    mmio::write32(layout_.regs + MOAT_LINK_REG_RING, peer);
}

uint32_t Endpoint::wait(uint32_t seen) const
{
    for (;;) {
        arch::irq_disable();
        uint32_t now = count();
        if (now != seen) {
            arch::irq_enable();
            return now;
        }
        // WFI with IRQs masked still wakes on a pending interrupt: no lost wake-up.
        arch::wfi();
        arch::irq_enable();
    }
}

void Endpoint::mask() const { gic::disable_spi(layout_.doorbell_intid); }
void Endpoint::unmask() const { gic::enable_spi(layout_.doorbell_intid, gic::kDefaultPriority, gic::Trigger::Edge); }

uint32_t Endpoint::peer_state(uint32_t p) const
{
    const auto *s = reinterpret_cast<const volatile moat_link_state *>(layout_.regs + MOAT_LINK_STATE_OFFSET);
    return p < MOAT_LINK_MAX_PEERS ? s->peer_state[p] : MOAT_LINK_PEER_DOWN;
}

uint32_t Endpoint::state_generation() const
{
    return reinterpret_cast<const volatile moat_link_state *>(layout_.regs + MOAT_LINK_STATE_OFFSET)->generation;
}

}  // namespace demo::link
