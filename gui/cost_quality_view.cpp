#include "gui/cost_quality_view.hpp"

#include <QChart>
#include <QHeaderView>
#include <QLineSeries>
#include <QPen>
#include <QScatterSeries>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <numeric>

#include "gui/chart_view.hpp"

namespace orchsim::gui {

std::vector<bool> cost_quality_frontier(const std::vector<CostQualityPoint>& points) {
  std::vector<bool> on(points.size(), true);
  for (std::size_t i = 0; i < points.size(); ++i) {
    for (std::size_t j = 0; j < points.size() && on[i]; ++j) {
      if (i == j) continue;
      const auto& a = points[i];
      const auto& b = points[j];
      const bool as_good = b.cost_usd <= a.cost_usd && b.quality >= a.quality;
      const bool better = b.cost_usd < a.cost_usd || b.quality > a.quality;
      if (as_good && better) on[i] = false;
    }
  }
  return on;
}

CostQualityView::CostQualityView(QWidget* parent)
    : QWidget(parent),
      chart_(new ChartView),
      model_(new QStandardItemModel(this)),
      table_(new QTableView) {
  table_->setModel(model_);
  model_->setSortRole(Qt::UserRole);  // numbers sort as numbers (labels carry their text there too)
  table_->verticalHeader()->setVisible(false);
  table_->setAlternatingRowColors(true);
  table_->setSortingEnabled(true);
  table_->horizontalHeader()->setStretchLastSection(true);
  auto* splitter = new QSplitter(Qt::Vertical);
  splitter->addWidget(chart_);
  splitter->addWidget(table_);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(splitter);
  rebuild();
}

void CostQualityView::set_runs(const RunViews& runs) {
  runs_ = runs;
  rebuild();
}

void CostQualityView::set_sweep(std::optional<SweepData> sweep) {
  sweep_ = std::move(sweep);
  rebuild();
}

void CostQualityView::clear() {
  runs_.clear();
  sweep_.reset();
  rebuild();
}

void CostQualityView::rebuild() {
  points_.clear();
  for (std::size_t i = 0; i < runs_.size(); ++i) {
    const ReportData& r = *runs_[i].report;
    const eval::RunMetrics& m = r.metrics;
    // No successful answer: no quality to place it by; nothing finished: no cost.
    if (!m.quality.mean || !m.per_request.cost_usd) continue;
    points_.push_back({runs_[i].label, *m.per_request.cost_usd, *m.quality.mean, m.latency_all.p99,
                       false, false, static_cast<int>(i)});
  }
  if (sweep_) {
    for (const SweepRow& row : sweep_->rows) {
      if (!row.cost_usd || !row.quality) continue;
      points_.push_back({QString::fromStdString(row.label), *row.cost_usd, *row.quality, row.p99_ms,
                         true, row.pareto});
    }
  }
  frontier_ = cost_quality_frontier(points_);

  chart_->clear_chart();
  QChart* c = chart_->chart();
  c->setTitle(tr("Cost per request vs mean answer quality (up and left is better)"));
  c->legend()->setAlignment(Qt::AlignBottom);

  model_->clear();
  model_->setHorizontalHeaderLabels({tr("point"), tr("cost/request (USD)"), tr("quality"),
                                     tr("p99 (ms)"), tr("frontier"), tr("sweep Pareto")});
  for (std::size_t i = 0; i < points_.size(); ++i) {
    const CostQualityPoint& p = points_[i];
    QList<QStandardItem*> row;
    auto* label = new QStandardItem(p.label);
    label->setData(p.label, Qt::UserRole);
    row << label;
    auto number = [](double v, int decimals) {
      auto* item = new QStandardItem(QString::number(v, 'f', decimals));
      item->setData(v, Qt::UserRole);
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      return item;
    };
    row << number(p.cost_usd, 6) << number(p.quality, 4);
    row << (p.p99_ms ? number(*p.p99_ms, 1) : new QStandardItem(QStringLiteral("-")));
    auto text = [](const QString& t) {
      auto* item = new QStandardItem(t);
      item->setData(t, Qt::UserRole);
      return item;
    };
    row << text(frontier_[i] ? tr("yes") : QString());
    row << text(p.from_sweep ? (p.sweep_pareto ? tr("yes") : tr("no")) : QString());
    model_->appendRow(row);
  }
  table_->resizeColumnsToContents();
  if (points_.empty()) {
    if (!runs_.empty() || sweep_)
      c->setTitle(tr("Cost vs quality: no point has both a cost and a quality"));
    return;
  }

  double cost_hi = 0, q_lo = 1, q_hi = 0;
  for (const CostQualityPoint& p : points_) {
    cost_hi = std::max(cost_hi, p.cost_usd);
    q_lo = std::min(q_lo, p.quality);
    q_hi = std::max(q_hi, p.quality);
  }
  auto* x = new QValueAxis;
  x->setRange(0, cost_hi > 0 ? cost_hi * 1.15 : 1e-3);
  x->setLabelFormat(QStringLiteral("%.4f"));
  x->applyNiceNumbers();
  x->setTitleText(tr("cost per request (USD)"));
  auto* y = new QValueAxis;
  const double pad = std::max(0.02, (q_hi - q_lo) * 0.15);
  y->setRange(std::max(0.0, q_lo - pad), std::min(1.0, q_hi + pad));
  y->setLabelFormat(QStringLiteral("%.3f"));
  y->setTitleText(tr("mean quality of answers"));
  c->addAxis(x, Qt::AlignBottom);
  c->addAxis(y, Qt::AlignLeft);

  // The frontier, cheapest first.
  std::vector<std::size_t> order(points_.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [this](std::size_t a, std::size_t b) {
    return points_[a].cost_usd < points_[b].cost_usd ||
           (points_[a].cost_usd == points_[b].cost_usd && points_[a].quality < points_[b].quality);
  });
  auto* front = new QLineSeries;
  front->setName(tr("frontier (nothing cheaper and better)"));
  QPen front_pen(QColor(0x2c, 0xa0, 0x2c));
  front_pen.setWidthF(2);
  front_pen.setStyle(Qt::DashLine);
  front->setPen(front_pen);
  for (const std::size_t i : order) {
    if (frontier_[i]) front->append(points_[i].cost_usd, points_[i].quality);
  }
  chart_->attach_to_axes(front);

  auto scatter = [this](const QString& name, const QColor& colour, qreal size) {
    auto* s = new QScatterSeries;
    s->setName(name);
    s->setColor(colour);
    s->setBorderColor(colour.darker(150));
    s->setMarkerSize(size);
    connect(s, &QScatterSeries::hovered, this, [this](const QPointF& at, bool state) {
      if (!state) return;
      for (const CostQualityPoint& p : points_) {
        if (p.cost_usd == at.x() && p.quality == at.y()) {
          QToolTip::showText(QCursor::pos(), QStringLiteral("%1\ncost %2 USD, quality %3")
                                                 .arg(p.label)
                                                 .arg(p.cost_usd, 0, 'f', 6)
                                                 .arg(p.quality, 0, 'f', 4));
          return;
        }
      }
    });
    return s;
  };
  if (sweep_) {
    QScatterSeries* on = scatter(tr("sweep: on the frontier"), QColor(0x2c, 0xa0, 0x2c), 10);
    QScatterSeries* off = scatter(tr("sweep: dominated"), QColor(0xaa, 0xaa, 0xaa), 8);
    for (std::size_t i = 0; i < points_.size(); ++i) {
      if (points_[i].from_sweep)
        (frontier_[i] ? on : off)->append(points_[i].cost_usd, points_[i].quality);
    }
    chart_->attach_to_axes(on);
    chart_->attach_to_axes(off);
  }
  for (const CostQualityPoint& p : points_) {
    if (p.from_sweep) continue;
    QScatterSeries* s = scatter(p.label, runs_[static_cast<std::size_t>(p.run)].colour, 15);
    s->append(p.cost_usd, p.quality);
    chart_->attach_to_axes(s);
  }
}

}  // namespace orchsim::gui
