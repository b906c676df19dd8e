#include "scenarios/calibration/otlp_json_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <nlohmann/json.hpp>

#include "scenarios/calibration/json_text.hpp"
#include "scenarios/csv_line.hpp"

namespace orchsim::calibration {

using scenarios::parse_number;
using scenarios::trim_blanks;

namespace {

using nlohmann::json;

// One attribute value of OTLP/JSON's AnyValue, reduced to what we read.
struct Value {
  std::optional<std::string> text;  // stringValue, or the first string of an arrayValue
  std::optional<double> number;     // intValue, doubleValue, or a numeric string
};

class Reader {
 public:
  Reader(const std::string& path, const ReadOptions& options, Measurements& out,
         std::uint32_t source)
      : path_(path), options_(options), out_(out), source_(source) {}

  // One ExportTraceServiceRequest; `line` is its line in a JSON Lines file (0 = whole file).
  std::optional<InputError> request(const json& doc, std::size_t line) {
    line_ = line;
    if (!doc.is_object())
      return error("", fmt::format("found {}, expected an object with "
                                   "\"resourceSpans\"",
                                   json_kind(doc)));
    const auto rs = doc.find("resourceSpans");
    if (rs == doc.end()) {
      return error("",
                   "missing \"resourceSpans\", expected OTLP/JSON traces "
                   "(resourceSpans -> scopeSpans -> spans)");
    }
    if (!rs->is_array()) return error("/resourceSpans", expected_array(*rs));
    for (std::size_t i = 0; i < rs->size(); ++i) {
      const std::string at = fmt::format("/resourceSpans/{}", i);
      const json& r = (*rs)[i];
      if (!r.is_object())
        return error(at, fmt::format("found {}, expected an object", json_kind(r)));
      const json* resource_attributes = nullptr;
      if (const auto res = r.find("resource"); res != r.end() && res->is_object()) {
        if (const auto a = res->find("attributes"); a != res->end()) {
          if (!a->is_array()) return error(at + "/resource/attributes", expected_array(*a));
          resource_attributes = &*a;
          resource_at_ = at + "/resource/attributes";
        }
      }
      // "instrumentationLibrarySpans" is the name before OTLP 0.15.
      for (const char* key : {"scopeSpans", "instrumentationLibrarySpans"}) {
        const auto ss = r.find(key);
        if (ss == r.end()) continue;
        if (!ss->is_array()) return error(at + "/" + key, expected_array(*ss));
        for (std::size_t k = 0; k < ss->size(); ++k) {
          const std::string sat = fmt::format("{}/{}/{}", at, key, k);
          const json& scope = (*ss)[k];
          if (!scope.is_object()) {
            return error(sat, fmt::format("found {}, expected an object", json_kind(scope)));
          }
          const auto spans = scope.find("spans");
          if (spans == scope.end()) continue;
          if (!spans->is_array()) return error(sat + "/spans", expected_array(*spans));
          for (std::size_t s = 0; s < spans->size(); ++s) {
            if (auto e =
                    span((*spans)[s], fmt::format("{}/spans/{}", sat, s), resource_attributes)) {
              return e;
            }
          }
        }
      }
    }
    return std::nullopt;
  }

 private:
  InputError error(const std::string& pointer, std::string message) const {
    return InputError{
        .file = path_, .line = line_, .pointer = pointer, .message = std::move(message)};
  }
  static std::string expected_array(const json& j) {
    return fmt::format("found {}, expected an array", json_kind(j));
  }

  // The attribute `key` of the span, else of its resource.
  std::optional<InputError> find(const json* attributes, const std::string& at,
                                 const std::string& key, std::optional<Value>& out) const {
    if (attributes == nullptr) return std::nullopt;
    for (std::size_t i = 0; i < attributes->size(); ++i) {
      const json& kv = (*attributes)[i];
      const std::string kat = fmt::format("{}/{}", at, i);
      if (!kv.is_object() || !kv.contains("key") || !kv["key"].is_string()) {
        return error(kat, fmt::format("found {}, expected an attribute {{\"key\", \"value\"}}",
                                      json_kind(kv)));
      }
      if (kv["key"].get<std::string>() != key) continue;
      const auto v = kv.find("value");
      if (v == kv.end() || !v->is_object()) {
        return error(kat + "/value", "missing or not an object, expected an AnyValue");
      }
      Value value;
      if (auto e = any_value(*v, kat + "/value", value)) return e;
      out = value;
      return std::nullopt;
    }
    return std::nullopt;
  }

