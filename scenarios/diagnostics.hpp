// Problems found in a scenario, each naming the file, the JSON pointer,
// what was found and what was expected, collected so that all of them are
// reported at once.
//
//   Diagnostics d("my.json");
//   d.error("/agents/2/latency/median_ms", "found -5, expected a number >= 0");
//   if (!d.ok()) { std::cerr << d.format(); return 2; }
#pragma once

#include <string>
#include <vector>

namespace orchsim::scenarios {

struct Diagnostic {
  std::string file;
  std::string pointer;  // RFC 6901 JSON pointer, "" for the whole document
  std::string message;  // "found ..., expected ..."
  std::string hint;     // e.g. "did you mean 'median_ms'?"; may be empty
};

class Diagnostics {
 public:
  explicit Diagnostics(std::string file = {}) : file_(std::move(file)) {}
  void error(std::string pointer, std::string message, std::string hint = {});
  bool ok() const { return items_.empty(); }
  // Removes and returns the problems after the first `count` (to re-point them).
  std::vector<Diagnostic> take_after(std::size_t count);
  const std::vector<Diagnostic>& items() const { return items_; }
  const std::string& file() const { return file_; }
  // One line per problem: "<file>: <pointer>: <message> (<hint>)".
  std::string format() const;

 private:
  std::string file_;
  std::vector<Diagnostic> items_;
};

// The closest of `candidates` to `word` by edit distance, if close enough
// (distance <= max(2, |word| / 3)); empty otherwise.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace orchsim::scenarios
