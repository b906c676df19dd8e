# Fuzz targets: one call per parser,
#
#   orchsim_add_fuzz_target(scenario SOURCES scenario_fuzz.cpp DEPS orchsim::scenarios
#                           SEEDS scenarios/library/*.json tests/scenarios/bad/*.json)
#
# builds bin/fuzz_<name> from a file that defines LLVMFuzzerTestOneInput:
#   - with ORCHSIM_FUZZ (the asan and fuzz presets, clang): a libFuzzer binary,
#     ASan + UBSan, linked with -fsanitize=fuzzer;
#   - otherwise (the dev build, g++): the same function behind replay_main.cpp,
#     which runs each file it is given once, so every build replays the inputs.
# and registers the ctest test `fuzz.<name>.replay` (label "fuzz"): every seed
# and every file in tests/fuzz/regression/<name>/ run once through the target,
# without fuzzing. A crash, a sanitizer report or a leak fails the test.
#
# The dictionary is tests/fuzz/<name>.dict when it exists, or DICT <file> in
# tests/fuzz to share another target's. SEEDS are globs
# relative to the source folder. scripts/fuzz reads fuzz/targets.tsv in the
# build folder (name, executable, dictionary, seed globs), written here, so
# the call above is the only place a target is declared.

# Called from tests/fuzz/CMakeLists.txt (with ORCHSIM_TESTS).
set(ORCHSIM_FUZZ_MANIFEST ${PROJECT_BINARY_DIR}/fuzz/targets.tsv)
file(WRITE ${ORCHSIM_FUZZ_MANIFEST} "")

function(orchsim_add_fuzz_target name)
  cmake_parse_arguments(ARG "" "DICT" "SOURCES;DEPS;SEEDS" ${ARGN})
  if(NOT TARGET fuzz_targets)
    add_custom_target(fuzz_targets)
    if(NOT ORCHSIM_FUZZ)
      # The main for builds without libFuzzer, compiled once for every target.
      add_library(orchsim_fuzz_replay_main OBJECT ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
      target_link_libraries(orchsim_fuzz_replay_main PRIVATE orchsim::options)
    endif()
  endif()
  set(target fuzz_${name})
  add_executable(${target} ${ARG_SOURCES})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} orchsim::options)
  if(ORCHSIM_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  else()
    target_link_libraries(${target} PRIVATE orchsim_fuzz_replay_main)
  endif()
  add_dependencies(fuzz_targets ${target})

  if(ARG_DICT)
    set(dict ${PROJECT_SOURCE_DIR}/tests/fuzz/${ARG_DICT})
  else()
    set(dict ${PROJECT_SOURCE_DIR}/tests/fuzz/${name}.dict)
  endif()
  if(NOT EXISTS ${dict})
    set(dict "")
  endif()
  set(globs ${PROJECT_SOURCE_DIR}/tests/fuzz/regression/${name}/*)
  foreach(seed IN LISTS ARG_SEEDS)
    list(APPEND globs ${PROJECT_SOURCE_DIR}/${seed})
  endforeach()
  string(REPLACE ";" " " globs_text "${globs}")
  file(APPEND ${ORCHSIM_FUZZ_MANIFEST}
       "${name}\t${CMAKE_RUNTIME_OUTPUT_DIRECTORY}/${target}\t${dict}\t${globs_text}\n")

  # Globbed again at build time, so a new regression file needs no re-run of cmake.
  file(GLOB inputs CONFIGURE_DEPENDS LIST_DIRECTORIES false ${globs})
  list(SORT inputs)
  add_test(NAME fuzz.${name}.replay COMMAND ${target} ${inputs})
  set_tests_properties(fuzz.${name}.replay PROPERTIES LABELS fuzz)
endfunction()

