// Splits one line of a CSV file (RFC 4180: fields separated by commas,
// optionally in double quotes, a quote inside quotes doubled) and parses the
// numbers in it, without locale surprises.
//
//   std::vector<std::string> fields;
//   if (auto problem = split_csv_line("a,\"b, c\",3", fields)) ...   // {"a", "b, c", "3"}
//   double ms = 0;
//   if (!parse_number(fields[2], ms)) ...
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orchsim::scenarios {

// Fills `fields` (cleared first). Returns a problem ("an unterminated quote")
// or nullopt. A trailing '\r' is dropped; fields are not trimmed.
std::optional<std::string> split_csv_line(std::string_view line, std::vector<std::string>& fields);

// A decimal number (std::from_chars: never the C locale's separator), after
// trimming blanks; a leading '+' is allowed. False for anything else,
// including inf and nan.
bool parse_number(std::string_view text, double& out);

// The text without leading and trailing blanks.
std::string_view trim_blanks(std::string_view text);

// Lower-case ASCII copy.
std::string ascii_lower(std::string_view text);

}  // namespace orchsim::scenarios
