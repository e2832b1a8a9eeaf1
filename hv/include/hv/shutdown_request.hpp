// SPDX-License-Identifier: GPL-2.0
// Cooperative shutdown of one cell (MOAT_HC_SHUTDOWN_NOTIFY/REPLY, MOAT_HC_CELL_SHUTDOWN): who
// has been asked, and what the answer was. Pure state, no locking: the caller holds the cell
// lock. The arch code acts on the returned decisions (send the SGI, stop the CPUs).
#pragma once

#include <moat/abi.h>

#include "lib/types.hpp"

namespace moat {

class ShutdownRequest {
public:
    // What the root's shutdown request leads to.
    enum class Ask {
        STOP,     // not cooperative, or forced: stop the CPUs now
        NOTIFY,   // first request: send the cell its SGI, answer PENDING
        WAIT,     // asked already, no answer yet: PENDING
        REFUSED,  // the cell said no: DENIED (the request is over; asking again asks anew)
    };
    // What the cell's reply leads to.
    enum class Reply {
        STOP,     // approved: stop the CPUs, the calling one included
        NOTED,    // refused: the root learns it on its next call
        INVALID,  // no request pending, or not an answer
    };

    static constexpr u32 NO_SGI = ~0u;
    static constexpr u32 MAX_SGI = 14;  // SGI 15 is the hypervisor's management SGI

    // A new run of the cell: not cooperative until it registers again.
    void reset() { *this = ShutdownRequest{}; }

    // The cell wants to be asked, through `sgi`. False if that SGI cannot be used.
    bool set_notify(u64 sgi)
    {
        if (sgi > MAX_SGI)
            return false;
        sgi_ = static_cast<u32>(sgi);
        return true;
    }
    bool cooperative() const { return sgi_ != NO_SGI; }
    u32 sgi() const { return sgi_; }

    Ask ask(bool force)
    {
        if (force || !cooperative()) {
            state_ = State::IDLE;
            return Ask::STOP;
        }
        switch (state_) {
        case State::IDLE:
            state_ = State::ASKED;
            return Ask::NOTIFY;
        case State::ASKED:
            return Ask::WAIT;
        case State::REFUSED:
            break;
        }
        state_ = State::IDLE;
        return Ask::REFUSED;
    }

    Reply reply(u64 answer)
    {
        if (state_ != State::ASKED)
            return Reply::INVALID;
        if (answer == MOAT_SHUTDOWN_APPROVE) {
            state_ = State::IDLE;
            return Reply::STOP;
        }
        if (answer == MOAT_SHUTDOWN_REFUSE) {
            state_ = State::REFUSED;
            return Reply::NOTED;
        }
        return Reply::INVALID;
    }

    bool pending() const { return state_ == State::ASKED; }

private:
    enum class State { IDLE, ASKED, REFUSED };
    State state_ = State::IDLE;
    u32 sgi_ = NO_SGI;
};

}  // namespace moat
