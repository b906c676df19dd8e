#include "scenarios/diagnostics.hpp"

#include <algorithm>

namespace orchsim::scenarios {

void Diagnostics::error(std::string pointer, std::string message, std::string hint) {
  items_.push_back({file_, std::move(pointer), std::move(message), std::move(hint)});
}

std::vector<Diagnostic> Diagnostics::take_after(std::size_t count) {
  std::vector<Diagnostic> out;
  if (count >= items_.size()) return out;
  out.assign(items_.begin() + static_cast<std::ptrdiff_t>(count), items_.end());
  items_.resize(count);
  return out;
}

std::string Diagnostics::format() const {
  std::string out;
  for (const Diagnostic& d : items_) {
    out += d.file.empty() ? "<scenario>" : d.file;
    out += ": ";
    out += d.pointer.empty() ? "/" : d.pointer;
    out += ": ";
    out += d.message;
    if (!d.hint.empty()) {
      out += " (";
      out += d.hint;
      out += ")";
    }
    out += '\n';
  }
  return out;
}

namespace {
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}
}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace orchsim::scenarios
