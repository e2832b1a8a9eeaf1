# Checks that a demo ELF can be loaded as a flat binary at the agreed address: its entry point
# and its first loadable byte are both the link address, so "load .bin at offset 0x100000 of the
# cell's RAM, jump to its first byte" is right.
#   cmake -DELF=<elf> -DREADELF=<readelf> -DLINK_ADDRESS=<0x...> -P check-image.cmake
execute_process(COMMAND ${READELF} -h -l -W ${ELF} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "check-image: cannot read ${ELF}")
endif()
string(REGEX MATCH "Entry point address: +(0x[0-9a-f]+)" _ "${out}")
set(entry ${CMAKE_MATCH_1})
string(REGEX MATCH "LOAD +0x[0-9a-f]+ +(0x[0-9a-f]+)" _ "${out}")
set(first_load ${CMAKE_MATCH_1})
math(EXPR entry "${entry}")
math(EXPR first_load "${first_load}")
math(EXPR expected "${LINK_ADDRESS}")
if(NOT entry EQUAL expected OR NOT first_load EQUAL expected)
  message(FATAL_ERROR "check-image: ${ELF}: entry ${entry} and first loaded byte ${first_load} must both be ${expected}")
endif()
