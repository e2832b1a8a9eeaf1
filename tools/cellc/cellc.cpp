// SPDX-License-Identifier: GPL-2.0
#include "cellc.hpp"

#include <algorithm>

namespace cellc {

namespace {

struct System {
    Tree tree;
    Board board;
    std::vector<Cell> cells;
};

System load_system(const Blob &board, const std::vector<Blob> &overlays, Diagnostics &diags)
{
    Tree tree(board);
    tree.apply_overlays(overlays);
    Board b = read_board(tree);
    System s{std::move(tree), std::move(b), {}};
    s.cells = read_cells(s.tree, s.board, diags);
    // Command-line order, so that a conflict is reported on the overlay that comes later.
    auto rank = [&](const Cell &c) {
        for (size_t i = 0; i < overlays.size(); i++)
            if (overlays[i].file == c.where.file)
                return i;
        return overlays.size();
    };
    std::stable_sort(s.cells.begin(), s.cells.end(), [&](const Cell &a, const Cell &b) { return rank(a) < rank(b); });
    return s;
}

}  // namespace

CompileResult compile_cell(const Blob &board, const std::vector<Blob> &overlays)
{
    CompileResult out;
    try {
        if (overlays.empty())
            throw Error(Location{board.file, {}, {}}, "no overlay given; pass the cell's .dtbo");
        System s = load_system(board, overlays, out.diags);
        const std::string &file = overlays.back().file;
        std::vector<const Cell *> mine;
        for (const Cell &c : s.cells)
            if (c.where.file == file)
                mine.push_back(&c);
        if (!out.diags.empty())
            return out;
        if (mine.size() != 1)
            throw Error(Location{file, {}, {}},
                        mine.empty() ? "defines no cell (no node with compatible \"moat,cell\" or \"moat,root-cell\"); "
                                       "pass the cell's overlay last"
                                     : "defines " + std::to_string(mine.size()) + " cells; one overlay describes one cell");
        check_cell(*mine[0], s.board, out.diags);
        if (out.diags.empty())
            out.descriptor = descriptor_bytes(encode_cell(*mine[0], s.board));
    } catch (const Error &e) {
        out.diags.push_back(e.diagnostic());
    }
    if (!out.diags.empty())
        out.descriptor.clear();
    return out;
}

Diagnostics check_system(const Blob &board, const std::vector<Blob> &overlays)
{
    Diagnostics diags;
    try {
        System s = load_system(board, overlays, diags);
        for (const Cell &c : s.cells) {
            size_t before = diags.size();
            check_cell(c, s.board, diags);
            if (diags.size() == before) {
                try {
                    encode_cell(c, s.board);
                } catch (const Error &e) {
                    diags.push_back(e.diagnostic());
                }
            }
        }
        check_cells_together(s.cells, diags);
    } catch (const Error &e) {
        diags.push_back(e.diagnostic());
    }
    return diags;
}

}  // namespace cellc
