// GoogleTest prints sim::Duration and sim::Time as "250ms" with these (found
// by argument-dependent lookup): include it in a test that compares them.
#pragma once

#include <ostream>

#include "sim/time.hpp"

namespace orchsim::sim {

inline void PrintTo(Duration d, std::ostream* os) { *os << to_string(d); }
inline void PrintTo(Time t, std::ostream* os) { *os << to_string(t); }

}  // namespace orchsim::sim
