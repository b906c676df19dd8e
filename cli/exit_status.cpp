#include "cli/exit_status.hpp"

namespace orchsim::cli {

int exit_status(const eval::Status& status) {
  switch (status.code()) {
    case eval::Status::Code::kOk:
      return kExitOk;
    case eval::Status::Code::kBadInput:
      return kExitBadInput;
    case eval::Status::Code::kRuntime:
      return kExitFailure;
  }
  return kExitFailure;  // not reached: the switch covers every code
}

}  // namespace orchsim::cli
