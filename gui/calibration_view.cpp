#include "gui/calibration_view.hpp"

#include <QAbstractAxis>
#include <QChart>
#include <QCheckBox>
#include <QComboBox>
#include <QFont>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QScatterSeries>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "gui/chart_view.hpp"

namespace orchsim::gui {

namespace {

// One colour per family, the same on both charts and in the table.
QColor family_colour(const std::string& family) {
  static const std::pair<const char*, QColor> kColours[] = {
      {"lognormal", QColor(0x1f, 0x77, 0xb4)},
      {"gamma", QColor(0xff, 0x7f, 0x0e)},
      {"weibull", QColor(0x2c, 0xa0, 0x2c)},
      {"shifted_exponential", QColor(0x94, 0x67, 0xbd)},
      {"body_pareto_tail", QColor(0xd6, 0x27, 0x28)},
      {"empirical", QColor(0x7f, 0x7f, 0x7f)}};
  for (const auto& [name, colour] : kColours) {
    if (family == name) return colour;
  }
  return Qt::darkCyan;
}

QString percent(double relative) {
  return QStringLiteral("%1%2 %").arg(relative >= 0 ? "+" : "").arg(100.0 * relative, 0, 'f', 1);
}

}  // namespace

CalibrationView::CalibrationView(QWidget* parent)
    : QWidget(parent),
      tree_(new QTreeWidget),
      header_(new QLabel),
      family_box_(new QComboBox),
      log_box_(new QCheckBox(tr("Logarithmic axes"))),
      cdf_(new ChartView),
      qq_(new ChartView),
      model_(new QStandardItemModel(this)),
      table_(new QTableView) {
  tree_->setHeaderLabels({tr("Group / quantity"), tr("chosen")});
  tree_->setRootIsDecorated(true);
  header_->setWordWrap(true);
  header_->setTextFormat(Qt::RichText);
  table_->setModel(model_);
  table_->verticalHeader()->setVisible(false);
  table_->setAlternatingRowColors(true);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  // The charts are the point: the table (six families) takes what is left.
  table_->setMaximumHeight(230);
  cdf_->setMinimumHeight(320);
  qq_->setMinimumHeight(320);

  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Family:")));
  controls->addWidget(family_box_);
  controls->addWidget(log_box_);
  controls->addStretch(1);
  auto* charts = new QSplitter(Qt::Horizontal);
  charts->addWidget(cdf_);
  charts->addWidget(qq_);
  auto* right_split = new QSplitter(Qt::Vertical);
  right_split->addWidget(charts);
  right_split->addWidget(table_);
  right_split->setStretchFactor(0, 3);
  right_split->setStretchFactor(1, 1);
  auto* right = new QWidget;
  auto* right_layout = new QVBoxLayout(right);
  right_layout->setContentsMargins(0, 0, 0, 0);
  right_layout->addWidget(header_);
  right_layout->addLayout(controls);
  right_layout->addWidget(right_split, 1);
  auto* split = new QSplitter(Qt::Horizontal);
  split->addWidget(tree_);
  split->addWidget(right);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 4);
  tree_->setMinimumWidth(260);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);

  connect(tree_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
    if (item == nullptr || item->parent() == nullptr) return;
    select(tree_->indexOfTopLevelItem(item->parent()), item->parent()->indexOfChild(item));
  });
  connect(family_box_, &QComboBox::activated, this,
          [this](int i) { show_family(family_box_->itemData(i).toString()); });
  connect(log_box_, &QCheckBox::toggled, this, &CalibrationView::set_log_axis);
  rebuild();
}

void CalibrationView::set_report(std::optional<FitReportData> report) {
  report_ = std::move(report);
  group_ = quantity_ = -1;
  family_.clear();
  rebuild_tree();
  if (!select(0, 0)) rebuild();
}

const FitQuantity* CalibrationView::current() const {
  if (!report_ || group_ < 0 || group_ >= static_cast<int>(report_->groups.size())) return nullptr;
  const FitGroup& g = report_->groups[static_cast<std::size_t>(group_)];
  if (quantity_ < 0 || quantity_ >= static_cast<int>(g.quantities.size())) return nullptr;
  return &g.quantities[static_cast<std::size_t>(quantity_)];
}

bool CalibrationView::select(int group, int quantity) {
  if (!report_ || group < 0 || group >= static_cast<int>(report_->groups.size())) return false;
  const FitGroup& g = report_->groups[static_cast<std::size_t>(group)];
  if (quantity < 0 || quantity >= static_cast<int>(g.quantities.size())) return false;
  group_ = group;
  quantity_ = quantity;
  family_.clear();
  if (QTreeWidgetItem* top = tree_->topLevelItem(group)) {
    if (QTreeWidgetItem* child = top->child(quantity); child && tree_->currentItem() != child) {
      const QSignalBlocker block(tree_);
      tree_->setCurrentItem(child);
    }
  }
  rebuild();
  return true;
}

void CalibrationView::show_family(const QString& family) {
  family_ = family;
  rebuild();
}

