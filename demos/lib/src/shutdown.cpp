// SPDX-License-Identifier: MIT
#include "demo/shutdown.hpp"

#include <moat/abi.h>

#include "demo/flavour.hpp"
#include "demo/gic.hpp"
#include "demo/irq.hpp"

namespace demo::shutdown {

namespace {
Request handler;
void *handler_ctx;

int64_t hypercall(uint64_t function, uint64_t arg)
{
    register uint64_t x0 asm("x0") = function;
    register uint64_t x1 asm("x1") = arg;
    asm volatile("hvc #0"
                 : "+r"(x0), "+r"(x1)
                 :
                 : "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
                   "x16", "x17", "memory");
    return static_cast<int64_t>(x0);
}

void on_sgi(uint32_t, uint64_t, void *)
{
    if (handler)
        handler(handler_ctx);
}
}  // namespace

bool ask_me_first(uint32_t sgi, Request on_request, void *ctx)
{
    if (!kInCell || !on_request)
        return false;
    handler = on_request;
    handler_ctx = ctx;
    if (!irq::attach(sgi, on_sgi, nullptr))
        return false;
    // SGIs live in the same banked enable and priority registers as PPIs.
    gic::enable_ppi(sgi, gic::kDefaultPriority, gic::Trigger::Edge);
    return hypercall(MOAT_HC_SHUTDOWN_NOTIFY, sgi) == MOAT_HC_OK;
}

bool approve() { return kInCell && hypercall(MOAT_HC_SHUTDOWN_REPLY, MOAT_SHUTDOWN_APPROVE) == MOAT_HC_OK; }

bool refuse() { return kInCell && hypercall(MOAT_HC_SHUTDOWN_REPLY, MOAT_SHUTDOWN_REFUSE) == MOAT_HC_OK; }

}  // namespace demo::shutdown
