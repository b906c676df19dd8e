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
  target_compile_options(orchsim_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
    # g++ 12 reports false maybe-uninitialized warnings inside std::variant and
    # std::vector moves when sanitizers are on; the dev build keeps the warning.
    -Wno-maybe-uninitialized)
  target_link_options(orchsim_options INTERFACE -fsanitize=address,undefined)
endif()

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
endfunction()
