# Writes ${OUT} (a header defining QCSIM_VERSION) from `git describe` of ${SRC}, at build time,
# and only when the text changes, so a new commit gives a new version without reconfiguring and
# an unchanged one rebuilds nothing. Outside a git checkout the version is the project version.
execute_process(COMMAND git -C "${SRC}" describe --always --dirty --tags
                OUTPUT_VARIABLE v OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR v STREQUAL "")
  set(v "${FALLBACK}")
else()
  set(v "${FALLBACK}+g${v}")
endif()
set(text "#pragma once\n#define QCSIM_VERSION \"${v}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
else()
  set(old "")
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
