// SPDX-License-Identifier: GPL-2.0
// What each fuzzer does with one input. Shared by the libFuzzer entry points (fuzz_*.cpp) and by
// cellc_tests, which replays every file under tests/fuzz/regressions/ through the same code.
// An input may be rejected with any error; it must never crash, hang, leak or trip UBSan, and a
// descriptor the compiler emits must always pass the validator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cellc.hpp"

namespace moat_fuzz {

// Bytes as a cell descriptor: validate; if valid, dump it both ways.
void validate_descriptor(const std::uint8_t *data, std::size_t size);

// Bytes as a cell descriptor (checksum recomputed, so that mutations get past it): if the
// validator accepts it, the ownership check (lib/ownership.cpp) against a QEMU virt root cell
// (GICv3 and GICv2) and one other cell must agree with a plain re-statement of its rules.
void check_ownership(const std::uint8_t *data, std::size_t size);

// Bytes as the JSON `moat-cellc pack` reads; whatever it accepts must validate.
void pack_json(const std::uint8_t *data, std::size_t size);

// Bytes as a cell overlay applied to `board` after `context` (the moat fragment, the root cell):
// compile it, and check it as part of the system.
void compile_overlay(const cellc::Blob &board, const std::vector<cellc::Blob> &context,
                     const std::uint8_t *data, std::size_t size);

// Bytes as a board tree with `overlays` (moat fragment and cells) on top: check and compile.
void compile_board(const std::vector<cellc::Blob> &overlays, const std::uint8_t *data, std::size_t size);

// Bytes as messages from Linux to the ctl-loop cell, split at 0xff: the cell's end of the
// steering protocol must keep its setpoint in range and answer each with a valid message.
void steer_messages(const std::uint8_t *data, std::size_t size);

}  // namespace moat_fuzz
