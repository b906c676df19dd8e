// orchsim: run, validate, list and explain orchestration scenarios, and the
// evaluation commands. The command line is declared in cli/command_line.cpp.
#include <exception>
#include <iostream>

#include "cli/command_line.hpp"
#include "cli/exit_status.hpp"

int main(int argc, char** argv) {
  // Errors are values (cli/exit_status.hpp): an exception that gets here is a
  // bug, not bad input, whatever its type. Exit 1, with its message, rather
  // than std::terminate's abort.
  try {
    return orchsim::cli::main_with_args(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "orchsim: internal error: " << e.what() << '\n';
  } catch (...) {
    std::cerr << "orchsim: internal error: an exception of unknown type\n";
  }
  return orchsim::cli::kExitFailure;
}