void CalibrationView::set_log_axis(bool on) {
  if (on == log_axis_) return;
  log_axis_ = on;
  const QSignalBlocker block(log_box_);
  log_box_->setChecked(on);
  rebuild();
}

void CalibrationView::rebuild_tree() {
  tree_->clear();
  if (!report_) return;
  for (const FitGroup& g : report_->groups) {
    auto* top = new QTreeWidgetItem(tree_);
    top->setText(0, QStringLiteral("%1 (%2 calls)")
                        .arg(QString::fromStdString(g.agent.empty() ? g.name : g.agent))
                        .arg(g.calls));
    top->setToolTip(0, QString::fromStdString(g.name));
    for (const FitQuantity& q : g.quantities) {
      auto* child = new QTreeWidgetItem(top);
      child->setText(0, QString::fromStdString(q.name));
      child->setText(1, QString::fromStdString(q.selected));
      if (!q.warnings.empty()) child->setForeground(1, QBrush(QColor(0xb0, 0x60, 0x00)));
    }
    top->setExpanded(true);
  }
  tree_->resizeColumnToContents(0);
  tree_->resizeColumnToContents(1);
}

void CalibrationView::rebuild() {
  cdf_->clear_chart();
  qq_->clear_chart();
  model_->clear();
  const FitQuantity* q = current();
  if (q == nullptr) {
    header_->setText(report_ ? tr("This report has no fitted quantity.")
                             : tr("Open a fit report (orchsim fit --report FILE) with File > Open "
                                  "fit report."));
    cdf_->chart()->setTitle(tr("Measured and fitted CDF"));
    qq_->chart()->setTitle(tr("QQ plot"));
    family_box_->clear();
    return;
  }
  const FitGroup& g = report_->groups[static_cast<std::size_t>(group_)];
  QString head = tr("<b>%1</b> of <b>%2</b>: %3 values%4; chosen <b>%5</b> (%6)")
                     .arg(QString::fromStdString(q->name),
                          QString::fromStdString(g.agent.empty() ? g.name : g.agent))
                     .arg(q->n)
                     .arg(q->weighted ? tr(" (token-weighted)") : QString())
                     .arg(QString::fromStdString(q->selected), QString::fromStdString(q->reason));
  for (const std::string& w : q->warnings) {
    head += QStringLiteral("<br><span style='color:#b06000'>%1</span>")
                .arg(QString::fromStdString(w).toHtmlEscaped());
  }
  header_->setText(head);

  {  // The family box: chosen, all, each fitted family.
    const QSignalBlocker block(family_box_);
    family_box_->clear();
    family_box_->addItem(tr("chosen (%1)").arg(QString::fromStdString(q->selected)), QString());
    family_box_->addItem(tr("all families"), QStringLiteral("all"));
    for (const FitFamilyRow& f : q->families) {
      if (f.ok)
        family_box_->addItem(QString::fromStdString(f.family), QString::fromStdString(f.family));
    }
    const int at = family_box_->findData(family_);
    family_box_->setCurrentIndex(at >= 0 ? at : 0);
  }

  std::vector<const FitFamilyRow*> drawn;
  for (const FitFamilyRow& f : q->families) {
    if (!f.ok || f.pairs.empty()) continue;
    const bool want = family_.isEmpty() ? f.family == q->selected
                      : family_ == QLatin1String("all")
                          ? true
                          : family_ == QString::fromStdString(f.family);
    if (want) drawn.push_back(&f);
  }
  const FitFamilyRow* reference = q->chosen();
  if (reference == nullptr && !drawn.empty()) reference = drawn.front();

  // Range of both charts: every measured and drawn fitted quantile.
  double lo = 0, hi = 0;
  bool any = false;
  const auto extend = [&](double x) {
    if (!std::isfinite(x) || (log_axis_ && x <= 0)) return;
    lo = any ? std::min(lo, x) : x;
    hi = any ? std::max(hi, x) : x;
    any = true;
  };
  if (reference != nullptr) {
    for (const QuantilePoint& p : reference->pairs) extend(p.measured);
  }
  // A heavy fitted tail (a Pareto's 99.9th percentile) would squash the
  // measured data into a corner: the axes stop at 3x the measured range.
  const double span = hi - lo;
  const double cap_lo = log_axis_ ? lo / 1.5 : lo - 0.25 * span;
  const double cap_hi = log_axis_ ? hi * 1.5 : hi + 0.25 * span;
  for (const FitFamilyRow* f : drawn) {
    for (const QuantilePoint& p : f->pairs) extend(std::clamp(p.fitted, cap_lo, cap_hi));
  }

  QChart* cdf = cdf_->chart();
  QChart* qq = qq_->chart();
  cdf->setTitle(tr("CDF: measured (black) and fitted"));
  qq->setTitle(tr("QQ: fitted against measured quantiles"));
  cdf->legend()->setAlignment(Qt::AlignBottom);
  qq->legend()->setAlignment(Qt::AlignBottom);
  if (!any || reference == nullptr) return;
  if (hi <= lo) hi = lo + 1.0;

  std::vector<QAbstractSeries*> cdf_series, qq_series;
  auto* measured = new QLineSeries;
  measured->setName(tr("measured"));
  QList<QPointF> mpoints;
  for (const QuantilePoint& p : reference->pairs) {
    if (!log_axis_ || p.measured > 0) mpoints.append(QPointF(p.measured, p.p));
  }
  measured->replace(mpoints);
  QPen black(Qt::black);
  black.setWidthF(2.5);
  measured->setPen(black);
  cdf_series.push_back(measured);

  auto* diagonal = new QLineSeries;
  diagonal->setName(tr("fitted = measured"));
  diagonal->replace(QList<QPointF>{QPointF(lo, lo), QPointF(hi, hi)});
  QPen grey(Qt::gray);
  grey.setStyle(Qt::DashLine);
  diagonal->setPen(grey);
  qq_series.push_back(diagonal);

  for (const FitFamilyRow* f : drawn) {
    const QColor colour = family_colour(f->family);
    auto* line = new QLineSeries;
    line->setName(QString::fromStdString(f->family));
    QList<QPointF> points, qq_points;
    for (const QuantilePoint& p : f->pairs) {
      if (!std::isfinite(p.fitted) || (log_axis_ && (p.fitted <= 0 || p.measured <= 0))) continue;
      points.append(QPointF(std::clamp(p.fitted, lo, hi), p.p));
      qq_points.append(QPointF(p.measured, std::clamp(p.fitted, lo, hi)));
    }
    line->replace(points);
    QPen pen(colour);
    pen.setWidthF(f->family == q->selected ? 2.0 : 1.2);
    line->setPen(pen);
    cdf_series.push_back(line);
    auto* dots = new QScatterSeries;
    dots->setName(QString::fromStdString(f->family));
    dots->setMarkerSize(6);
    dots->setColor(colour);
    dots->setBorderColor(colour.darker(130));
    dots->replace(qq_points);
    qq_series.push_back(dots);
  }

  const QString unit = QString::fromStdString(q->name);
  // The measured range, not from 0: latencies sit far from the origin.
  const auto axis = [&](const QString& title) -> QAbstractAxis* {
    if (log_axis_) return make_number_axis(lo, hi, true, title);
    auto* a = new QValueAxis;
    const double pad = 0.03 * (hi - lo);
    a->setRange(lo - pad, hi + pad);
    a->applyNiceNumbers();
    a->setLabelFormat(QStringLiteral("%g"));
    a->setTitleText(title);
    return a;
  };
  cdf->addAxis(axis(unit), Qt::AlignBottom);
  auto* share = new QValueAxis;
  share->setRange(0, 1);
  share->setTickCount(11);
  share->setLabelFormat(QStringLiteral("%.1f"));
  share->setTitleText(tr("share at or below"));
  cdf->addAxis(share, Qt::AlignLeft);
  for (QAbstractSeries* s : cdf_series) cdf_->attach_to_axes(s);
  qq->addAxis(axis(tr("measured quantile")), Qt::AlignBottom);
  qq->addAxis(axis(tr("fitted quantile")), Qt::AlignLeft);
  for (QAbstractSeries* s : qq_series) qq_->attach_to_axes(s);

  model_->setHorizontalHeaderLabels({tr("family"), tr("AIC"), tr("KS D"), tr("KS p"), tr("p50"),
                                     tr("p90"), tr("p99"), tr("within bar"), tr("parameters")});
  for (const FitFamilyRow& f : q->families) {
    QList<QStandardItem*> row;
    row.append(new QStandardItem(QString::fromStdString(f.family)));
    if (!f.ok) {
      row.append(new QStandardItem(tr("not fitted: %1").arg(QString::fromStdString(f.failure))));
    } else {
      const auto num = [](const std::optional<double>& v, int digits) {
        return v ? QString::number(*v, 'f', digits) : QStringLiteral("-");
      };
      row.append(new QStandardItem(num(f.aic, 1)));
      row.append(new QStandardItem(num(f.ks_distance, 4)));
      row.append(new QStandardItem(num(f.ks_p_value, 3)));
      row.append(new QStandardItem(percent(f.error_p50)));
      row.append(new QStandardItem(percent(f.error_p90)));
      row.append(new QStandardItem(percent(f.error_p99)));
      row.append(new QStandardItem(f.family == "empirical" ? QStringLiteral("-")
                                   : f.adequate            ? tr("yes")
                                                           : tr("no")));
      row.append(new QStandardItem(QString::fromStdString(f.parameters)));
    }
    row.front()->setForeground(QBrush(family_colour(f.family)));
    if (f.family == q->selected) {
      for (QStandardItem* item : row) {
        QFont bold = item->font();
        bold.setBold(true);
        item->setFont(bold);
      }
    }
    model_->appendRow(row);
  }
  table_->resizeColumnsToContents();
}

}  // namespace orchsim::gui
