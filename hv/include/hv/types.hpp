// SPDX-License-Identifier: GPL-2.0
// Moved to lib/ (code the hypervisor shares with the tools): include "lib/types.hpp". This
// forwarder stays only until every includer has been updated.
#pragma once

#include "lib/types.hpp"