  std::optional<InputError> any_value(const json& v, const std::string& at, Value& out) const {
    if (const auto s = v.find("stringValue"); s != v.end()) {
      if (!s->is_string())
        return error(at + "/stringValue",
                     fmt::format("found {}, expected a string", json_kind(*s)));
      out.text = s->get<std::string>();
      double d = 0;
      if (parse_number(*out.text, d)) out.number = d;
    } else if (const auto n = v.find("intValue"); n != v.end()) {
      double d = 0;
      if (n->is_number_integer()) {
        out.number = n->get<double>();
      } else if (n->is_string() && parse_number(n->get<std::string>(), d) && d == std::floor(d)) {
        out.number = d;
      } else {
        return error(at + "/intValue", fmt::format("found {}, expected an integer (a number or "
                                                   "a decimal string)",
                                                   json_kind(*n)));
      }
    } else if (const auto d = v.find("doubleValue"); d != v.end()) {
      double x = 0;
      if (d->is_number()) {
        out.number = d->get<double>();
      } else if (d->is_string() && parse_number(d->get<std::string>(), x)) {
        out.number = x;
      } else {
        return error(at + "/doubleValue",
                     fmt::format("found {}, expected a number", json_kind(*d)));
      }
    } else if (const auto a = v.find("arrayValue"); a != v.end()) {
      // e.g. http.response.header.retry-after is a string[]: take the first.
      if (a->is_object() && a->contains("values") && (*a)["values"].is_array() &&
          !(*a)["values"].empty() && (*a)["values"][0].is_object()) {
        return any_value((*a)["values"][0], at + "/arrayValue/values/0", out);
      }
    }
    return std::nullopt;
  }

  std::optional<InputError> attribute(const json* span_attrs, const std::string& span_at,
                                      const json* resource_attrs, const std::string& key,
                                      std::optional<Value>& out) const {
    if (auto e = find(span_attrs, span_at + "/attributes", key, out)) return e;
    if (!out && resource_attrs != nullptr) {
      if (auto e = find(resource_attrs, resource_at_, key, out)) return e;
    }
    return std::nullopt;
  }

