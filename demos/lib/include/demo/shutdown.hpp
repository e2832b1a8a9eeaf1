// SPDX-License-Identifier: MIT
// Cooperative shutdown (MOAT_HC_SHUTDOWN_NOTIFY/REPLY in include/moat/abi.h): a cell that asks
// to be asked gets an SGI when the root runs `moat cell shutdown|destroy`, and answers when it
// is ready: approve() stops the cell's CPUs there and then, refuse() makes the root's request
// fail. Without this, or with --force, the hypervisor stops the cell without asking.
#pragma once

#include <stdint.h>

namespace demo::shutdown {

// Called in interrupt context when the root asks; answer now or later, from anywhere.
using Request = void (*)(void *ctx);

// Enable `sgi` (0..14) on this CPU and register it with the hypervisor. False in the bare-metal
// flavour (nobody to ask) or if the hypervisor refused.
bool ask_me_first(uint32_t sgi, Request on_request, void *ctx);

// Answers to the pending request. approve() does not return in a cell; either returns false
// if there was no request to answer.
bool approve();
bool refuse();

}  // namespace demo::shutdown
