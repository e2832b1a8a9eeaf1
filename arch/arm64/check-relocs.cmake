# The image relocates itself with the MMU off and knows only R_AARCH64_RELATIVE: refuse any other
# dynamic relocation at build time instead of finding out at EL2.
execute_process(COMMAND ${READELF} -r -W ${ELF} OUTPUT_VARIABLE relocs RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "readelf failed on ${ELF}")
endif()
string(REGEX MATCHALL "R_AARCH64_[A-Z0-9_]+" kinds "${relocs}")
foreach(k IN LISTS kinds)
  if(NOT k STREQUAL "R_AARCH64_RELATIVE")
    message(FATAL_ERROR "moat-hv.elf has a ${k} relocation; only R_AARCH64_RELATIVE is handled")
  endif()
endforeach()
