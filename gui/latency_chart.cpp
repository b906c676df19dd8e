#include "gui/latency_chart.hpp"

#include <QAbstractAxis>
#include <QChart>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPen>
#include <QScatterSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace orchsim::gui {

LatencyChart::LatencyChart(QWidget* parent) : QChartView(new QChart, parent) {
  setRenderHint(QPainter::Antialiasing);
  chart()->setAnimationOptions(QChart::NoAnimation);  // screenshots must show the final state
  rebuild();
}

void LatencyChart::set_report(const ReportData& report) {
  all_ = report.latency_all;
  success_ = report.latency_success;
  rebuild();
}

void LatencyChart::clear() {
  all_.reset();
  success_.reset();
  rebuild();
}

void LatencyChart::set_log_axis(bool on) {
  if (on == log_axis_) return;
  log_axis_ = on;
  rebuild();
}

QList<QPointF> LatencyChart::cdf_points(const LatencySummary& l) {
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

void LatencyChart::rebuild() {
  QChart* c = chart();
  c->removeAllSeries();
  for (QAbstractAxis* axis : c->axes()) {
    c->removeAxis(axis);
    delete axis;
  }
  c->setTitle(tr("Latency of finished requests (cumulative, through the report's quantiles)"));
  c->legend()->setAlignment(Qt::AlignBottom);
  if (!all_) return;

  QList<QPointF> all = cdf_points(*all_);
  QList<QPointF> success = cdf_points(*success_);
  if (log_axis_) {
    // A log axis cannot show 0 ms; such a point would only be a min of 0.
    auto non_positive = [](const QPointF& p) { return p.x() <= 0; };
    all.removeIf(non_positive);
    success.removeIf(non_positive);
  }
  if (all.isEmpty()) {
    c->setTitle(tr("Latency: no finished requests in this run"));
    return;
  }

  auto* all_series = new QLineSeries;
  all_series->setName(tr("all finished (%1)").arg(all_->count));
  all_series->replace(all);  // in bulk: appending point by point is far slower
  all_series->setPointsVisible(true);
  QPen pen(QColor(0x1f, 0x77, 0xb4));
  pen.setWidthF(2.5);
  all_series->setPen(pen);
  c->addSeries(all_series);

  auto* success_series = new QLineSeries;
  success_series->setName(tr("successful (%1)").arg(success_->count));
  success_series->replace(success);
  QPen dashed(QColor(0x2c, 0xa0, 0x2c));
  dashed.setWidthF(1.5);
  dashed.setStyle(Qt::DashLine);
  success_series->setPen(dashed);
  c->addSeries(success_series);

  // One marker series per quantile, so the legend reads "p99 = 19931 ms".
  const std::tuple<const char*, const std::optional<double>*, double, QColor> marks[] = {
      {"p50", &all_->p50, 50.0, QColor(0xff, 0x7f, 0x0e)},
      {"p95", &all_->p95, 95.0, QColor(0xd6, 0x27, 0x28)},
      {"p99", &all_->p99, 99.0, QColor(0x94, 0x67, 0xbd)}};
  for (const auto& [name, value, percent, colour] : marks) {
    if (!value->has_value() || (log_axis_ && **value <= 0)) continue;
    auto* mark = new QScatterSeries;
    mark->setName(QStringLiteral("%1 = %2 ms").arg(QLatin1String(name)).arg(**value, 0, 'f', 1));
    mark->setMarkerSize(11);
    mark->setColor(colour);
    mark->setBorderColor(colour.darker());
    mark->replace(QList<QPointF>{QPointF(**value, percent)});
    c->addSeries(mark);
  }

  const double lo = all.front().x();
  const double hi = std::max(all.back().x(), lo + 1.0);
  QAbstractAxis* x_axis = nullptr;
  if (log_axis_) {
    auto* axis = new QLogValueAxis;
    axis->setBase(10);
    axis->setLabelFormat(QStringLiteral("%g"));
    axis->setMinorTickCount(8);
    axis->setRange(std::pow(10.0, std::floor(std::log10(lo))),
                   std::pow(10.0, std::ceil(std::log10(hi))));
    x_axis = axis;
  } else {
    auto* axis = new QValueAxis;
    axis->setRange(0, hi * 1.02);
    axis->setLabelFormat(QStringLiteral("%.0f"));
    axis->applyNiceNumbers();
    x_axis = axis;
  }
  x_axis->setTitleText(log_axis_ ? tr("latency (ms, log scale)") : tr("latency (ms)"));
  auto* y_axis = new QValueAxis;
  y_axis->setRange(0, 100);
  y_axis->setTickCount(11);
  y_axis->setLabelFormat(QStringLiteral("%.0f %%"));
  y_axis->setTitleText(tr("requests finished within (percent)"));
  c->addAxis(x_axis, Qt::AlignBottom);
  c->addAxis(y_axis, Qt::AlignLeft);
  for (QAbstractSeries* s : c->series()) {
    s->attachAxis(x_axis);
    s->attachAxis(y_axis);
  }
}

}  // namespace orchsim::gui
