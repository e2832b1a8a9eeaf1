// SPDX-License-Identifier: GPL-2.0
// Which device-tree nodes are DMA masters: one rule for moat-cellc (a cell may own one only with
// moat,dma-unconfined) and for `moat cell linux` (it refuses a tree whose DMA master a root
// driver holds). Host-tested (CellcRules.DmaMaster*, LinuxDt.BoundDmaMasterIsNamed).
#pragma once

#include <cstring>
#include <string>

namespace moat::tools {

// The properties that say a node masters the bus.
inline constexpr const char *dma_master_props[] = {"dma-coherent", "iommus", "#dma-cells"};

// Why a compatible string names a DMA master, or "". The DMA controllers by name; then the
// controllers that move their own data, by a word of the model (split at '-' and ',', after the
// vendor): "brcm,bcm2711-genet-v5", "cdns,gem", "brcm,bcm2711-emmc2", "snps,dwc2", "generic-xhci".
// Not every such device says dma-coherent or iommus in a board tree (the Raspberry Pi 4's say
// neither).
inline std::string dma_master_compatible(const std::string &compat)
{
    for (const char *c : {"virtio,mmio", "arm,pl330", "arm,pl080", "arm,pl081"})
        if (compat == c)
            return std::string("compatible \"") + c + "\"";
    static constexpr const char *kinds[] = {"dma",  "dmac", "sdhci", "emmc", "emmc2", "mmc", "sdmmc", "genet",
                                            "gem",  "macb", "eqos",  "xhci", "ehci",  "ohci", "dwc2", "dwc3",
                                            "usb",  "ahci", "sata",  "nvme", "v3d",   "gpu",  "pcie", "pci"};
    size_t comma = compat.find(',');
    std::string model = comma == std::string::npos ? compat : compat.substr(comma + 1);
    for (size_t b = 0; b <= model.size();) {
        size_t e = model.find_first_of("-,", b);
        std::string word = model.substr(b, e == std::string::npos ? std::string::npos : e - b);
        for (const char *k : kinds)
            if (word == k)
                return "compatible \"" + compat + "\": a " + k + " controller moves its own data";
        if (e == std::string::npos)
            break;
        b = e + 1;
    }
    return "";
}

}  // namespace moat::tools
