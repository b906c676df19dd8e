#include "gui/over_time_view.hpp"

#include <QChart>
#include <QGridLayout>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>
#include <algorithm>

#include "gui/chart_view.hpp"

namespace orchsim::gui {
namespace {

QLineSeries* line(const QString& name, const QList<QPointF>& points, const QColor& colour,
                  Qt::PenStyle style = Qt::SolidLine, qreal width = 1.8) {
  auto* s = new QLineSeries;
  s->setName(name);
  s->replace(points);
  QPen pen(colour);
  pen.setWidthF(width);
  pen.setStyle(style);
  s->setPen(pen);
  return s;
}

double max_y(const QList<QPointF>& points) {
  double m = 0;
  for (const QPointF& p : points) m = std::max(m, p.y());
  return m;
}

QValueAxis* value_axis(double top, const QString& title, const char* format = "%g") {
  auto* axis = new QValueAxis;
  axis->setRange(0, top > 0 ? top * 1.08 : 1.0);
  axis->setLabelFormat(QString::fromLatin1(format));
  axis->applyNiceNumbers();
  axis->setTitleText(title);
  return axis;
}

}  // namespace

OverTimeView::OverTimeView(QWidget* parent) : QWidget(parent) {
  auto* grid = new QGridLayout(this);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->setSpacing(2);
  for (int i = 0; i < kPanelCount; ++i) {
    views_[static_cast<std::size_t>(i)] = new ChartView;
    views_[static_cast<std::size_t>(i)]->chart()->legend()->setAlignment(Qt::AlignBottom);
    grid->addWidget(views_[static_cast<std::size_t>(i)], i / 2, i % 2);
  }
  rebuild();
}

void OverTimeView::set_runs(const RunViews& runs) {
  runs_ = runs;
  rebuild();
}

void OverTimeView::clear() {
  runs_.clear();
  rebuild();
}

QList<QPointF> OverTimeView::rate_points(const std::vector<std::uint64_t>& counts, double bucket_ms,
                                         double end_ms) {
  QList<QPointF> points;
  if (bucket_ms <= 0) return points;
  points.reserve(static_cast<qsizetype>(counts.size()));
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double start = static_cast<double>(i) * bucket_ms;
    double span = bucket_ms;
    if (end_ms > start && end_ms < start + bucket_ms)
      span = end_ms - start;  // the run's last bucket
    points.append(
        QPointF((start + bucket_ms / 2) / 1000.0, static_cast<double>(counts[i]) * 1000.0 / span));
  }
  return points;
}

QList<QPointF> OverTimeView::level_points(const std::vector<double>& values, double bucket_ms,
                                          double scale) {
  QList<QPointF> points;
  points.reserve(static_cast<qsizetype>(values.size()));
  for (std::size_t i = 0; i < values.size(); ++i) {
    points.append(QPointF((static_cast<double>(i) + 0.5) * bucket_ms / 1000.0, values[i] * scale));
  }
  return points;
}

QList<QPointF> OverTimeView::level_points(const std::vector<std::optional<double>>& values,
                                          double bucket_ms) {
  QList<QPointF> points;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i])
      points.append(QPointF((static_cast<double>(i) + 0.5) * bucket_ms / 1000.0, *values[i]));
  }
  return points;
}

