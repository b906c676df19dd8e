#include "scenarios/asl/catch_mapping.hpp"

#include <fmt/format.h>

namespace orchsim::scenarios::asl {

bool CatchRoutes::uniform() const {
  for (const std::string& t : target) {
    if (t != target.front()) return false;
  }
  return true;
}

CatchRoutes read_catchers(const Json& catchers, const std::string& at, ImportContext& cx,
                          const std::set<std::string>& raised_in_branches) {
  CatchRoutes out;
  if (!catchers.is_array()) {
    cx.error(at, fmt::format("found {}, expected an array of catchers", found(catchers)));
    return out;
  }
  for (std::size_t i = 0; i < catchers.size(); ++i) {
    const Json& e = catchers[i];
    const std::string p = pointer_join(at, std::to_string(i));
    if (!e.is_object()) {
      cx.error(p, fmt::format("found {}, expected a catcher object", found(e)));
      continue;
    }
    Catcher c;
    c.pointer = p;
    c.errors = read_error_equals(e, p, i, catchers.size(), "catcher", cx, raised_in_branches);
    for (auto it = e.begin(); it != e.end(); ++it) {
      const std::string& k = it.key();
      if (k == "ErrorEquals" || k == "Comment") continue;
      if (k == "Next") {
        if (!it->is_string()) {
          cx.error(pointer_join(p, k),
                   fmt::format("found {}, expected the name of a state", found(*it)));
        } else {
          c.next = it->get<std::string>();
        }
      } else if (k == "ResultPath" || k == "Output" || k == "Assign") {
        cx.ignored(pointer_join(p, k), k);
      } else {
        cx.error(pointer_join(p, k),
                 fmt::format("found an unknown catcher field \"{}\", expected ErrorEquals, Next, "
                             "ResultPath, Output, Assign or Comment",
                             k));
      }
    }
    if (!e.contains("Next")) cx.error(pointer_join(p, "Next"), "missing, expected a state name");
    for (const Failure f : kAllFailures) {
      if (out.target[index(f)].empty() && c.errors.failures.test(index(f))) {
        out.target[index(f)] = c.next;
      }
    }
    out.catchers.push_back(std::move(c));
  }
  return out;
}

}  // namespace orchsim::scenarios::asl
