#include "gui/search_data.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace orchsim::gui {
namespace {

using Json = nlohmann::json;

// Reads what the Search tab needs, each miss an error naming the pointer.
class SearchReader {
 public:
  SearchReader(const Json& doc, std::string source) : doc_(doc), source_(std::move(source)) {}

  bool read(SearchData& d) {
    d.source = source_;
    d.scenario = string_at("/scenario");
    d.objective = string_at("/objective/metric");
    d.maximize = string_at("/objective/direction") != "minimize";
    for_each("/constraints", [&](const Json& c, const std::string& at) {
      SearchConstraintInfo info;
      info.metric = string_of(c, at + "/metric", "metric");
      info.at_most = string_of(c, at + "/op", "op") == "<=";
      info.bound = number_of(c, at + "/bound", "bound");
      d.constraints.push_back(std::move(info));
    });
    for_each("/parameters", [&](const Json& p, const std::string& at) {
      d.parameters.push_back(string_of(p, at + "/pointer", "pointer"));
    });
    for_each("/settings/rungs", [&](const Json& r, const std::string& at) {
      if (!r.is_number_unsigned()) return fail(at, "expected a request count");
      d.rungs.push_back(r.get<std::uint64_t>());
    });
    const Json* simulated = find("/requests_simulated");
    if (simulated && simulated->is_number_unsigned())
      d.requests_simulated = simulated->get<std::uint64_t>();
    const std::vector<std::string> metrics = d.metrics();
    for_each("/evaluations", [&](const Json& e, const std::string& at) {
      d.rows.push_back(row(e, at, d, metrics));
    });
    for_each("/pareto", [&](const Json& p, const std::string& at) {
      d.pareto.push_back(count_of(p, at + "/candidate", "candidate"));
    });
    const Json* best = find("/best/0/candidate");
    if (best && best->is_number_unsigned()) d.best = best->get<std::size_t>();
    return error_.empty();
  }

  const std::string& error() const { return error_; }

 private:
  SearchEvaluationRow row(const Json& e, const std::string& at, const SearchData& d,
                          const std::vector<std::string>& metrics) {
    SearchEvaluationRow r;
    r.candidate = count_of(e, at + "/candidate", "candidate");
    r.bracket = static_cast<unsigned>(count_of(e, at + "/bracket", "bracket"));
    r.rung = static_cast<unsigned>(count_of(e, at + "/rung", "rung"));
    if (error_.empty() && r.rung >= d.rungs.size()) fail(at + "/rung", "past the last rung");
    r.requests = count_of(e, at + "/requests", "requests");
    r.from_model = string_of(e, at + "/proposed_by", "proposed_by") == "tpe";
    r.reused = optional_bool_of(e, at + "/reused", "reused");
    r.feasible = optional_bool_of(e, at + "/feasible", "feasible");
    const Json* values = e.is_object() && e.contains("values") ? &e["values"] : nullptr;
    for (const std::string& p : d.parameters) {
      const bool has = values && values->is_object() && values->contains(p);
      r.values.push_back(
          has ? ((*values)[p].is_string() ? (*values)[p].get<std::string>() : (*values)[p].dump())
              : std::string());
    }
    const Json* means = e.is_object() && e.contains("means") ? &e["means"] : nullptr;
    for (const std::string& m : metrics) {
      const bool has = means && means->is_object() && means->contains(m) && (*means)[m].is_number();
      r.means.push_back(has ? std::optional<double>((*means)[m].get<double>()) : std::nullopt);
    }
    return r;
  }

  const Json* find(const std::string& pointer) const {
    const Json::json_pointer p(pointer);
    return doc_.contains(p) ? &doc_.at(p) : nullptr;
  }
  void fail(const std::string& at, const std::string& what) {
    if (error_.empty()) error_ = source_ + ": " + at + ": " + what;
  }
  std::string string_at(const std::string& pointer) {
    const Json* j = find(pointer);
    if (!j || !j->is_string()) {
      fail(pointer, "missing or not a string");
      return {};
    }
    return j->get<std::string>();
  }
  std::string string_of(const Json& j, const std::string& at, const char* key) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_string()) {
      fail(at, "missing or not a string");
      return {};
    }
    return j[key].get<std::string>();
  }
  double number_of(const Json& j, const std::string& at, const char* key) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_number()) {
      fail(at, "missing or not a number");
      return 0;
    }
    return j[key].get<double>();
  }
  // False when absent; a value that is not true/false is an error (json's
  // value() would throw type_error, found by fuzz_search).
  bool optional_bool_of(const Json& j, const std::string& at, const char* key) {
    if (!j.is_object() || !j.contains(key)) return false;
    if (!j[key].is_boolean()) {
      fail(at, "not true or false");
      return false;
    }
    return j[key].get<bool>();
  }
  std::size_t count_of(const Json& j, const std::string& at, const char* key) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_number_unsigned()) {
      fail(at, "missing or not a non-negative integer");
      return 0;
    }
    return j[key].get<std::size_t>();
  }
  template <class F>
  void for_each(const std::string& pointer, F&& f) {
    const Json* a = find(pointer);
    if (!a || !a->is_array()) return fail(pointer, "missing or not an array");
    for (std::size_t i = 0; i < a->size() && error_.empty(); ++i)
      f((*a)[i], pointer + "/" + std::to_string(i));
  }

  const Json& doc_;
  std::string source_;
  std::string error_;
};

}  // namespace

std::vector<std::string> SearchData::metrics() const {
  std::vector<std::string> out{objective};
  for (const SearchConstraintInfo& c : constraints) out.push_back(c.metric);
  return out;
}

SearchLoad parse_search(const std::string& text, const std::string& source) {
  SearchLoad out;
  const Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    out.error = source + ": not valid JSON; the file is damaged or not a search";
    return out;
  }
  if (!doc.is_object() || !doc.contains("schema") || doc["schema"] != "orchsim.search") {
    out.error = source +
                ": not an orchsim search (expected schema \"orchsim.search\", as written by "
                "`orchsim search --out DIR`)";
    return out;
  }
  if (!doc.contains("schema_version") || !doc["schema_version"].is_number_integer() ||
      doc["schema_version"].get<std::int64_t>() != 1) {
    out.error = source + ": /schema_version: expected 1 (a newer orchsim wrote this file?)";
    return out;
  }
  SearchData data;
  SearchReader reader(doc, source);
  if (!reader.read(data)) {
    out.error = reader.error();
    return out;
  }
  out.search = std::move(data);
  return out;
}

SearchLoad load_search(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path file(path);
  if (fs::is_directory(file, ec)) file /= "search.json";
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    SearchLoad out;
    out.error =
        file.string() + ": no such file (a search folder is written by `orchsim search --out DIR`)";
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_search(text.str(), file.string());
}

}  // namespace orchsim::gui
