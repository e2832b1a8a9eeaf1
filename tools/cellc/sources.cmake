# moat-cellc's library sources, in one list: tools/cellc/CMakeLists.txt builds them for the tool and
# tests/fuzz/CMakeLists.txt for the fuzzers, so a new file cannot be missing from one of the two.
set(MOAT_CELLC_SOURCES diag.cpp fdt_tree.cpp board.cpp cell_spec.cpp descriptor.cpp json.cpp cellc.cpp
  linux_dt.cpp)
