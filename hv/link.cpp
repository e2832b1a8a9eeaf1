// SPDX-License-Identifier: GPL-2.0
// moat-link policy (hv/include/hv/link.hpp). Peers find each other by name at the moment of each
// ring: nothing is kept about a link but what the live cells' validated descriptors say, so a
// destroyed or recreated peer can never be reached through a stale record. Two descriptors must
// agree (same link name and peer count, each names the other at the other's index) before one
// cell can ring the other: the root writes every descriptor, but no descriptor alone can point a
// doorbell at a cell that did not declare that link.
#include "hv/link.hpp"

#include "hv/arch_cell.hpp"
#include "hv/cell.hpp"
#include "hv/console.hpp"
#include "hv/string.hpp"
#include "lib/ownership.hpp"

namespace moat {

namespace {

constexpr u64 PAGE = 4096;

struct alignas(PAGE) StatePage {
    moat_link_state s;
    u8 unused[PAGE - sizeof(moat_link_state)];
};
static_assert(sizeof(StatePage) == PAGE, "a state page is one page: nothing else may be mapped with it");
StatePage state_pages[MAX_CELLS][MOAT_CELL_MAX_LINKS];

// Context of each endpoint's register page: which cell, which link.
struct RegsCtx {
    u32 cell;
    u32 link;
};
RegsCtx regs_ctx[MAX_CELLS][MOAT_CELL_MAX_LINKS];
// Result of each endpoint's last ring (MOAT_LINK_REG_STATUS), and the kinds of refusal already
// logged for it (bit n: MOAT_LINK_RING_* n).
u32 last_ring[MAX_CELLS][MOAT_CELL_MAX_LINKS];
u32 refusals_logged[MAX_CELLS][MOAT_CELL_MAX_LINKS];

// Each sender endpoint's doorbell budget (LINK_RING_BUDGET signals in any LINK_RING_WINDOW_US):
// the times of the doorbells it set pending that still count, oldest first, less the newest one
// for each doorbell a peer set pending at it. A sliding window, not a fixed one: with a fixed
// window a sender could spend one window's budget at its end and the next one's at its start,
// twice the budget within microseconds. Coalesced rings are not counted: they cost the receiver
// nothing.
struct RingBudget {
    u64 at[LINK_RING_BUDGET];
    u32 first, count;
};
RingBudget ring_budget[MAX_CELLS][MOAT_CELL_MAX_LINKS];
LinkRingCounts ring_counts[MAX_CELLS][MOAT_CELL_MAX_LINKS];

// Forget the doorbells older than a window, and give the time the next one counts at. A clock
// behind the newest doorbell by less than a window (another CPU of the sender read the counter
// before it got the cells lock) is taken as that doorbell's time: forgetting the budget there
// would let a cell ringing from two CPUs in turn reset it at will. Only a clock a window or more
// behind (a reset) forgets them all, rather than leave the sender throttled for ever.
u64 budget_expire(RingBudget &b, u64 now)
{
    if (b.count) {
        u64 newest = b.at[(b.first + b.count - 1) % LINK_RING_BUDGET];
        if (now < newest && newest - now >= LINK_RING_WINDOW_US)
            b.count = 0;
        else if (now < newest)
            now = newest;
    }
    while (b.count && now - b.at[b.first] >= LINK_RING_WINDOW_US) {
        b.first = (b.first + 1) % LINK_RING_BUDGET;
        b.count--;
    }
    return now;
}

// Endpoint (cell, link) sets one more doorbell pending now, if its budget allows: true and counted.
bool budget_take(u32 cell, u32 link)
{
    RingBudget &b = ring_budget[cell][link];
    u64 now = budget_expire(b, arch_time_us());
    if (b.count >= LINK_RING_BUDGET)
        return false;
    b.at[(b.first + b.count) % LINK_RING_BUDGET] = now;
    b.count++;
    return true;
}

// A doorbell set pending at endpoint (cell, link), an answer: its newest counted doorbell is
// forgotten.
void budget_give_back(u32 cell, u32 link)
{
    RingBudget &b = ring_budget[cell][link];
    if (b.count)
        b.count--;
}

bool owns_irq(const Cell &c, u32 intid) { return (c.irqs[intid / 32] >> (intid % 32)) & 1; }

// The endpoint of cell `c` that is peer `index` of the link `l` names, agreeing with `l` about
// the link (name, peer count) and about `l`'s own cell at `l.self`; nullptr otherwise.
const moat_cell_link *matching_endpoint(const Cell &c, const moat_cell_link &l, u32 index)
{
    if (!same_link_name(c.desc.name, l.peers[index]))
        return nullptr;
    for (u32 i = 0; i < c.desc.links.num_links && i < MOAT_CELL_MAX_LINKS; i++) {
        const moat_cell_link &o = c.desc.links.link[i];
        if (same_link_name(o.name, l.name) && o.num_peers == l.num_peers && o.self == index &&
            same_link_name(o.peers[l.self], l.peers[l.self]))
            return &o;
    }
    return nullptr;
}

// The live cell that is peer `index` of `l`, and its endpoint.
Cell *find_peer(const moat_cell_link &l, u32 index, const moat_cell_link **ep)
{
    for (u32 id = 0; id < MAX_CELLS; id++) {
        Cell *c = cell_get(id);
        if (c && (*ep = matching_endpoint(*c, l, index)))
            return c;
    }
    return nullptr;
}

u32 peer_state(const moat_cell_link &l, u32 index)
{
    const moat_cell_link *ep;
    Cell *c = find_peer(l, index, &ep);
    if (!c)
        return MOAT_LINK_PEER_DOWN;
    if (c->is_root())
        return MOAT_LINK_PEER_UP;
    LockGuard g(c->cpu_lock);
    switch (c->cpus.run()) {
    case CellCpus::Run::RUNNING:
        return MOAT_LINK_PEER_UP;
    case CellCpus::Run::FAILED:
        return MOAT_LINK_PEER_FAILED;
    default:
        return MOAT_LINK_PEER_DOWN;
    }
}

void store_state(moat_link_state &s, u32 peer, u32 state)
{
    volatile u32 *p = &s.peer_state[peer];
    *p = state;
    volatile u32 *gen = &s.generation;
    *gen = *gen + 1;
}

}  // namespace

const moat_link_state *link_state_page(u32 cell, u32 link) { return &state_pages[cell][link].s; }

void *link_regs_ctx(const Cell &c, u32 link)
{
    regs_ctx[c.id][link] = {c.id, link};
    last_ring[c.id][link] = MOAT_LINK_RING_NONE;
    refusals_logged[c.id][link] = 0;
    ring_budget[c.id][link] = {};
    ring_counts[c.id][link] = {};
    // A new endpoint starts from a clean page: nothing of the slot's previous cell's links.
    mem_set(&state_pages[c.id][link], 0, sizeof(state_pages[c.id][link]));
    return &regs_ctx[c.id][link];
}

u32 link_ring_locked(Cell &from, u32 link, u32 peer)
{
    const moat_cell_link &l = from.desc.links.link[link];
    LinkRingCounts &n = ring_counts[from.id][link];
    u32 result;
    const moat_cell_link *ep = nullptr;
    Cell *to = nullptr;
    if (peer >= l.num_peers || peer == l.self)
        result = MOAT_LINK_RING_NOT_PEER;
    else if (!(to = find_peer(l, peer, &ep)) || !owns_irq(*to, ep->doorbell_intid))
        result = MOAT_LINK_RING_PEER_DOWN;
    else if (arch_link_doorbell_pending(ep->doorbell_intid)) {
        // The receiver has not taken the last doorbell yet: when it does, it sees whatever this
        // ring announces. Nothing to signal, nothing spent (a storm of these costs it nothing).
        result = MOAT_LINK_RING_OK;
        n.coalesced++;
    } else if (!budget_take(from.id, link)) {
        result = MOAT_LINK_RING_THROTTLED;
        n.throttled++;
    } else {
        arch_link_doorbell(ep->doorbell_intid);
        // A doorbell is an answer too: the receiver's own budget gets one back, so that request
        // and reply, however fast, never run out; a sender nobody answers lives on its budget.
        budget_give_back(to->id, static_cast<u32>(ep - to->desc.links.link));
        result = MOAT_LINK_RING_OK;
        n.signalled++;
    }
    // Each kind of refusal is logged once per endpoint: a cell ringing strangers in a loop (or
    // in turn with its peer) must not keep the cells lock busy with console output.
    u32 bit = 1u << result;
    if (result != MOAT_LINK_RING_OK && !(refusals_logged[from.id][link] & bit)) {
        refusals_logged[from.id][link] |= bit;
        log("link \"%s\": cell \"%s\" rang peer %u, refused: %s", l.name, from.desc.name, peer,
            result == MOAT_LINK_RING_NOT_PEER    ? "no such peer"
            : result == MOAT_LINK_RING_THROTTLED ? "over its doorbell budget (logged once)"
                                                 : "that peer is not there");
    }
    last_ring[from.id][link] = result;
    return result;
}

LinkRingCounts link_ring_counts(u32 cell, u32 link) { return ring_counts[cell][link]; }

MmioResult link_regs_handler(void *ctx, MmioAccess &a)
{
    const RegsCtx &x = *static_cast<const RegsCtx *>(ctx);
    Cell *c = cell_get(x.cell);
    if (!c || a.size != 4)
        return MmioResult::DENIED;
    const moat_cell_link &l = c->desc.links.link[x.link];
    if (a.write) {
        if (a.offset != MOAT_LINK_REG_RING)
            return MmioResult::DENIED;
        cell_link_ring(*c, x.link, static_cast<u32>(a.value));
        return MmioResult::HANDLED;
    }
    switch (a.offset) {
    case MOAT_LINK_REG_STATUS:
        a.value = last_ring[x.cell][x.link];
        return MmioResult::HANDLED;
    case MOAT_LINK_REG_SELF:
        a.value = l.self;
        return MmioResult::HANDLED;
    case MOAT_LINK_REG_PEERS:
        a.value = l.num_peers;
        return MmioResult::HANDLED;
    default:
        return MmioResult::DENIED;
    }
}

void links_publish(bool ring)
{
    for (u32 id = 0; id < MAX_CELLS; id++) {
        Cell *c = cell_get(id);
        if (!c)
            continue;
        for (u32 i = 0; i < c->desc.links.num_links && i < MOAT_CELL_MAX_LINKS; i++) {
            const moat_cell_link &l = c->desc.links.link[i];
            moat_link_state &s = state_pages[id][i].s;
            bool changed = s.num_peers != l.num_peers;
            s.num_peers = l.num_peers;
            for (u32 p = 0; p < l.num_peers && p < MOAT_LINK_MAX_PEERS; p++) {
                u32 st = p == l.self ? MOAT_LINK_PEER_UP : peer_state(l, p);
                if (s.peer_state[p] != st) {
                    store_state(s, p, st);
                    changed = true;
                }
            }
            if (changed && ring && owns_irq(*c, l.doorbell_intid))
                arch_link_doorbell(l.doorbell_intid);
        }
    }
}

namespace {
// Cell `gone` reached `state` on its own (failed, or its last CPU powered off): every endpoint
// that names it is told, without the cells lock (see links_cell_failed).
void links_cell_ended(const Cell &gone, u32 state)
{
    for (u32 id = 0; id < MAX_CELLS; id++) {
        Cell *c = cell_get(id);
        if (!c || c == &gone)
            continue;
        for (u32 i = 0; i < c->desc.links.num_links && i < MOAT_CELL_MAX_LINKS; i++) {
            const moat_cell_link &l = c->desc.links.link[i];
            for (u32 p = 0; p < l.num_peers && p < MOAT_LINK_MAX_PEERS; p++) {
                if (p == l.self || !matching_endpoint(gone, l, p) || state_pages[id][i].s.peer_state[p] == state)
                    continue;
                store_state(state_pages[id][i].s, p, state);
                if (owns_irq(*c, l.doorbell_intid))
                    arch_link_doorbell(l.doorbell_intid);
            }
        }
    }
}
}  // namespace

void links_cell_failed(const Cell &c) { links_cell_ended(c, MOAT_LINK_PEER_FAILED); }
void links_cell_shut_down(const Cell &c) { links_cell_ended(c, MOAT_LINK_PEER_DOWN); }

// Does a live cell other than the root and `c` map any of [pa, pa + size)? Then the memory is
// in use: not only by peers of this link, but by anyone (a descriptor of the root's could call
// another link's or two cells' plain shared memory a section of its own).
bool mapped_by_another_cell(const Cell &c, u64 pa, u64 size)
{
    for (u32 id = 1; id < MAX_CELLS; id++) {
        const Cell *o = cell_get(id);
        if (!o || o == &c)
            continue;
        for (u32 i = 0; i < o->desc.num_mem_regions && i < MOAT_CELL_MAX_MEM_REGIONS; i++) {
            const moat_cell_mem_region &m = o->desc.mem_regions[i];
            if (pa < m.phys_start + m.size && m.phys_start < pa + size)
                return true;
        }
    }
    return false;
}

void links_zero_unshared(const Cell &c)
{
    for (u32 i = 0; i < c.desc.links.num_links && i < MOAT_CELL_MAX_LINKS; i++) {
        const moat_cell_link &l = c.desc.links.link[i];
        for (u32 k = 0; k < l.num_sections && k < MOAT_LINK_MAX_SECTIONS; k++)
            if (!mapped_by_another_cell(c, l.sections[k].phys, l.sections[k].size))
                arch_zero_phys(l.sections[k].phys, l.sections[k].size);
    }
}

void links_reset()
{
    mem_set(state_pages, 0, sizeof(state_pages));
    mem_set(last_ring, 0, sizeof(last_ring));
    mem_set(refusals_logged, 0, sizeof(refusals_logged));
    mem_set(ring_budget, 0, sizeof(ring_budget));
    mem_set(ring_counts, 0, sizeof(ring_counts));
}

}  // namespace moat
