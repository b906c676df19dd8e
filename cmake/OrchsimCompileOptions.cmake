# Project-wide compile options, applied through the orchsim_options interface
# target so that third-party code found with find_package is not affected.
add_library(orchsim_options INTERFACE)
add_library(orchsim::options ALIAS orchsim_options)

target_compile_options(orchsim_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  # Determinism: never fuse a*b+c into an FMA behind our back; results must not
  # depend on whether a build happens to target a CPU with FMA.
  -ffp-contract=off
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
# included as "<name>/<file>.hpp" relative to the repository root.
function(orchsim_add_layer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(orchsim_${name} ${ARG_SOURCES})
  add_library(orchsim::${name} ALIAS orchsim_${name})
  target_include_directories(orchsim_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(orchsim_${name} PUBLIC orchsim::options ${ARG_DEPS})
endfunction()
