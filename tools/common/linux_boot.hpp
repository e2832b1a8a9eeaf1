// SPDX-License-Identifier: GPL-2.0
// What `moat cell linux` puts in a Linux cell's RAM (docs/linux-cell.md): the arm64 boot protocol
// (Documentation/arch/arm64/booting.rst: Image header, 2 MiB aligned base + text_offset, x0 = the
// tree) done by a 32-byte stub at the cell's entry, because a cell's first CPU starts with x0
// unset. No libfdt in the guest's static tool: /chosen is rewritten by a small FDT editor.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace moat::tools {

struct KernelImage {
    std::uint64_t text_offset = 0;
    std::uint64_t image_size = 0;  // bytes from the load address the kernel needs (bss included)
};

// Parses the arm64 Image header; false with `err` naming what is wrong (e.g. a compressed vmlinuz).
bool parse_kernel_image(const std::vector<std::uint8_t> &image, KernelImage &out, std::string &err);

struct LinuxLayout {
    std::uint64_t stub = 0;    // the cell's entry: sets x0..x3 and branches to the kernel
    std::uint64_t kernel = 0;  // 2 MiB aligned base + text_offset
    std::uint64_t dtb = 0;     // 2 MiB aligned after the kernel's image_size (booting.rst: 8-byte aligned, < 2 MiB)
    std::uint64_t initrd = 0;  // page aligned after the tree; 0 if there is none
    std::uint64_t end = 0;     // first byte after everything
};

// Where everything goes in the cell's RAM [ram_base, ram_base + ram_size) with the stub at
// `entry`; false with `err` saying what does not fit and what to change.
bool plan_linux_layout(std::uint64_t ram_base, std::uint64_t ram_size, std::uint64_t entry, const KernelImage &k,
                       std::uint64_t dtb_size, std::uint64_t initrd_size, LinuxLayout &out, std::string &err);

// The boot stub: x0 = dtb, x1 = x2 = x3 = 0, branch to kernel.
std::vector<std::uint8_t> linux_boot_stub(std::uint64_t dtb, std::uint64_t kernel);

// Sets properties of /chosen (added if the tree has none), replacing those of the same name.
// Returns false with `err` if `dtb` is not a well-formed flattened tree (version 16 or later).
using FdtProp = std::pair<std::string, std::vector<std::uint8_t>>;
bool fdt_set_chosen(std::vector<std::uint8_t> &dtb, const std::vector<FdtProp> &props, std::string &err);
std::vector<std::uint8_t> fdt_u64(std::uint64_t v);
std::vector<std::uint8_t> fdt_string(const std::string &s);

// The DMA masters among the top-level nodes of a Linux cell's tree (compatible "virtio,mmio", or
// dma-coherent), each by the name Linux gives its platform device from the node name: "UNIT.NAME"
// (virtio_mmio@a001000: "a001000.virtio_mmio"). False with `err` on a malformed tree.
bool fdt_dma_devices(const std::vector<std::uint8_t> &dtb, std::vector<std::string> &out, std::string &err);

// The first of `devices` that a driver of the running Linux is bound to (its driver link under
// SYSFS/bus/platform/devices), as a message naming the device, the driver and the unbind
// command; empty if none is. A cell's Linux resets such a device under the root's driver, whose
// queues point into the root's memory.
std::string bound_dma_device(const std::vector<std::string> &devices, const std::string &sysfs = "/sys");

}  // namespace moat::tools
