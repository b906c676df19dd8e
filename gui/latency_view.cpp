#include "gui/latency_view.hpp"

#include <QAbstractAxis>
#include <QChart>
#include <QLineSeries>
#include <QPen>
#include <QScatterSeries>
#include <QSplitter>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "gui/chart_view.hpp"

namespace orchsim::gui {
namespace {

QColor shade(const QColor& c, int percent) {
  return percent >= 100 ? c.darker(percent) : c.lighter(200 - percent);
}

}  // namespace

LatencyView::LatencyView(QWidget* parent)
    : QWidget(parent), cdf_(new ChartView), histogram_(new ChartView) {
  auto* splitter = new QSplitter(Qt::Vertical);
  splitter->addWidget(cdf_);
  splitter->addWidget(histogram_);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(splitter);
  rebuild();
}

void LatencyView::set_runs(const RunViews& runs) {
  runs_ = runs;
  rebuild();
}

void LatencyView::clear() {
  runs_.clear();
  rebuild();
}

void LatencyView::set_log_axis(bool on) {
  if (on == log_axis_) return;
  log_axis_ = on;
  rebuild();
}

QList<QPointF> LatencyView::cdf_points(const LatencySummary& l) {
  const std::pair<const std::optional<double>*, double> quantiles[] = {
      {&l.min, 0.0},  {&l.p50, 50.0},  {&l.p90, 90.0}, {&l.p95, 95.0},
      {&l.p99, 99.0}, {&l.p999, 99.9}, {&l.max, 100.0}};
  QList<QPointF> points;
  for (const auto& [value, percent] : quantiles) {
    // Histogram quantiles carry a small relative error, so a quantile may sit
    // a hair past the exact max; clamp so that the curve never goes back.
    if (!value->has_value()) continue;
    double x = **value;
    if (!points.isEmpty()) x = std::max(x, points.back().x());
    points.append(QPointF(x, percent));
  }
  return points;
}

QList<QPointF> LatencyView::cdf_points(const std::vector<double>& edges,
                                       const std::vector<std::uint64_t>& counts) {
  std::uint64_t total = 0;
  for (const std::uint64_t c : counts) total += c;
  QList<QPointF> points;
  if (total == 0 || edges.size() != counts.size() + 1) return points;
  std::uint64_t below = 0;
  points.append(QPointF(edges[0], 0.0));
  for (std::size_t i = 0; i < counts.size(); ++i) {
    below += counts[i];
    points.append(
        QPointF(edges[i + 1], 100.0 * static_cast<double>(below) / static_cast<double>(total)));
  }
  return points;
}

QList<QPointF> LatencyView::merged_cdf(const QList<QPointF>& at_edges,
                                       const QList<QPointF>& at_quantiles) {
  if (at_edges.isEmpty()) return at_quantiles;
  QList<QPointF> points = at_edges;
  points.append(at_quantiles);
  std::stable_sort(points.begin(), points.end(),
                   [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
  // Both sets lie on the same curve up to the histogram's resolution; keep it
  // non-decreasing where the two disagree by that much.
  for (int i = 1; i < points.size(); ++i)
    points[i].setY(std::max(points[i].y(), points[i - 1].y()));
  return points;
}

QList<QPointF> LatencyView::histogram_steps(const std::vector<double>& edges,
                                            const std::vector<std::uint64_t>& counts) {
  std::uint64_t total = 0;
  for (const std::uint64_t c : counts) total += c;
  QList<QPointF> points;
  if (total == 0 || edges.size() != counts.size() + 1) return points;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double share = 100.0 * static_cast<double>(counts[i]) / static_cast<double>(total);
    points.append(QPointF(edges[i], share));
    points.append(QPointF(edges[i + 1], share));
  }
  return points;
}

void LatencyView::rebuild() {
  rebuild_cdf();
  rebuild_histogram();
}

void LatencyView::rebuild_cdf() {
  cdf_->clear_chart();
  QChart* c = cdf_->chart();
  c->setTitle(tr("Latency of finished requests: share finished within x"));
  c->legend()->setAlignment(Qt::AlignRight);
  if (runs_.empty()) return;

  double lo = 0, hi = 0;
  bool any = false;
  std::vector<QAbstractSeries*> added;
  for (const RunView& run : runs_) {
    const ReportData& r = *run.report;
    const bool binned = !r.latency_bins.empty();
    QList<QPointF> all = binned
                             ? merged_cdf(cdf_points(r.latency_bins.edges_ms, r.latency_bins.all),
                                          cdf_points(r.metrics.latency_all))
                             : cdf_points(r.metrics.latency_all);
    QList<QPointF> success =
        binned ? merged_cdf(cdf_points(r.latency_bins.edges_ms, r.latency_bins.success),
                            cdf_points(r.metrics.latency_success))
               : cdf_points(r.metrics.latency_success);
    if (log_axis_) {
      auto non_positive = [](const QPointF& p) { return p.x() <= 0; };
      all.removeIf(non_positive);
      success.removeIf(non_positive);
    }
    if (all.isEmpty()) continue;
    lo = any ? std::min(lo, all.front().x()) : all.front().x();
    hi = std::max(hi, all.back().x());
    any = true;

    auto* all_series = new QLineSeries;
    all_series->setName(
        tr("%1: all finished (%2)").arg(run.label).arg(r.metrics.latency_all.count));
    all_series->replace(all);  // in bulk: appending point by point is far slower
    QPen pen(run.colour);
    pen.setWidthF(2.5);
    all_series->setPen(pen);
    added.push_back(all_series);

    if (!success.isEmpty()) {
      auto* success_series = new QLineSeries;
      success_series->setName(
          tr("%1: successful (%2)").arg(run.label).arg(r.metrics.latency_success.count));
      success_series->replace(success);
      QPen dashed(shade(run.colour, 130));
      dashed.setWidthF(1.5);
      dashed.setStyle(Qt::DashLine);
      success_series->setPen(dashed);
      added.push_back(success_series);
    }

    // One marker series per quantile, so the legend reads "p99 = 19931 ms".
    const std::tuple<const char*, const std::optional<double>*, double, int> marks[] = {
        {"p50", &r.metrics.latency_all.p50, 50.0, 7},
        {"p95", &r.metrics.latency_all.p95, 95.0, 9},
        {"p99", &r.metrics.latency_all.p99, 99.0, 12}};
    for (const auto& [name, value, percent, size] : marks) {
      if (!value->has_value() || (log_axis_ && **value <= 0)) continue;
      auto* mark = new QScatterSeries;
      mark->setName(QStringLiteral("%1 %2 = %3 ms")
                        .arg(run.label.section(QLatin1Char(':'), 0, 0), QLatin1String(name))
                        .arg(**value, 0, 'f', 1));
      mark->setMarkerSize(size);
      mark->setColor(run.colour);
      mark->setBorderColor(Qt::black);
      mark->replace(QList<QPointF>{QPointF(**value, percent)});
      added.push_back(mark);
    }
  }
  if (!any) {
    c->setTitle(tr("Latency: no finished requests in this run"));
    return;
  }
  QAbstractAxis* x_axis =
      make_number_axis(lo, std::max(hi, lo + 1.0), log_axis_, tr("latency (ms)"));
  auto* y_axis = new QValueAxis;
  y_axis->setRange(0, 100);
  y_axis->setTickCount(11);
  y_axis->setLabelFormat(QStringLiteral("%.0f %%"));
  y_axis->setTitleText(tr("finished within (percent)"));
  c->addAxis(x_axis, Qt::AlignBottom);
  c->addAxis(y_axis, Qt::AlignLeft);
  for (QAbstractSeries* s : added) cdf_->attach_to_axes(s);
}

void LatencyView::rebuild_histogram() {
  histogram_->clear_chart();
  QChart* c = histogram_->chart();
  c->setTitle(tr("Latency histogram: share of finished requests per bin (10 bins per decade)"));
  c->legend()->setAlignment(Qt::AlignRight);
  double lo = 0, hi = 0, top = 0;
  bool any = false;
  std::vector<QAbstractSeries*> added;
  for (const RunView& run : runs_) {
    const LatencyBins& bins = run.report->latency_bins;
    const QList<QPointF> steps = histogram_steps(bins.edges_ms, bins.all);
    if (steps.isEmpty()) continue;
    lo = any ? std::min(lo, steps.front().x()) : steps.front().x();
    hi = std::max(hi, steps.back().x());
    for (const QPointF& p : steps) top = std::max(top, p.y());
    any = true;
    auto* series = new QLineSeries;
    series->setName(run.label);
    series->replace(steps);
    QPen pen(run.colour);
    pen.setWidthF(2.0);
    series->setPen(pen);
    added.push_back(series);
  }
  if (!any) {
    if (!runs_.empty())
      c->setTitle(tr("Latency histogram: not in this report (written by an older orchsim)"));
    return;
  }
  QAbstractAxis* x_axis = make_number_axis(lo, hi, log_axis_, tr("latency (ms)"));
  auto* y_axis = new QValueAxis;
  y_axis->setRange(0, top * 1.1);
  y_axis->setLabelFormat(QStringLiteral("%.0f %%"));
  y_axis->applyNiceNumbers();
  y_axis->setTitleText(tr("share"));
  c->addAxis(x_axis, Qt::AlignBottom);
  c->addAxis(y_axis, Qt::AlignLeft);
  for (QAbstractSeries* s : added) histogram_->attach_to_axes(s);
}

}  // namespace orchsim::gui
