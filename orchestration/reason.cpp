#include "orchestration/reason.hpp"

#include <fmt/args.h>
#include <fmt/format.h>

#include <iterator>
#include <ostream>

namespace orchsim::orchestration {

bool Reason::has_strings() const {
  if (count_ == kText) return true;
  for (std::size_t k = 0; k < count_; ++k) {
    if (kinds_[k] == Kind::kString) return true;
  }
  return false;
}

void Reason::append_to(std::string& out) const {
  if (count_ == kText) {
    out.append(text_);
    return;
  }
  // Only for the reasons someone writes out: fmt's own dynamic argument list
  // prints each value as fmt::format would have printed it.
  fmt::dynamic_format_arg_store<fmt::format_context> args;
  args.reserve(count_, 0);
  std::size_t slot = 0;
  for (std::size_t k = 0; k < count_; ++k) {
    const Slot& v = slots_[slot++];
    switch (kinds_[k]) {
      case Kind::kInt:
        args.push_back(v.i);
        break;
      case Kind::kUint:
        args.push_back(v.u);
        break;
      case Kind::kDouble:
        args.push_back(v.d);
        break;
      case Kind::kBool:
        args.push_back(v.b);
        break;
      case Kind::kString:
        args.push_back(fmt::string_view(v.s, slots_[slot++].n));
        break;
    }
  }
  fmt::vformat_to(std::back_inserter(out), fmt::string_view(text_.data(), text_.size()), args);
}

std::string Reason::text() const {
  std::string out;
  append_to(out);
  return out;
}

std::ostream& operator<<(std::ostream& out, const Reason& r) { return out << r.text(); }

}  // namespace orchsim::orchestration
