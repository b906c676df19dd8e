#include "gui/request_data.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <istream>

#include "scenarios/json_reader.hpp"

namespace orchsim::gui {
namespace {

using Json = nlohmann::ordered_json;

std::string found(const Json& v) { return scenarios::describe_json(v); }

// Reads the keys of one JSON object and keeps the first problem of the line,
// as "<file>:<line>: <pointer>: <what>". A file holds a few million values,
// so the pointer is only spelled out when something is wrong.
class Line {
 public:
  Line(std::string where, std::string* error) : where_(std::move(where)), error_(error) {}

  bool ok() const { return error_->empty(); }

  void fail(const std::string& pointer, const std::string& what) {
    if (ok()) *error_ = where_ + ": " + (pointer.empty() ? "" : pointer + ": ") + what;
  }

  // The value at obj[key]; `base` is obj's pointer.
  const Json* at(const Json& obj, const std::string& base, const char* key) {
    if (!ok()) return nullptr;
    if (!obj.is_object()) {
      fail(base, "found " + found(obj) + ", expected an object");  // "": the line itself
      return nullptr;
    }
    auto it = obj.find(key);
    if (it == obj.end()) {
      fail(base + "/" + key, "missing");
      return nullptr;
    }
    return &*it;
  }

  std::string str(const Json& obj, const std::string& base, const char* key) {
    const Json* v = at(obj, base, key);
    if (v == nullptr) return {};
    if (!v->is_string()) return wrong(base, key, *v, "a string"), std::string();
    return v->get<std::string>();
  }

  std::optional<std::string> opt_str(const Json& obj, const std::string& base, const char* key) {
    const Json* v = at(obj, base, key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_string()) return wrong(base, key, *v, "a string or null"), std::nullopt;
    return v->get<std::string>();
  }

  double num(const Json& obj, const std::string& base, const char* key) {
    const Json* v = at(obj, base, key);
    if (v == nullptr) return 0;
    if (!v->is_number()) return wrong(base, key, *v, "a number"), 0.0;
    return v->get<double>();
  }

  std::optional<double> opt_num(const Json& obj, const std::string& base, const char* key) {
    const Json* v = at(obj, base, key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_number()) return wrong(base, key, *v, "a number or null"), std::nullopt;
    return v->get<double>();
  }

  std::uint64_t count(const Json& obj, const std::string& base, const char* key) {
    const Json* v = at(obj, base, key);
    if (v == nullptr) return 0;
    // Parsed text holds non-negative integers as unsigned, JSON built in
    // memory (RequestLog::kept_requests) may hold them as signed.
    if (!v->is_number_integer() || (!v->is_number_unsigned() && v->get<std::int64_t>() < 0)) {
      return wrong(base, key, *v, "a count (integer >= 0)"), 0;
    }
    return v->get<std::uint64_t>();
  }

  bool boolean(const Json& obj, const std::string& base, const char* key) {
    const Json* v = at(obj, base, key);
    if (v == nullptr) return false;
    if (!v->is_boolean()) return wrong(base, key, *v, "true or false"), false;
    return v->get<bool>();
  }

  const Json* array(const Json& obj, const std::string& base, const char* key) {
    const Json* v = at(obj, base, key);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) return wrong(base, key, *v, "an array"), nullptr;
    return v;
  }

 private:
  void wrong(const std::string& base, const char* key, const Json& v, const char* expected) {
    fail(base + "/" + key, "found " + found(v) + ", expected " + expected);
  }

