# Run by ctest (tests/package/CMakeLists.txt) with -D BUILD_DIR, SOURCE_DIR,
# WORK_DIR, GENERATOR, LAUNCHER (ccache or empty), and PYTHON, PYTHON_DIR
# when the Python module is built. Checks that:
#  - `cmake --install` puts the headers, libraries, orchsimConfig.cmake, the
#    orchsim command and the built-in scenarios under the prefix, and no tests
#    or benchmarks;
#  - examples/custom_policy finds that prefix with find_package(orchsim),
#    builds, registers its policy and runs a built-in scenario with it;
#  - the installed scenarios work (ORCHSIM_LIBRARY_DIR pointing at them);
#  - the installed Python module imports and runs from the prefix.
cmake_minimum_required(VERSION 3.25)

function(run_checked)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${command}\n${out}\n${err}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

function(expect text regex)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "expected output matching '${regex}', got:\n${text}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

run_checked(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(f bin/orchsim include/orchestration/policy.hpp include/orchestration/policies/reward.hpp
          include/eval/runner.hpp include/scenarios/scenario.hpp include/sim/time.hpp
          lib/liborchsim_eval.a lib/cmake/orchsim/orchsimConfig.cmake
          lib/cmake/orchsim/orchsimConfigVersion.cmake lib/cmake/orchsim/orchsimTargets.cmake
          share/orchsim/scenarios/learned_router.json share/orchsim/schema/scenario.schema.json)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "cmake --install did not install ${f}")
  endif()
endforeach()
file(GLOB_RECURSE unwanted RELATIVE ${prefix}
  ${prefix}/*_test* ${prefix}/*_tests ${prefix}/*_bench ${prefix}/*gtest* ${prefix}/*benchmark*)
if(unwanted)
  message(FATAL_ERROR "cmake --install installed tests or benchmarks: ${unwanted}")
endif()

set(build ${WORK_DIR}/build)
set(configure ${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/custom_policy -B ${build}
    -G ${GENERATOR} -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
if(LAUNCHER)
  list(APPEND configure -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()
run_checked(${configure})
file(STRINGS ${build}/CMakeCache.txt found REGEX "^orchsim_DIR:")
expect("${found}" "${prefix}/lib/cmake/orchsim")
run_checked(${CMAKE_COMMAND} --build ${build})

run_checked(${build}/custom_policy 2000 3)
message(STATUS "custom_policy 2000:\n${output}")
expect("${output}" "per_class_greedy: completed [0-9]+ of 2000, quality pass rate [0-9.]+")
expect("${output}" "linucb: completed [0-9]+ of 2000")
expect("${output}" "calls cheap_model=[0-9]+ strong_model=[0-9]+")
expect("${output}" "quality.pass_rate: [-0-9.e]+ \\(95% CI [-0-9.e]+ to [-0-9.e]+")

set(installed_scenarios ${prefix}/share/orchsim/scenarios)
run_checked(${CMAKE_COMMAND} -E env ORCHSIM_LIBRARY_DIR=${installed_scenarios}
            ${build}/custom_policy 300 2)
expect("${output}" "built-in scenarios in ${installed_scenarios}")
expect("${output}" "per_class_greedy: completed [0-9]+ of 300")

if(PYTHON)
  set(site ${prefix}/${PYTHON_DIR})
  # A script file: a ";" in a -c argument would split it into CMake list items.
  file(WRITE ${WORK_DIR}/check_module.py [=[
import sys
import orchsim
assert orchsim.__file__.startswith(sys.argv[1]), orchsim.__file__
r = orchsim.run('learned_router', requests=300)
print('python', r['metrics']['requests']['arrived'])
]=])
  run_checked(${CMAKE_COMMAND} -E env PYTHONPATH=${site} ${PYTHON} ${WORK_DIR}/check_module.py
    ${site})
  expect("${output}" "python 300")
endif()
message(STATUS "the installed package builds and runs examples/custom_policy")
