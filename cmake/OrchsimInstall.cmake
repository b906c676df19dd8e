# `cmake --install`: what a user of orchsim needs, and nothing else (no tests,
# no benchmarks). Under the prefix:
#   bin/orchsim (and orchsim-gui)     the commands
#   include/{sim,mock_agents,orchestration,scenarios,eval}/   the public headers
#   lib/liborchsim_*.a                the layer libraries
#   lib/cmake/orchsim/                orchsimConfig.cmake: find_package(orchsim)
#                                     gives orchsim::orchsim (every layer)
#   share/orchsim/scenarios/          the built-in scenarios (library_dir())
#   share/orchsim/schema/             the scenario JSON schema
#   lib/python3.X/dist-packages/orchsim/   the Python module (python/)
# examples/custom_policy is a project built against it; tests/package checks
# that it builds and runs against an install into a temporary prefix.
include(CMakePackageConfigHelpers)

set(ORCHSIM_LAYERS sim mock_agents orchestration scenarios eval)

# One target for users: every layer, C++20, and the floating-point rule the
# libraries are built with (determinism: no a*b+c fused behind our back in
# the inline code of the headers either).
add_library(orchsim_all INTERFACE)
add_library(orchsim::orchsim ALIAS orchsim_all)
set_target_properties(orchsim_all PROPERTIES EXPORT_NAME orchsim)
target_compile_features(orchsim_all INTERFACE cxx_std_20)
target_compile_options(orchsim_all INTERFACE $<$<CXX_COMPILER_ID:GNU,Clang>:-ffp-contract=off>)
foreach(layer IN LISTS ORCHSIM_LAYERS)
  target_link_libraries(orchsim_all INTERFACE orchsim_${layer})
endforeach()
list(TRANSFORM ORCHSIM_LAYERS PREPEND orchsim_ OUTPUT_VARIABLE orchsim_layer_targets)

install(TARGETS ${orchsim_layer_targets} orchsim_all
  EXPORT orchsimTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
foreach(layer IN LISTS ORCHSIM_LAYERS)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${layer}/
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/${layer}
    FILES_MATCHING PATTERN "*.hpp"
    # Data, and what the orchsim command alone links: the MPI task runner, the ASL importer.
    PATTERN "library" EXCLUDE PATTERN "schema" EXCLUDE PATTERN "mpi_*.hpp" EXCLUDE
    PATTERN "asl" EXCLUDE)
endforeach()
install(EXPORT orchsimTargets
  NAMESPACE orchsim::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/orchsim)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/orchsimConfig.cmake.in
  ${PROJECT_BINARY_DIR}/orchsimConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/orchsim
  PATH_VARS CMAKE_INSTALL_DATADIR)
# 0.x: a minor version may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/orchsimConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/orchsimConfig.cmake
              ${PROJECT_BINARY_DIR}/orchsimConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/orchsim)

install(TARGETS orchsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET orchsim-gui)
  install(TARGETS orchsim-gui RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/library/
  DESTINATION ${CMAKE_INSTALL_DATADIR}/orchsim/scenarios FILES_MATCHING PATTERN "*.json")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/schema/
  DESTINATION ${CMAKE_INSTALL_DATADIR}/orchsim/schema FILES_MATCHING PATTERN "*.json")