  std::string where_;
  std::string* error_;
};

std::string where(const std::string& source, std::size_t line) {
  return source + ":" + std::to_string(line);
}

CallRow read_call(Line& l, const Json& c, const std::string& p) {
  CallRow row;
  row.node = l.str(c, p, "node");
  row.agent = l.str(c, p, "agent");
  row.attempt = l.count(c, p, "attempt");
  row.kind = l.str(c, p, "kind");
  row.start_ms = l.num(c, p, "start_ms");
  row.end_ms = l.opt_num(c, p, "end_ms");
  row.queue_wait_ms = l.opt_num(c, p, "queue_wait_ms");
  row.end = l.str(c, p, "end");
  row.error = l.opt_str(c, p, "error");
  row.input_tokens = l.count(c, p, "input_tokens");
  row.output_tokens = l.count(c, p, "output_tokens");
  row.cost_usd = l.num(c, p, "cost_usd");
  row.quality = l.opt_num(c, p, "quality");
  row.confidence = l.opt_num(c, p, "confidence");
  row.silent = l.boolean(c, p, "silent");
  return row;
}

DecisionRow read_decision(Line& l, const Json& d, const std::string& p) {
  DecisionRow row;
  row.t_ms = l.num(d, p, "t_ms");
  row.node = l.str(d, p, "node");
  row.kind = l.str(d, p, "kind");
  if (row.kind == "route") {
    row.policy = l.str(d, p, "policy");
    if (const Json* inputs = l.array(d, p, "inputs")) {
      for (std::size_t i = 0; i < inputs->size() && l.ok(); ++i) {
        const std::string ip = p + "/inputs/" + std::to_string(i);
        const Json& in = (*inputs)[i];
        Candidate c;
        c.agent = l.str(in, ip, "agent");
        c.score = l.opt_num(in, ip, "score");
        c.eligible = l.boolean(in, ip, "eligible");
        row.inputs.push_back(std::move(c));
      }
    }
  }
  row.choice = l.opt_str(d, p, "choice");
  row.reason = l.str(d, p, "reason");
  return row;
}

EventRow read_event(Line& l, const Json& e, const std::string& p) {
  EventRow row;
  row.t_ms = l.num(e, p, "t_ms");
  row.kind = l.str(e, p, "kind");
  if (row.kind == "enter") {
    row.from = l.str(e, p, "from");
    row.to = l.str(e, p, "to");
    row.node = row.to;
  } else if (row.kind == "retry") {
    row.node = l.str(e, p, "node");
    row.agent = l.str(e, p, "agent");
    row.attempt = l.count(e, p, "attempt");
    row.delay_ms = l.num(e, p, "delay_ms");
    row.after = l.str(e, p, "after");
    row.error = l.opt_str(e, p, "error");
  } else if (row.kind == "hedge") {
    row.node = l.str(e, p, "node");
    row.agent = l.str(e, p, "agent");
    row.attempt = l.count(e, p, "attempt");
  } else if (row.kind == "context") {
    row.node = l.str(e, p, "node");
    row.agent = l.str(e, p, "agent");
    row.policy = l.str(e, p, "policy");
    row.tokens_before = l.count(e, p, "tokens_before");
    row.tokens_after = l.count(e, p, "tokens_after");
    row.retained = l.num(e, p, "retained");
    row.segments_dropped = l.count(e, p, "segments_dropped");
    row.summarized = l.boolean(e, p, "summarized");
  } else if (row.kind == "budget") {
    row.node = l.str(e, p, "node");
    row.budget = l.str(e, p, "budget");
  }
  return row;
}

RequestRow read_request(Line& l, const Json& j) {
  RequestRow r;
  const std::string p;  // the line's root
  r.id = l.count(j, p, "request");
  r.cls = l.str(j, p, "class");
  r.arrival_ms = l.num(j, p, "arrival_ms");
  r.finish_ms = l.num(j, p, "finish_ms");
  r.latency_ms = l.num(j, p, "latency_ms");
  r.success = l.boolean(j, p, "success");
  r.outcome = l.str(j, p, "outcome");
  r.quality = l.num(j, p, "quality");
  r.silent_answer = l.boolean(j, p, "silent_answer");
  r.cost_usd = l.num(j, p, "cost_usd");
  r.input_tokens = l.count(j, p, "input_tokens");
  r.output_tokens = l.count(j, p, "output_tokens");
  r.call_count = l.count(j, p, "call_count");
  r.retries = l.count(j, p, "retries");
  r.hedges = l.count(j, p, "hedges");
  r.timeouts = l.count(j, p, "timeouts");
  r.fallbacks = l.count(j, p, "fallbacks");
  r.redirects = l.count(j, p, "redirects");
  if (const Json* kept = l.array(j, p, "kept")) {
    for (std::size_t i = 0; i < kept->size() && l.ok(); ++i) {
      const Json& k = (*kept)[i];
      if (!k.is_string()) {
        l.fail("/kept/" + std::to_string(i), "found " + found(k) + ", expected a string");
        break;
      }
      r.kept.push_back(k.get<std::string>());
    }
  }
  r.truncated = l.boolean(j, p, "truncated");
  if (const Json* calls = l.array(j, p, "calls")) {
    r.calls.reserve(calls->size());
    for (std::size_t i = 0; i < calls->size() && l.ok(); ++i) {
      r.calls.push_back(read_call(l, (*calls)[i], "/calls/" + std::to_string(i)));
    }
  }
  if (const Json* decisions = l.array(j, p, "decisions")) {
    r.decisions.reserve(decisions->size());
    for (std::size_t i = 0; i < decisions->size() && l.ok(); ++i) {
      r.decisions.push_back(read_decision(l, (*decisions)[i], "/decisions/" + std::to_string(i)));
    }
  }
  if (const Json* events = l.array(j, p, "events")) {
    r.events.reserve(events->size());
    for (std::size_t i = 0; i < events->size() && l.ok(); ++i) {
      r.events.push_back(read_event(l, (*events)[i], "/events/" + std::to_string(i)));
    }
  }
  return r;
}

// Checks the header and fills the set's run fields; false with *error set.
bool read_header(const Json& h, const std::string& source, RequestSet& set, std::string* error) {
  const std::string at = where(source, 1);
  // Say "foreign" before anything else: a report or a trace opened by mistake
  // should be named as such, not as requests with a missing key.
  if (!h.is_object() || !h.contains("schema")) {
    *error = at + ": not an orchsim requests file (no \"schema\" key; expected \"" +
             kRequestsSchema + "\", as written by `orchsim run --out DIR`)";
    return false;
  }
  if (!h["schema"].is_string() || h["schema"].get<std::string>() != kRequestsSchema) {
    *error = at + ": not an orchsim requests file (schema is " + h["schema"].dump() +
             ", expected \"" + kRequestsSchema + "\")";
    return false;
  }
  Line l(at, error);
  const std::uint64_t version = l.count(h, "", "schema_version");
  if (l.ok() && version > static_cast<std::uint64_t>(kRequestsSchemaVersionRead)) {
    *error = at + ": written by a newer orchsim (schema_version " + std::to_string(version) +
             "; this explorer reads up to " + std::to_string(kRequestsSchemaVersionRead) + ")";
    return false;
  }
  // scenario and seed are the writer's extra fields: read when present.
  if (h.contains("scenario")) set.scenario = l.str(h, "", "scenario");
  if (h.contains("seed")) set.seed = l.count(h, "", "seed");
  if (const Json* selection = l.at(h, "", "selection")) {
    set.sample = l.count(*selection, "/selection", "sample");
    set.slowest = l.count(*selection, "/selection", "slowest");
    set.failed = l.count(*selection, "/selection", "failed");
  }
  set.finished = l.count(h, "", "finished");
  l.count(h, "", "kept");
  return l.ok();
}

// Adds one request line to the set; false with *error set.
bool add_request(const Json& j, const std::string& source, std::size_t line_no, RequestSet& set,
                 std::string* error) {
  Line l(where(source, line_no), error);
  RequestRow row = read_request(l, j);
  if (!l.ok()) return false;
  if (!set.requests.empty() && row.id <= set.requests.back().id) {
    l.fail("/request", "request " + std::to_string(row.id) + " after request " +
                           std::to_string(set.requests.back().id) +
                           " (ids must increase; the file is damaged)");
    return false;
  }
  set.requests.push_back(std::move(row));
  return true;
}

RequestLoad failed(std::string error) {
  RequestLoad out;
  out.error = std::move(error);
  return out;
}

}  // namespace

