#include "scenarios/json_document.hpp"

#include <fmt/format.h>

#include <optional>
#include <set>
#include <string_view>

namespace orchsim::scenarios {

namespace {

// Line and column of a byte offset, for parse errors.
std::pair<std::size_t, std::size_t> line_col(const std::string& text, std::size_t offset) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

// Keys that appear twice in one object: the parser's callback sees every
// key, and a stack of frames names where it was.
class DuplicateKeyFinder {
 public:
  struct Duplicate {
    std::string pointer;  // of the key
    std::string key;
  };

  bool on_event(int depth, Json::parse_event_t event, Json& parsed) {
    // Containers deeper than kMaxJsonNesting are dropped (as NestingLimit
    // does). Inside one, nlohmann still reports starts and keys (deeper than
    // the drop) but no values or ends: the first event back at the drop's
    // level means the dropped container has ended.
    if (dropped_at_) {
      if (depth > *dropped_at_) return false;
      dropped_at_.reset();
      element_done();
    }
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
        depth >= kMaxJsonNesting) {
      if (!too_deep_) too_deep_ = pointer();
      dropped_at_ = depth;
      return false;  // not even built
    }
    switch (event) {
      case Json::parse_event_t::object_start:
        frames_.push_back({false, 0, {}, {}});
        break;
      case Json::parse_event_t::array_start:
        frames_.push_back({true, 0, {}, {}});
        break;
      case Json::parse_event_t::key: {
        Frame& f = frames_.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second) duplicates_.push_back({pointer(), f.key});
        break;
      }
      case Json::parse_event_t::value:
        element_done();
        break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        frames_.pop_back();
        element_done();
        break;
    }
    return true;  // keep the rest: this only watches
  }

  const std::vector<Duplicate>& duplicates() const { return duplicates_; }
  // Where the document first nests deeper than kMaxJsonNesting, if it does.
  const std::optional<std::string>& too_deep() const { return too_deep_; }

 private:
  struct Frame {
    bool array;
    std::size_t index;
    std::string key;  // the current key (objects)
    std::set<std::string> keys;
  };

  void element_done() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  // The pointer of the current key: each frame's current component.
  std::string pointer() const {
    std::string p;
    for (const Frame& f : frames_) {
      p += '/';
      if (f.array) {
        p += std::to_string(f.index);
      } else {
        for (const char c : f.key) p += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
      }
    }
    return p;
  }

  std::vector<Frame> frames_;
  std::vector<Duplicate> duplicates_;
  std::optional<std::string> too_deep_;
  std::optional<int> dropped_at_;  // the depth of the container being dropped
};

}  // namespace

std::optional<Json> parse_document(const std::string& text, Diagnostics& d) {
  Json doc;
  DuplicateKeyFinder duplicates;
  try {
    doc = Json::parse(
        text,
        [&duplicates](int depth, Json::parse_event_t event, Json& parsed) {
          return duplicates.on_event(depth, event, parsed);
        },
        /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const Json::parse_error& e) {
    const auto [line, col] = line_col(text, e.byte == 0 ? 0 : e.byte - 1);
    std::string what = e.what();
    const auto pos = what.find("syntax error");
    d.error("", fmt::format("not valid JSON at line {}, column {}: {}", line, col,
                            pos == std::string::npos ? what : what.substr(pos)));
    return std::nullopt;
  } catch (const Json::out_of_range& e) {
    // A number beyond a double (1e999): nlohmann's exception has no position.
    d.error("", number_overflow_message(text, e, /*ignore_comments=*/true));
    return std::nullopt;
  }
  if (duplicates.too_deep()) {
    d.error(*duplicates.too_deep(),
            fmt::format("found a value nested more than {0} levels deep, expected at most {0} "
                        "(a scenario needs about 10)",
                        kMaxJsonNesting));
    return std::nullopt;
  }
  for (const auto& dup : duplicates.duplicates()) {
    d.error(dup.pointer,
            fmt::format("found the key \"{}\" twice in one object, expected each key once "
                        "(one of the values would be silently dropped)",
                        dup.key));
  }
  if (!d.ok()) return std::nullopt;
  return doc;
}

namespace {

// `--set /.../routing/params/NAME=V` (or `.../routing/params={...}`) may add a
// value the file does not have: a policy's parameters are optional, and the
// policy reports names it does not know, with their pointers.
bool adds_policy_param(const Json& doc, const std::string& pointer) {
  static constexpr std::string_view kParams = "/routing/params";
  const auto at = pointer.rfind(kParams);
  if (at == std::string::npos) return false;
  const std::string_view rest = std::string_view(pointer).substr(at + kParams.size());
  if (!rest.empty() && (rest[0] != '/' || rest.find('/', 1) != std::string_view::npos)) return false;
  const Json::json_pointer routing(pointer.substr(0, at + 8));  // "/routing"
  if (!doc.contains(routing) || !doc.at(routing).is_object()) return false;
  const auto& node = doc.at(routing);
  return rest.empty() || !node.contains("params") || node["params"].is_object();
}

}  // namespace

void apply_overrides(Json& doc, const std::vector<std::pair<std::string, std::string>>& overrides,
                     Diagnostics& d) {
  for (const auto& [pointer, value] : overrides) {
    const std::optional<Json> parsed = override_value(pointer, value, d);
    if (!parsed) continue;
    const Json& v = *parsed;
    try {
      const Json::json_pointer ptr(pointer);
      if (adds_policy_param(doc, pointer)) {
        doc[ptr] = v;  // the policy checks its params' names itself: a typo is still an error
        continue;
      }
      if (!doc.contains(ptr.parent_pointer()) ||
          !(doc[ptr.parent_pointer()].is_object() || doc[ptr.parent_pointer()].is_array())) {
        d.error(pointer, "--set: the parent of this pointer does not exist in the scenario");
        continue;
      }
      if (!doc.contains(ptr)) {
        d.error(pointer,
                "--set: no such value in the scenario (only existing values can be overridden)");
        continue;
      }
      doc[ptr] = v;
    } catch (const Json::exception& e) {
      d.error(pointer, fmt::format("--set: not a usable JSON pointer ({})", e.what()));
    }
  }
}

}  // namespace orchsim::scenarios
