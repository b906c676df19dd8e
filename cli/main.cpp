// orchsim: run, validate, list and explain orchestration scenarios, and the
// evaluation commands. The command line is declared in cli/command_line.cpp.
#include "cli/command_line.hpp"

int main(int argc, char** argv) { return orchsim::cli::main_with_args(argc, argv); }
