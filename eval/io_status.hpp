// File output as a Status value: the bridge between the writers that report
// an I/O failure by throwing (AtomicFile, ZstdOstream, std::filesystem) and
// the commands, which handle errors as values.
//
// io_status runs `write` and returns kRuntime with the failure's message
// (which names the path and the system's reason) when it throws
// std::runtime_error; anything else that escapes is a bug and propagates.
// Whether a failure is the user's (a --junit path that cannot be opened: bad
// input) or the machine's (the disk filled up: runtime) is the caller's to
// say, from which file it was, never from the exception's type.
//
//   const Status st = io_status([&] {
//     AtomicFile out(path);
//     out.stream() << text;
//     out.commit();
//   });
//   if (!st.ok()) std::cerr << "orchsim: writing results: " << st.message() << '\n';
#pragma once

#include <stdexcept>
#include <utility>

#include "eval/status.hpp"

namespace orchsim::eval {

template <class Write>
Status io_status(Write&& write) {
  try {
    std::forward<Write>(write)();
  } catch (const std::runtime_error& e) {
    return Status::runtime(e.what());
  }
  return {};
}

}  // namespace orchsim::eval