void OverTimeView::rebuild() {
  const QString titles[kPanelCount] = {
      tr("Throughput: requests per second"), tr("Requests in flight and mean latency"),
      tr("Queue length per agent (calls waiting, time-averaged)"),
      tr("Failed calls per second, and breaker open share (dotted)")};
  for (int i = 0; i < kPanelCount; ++i) {
    ChartView* v = views_[static_cast<std::size_t>(i)];
    v->clear_chart();
    v->chart()->setTitle(titles[i]);
  }
  double end_s = 0;
  for (const RunView& run : runs_) {
    const TimeSeries& t = run.report->series;
    end_s = std::max(end_s, static_cast<double>(t.size()) * t.bucket_ms / 1000.0);
  }
  if (runs_.empty()) return;
  if (end_s <= 0) {
    views_[kThroughput]->chart()->setTitle(
        tr("Over time: this report has no time series (written by an older orchsim)"));
    return;
  }

  // Each panel: series collected first, then axes sized to them.
  struct Pending {
    QLineSeries* series;
    bool right;  // on the panel's right axis
  };
  std::array<std::vector<Pending>, kPanelCount> pending;
  std::array<double, kPanelCount> top{}, right_top{};
  auto add = [&](Panel p, QLineSeries* s, const QList<QPointF>& points, bool right = false) {
    pending[p].push_back({s, right});
    (right ? right_top : top)[p] = std::max((right ? right_top : top)[p], max_y(points));
  };

  for (std::size_t r = 0; r < runs_.size(); ++r) {
    const RunView& run = runs_[r];
    const TimeSeries& t = run.report->series;
    if (t.empty()) continue;
    const QString tag =
        runs_.size() > 1 ? run.label.section(QLatin1Char(':'), 0, 0) + QLatin1Char(' ') : QString();
    const Qt::PenStyle style = r == 0 ? Qt::SolidLine : Qt::DashLine;

    const double end_ms = run.report->simulated_s * 1000.0;
    const QList<QPointF> completed = rate_points(t.completed, t.bucket_ms, end_ms);
    const QList<QPointF> failed = rate_points(t.failed, t.bucket_ms, end_ms);
    const QList<QPointF> arrived = rate_points(t.arrived, t.bucket_ms, end_ms);
    add(kThroughput, line(tag + tr("completed/s"), completed, QColor(0x2c, 0xa0, 0x2c), style),
        completed);
    add(kThroughput, line(tag + tr("failed/s"), failed, QColor(0xd6, 0x27, 0x28), style), failed);
    add(kThroughput, line(tag + tr("arrived/s"), arrived, QColor(0x88, 0x88, 0x88), style, 1.0),
        arrived);

    const QList<QPointF> in_flight = level_points(t.in_flight_mean, t.bucket_ms);
    const QList<QPointF> latency = level_points(t.latency_mean_ms, t.bucket_ms);
    add(kInFlight, line(tag + tr("in flight"), in_flight, run.colour, style, 2.2), in_flight);
    add(kInFlight,
        line(tag + tr("mean latency (ms, right)"), latency, run.colour.darker(160), Qt::DotLine),
        latency, /*right=*/true);

    if (r > 0) continue;  // per-agent panels: run A only (two runs' agents would be unreadable)
    for (std::size_t a = 0; a < t.agents.size(); ++a) {
      const TimeSeries::Agent& agent = t.agents[a];
      const QString name = QString::fromStdString(agent.name);
      const QList<QPointF> queue = level_points(agent.queue_mean, t.bucket_ms);
      if (max_y(queue) > 0) add(kQueues, line(name, queue, agent_colour(a)), queue);
      const QList<QPointF> errors = rate_points(agent.failed_calls, t.bucket_ms, end_ms);
      if (max_y(errors) > 0) add(kErrors, line(name, errors, agent_colour(a)), errors);
      const QList<QPointF> open = level_points(agent.breaker_open_share, t.bucket_ms, 100.0);
      if (max_y(open) > 0) {
        add(kErrors, line(name + tr(" breaker open %"), open, agent_colour(a), Qt::DotLine, 2.4),
            open,
            /*right=*/true);
      }
    }
  }

  const QString left_titles[kPanelCount] = {tr("requests/s"), tr("requests in flight"),
                                            tr("calls waiting"), tr("failed calls/s")};
  const QString right_titles[kPanelCount] = {QString(), tr("latency (ms)"), QString(),
                                             tr("breaker open (% of time)")};
  for (int p = 0; p < kPanelCount; ++p) {
    ChartView* v = views_[static_cast<std::size_t>(p)];
    QChart* c = v->chart();
    if (pending[static_cast<std::size_t>(p)].empty()) {
      c->setTitle(c->title() + tr(" - none in this run"));
    }
    auto* x = new QValueAxis;
    x->setRange(0, end_s);
    x->setLabelFormat(QStringLiteral("%g"));
    x->applyNiceNumbers();
    x->setTitleText(tr("simulated time (s)"));
    c->addAxis(x, Qt::AlignBottom);
    QValueAxis* left = value_axis(top[static_cast<std::size_t>(p)], left_titles[p]);
    c->addAxis(left, Qt::AlignLeft);
    QValueAxis* right = nullptr;
    if (right_top[static_cast<std::size_t>(p)] > 0) {
      right = p == kErrors ? new QValueAxis
                           : value_axis(right_top[static_cast<std::size_t>(p)], right_titles[p]);
      if (p == kErrors) {
        right->setRange(0, 100);
        right->setLabelFormat(QStringLiteral("%.0f"));
        right->setTitleText(right_titles[p]);
      }
      c->addAxis(right, Qt::AlignRight);
    }
    for (const Pending& s : pending[static_cast<std::size_t>(p)]) {
      c->addSeries(s.series);
      s.series->attachAxis(x);
      s.series->attachAxis(s.right && right != nullptr ? right : left);
    }
    if (p == kThroughput) add_metastability_marks(c, x, left);
  }
  const std::vector<MetastabilityMark>& marks = runs_.front().report->metastability;
  for (const MetastabilityMark& m : marks) {
    if (!m.onset_ms) continue;
    QChart* c = views_[kThroughput]->chart();
    c->setTitle(c->title() + QStringLiteral(" - ") +
                (!m.sustained ? tr("overload ended with the fault")
                 : m.recovered_ms
                     ? tr("recovered %1 s after the fault")
                           .arg((*m.recovered_ms - m.trigger_end_ms) / 1000.0, 0, 'f', 1)
                     : tr("did not recover after the fault")) +
                tr(" (retries x%1)").arg(m.peak_retry_amplification, 0, 'f', 1));
  }
}

// Run A's metastability episodes (report "metastability"), on the throughput panel:
// the fault window as a bracket, the overload's onset and its recovery as
// vertical lines. They go on the left axis, from 0 to its top.
void OverTimeView::add_metastability_marks(QChart* c, QValueAxis* x, QValueAxis* y) {
  if (runs_.empty()) return;
  const double top = y->max();
  auto vertical = [&](const QString& name, double at_ms, const QColor& colour) {
    QLineSeries* s = line(name, {QPointF(at_ms / 1000.0, 0), QPointF(at_ms / 1000.0, top)}, colour,
                          Qt::DashLine, 1.6);
    c->addSeries(s);
    s->attachAxis(x);
    s->attachAxis(y);
  };
  for (const MetastabilityMark& m : runs_.front().report->metastability) {
    const double a = m.trigger_start_ms / 1000.0, b = m.trigger_end_ms / 1000.0;
    QLineSeries* fault =
        line(tr("fault"), {QPointF(a, 0), QPointF(a, top), QPointF(b, top), QPointF(b, 0)},
             QColor(0x9c, 0x75, 0x5f), Qt::DotLine, 1.6);
    c->addSeries(fault);
    fault->attachAxis(x);
    fault->attachAxis(y);
    if (m.onset_ms) vertical(tr("onset"), *m.onset_ms, QColor(0xd6, 0x27, 0x28));
    if (m.onset_ms && m.recovered_ms) {
      vertical(tr("recovered"), *m.recovered_ms, QColor(0x2c, 0xa0, 0x2c));
    }
  }
}

}  // namespace orchsim::gui