  std::optional<InputError> time_ns(const json& span, const std::string& at, const char* key,
                                    std::int64_t& out) const {
    const auto t = span.find(key);
    if (t == span.end())
      return error(at + "/" + key, "missing, expected nanoseconds since the epoch");
    if (t->is_number_unsigned() || t->is_number_integer()) {
      out = t->get<std::int64_t>();
      if (out >= 0) return std::nullopt;
    } else if (t->is_string()) {
      const std::string s = t->get<std::string>();
      const auto [stop, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      if (ec == std::errc() && stop == s.data() + s.size() && out >= 0) return std::nullopt;
    }
    return error(at + "/" + key, fmt::format("found {}, expected nanoseconds since the epoch "
                                             "(a non-negative integer or decimal string)",
                                             json_kind(*t)));
  }

  std::optional<InputError> span(const json& s, const std::string& at, const json* resource) {
    if (!s.is_object())
      return error(at, fmt::format("found {}, expected a span object", json_kind(s)));
    const json* attrs = nullptr;
    if (const auto a = s.find("attributes"); a != s.end()) {
      if (!a->is_array()) return error(at + "/attributes", expected_array(*a));
      attrs = &*a;
    }
    std::optional<Value> operation;
    if (auto e = attribute(attrs, at, resource, "gen_ai.operation.name", operation)) return e;
    if (!operation || !operation->text) {
      ++out_.sources[source_].skipped;  // not a GenAI call (an HTTP child, a DB span, ...)
      return std::nullopt;
    }
    if (!options_.operations.empty() &&
        std::find(options_.operations.begin(), options_.operations.end(), *operation->text) ==
            options_.operations.end()) {
      ++out_.sources[source_].skipped;
      return std::nullopt;
    }
    std::int64_t start = 0, end = 0;
    if (auto e = time_ns(s, at, "startTimeUnixNano", start)) return e;
    if (auto e = time_ns(s, at, "endTimeUnixNano", end)) return e;
    if (end < start) {
      return error(at + "/endTimeUnixNano",
                   fmt::format("found {}, expected a time >= startTimeUnixNano ({})", end, start));
    }
    Label label{.operation = *operation->text, .source = source_};
    if (auto e = first_text(attrs, at, resource, {"gen_ai.provider.name", "gen_ai.system"},
                            label.provider)) {
      return e;
    }
    if (auto e = first_text(attrs, at, resource,
                            {"gen_ai.response.model", "gen_ai.request.model", "gen_ai.tool.name",
                             "gen_ai.agent.name"},
                            label.model)) {
      return e;
    }
    Observation o;
    o.label = out_.intern(label);
    o.start_ns = start;
    o.latency_ms = static_cast<double>(end - start) * 1e-6;
    if (auto e = read_tokens(attrs, at, resource, o)) return e;
    if (auto e = read_ttft(attrs, at, resource, o)) return e;
    if (auto e = read_error(s, attrs, at, resource, o)) return e;
    out_.observations.push_back(std::move(o));
    ++out_.sources[source_].records;
    return std::nullopt;
  }

  // The first of the attributes `keys` that has a text, into `out` (left as
  // it is when none has).
  std::optional<InputError> first_text(const json* attrs, const std::string& at,
                                       const json* resource,
                                       std::initializer_list<const char*> keys,
                                       std::string& out) const {
    std::optional<Value> v;
    for (const char* key : keys) {
      v.reset();
      if (auto e = attribute(attrs, at, resource, key, v)) return e;
      if (v && v->text) {
        out = *v->text;
        break;
      }
    }
    return std::nullopt;
  }

  // gen_ai.usage's input and output token counts.
  std::optional<InputError> read_tokens(const json* attrs, const std::string& at,
                                        const json* resource, Observation& o) const {
    std::optional<Value> v;
    for (const auto& [key, field] : {std::pair{"gen_ai.usage.input_tokens", &o.input_tokens},
                                     std::pair{"gen_ai.usage.output_tokens", &o.output_tokens}}) {
      v.reset();
      if (auto e = attribute(attrs, at, resource, key, v)) return e;
      if (v && v->number) {
        if (!(*v->number >= 0 && *v->number <= kMaxTokens)) {
          return error(at + "/attributes",
                       fmt::format("found {} = {}, expected a token count >= 0 (at most {:g})", key,
                                   *v->number, kMaxTokens));
        }
        *field = static_cast<std::int64_t>(*v->number);
      }
    }
    return std::nullopt;
  }

  // The time to first token: the first of --ttft-attribute's attributes the
  // span has, in seconds, within its duration.
  std::optional<InputError> read_ttft(const json* attrs, const std::string& at,
                                      const json* resource, Observation& o) const {
    std::optional<Value> v;
    for (const std::string& key : options_.ttft_attributes) {
      v.reset();
      if (auto e = attribute(attrs, at, resource, key, v)) return e;
      if (v && v->number) {
        if (*v->number < 0 || *v->number * 1e3 > *o.latency_ms + 1e-6) {
          return error(at + "/attributes",
                       fmt::format("found {} = {} s, expected 0 <= time to first token <= the "
                                   "span's duration ({} s)",
                                   key, *v->number, *o.latency_ms * 1e-3));
        }
        o.ttft_ms = *v->number * 1e3;
        break;
      }
    }
    return std::nullopt;
  }

  // Errors: error.type, else the HTTP status, else the span status; a rate
  // limit's retry-after.
  std::optional<InputError> read_error(const json& s, const json* attrs, const std::string& at,
                                       const json* resource, Observation& o) const {
    std::optional<Value> v;
    std::string code, message;
    if (auto e = attribute(attrs, at, resource, "error.type", v)) return e;
    if (v && v->text) code = *v->text;
    if (code.empty() || code == "_OTHER") {
      v.reset();
      if (auto e = attribute(attrs, at, resource, "http.response.status_code", v)) return e;
      if (v && v->number && *v->number >= 400) code = fmt::format("{}", *v->number);
    }
    bool status_error = false;
    if (const auto st = s.find("status"); st != s.end() && st->is_object()) {
      if (const auto c = st->find("code"); c != st->end()) {
        // Compared as a double: a code such as 3e42 does not fit an int.
        status_error = (c->is_number() && c->get<double>() == 2.0) ||
                       (c->is_string() && c->get<std::string>() == "STATUS_CODE_ERROR");
      }
      if (const auto m = st->find("message"); m != st->end() && m->is_string()) message = *m;
    }
    if (code.empty() && status_error) code = "_OTHER";
    if (!code.empty()) {
      const ErrorClass c = options_.errors.classify(code, message);
      o.outcome = c.outcome;
      o.error_recognised = c.recognised;
      o.error_code = code;
      if (o.outcome != Outcome::kSuccess) {
        o.ttft_ms.reset();  // an error's first chunk is not a first token
      }
    }
    if (o.outcome == Outcome::kRateLimited) {
      v.reset();
      if (auto e = attribute(attrs, at, resource, "http.response.header.retry-after", v)) return e;
      if (v && v->number && *v->number >= 0) {
        if (!(*v->number <= kMaxSeconds)) {
          return error(at + "/attributes",
                       fmt::format("found http.response.header.retry-after = {} s, expected at "
                                   "most {:g} s",
                                   *v->number, kMaxSeconds));
        }
        o.retry_after_ms = *v->number * 1e3;
      }
    }
    return std::nullopt;
  }

  const std::string& path_;
  const ReadOptions& options_;
  Measurements& out_;
  std::uint32_t source_;
  std::size_t line_ = 0;
  std::string resource_at_;  // pointer of the current resource's attributes
};

}  // namespace

std::optional<InputError> read_otlp_json(const std::string& path, const std::string& text,
                                         const ReadOptions& options, Measurements& out) {
  const std::uint32_t source = out.add_source(path, "otlp_json");
  Reader reader(path, options, out, source);
  // One document (pretty-printed), or JSON Lines: try the whole text first.
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded()) return reader.request(doc, 0);
  std::size_t line_number = 0, begin = 0;
  bool any = false;
  while (begin <= text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    ++line_number;
    const std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    if (trim_blanks(line).empty() || trim_blanks(line) == "\r") continue;
    json one;
    if (auto e = parse_json_text(path, line, one, line_number)) return e;
    if (auto e = reader.request(one, line_number)) return e;
    any = true;
  }
  if (!any) return InputError{.file = path, .message = "found no spans, expected OTLP/JSON traces"};
  return std::nullopt;
}

}  // namespace orchsim::calibration
