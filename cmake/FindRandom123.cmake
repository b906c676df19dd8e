# Random123 (Debian: librandom123-dev) is header-only and ships no CMake config.
# Defines the imported target Random123::Random123.
find_path(Random123_INCLUDE_DIR NAMES Random123/philox.h)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Random123 REQUIRED_VARS Random123_INCLUDE_DIR)
if(Random123_FOUND AND NOT TARGET Random123::Random123)
  add_library(Random123::Random123 INTERFACE IMPORTED)
  # SYSTEM: its headers are not ours to keep warning-free under -Wpedantic.
  set_target_properties(Random123::Random123 PROPERTIES
    INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${Random123_INCLUDE_DIR}
    INTERFACE_INCLUDE_DIRECTORIES ${Random123_INCLUDE_DIR})
endif()
mark_as_advanced(Random123_INCLUDE_DIR)