bool RequestRow::kept_for(std::string_view reason) const {
  return std::find(kept.begin(), kept.end(), reason) != kept.end();
}

const RequestRow* RequestSet::find(std::uint64_t id) const {
  auto it = std::lower_bound(requests.begin(), requests.end(), id,
                             [](const RequestRow& r, std::uint64_t v) { return r.id < v; });
  return it != requests.end() && it->id == id ? &*it : nullptr;
}

RequestLoad requests_from_json(const Json& header, const std::vector<Json>& lines,
                               const std::string& source) {
  RequestSet set;
  set.source = source;
  std::string error;
  if (!read_header(header, source, set, &error)) return failed(std::move(error));
  set.requests.reserve(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!add_request(lines[i], source, i + 2, set, &error)) return failed(std::move(error));
  }
  RequestLoad out;
  out.set = std::move(set);
  return out;
}

RequestLoad parse_requests(std::istream& in, const std::string& source, std::size_t max_requests) {
  RequestSet set;
  set.source = source;
  std::string error;
  std::string text;
  std::size_t line_no = 0;
  bool have_header = false;
  while (std::getline(in, text)) {
    ++line_no;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    if (have_header && set.requests.size() >= max_requests) {
      set.capped = true;
      break;
    }
    const Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      return failed(where(source, line_no) + ": not valid JSON" +
                    (have_header ? " (the file is damaged)"
                                 : " (the file is damaged or not a requests.jsonl)"));
    }
    if (!have_header) {
      if (line_no != 1) {
        return failed(where(source, line_no) + ": the header must be the first line");
      }
      if (!read_header(j, source, set, &error)) return failed(std::move(error));
      have_header = true;
      continue;
    }
    if (!add_request(j, source, line_no, set, &error)) return failed(std::move(error));
  }
  if (!have_header) return failed(source + ": empty (no header line)");
  RequestLoad out;
  out.set = std::move(set);
  return out;
}

RequestLoad load_requests(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path file(path);
  if (fs::is_directory(file, ec)) {
    file /= "requests.jsonl";
    if (!fs::exists(file, ec)) {
      return failed(path +
                    ": no requests.jsonl in this folder (written by `orchsim run --out DIR`)");
    }
  } else if (!fs::exists(file, ec)) {
    return failed(path + ": no such file or folder");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return failed(file.string() + ": cannot be read");
  return parse_requests(in, file.string());
}

Json requests_header(const std::string& scenario, std::uint64_t seed, std::uint64_t finished,
                     std::uint64_t kept, std::uint64_t sample, std::uint64_t slowest,
                     std::uint64_t failed) {
  Json h;
  h["schema"] = kRequestsSchema;
  h["schema_version"] = kRequestsSchemaVersionRead;
  h["scenario"] = scenario;
  h["seed"] = seed;
  h["selection"] = {{"sample", sample}, {"slowest", slowest}, {"failed", failed}};
  h["finished"] = finished;
  h["kept"] = kept;
  return h;
}

}  // namespace orchsim::gui
