// Why a routing policy or the orchestrator's flow chose what it did, for the
// logs that show it (requests.jsonl, the explorer): either a text, or a
// format and its values that become text only when someone reads them.
//
//   return {.candidate = c, .reason = Reason::format("turn {}", start)};  // deferred
//   return {.candidate = c, .reason = "first eligible candidate"};         // a text
//   return {.candidate = c, .reason = reason_};  // a std::string the policy keeps
//
// Why deferred: the request log asks for a reason with every decision of
// every request but writes out only the few requests it keeps (~0.2% of a
// long run). Reason::format() records the format and copies its values (a
// few stores); fmt runs only for the reasons that are written. It prints
// exactly what fmt::format(format, values...) prints.
//
// Contract:
//  - Reason::format's format is a string literal (fmt checks it against the
//    values at compile time, and the reason points to it for the whole run).
//    Values are integers, bool, double or strings: at most kMaxSlots slots,
//    a string taking two. float, char and other types do not compile
//    (format them yourself and give the text).
//  - Text and string values are views: they must stay valid until the
//    policy's next choose() call (as Choice::scores), or, in an event, until
//    the observer call returns. An observer that keeps a reason past that
//    keeps the deferred form only when deferred() && !has_strings(), and
//    the text otherwise (RequestLog does so).
//  - Cheap to copy (72 bytes, trivially copyable); no allocation until text().
#pragma once

#include <fmt/core.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace orchsim::orchestration {

class Reason {
 public:
  static constexpr std::size_t kMaxSlots = 6;

  Reason() = default;
  // A text (a view: see the contract above).
  Reason(const char* text) : text_(text) {}         // NOLINT(google-explicit-constructor)
  Reason(std::string_view text) : text_(text) {}    // NOLINT(google-explicit-constructor)
  Reason(const std::string& text) : text_(text) {}  // NOLINT(google-explicit-constructor)
  // A temporary string would be gone before anyone reads the reason: keep
  // the string (a member), or use Reason::format.
  Reason(std::string&&) = delete;

  // A format and its values, formatted when read.
  template <class... Args>
  static Reason format(fmt::format_string<Args...> format, Args&&... args) {
    static_assert((slots_of<std::decay_t<Args>>() + ... + 0) <= kMaxSlots,
                  "Reason::format: too many values (a string takes two of kMaxSlots slots)");
    Reason r;
    const fmt::string_view f = format;
    r.text_ = std::string_view(f.data(), f.size());
    r.count_ = 0;
    (r.add(args), ...);
    return r;
  }

  // No reason: an empty text.
  bool empty() const { return count_ == kText && text_.empty(); }
  // A format (with its values), not a text.
  bool deferred() const { return count_ != kText; }
  // Whether it views a string: a text, or a format with a string value.
  bool has_strings() const;
  // The text: what fmt::format(format, values...) gives, or the text given.
  std::string text() const;
  void append_to(std::string& out) const;

  friend bool operator==(const Reason& r, std::string_view text) { return r.text() == text; }

 private:
  enum class Kind : std::uint8_t { kInt, kUint, kDouble, kBool, kString };
  static constexpr std::uint8_t kText = 0xff;  // count_ of a text
  union Slot {
    std::int64_t i;
    std::uint64_t u;
    double d;
    bool b;
    const char* s;
    std::size_t n;
  };

  template <class T>
  static constexpr std::size_t slots_of() {
    if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, double>) {
      return 1;
    } else if constexpr (std::is_integral_v<T>) {
      static_assert(!std::is_same_v<T, char> && !std::is_same_v<T, signed char> &&
                        !std::is_same_v<T, unsigned char> && !std::is_same_v<T, char8_t>,
                    "Reason::format: a char prints as a character; give an int or a string");
      return 1;
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      return 2;
    } else {
      static_assert(std::is_same_v<T, bool>,
                    "Reason::format: values are integers, bool, double or strings (a float "
                    "would print a float's shortest digits: pass a double, or give the text)");
      return 0;
    }
  }

  template <class T>
  void add(const T& value) {
    using V = std::decay_t<T>;
    if constexpr (std::is_same_v<V, bool>) {
      push(Kind::kBool).b = value;
    } else if constexpr (std::is_same_v<V, double>) {
      push(Kind::kDouble).d = value;
    } else if constexpr (std::is_integral_v<V> && std::is_signed_v<V>) {
      push(Kind::kInt).i = value;
    } else if constexpr (std::is_integral_v<V>) {
      push(Kind::kUint).u = value;
    } else {
      const std::string_view s(value);
      push(Kind::kString).s = s.data();
      slots_[used_++].n = s.size();
    }
  }
  Slot& push(Kind kind) {
    kinds_[count_++] = kind;
    return slots_[used_++];
  }

  std::string_view text_;       // the text, or the format
  std::uint8_t count_ = kText;  // values of a format; kText for a text
  std::uint8_t used_ = 0;       // slots the values take
  std::array<Kind, kMaxSlots> kinds_{};
  std::array<Slot, kMaxSlots> slots_{};
};

// For test failure messages: the text.
std::ostream& operator<<(std::ostream& out, const Reason& r);

}  // namespace orchsim::orchestration
