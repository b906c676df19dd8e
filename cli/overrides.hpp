// The syntaxes of scenario overrides on the command line, parsed in one place
// for the option checks (cli/arg_spec.hpp) and the commands that use them:
//
//   --set     /json/pointer=value                    one override
//   --variant NAME:/pointer=value[,/pointer=value]   a named set of overrides
//
//   std::string why;
//   if (auto o = parse_set("/run/seed=7", &why)) apply(o->first, o->second);
//   else std::cerr << why;   // "found 'run/seed=7', expected /json/pointer=value"
//
// A value is whatever follows the first '='; the loader reads it as JSON when
// it is valid JSON and as a string otherwise. Pointers follow RFC 6901: they
// start with '/', and '~' appears only as "~0" (a '~') or "~1" (a '/').
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace orchsim::cli {

using Override = std::pair<std::string, std::string>;  // (pointer, value)

// True for "" (the whole document) and for "/a/b~1c/0"; false for "a/b", "/a~2".
bool valid_json_pointer(const std::string& pointer);

// "/ptr=value" -> (pointer, value); nullopt and `why` ("found ..., expected ...")
// when there is no '=', the pointer is empty or malformed.
std::optional<Override> parse_set(const std::string& spec, std::string* why = nullptr);

struct VariantSpec {
  std::string name;
  std::vector<Override> overrides;
};
// "NAME:/a=1,/b=[1,2]" -> {NAME, {(/a, 1), (/b, [1,2])}}. A comma starts a new
// override only when '/' follows it (outside brackets and quotes), so values
// may hold commas.
std::optional<VariantSpec> parse_variant(const std::string& spec, std::string* why = nullptr);

}  // namespace orchsim::cli
