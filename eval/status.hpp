// Errors as values for the results store and the task runners: a Status says
// whether an operation worked and, if not, what kind of failure it was and a
// message for a person (file, what was found, what was expected).
//
// The kind decides the exit status in one place, the CLI's exit_status()
// (cli/exit_status.hpp): kBadInput (a corrupt store, a store of another
// experiment, a malformed argument or file) is 2, kRuntime (a task threw, the
// disk filled up, a rank died) is 1. Library code returns these for every
// failure a caller is expected to handle; exceptions are for bugs.
//
//   StatusOr<ResultsStore> store = ResultsStore::open(path);
//   if (!store.ok()) return store.status();  // the CLI: exit_status(store.status())
//   store->write(result);
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace orchsim::eval {

class Status {
 public:
  enum class Code { kOk, kBadInput, kRuntime };

  Status() = default;
  static Status bad_input(std::string message) { return {Code::kBadInput, std::move(message)}; }
  static Status runtime(std::string message) { return {Code::kRuntime, std::move(message)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status that says why there is none.
template <class T>
class StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}         // NOLINT: implicit, as absl::StatusOr
  StatusOr(Status status) : v_(std::move(status)) {}  // NOLINT: must not be ok()

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace orchsim::eval
