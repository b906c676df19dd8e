// The names of an enum's values, declared once in a table next to the enum:
// to_string, the scenario loader, the JSON Schema and the docs all read the
// same table, so a value cannot be spelt two ways.
//
//   enum class Merge : std::uint8_t { kMax, kMean, kUnion };
//   inline constexpr sim::EnumName<Merge> kMergeNames[] = {
//       {Merge::kMax, "max", "the best branch's quality"},
//       {Merge::kMean, "mean", "the mean of the branches' qualities"},
//       {Merge::kUnion, "union", "1 - prod(1 - q): independent evidence adds up"}};
//   std::string_view name = sim::enum_name(kMergeNames, Merge::kMean);    // "mean"
//   std::optional<Merge> m = sim::enum_value(kMergeNames, "union");       // Merge::kUnion
//
// A table lists the values in the order the format documents them. When that
// is the enum's own order (the usual case) enum_name() is one array index, as
// cheap as a switch, so to_string can use it on hot paths.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace orchsim::sim {

template <class E>
struct EnumName {
  E value;
  std::string_view name;
  std::string_view doc;  // one line, for the schema and the docs
  // False for values that exist in the model but cannot be chosen in a
  // configuration (ErrorKind::kNone, the system-prompt segment kind).
  bool configurable = true;
};

template <class E>
constexpr std::string_view enum_name(std::span<const EnumName<E>> table, E value,
                                     std::string_view unknown = "?") {
  const auto i = static_cast<std::size_t>(value);
  if (i < table.size() && table[i].value == value) return table[i].name;
  for (const EnumName<E>& e : table) {
    if (e.value == value) return e.name;
  }
  return unknown;
}

template <class E>
constexpr std::optional<E> enum_value(std::span<const EnumName<E>> table, std::string_view name) {
  for (const EnumName<E>& e : table) {
    if (e.name == name) return e.value;
  }
  return std::nullopt;
}

// Overloads for tables declared as arrays (the common case), so that callers
// need not spell the span.
template <class E, std::size_t N>
constexpr std::string_view enum_name(const EnumName<E> (&table)[N], E value,
                                     std::string_view unknown = "?") {
  return enum_name(std::span<const EnumName<E>>(table), value, unknown);
}
template <class E, std::size_t N>
constexpr std::optional<E> enum_value(const EnumName<E> (&table)[N], std::string_view name) {
  return enum_value(std::span<const EnumName<E>>(table), name);
}

}  // namespace orchsim::sim
