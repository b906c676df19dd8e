#include "gui/fit_report_data.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace orchsim::gui {

namespace {

using Json = nlohmann::json;

// Thrown inside the parser only; turned into FitReportLoad::error.
struct Problem {
  std::string pointer, message;
};

const Json& field(const Json& j, const std::string& at, const char* key) {
  if (!j.is_object() || !j.contains(key)) throw Problem{at + "/" + key, "missing"};
  return j[key];
}

std::string text(const Json& j, const std::string& at, const char* key) {
  const Json& v = field(j, at, key);
  if (!v.is_string()) throw Problem{at + "/" + key, "found " + v.dump() + ", expected a string"};
  return v.get<std::string>();
}

std::optional<double> number_or_null(const Json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number()) return std::nullopt;
  return j[key].get<double>();
}

const Json& array(const Json& j, const std::string& at, const char* key) {
  const Json& v = field(j, at, key);
  if (!v.is_array()) {
    throw Problem{at + "/" + key, std::string("found ") + v.type_name() + ", expected an array"};
  }
  return v;
}

std::vector<std::string> strings(const Json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key) && j[key].is_array()) {
    for (const Json& s : j[key]) {
      if (s.is_string()) out.push_back(s.get<std::string>());
    }
  }
  return out;
}

FitFamilyRow family(const Json& f, const std::string& at) {
  FitFamilyRow row;
  row.family = text(f, at, "family");
  row.ok = f.value("ok", false);
  if (!row.ok) {
    row.failure = f.value("failure", std::string());
    return row;
  }
  row.aic = number_or_null(f, "aic");
  row.ks_distance = number_or_null(f, "ks_distance");
  row.ks_p_value = number_or_null(f, "ks_p_value");
  row.adequate = f.value("adequate", false);
  const Json& errors = array(f, at, "quantile_errors");
  for (std::size_t i = 0; i < errors.size() && i < 3; ++i) {
    const double e = number_or_null(errors[i], "relative_error").value_or(0.0);
    (i == 0 ? row.error_p50 : i == 1 ? row.error_p90 : row.error_p99) = e;
  }
  for (const Json& p : array(f, at, "parameters")) {
    if (!row.parameters.empty()) row.parameters += ", ";
    row.parameters += fmt::format("{}={:.6g}", p.value("name", std::string("?")),
                                  number_or_null(p, "value").value_or(0.0));
  }
  const Json& pairs = array(f, at, "quantile_pairs");
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const Json& q = pairs[i];
    if (!q.is_array() || q.size() != 3 || !q[0].is_number()) {
      throw Problem{fmt::format("{}/quantile_pairs/{}", at, i), "expected [p, measured, fitted]"};
    }
    if (!q[1].is_number() || !q[2].is_number()) continue;  // null: not finite
    row.pairs.push_back({q[0].get<double>(), q[1].get<double>(), q[2].get<double>()});
  }
  return row;
}

}  // namespace

const FitFamilyRow* FitQuantity::chosen() const {
  for (const FitFamilyRow& f : families) {
    if (f.family == selected) return &f;
  }
  return nullptr;
}

FitReportLoad parse_fit_report(const std::string& text_in, const std::string& source) {
  FitReportLoad out;
  const Json doc = Json::parse(text_in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    out.error = source + ": not valid JSON";
    return out;
  }
  try {
    if (!doc.is_object() || doc.value("format", std::string()) != "orchsim_fit_report") {
      throw Problem{"/format",
                    "expected \"orchsim_fit_report\" (a report of orchsim fit --report)"};
    }
    if (doc.value("version", 0) != 1) {
      throw Problem{"/version", "found " + field(doc, "", "version").dump() + ", expected 1"};
    }
    FitReportData r;
    r.source = source;
    r.command = doc.value("command", std::string());
    const Json& groups = array(doc, "", "groups");
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const std::string gat = fmt::format("/groups/{}", g);
      const Json& gj = groups[g];
      FitGroup group;
      group.name = text(gj, gat, "name");
      if (gj.contains("agent") && gj["agent"].is_string())
        group.agent = gj["agent"].get<std::string>();
      group.calls = gj.value("calls", std::uint64_t{0});
      group.notes = strings(gj, "notes");
      group.warnings = strings(gj, "warnings");
      const Json& quantities = array(gj, gat, "quantities");
      for (std::size_t q = 0; q < quantities.size(); ++q) {
        const std::string qat = fmt::format("{}/quantities/{}", gat, q);
        const Json& qj = quantities[q];
        FitQuantity quantity;
        quantity.name = text(qj, qat, "name");
        quantity.n = qj.value("n", std::size_t{0});
        quantity.weighted = qj.value("weighted", false);
        quantity.selected = text(qj, qat, "selected");
        quantity.reason = qj.value("reason", std::string());
        quantity.warnings = strings(qj, "warnings");
        const Json& families = array(qj, qat, "families");
        for (std::size_t f = 0; f < families.size(); ++f) {
          quantity.families.push_back(family(families[f], fmt::format("{}/families/{}", qat, f)));
        }
        group.quantities.push_back(std::move(quantity));
      }
      r.groups.push_back(std::move(group));
    }
    out.report = std::move(r);
  } catch (const Problem& p) {
    out.error = fmt::format("{}: {}: {}", source, p.pointer.empty() ? "/" : p.pointer, p.message);
  } catch (const Json::exception& e) {
    out.error = fmt::format("{}: {}", source, e.what());
  }
  return out;
}

FitReportLoad load_fit_report(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return FitReportLoad{std::nullopt, path + ": cannot open for reading"};
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_fit_report(ss.str(), path);
}

bool is_fit_report_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return head.find("\"orchsim_fit_report\"") != std::string::npos;
}

}  // namespace orchsim::gui
