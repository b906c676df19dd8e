// A problem with a measurement file, as a value: the file, where in it (a
// line, or a JSON pointer), and what was found against what was expected.
// Every reader of the calibration library returns one instead of throwing;
// the CLI prints it and exits with status 2.
//
//   InputError e{.file = "runs.csv", .line = 12,
//                .message = "found 'abc' in column latency_ms, expected a number"};
//   std::cerr << e.format() << '\n';   // runs.csv:12: found 'abc' in column ...
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace orchsim::calibration {

struct InputError {
  std::string file{};
  std::size_t line = 0;   // 1-based; 0 = not a line-oriented location
  std::string pointer{};  // RFC 6901 JSON pointer inside the record or document, if any
  std::string message{};  // "found ..., expected ..."

  // "<file>:<line>: <pointer>: <message>", leaving out what is not known.
  std::string format() const;
};

// A value or the first problem that stopped it being made.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT: implicit by design
  Result(InputError error) : v_(std::move(error)) {}  // NOLINT: implicit by design
  bool ok() const { return std::holds_alternative<T>(v_); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  const InputError& error() const { return std::get<InputError>(v_); }

 private:
  std::variant<T, InputError> v_{};
};

}  // namespace orchsim::calibration
