// SPDX-License-Identifier: GPL-2.0
// libFuzzer entry points; which one is built is chosen by MOAT_FUZZ_TARGET (see CMakeLists.txt).
// The trees a target needs besides its input come from the environment, set by scripts/fuzz.sh:
//   MOAT_FUZZ_BOARD     the board tree with moat's fragment applied (.dtb)
//   MOAT_FUZZ_OVERLAYS  colon-separated .dtbo files: context for `overlay`, the cells for `board`
#include <cstdlib>
#include <sstream>
#include <string>

#include "fuzz_targets.hpp"

namespace {

cellc::Blob board;
std::vector<cellc::Blob> overlays;

std::vector<cellc::Blob> load_list(const char *list)
{
    std::vector<cellc::Blob> out;
    std::stringstream s(list ? list : "");
    std::string path;
    while (std::getline(s, path, ':'))
        if (!path.empty())
            out.push_back(cellc::load_blob(path, "overlay"));
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    if (const char *b = std::getenv("MOAT_FUZZ_BOARD"))
        board = cellc::load_blob(b, "board tree");
    overlays = load_list(std::getenv("MOAT_FUZZ_OVERLAYS"));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
#if MOAT_FUZZ_TARGET == 1
    moat_fuzz::validate_descriptor(data, size);
#elif MOAT_FUZZ_TARGET == 2
    moat_fuzz::compile_overlay(board, overlays, data, size);
#elif MOAT_FUZZ_TARGET == 3
    moat_fuzz::compile_board(overlays, data, size);
#elif MOAT_FUZZ_TARGET == 5
    moat_fuzz::check_ownership(data, size);
#elif MOAT_FUZZ_TARGET == 6
    moat_fuzz::steer_messages(data, size);
#else
    moat_fuzz::pack_json(data, size);
#endif
    return 0;
}
