# Project-wide compile options, applied through the orchsim_options interface
# target so that third-party code found with find_package is not affected.
add_library(orchsim_options INTERFACE)
add_library(orchsim::options ALIAS orchsim_options)

target_compile_options(orchsim_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  # Determinism: never fuse a*b+c into an FMA behind our back; results must not
  # depend on whether a build happens to target a CPU with FMA.
  -ffp-contract=off
  # The layer libraries are PIC (the Python module links them into a shared
  # object); without interposition they optimise as the PIE code they were.
  -fno-semantic-interposition
)
if(ORCHSIM_WERROR)
  target_compile_options(orchsim_options INTERFACE -Werror)
endif()
if(ORCHSIM_SANITIZE)
  # Every UBSan report aborts (no recovery), so a test or a fuzz input that
  # triggers one fails instead of printing a line that nobody reads.
  target_compile_options(orchsim_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12 reports false maybe-uninitialized warnings inside std::variant and
    # std::vector moves when sanitizers are on; the dev build keeps the warning.
    target_compile_options(orchsim_options INTERFACE -Wno-maybe-uninitialized)
  endif()
  target_link_options(orchsim_options INTERFACE -fsanitize=address,undefined)
endif()
if(ORCHSIM_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ORCHSIM_FUZZ needs clang (libFuzzer): use the asan or fuzz preset, "
                        "or -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  if(NOT ORCHSIM_SANITIZE)
    message(FATAL_ERROR "ORCHSIM_FUZZ needs ORCHSIM_SANITIZE: a fuzzer without ASan and UBSan "
                        "finds only crashes")
  endif()
endif()

# In a sanitized build, code that drives the code under test (the test
# suites, the Python bindings) is compiled at -O0. ASan and UBSan check it as
# well as at -O1 (better: nothing is optimised away), and clang compiles it
# 2 to 3 times faster (a test file: 44 s of CPU at -O1, 13 s at -O0; the
# bindings' routing_env.cpp: 31 s and 14 s), which is most of the asan build's
# time in CI. The libraries keep -O1: the tests and the fuzzers run there.
function(orchsim_sanitized_at_o0 target)
  if(ORCHSIM_SANITIZE)
    target_compile_options(${target} PRIVATE -O0)
  endif()
endfunction()

# Coverage instrumentation for libFuzzer on the code under test only: the
# libraries get -fsanitize=fuzzer-no-link (the fuzz targets link libFuzzer
# itself), the unit tests do not pay for it. A no-op unless ORCHSIM_FUZZ.
function(orchsim_fuzz_instrument target)
  if(ORCHSIM_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()

# Adds a layer library `orchsim_<name>` with alias `orchsim::<name>`; headers are
# included as "<name>/<file>.hpp" relative to the repository root (installed:
# relative to include/). The warning options apply to orchsim's own code only:
# an installed package does not pass them on (cmake/OrchsimInstall.cmake).
function(orchsim_add_layer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(orchsim_${name} ${ARG_SOURCES})
  add_library(orchsim::${name} ALIAS orchsim_${name})
  set_target_properties(orchsim_${name} PROPERTIES EXPORT_NAME ${name})
  target_include_directories(orchsim_${name} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
                                                    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(orchsim_${name} PUBLIC $<BUILD_INTERFACE:orchsim_options> ${ARG_DEPS})
  orchsim_fuzz_instrument(orchsim_${name})
endfunction()
