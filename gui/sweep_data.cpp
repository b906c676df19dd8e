#include "gui/sweep_data.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>

#include "eval/metric_names.hpp"

namespace orchsim::gui {
namespace {

using Json = nlohmann::json;

// The mean of a summarised metric, or nullopt when the sweep did not record it.
std::optional<double> mean_of(const Json& metrics, std::string_view name) {
  const auto it = metrics.find(std::string(name));
  if (it == metrics.end() || !it->is_object()) return std::nullopt;
  const auto mean = it->find("mean");
  if (mean == it->end() || !mean->is_number()) return std::nullopt;
  return mean->get<double>();
}

}  // namespace

SweepLoad parse_sweep(const std::string& text, const std::string& source) {
  SweepLoad out;
  const Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    out.error = source + ": not valid JSON; the file is damaged or not a sweep";
    return out;
  }
  if (!doc.is_object() || !doc.contains("schema") || doc["schema"] != "orchsim.sweep") {
    out.error = source +
                ": not an orchsim sweep (expected schema \"orchsim.sweep\", as written by "
                "`orchsim sweep --out DIR`)";
    return out;
  }
  if (!doc.contains("schema_version") || !doc["schema_version"].is_number_integer() ||
      doc["schema_version"].get<std::int64_t>() > 1) {
    out.error = source + ": /schema_version: expected 1 (a newer orchsim wrote this file?)";
    return out;
  }
  if (!doc.contains("points") || !doc["points"].is_array()) {
    out.error = source + ": /points: missing or not an array";
    return out;
  }
  SweepData data;
  data.source = source;
  if (doc.contains("scenario") && doc["scenario"].is_string())
    data.scenario = doc["scenario"].get<std::string>();
  const Json& points = doc["points"];
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Json& p = points[i];
    const std::string at = "/points/" + std::to_string(i);
    if (!p.is_object() || !p.contains("metrics") || !p["metrics"].is_object()) {
      out.error = source + ": " + at + "/metrics: missing or not an object";
      return out;
    }
    SweepRow row;
    if (p.contains("overrides") && p["overrides"].is_object()) {
      for (const auto& [ptr, value] : p["overrides"].items()) {
        if (!row.label.empty()) row.label += ", ";
        row.label += ptr + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
      }
    }
    if (row.label.empty()) row.label = "point " + std::to_string(i);
    row.cost_usd = mean_of(p["metrics"], eval::metric::kCostPerRequest);
    row.quality = mean_of(p["metrics"], eval::metric::kQualityMean);
    row.p99_ms = mean_of(p["metrics"], eval::metric::kLatencyP99);
    row.pareto = p.contains("pareto") && p["pareto"].is_boolean() && p["pareto"].get<bool>();
    data.rows.push_back(std::move(row));
  }
  out.sweep = std::move(data);
  return out;
}

SweepLoad load_sweep(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path file(path);
  if (fs::is_directory(file, ec)) file /= "sweep.json";
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    SweepLoad out;
    out.error =
        file.string() + ": no such file (a sweep folder is written by `orchsim sweep --out DIR`)";
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_sweep(text.str(), file.string());
}

}  // namespace orchsim::gui
