// SPDX-License-Identifier: GPL-2.0
#include "image.hpp"

#include <bit>
#include <cstring>

namespace moat::tools {

static_assert(std::endian::native == std::endian::little, "moat tools assume a little-endian host");

std::string abi_version_string(std::uint32_t v)
{
    return std::to_string(MOAT_ABI_VERSION_MAJOR(v)) + "." + std::to_string(MOAT_ABI_VERSION_MINOR(v));
}

void write_header(const moat_image_header &h, std::uint8_t out[sizeof(moat_image_header)])
{
    std::memcpy(out, &h, sizeof(h));
}

ImageCheck check_image(std::span<const std::uint8_t> bytes)
{
    ImageCheck r;
    if (bytes.size() < sizeof(moat_image_header)) {
        r.error = "file is " + std::to_string(bytes.size()) + " bytes, shorter than the " +
                  std::to_string(sizeof(moat_image_header)) +
                  "-byte image header: not a moat hypervisor image";
        return r;
    }
    moat_image_header h;
    std::memcpy(&h, bytes.data(), sizeof(h));
    if (h.magic != MOAT_IMAGE_MAGIC) {
        r.error = "bad magic: not a moat hypervisor image (expected moat-hv.bin from the build)";
        return r;
    }
    if (MOAT_ABI_VERSION_MAJOR(h.abi_version) != MOAT_ABI_MAJOR) {
        r.error = "image ABI " + abi_version_string(h.abi_version) + " does not match this tool's ABI " +
                  abi_version_string(MOAT_ABI_VERSION) + ": rebuild the image and the tools together";
        return r;
    }
    if (h.header_size != sizeof(moat_image_header)) {
        r.error = "image header size " + std::to_string(h.header_size) + " differs from " +
                  std::to_string(sizeof(moat_image_header)) + ": mismatched build";
        return r;
    }
    if (h.image_size != bytes.size()) {
        r.error = "image header says " + std::to_string(h.image_size) + " bytes but the file has " +
                  std::to_string(bytes.size()) + ": truncated or padded image";
        return r;
    }
    if (h.entry_offset < sizeof(moat_image_header) || h.entry_offset >= h.image_size ||
        h.entry_offset % 4) {
        r.error = "entry offset " + std::to_string(h.entry_offset) + " lies outside the image code";
        return r;
    }
    if (h.memory_size < h.image_size) {
        r.error = "memory size " + std::to_string(h.memory_size) + " is smaller than the image";
        return r;
    }
    if (h.max_cpus == 0 || h.max_cpus > MOAT_MAX_CPUS) {
        r.error = "image supports " + std::to_string(h.max_cpus) + " CPUs, outside 1.." +
                  std::to_string(MOAT_MAX_CPUS);
        return r;
    }
    r.header = h;
    return r;
}

}  // namespace moat::tools
