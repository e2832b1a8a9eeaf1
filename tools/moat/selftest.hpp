// SPDX-License-Identifier: GPL-2.0
#pragma once

namespace moat::selftest {

// moat selftest [--duration S] [--cells DIR] [--demos DIR] [--root-cell FILE] [--png FILE]
int cmd_selftest(int argc, char **argv);

}  // namespace moat::selftest
