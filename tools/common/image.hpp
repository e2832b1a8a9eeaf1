// SPDX-License-Identifier: GPL-2.0
// Reading and checking a hypervisor image header (tools side of the ABI).
#pragma once

#include <moat/abi.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace moat::tools {

struct ImageCheck {
    std::optional<moat_image_header> header;  // set when the image is usable
    std::string error;                        // why not, in words
};

// Checks magic, ABI major version, header size, entry and sizes against the file size.
ImageCheck check_image(std::span<const std::uint8_t> bytes);

// Serialises a header into its little-endian on-disk form (tests, tools).
void write_header(const moat_image_header &h, std::uint8_t out[sizeof(moat_image_header)]);

std::string abi_version_string(std::uint32_t v);

}  // namespace moat::tools
