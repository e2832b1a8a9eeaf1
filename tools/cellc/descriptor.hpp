// SPDX-License-Identifier: GPL-2.0
// From a resolved cell to the binary descriptor of include/moat/cell.h, and back to text.
#pragma once

#include <moat/cell.h>

#include <string>
#include <vector>

#include "cell_spec.hpp"

namespace cellc {

// Builds the descriptor, fills in the checksum and runs the hypervisor's validator over it.
// Throws Error (naming the cell) if it needs more regions than fit or the validator refuses it.
moat_cell_desc encode_cell(const Cell &cell, const Board &board);

std::vector<char> descriptor_bytes(const moat_cell_desc &desc);

// Checks bytes read from `name` with the validator; throws Error naming the file and the field.
moat_cell_desc decode_descriptor(const std::string &name, const std::vector<char> &bytes);
moat_cell_desc read_descriptor_file(const std::string &path);

std::string dump_text(const moat_cell_desc &desc);
// dump_json() and its inverse: the descriptor described by `text` (read from `file`), checksum
// recomputed. With `validate`, throws Error with the validator's message if it is not valid;
// without, it can build deliberately broken descriptors for the hypervisor's negative tests.
moat_cell_desc descriptor_from_json(const std::string &file, const std::string &text, bool validate);
std::string dump_json(const moat_cell_desc &desc);

}  // namespace cellc
