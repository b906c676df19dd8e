// Walks the lines of a text held in memory (no copies), numbering them from
// 1, for the line-oriented readers; '\n' or "\r\n" ends a line.
//
//   TextLines lines(text);
//   std::string_view line;
//   std::size_t number = 0;
//   while (lines.next(line, number)) { if (is_blank_or_comment(line)) continue; ... }
#pragma once

#include <cstddef>
#include <string_view>

namespace orchsim::scenarios {

class TextLines {
 public:
  explicit TextLines(std::string_view text) : text_(text) {
    // A UTF-8 byte order mark is not part of the first column's name.
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);
  }
  // The next line without its terminator; false at the end.
  bool next(std::string_view& line, std::size_t& number) {
    if (pos_ >= text_.size()) return false;
    std::size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(pos_, end - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = end + 1;
    number = ++number_;
    return true;
  }

 private:
  std::string_view text_{};
  std::size_t pos_ = 0;
  std::size_t number_ = 0;
};

// Blank (spaces and tabs only) or a comment starting with '#'.
inline bool is_blank_or_comment(std::string_view line) {
  const auto first = line.find_first_not_of(" \t");
  return first == std::string_view::npos || line[first] == '#';
}

}  // namespace orchsim::scenarios
