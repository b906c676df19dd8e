#include "gui/summary_model.hpp"

#include <algorithm>
#include <cmath>

namespace orchsim::gui {
namespace {

QString fixed(std::optional<double> v, int decimals, const QString& unit = {}) {
  if (!v) return QStringLiteral("–");
  QString s = QString::number(*v, 'f', decimals);
  return unit.isEmpty() ? s : s + QLatin1Char(' ') + unit;
}

QString percent(std::optional<double> v) {
  if (!v) return QStringLiteral("–");
  return QString::number(*v * 100.0, 'f', 2) + QStringLiteral(" %");
}

}  // namespace

SummaryModel::SummaryModel(QObject* parent) : QAbstractTableModel(parent) {}

void SummaryModel::clear() {
  beginResetModel();
  rows_.clear();
  endResetModel();
}

void SummaryModel::set_report(const ReportData& r) {
  a_ = r;
  rebuild();
}

void SummaryModel::set_compare(const ReportData* other) {
  b_.reset();
  if (other != nullptr) b_ = *other;
  rebuild();
}

void SummaryModel::rebuild() {
  beginResetModel();
  std::vector<std::string> causes;
  for (const std::optional<ReportData>* run : {&a_, &b_}) {
    if (!run->has_value()) continue;
    for (const auto& [cause, n] : (*run)->metrics.requests.failed_by_cause) {
      if (std::find(causes.begin(), causes.end(), cause) == causes.end()) causes.push_back(cause);
    }
  }
  rows_ = a_ ? build_rows(*a_, causes) : std::vector<Row>{};
  compare_ = b_ ? build_rows(*b_, causes) : std::vector<Row>{};
  endResetModel();
}

QString SummaryModel::change_text(const std::string& key, double a, double change) {
  const auto ends_with = [&key](std::string_view tail) {
    return key.size() >= tail.size() &&
           key.compare(key.size() - tail.size(), tail.size(), tail) == 0;
  };
  QString text;
  const QString sign = change > 0 ? QStringLiteral("+") : QString();
  if (key == "success_rate" || key == "pass_rate" || key == "silent_failure_rate") {
    text = sign + QString::number(change * 100.0, 'f', 2) + tr(" pp");  // percentage points
  } else if (ends_with("_ms")) {
    text = sign + QString::number(change, 'f', 1) + tr(" ms");
  } else if (ends_with("_usd")) {
    text = sign + QString::number(change, 'f', 6);
  } else if (std::floor(change) == change && std::floor(a) == a) {
    text = sign + QString::number(change, 'f', 0);  // counts
  } else {
    text = sign + QString::number(change, 'f', 3);
  }
  if (a != 0)
    text += QStringLiteral(" (%1%2 %)").arg(sign).arg(100.0 * change / std::abs(a), 0, 'f', 1);
  return text;
}

const SummaryModel::Row* SummaryModel::compare_row(const std::string& key) const {
  for (const Row& row : compare_) {
    if (row.key == key) return &row;
  }
  return nullptr;
}

std::vector<SummaryModel::Row> SummaryModel::build_rows(const ReportData& r,
                                                        const std::vector<std::string>& causes) {
  std::vector<Row> rows;
  auto add = [&rows](std::string key, QString label, std::optional<double> value, QString text,
                     QString tooltip) {
    rows.push_back({std::move(key), std::move(label), value, std::move(text), std::move(tooltip)});
  };
  auto count = [&add](std::string key, QString label, std::uint64_t n, QString tooltip) {
    add(std::move(key), std::move(label), static_cast<double>(n), QString::number(n),
        std::move(tooltip));
  };

  add("scenario", tr("Scenario"), std::nullopt, QString::fromStdString(r.scenario_name),
      QString::fromStdString(r.scenario_description));
  count("seed", tr("Seed"), r.seed, tr("The run's random seed: same seed, same numbers"));
  add("simulated_s", tr("Simulated time"), r.simulated_s, fixed(r.simulated_s, 1, tr("s")),
      tr("Simulated time when the run stopped"));

  const eval::RequestMetrics& q = r.metrics.requests;
  const eval::PerRequestMetrics& per = r.metrics.per_request;
  count("arrived", tr("Requests arrived"), q.arrived, tr("completed + failed + in flight"));
  count("completed", tr("Requests completed"), q.completed, tr("Ended with an answer"));
  count("failed", tr("Requests failed"), q.failed, tr("Ended without an answer"));
  count("in_flight", tr("Requests in flight at the end"), q.in_flight,
        tr("Still running when the drain limit passed"));
  for (const std::string& cause : causes) {
    std::uint64_t n = 0;
    for (const auto& [c, k] : q.failed_by_cause) {
      if (c == cause) n = k;
    }
    count("failed_" + cause, tr("  failed: %1").arg(QString::fromStdString(cause)), n,
          tr("Requests that failed with this cause"));
  }
  add("success_rate", tr("Success rate"), q.success_rate, percent(q.success_rate),
      tr("completed / finished"));
  add("throughput_rps", tr("Throughput"), q.throughput_rps, fixed(q.throughput_rps, 2, tr("req/s")),
      tr("Completed requests per simulated second"));

  const LatencySummary& l = r.metrics.latency_all;
  const QString ms = tr("ms");
  const QString finished = tr("over all finished requests");
  add("latency_mean_ms", tr("Latency mean"), l.mean, fixed(l.mean, 1, ms), finished);
  add("latency_min_ms", tr("Latency min"), l.min, fixed(l.min, 1, ms), finished);
  add("latency_p50_ms", tr("Latency p50"), l.p50, fixed(l.p50, 1, ms), finished);
  add("latency_p90_ms", tr("Latency p90"), l.p90, fixed(l.p90, 1, ms), finished);
  add("latency_p95_ms", tr("Latency p95"), l.p95, fixed(l.p95, 1, ms), finished);
  add("latency_p99_ms", tr("Latency p99"), l.p99, fixed(l.p99, 1, ms), finished);
  add("latency_p999_ms", tr("Latency p99.9"), l.p999, fixed(l.p999, 1, ms), finished);
  add("latency_max_ms", tr("Latency max"), l.max, fixed(l.max, 1, ms), finished);

  add("quality_mean", tr("Quality mean"), r.metrics.quality.mean, fixed(r.metrics.quality.mean, 3),
      tr("Mean true quality of successful answers"));
  add("pass_rate", tr("Quality pass rate"), r.metrics.quality.pass_rate,
      percent(r.metrics.quality.pass_rate),
      tr("Share of successful answers with quality >= %1").arg(r.metrics.quality_threshold));
  add("silent_failure_rate", tr("Silent failure rate"), r.metrics.quality.silent_failure_rate,
      percent(r.metrics.quality.silent_failure_rate),
      tr("Share of successful answers that were undetected silent failures"));

  add("cost_per_request_usd", tr("Cost per request"), per.cost_usd,
      per.cost_usd ? QStringLiteral("$") + QString::number(*per.cost_usd, 'f', 6) : fixed({}, 6),
      tr("Mean over finished requests"));
  add("calls_per_request", tr("Agent calls per request"), per.calls, fixed(per.calls, 2),
      tr("Mean over finished requests"));
  add("retries_per_request", tr("Retries per request"), per.retries, fixed(per.retries, 3),
      tr("Mean over finished requests"));
  add("hedges_per_request", tr("Hedges per request"), per.hedges, fixed(per.hedges, 3),
      tr("Mean over finished requests"));
  add("timeouts_per_request", tr("Timeouts per request"), per.timeouts, fixed(per.timeouts, 3),
      tr("Mean over finished requests"));
  add("fallbacks_per_request", tr("Fallbacks per request"), per.fallbacks, fixed(per.fallbacks, 3),
      tr("Mean over finished requests"));
  add("input_tokens_per_request", tr("Input tokens per request"), per.input_tokens,
      fixed(per.input_tokens, 0), tr("Mean over finished requests"));
  add("output_tokens_per_request", tr("Output tokens per request"), per.output_tokens,
      fixed(per.output_tokens, 0), tr("Mean over finished requests"));
  return rows;
}

int SummaryModel::row_of(std::string_view key) const {
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    if (rows_[i].key == key) return static_cast<int>(i);
  }
  return -1;
}

int SummaryModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int SummaryModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumnCount;
}

QVariant SummaryModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= static_cast<int>(rows_.size())) return {};
  const Row& row = rows_[static_cast<std::size_t>(index.row())];
  const Row* other = compare_row(row.key);
  std::optional<double> change;
  if (other != nullptr && row.value && other->value && row.key != "seed")
    change = *other->value - *row.value;
  switch (role) {
    case Qt::DisplayRole:
      switch (index.column()) {
        case kMetric:
          return row.label;
        case kValue:
          return row.text;
        case kCompare:
          return other != nullptr ? other->text : (comparing() ? QStringLiteral("–") : QString());
        case kChange:
          return change ? change_text(row.key, *row.value, *change) : QString();
        default:
          return row.tooltip;
      }
    case Qt::UserRole:
      switch (index.column()) {
        case kMetric:
          return QString::fromStdString(row.key);
        case kValue:
          return row.value ? QVariant(*row.value) : QVariant();
        case kCompare:
          return other != nullptr && other->value ? QVariant(*other->value) : QVariant();
        case kChange:
          return change ? QVariant(*change) : QVariant();
        default:
          return {};
      }
    case Qt::ToolTipRole:
      return row.tooltip;
    case Qt::TextAlignmentRole:
      if (index.column() == kValue || index.column() == kCompare || index.column() == kChange)
        return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
      return {};
    default:
      return {};
  }
}

QVariant SummaryModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (role != Qt::DisplayRole || orientation != Qt::Horizontal) return {};
  switch (section) {
    case kMetric:
      return tr("Metric");
    case kValue:
      return comparing() ? tr("A") : tr("Value");
    case kCompare:
      return tr("B");
    case kChange:
      return tr("B - A");
    default:
      return tr("Meaning");
  }
}

}  // namespace orchsim::gui
