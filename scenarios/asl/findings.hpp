// What an ASL import could not carry over exactly. Every finding names the
// JSON pointer into the ASL file, what the file says there and what the
// scenario does instead, so that nothing is dropped silently.
//
//   Findings f;
//   f.add(FindingKind::kGuessed, "/States/Check", "Choice probabilities",
//         "equal split: 1/2 each");
//   if (!f.full()) ...;              // something orchsim cannot express
//   std::cout << f.format("my.asl.json");
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace orchsim::scenarios::asl {

enum class FindingKind : std::uint8_t {
  // orchsim cannot express it; the finding says what was done instead. A
  // file with one is not fully imported, and `--strict` fails on it.
  kUnsupported,
  // A documented approximation (docs/import.md): HeartbeatSeconds as a
  // timeout, a loop bound, an error name matched by the table's default.
  kApproximated,
  // A value the payload decides at run time, set by a documented default:
  // Choice probabilities, Map item counts, Wait seconds from a path.
  // `--choices` sets them.
  kGuessed,
  // An agent that got the documented default mock (`--agents` supplies it).
  kDefaulted,
  // A field that only shapes data (Parameters, ResultPath, Assign, a
  // Choice rule's condition, ...): the simulation has no payload.
  kIgnored,
};
std::string_view to_string(FindingKind kind);

struct Finding {
  FindingKind kind = FindingKind::kUnsupported;
  std::string pointer;  // RFC 6901, into the ASL file
  std::string what;     // what the file says there
  std::string instead;  // what the scenario does; may be empty (ignored fields)
};

class Findings {
 public:
  void add(FindingKind kind, std::string pointer, std::string what, std::string instead = {});
  const std::vector<Finding>& items() const { return items_; }
  std::size_t count(FindingKind kind) const;
  // Whether the file imported fully: nothing unsupported.
  bool full() const { return count(FindingKind::kUnsupported) == 0; }
  // Every finding but the ignored ones as "<file>: <pointer>: <kind>: <what>: <instead>",
  // then the ignored fields grouped by name with their counts.
  std::string format(const std::string& file) const;

 private:
  std::vector<Finding> items_;
};

}  // namespace orchsim::scenarios::asl
