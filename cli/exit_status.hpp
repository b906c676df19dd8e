// The one place where an error becomes an exit status.
//
// Library code returns eval::Status (or StatusOr, or scenarios::Diagnostics,
// which the commands report as bad input); exceptions are only for bugs, and
// main_with_args turns one that escapes into "orchsim: internal error: ..."
// and exit 1. No command picks an exit status from an exception's type:
// scripts/check-error-style fails the build's tests if one does.
//
//   const eval::Status st = eval::write_atomically(...);
//   if (!st.ok()) { std::cerr << "orchsim: " << st.message() << '\n'; return exit_status(st); }
#pragma once

#include "eval/status.hpp"

namespace orchsim::cli {

// Exit statuses: 0 success, 1 the check found a regression / the run failed
// at runtime, 2 bad input (scenario, arguments, files).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

// kOk 0, kBadInput 2, kRuntime 1.
int exit_status(const eval::Status& status);

}  // namespace orchsim::cli
