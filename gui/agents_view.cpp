#include "gui/agents_view.hpp"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QHeaderView>
#include <QHorizontalBarSeries>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

namespace orchsim::gui {

AgentsView::AgentsView(QWidget* parent)
    : QWidget(parent),
      model_(new AgentsModel(this)),
      table_(new QTableView),
      chart_view_(new QChartView(new QChart)) {
  // Sort on the raw numbers (UserRole), not on the formatted text.
  auto* proxy = new QSortFilterProxyModel(this);
  proxy->setSourceModel(model_);
  proxy->setSortRole(Qt::UserRole);
  table_->setModel(proxy);
  table_->setSortingEnabled(true);
  table_->sortByColumn(-1, Qt::AscendingOrder);  // the scenario's order until a click
  table_->verticalHeader()->setVisible(false);
  table_->setAlternatingRowColors(true);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

  chart_view_->setRenderHint(QPainter::Antialiasing);
  chart_view_->chart()->setAnimationOptions(QChart::NoAnimation);
  chart_view_->chart()->legend()->hide();

  auto* splitter = new QSplitter(Qt::Vertical);
  splitter->addWidget(table_);
  splitter->addWidget(chart_view_);
  splitter->setStretchFactor(0, 1);
  splitter->setStretchFactor(1, 2);
  splitter->setSizes({220, 480});  // a few agents need few rows; give the chart the room
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(splitter);
  rebuild_chart();
}

void AgentsView::set_report(const ReportData& report) {
  model_->set_report(report);
  rebuild_chart();
}

void AgentsView::clear() {
  model_->clear();
  rebuild_chart();
}

void AgentsView::rebuild_chart() {
  QChart* c = chart_view_->chart();
  c->removeAllSeries();
  for (QAbstractAxis* axis : c->axes()) {
    c->removeAxis(axis);
    delete axis;
  }
  c->setTitle(tr("Utilisation per agent (busy time / (servers x run time))"));
  const std::vector<AgentRow>& agents = model_->agents();
  if (agents.empty()) return;

  // Horizontal bars keep long agent names readable. A category axis puts its
  // first category at the bottom, so feed the agents in reverse to read them
  // top-down in the table's order.
  auto* set = new QBarSet(tr("utilisation"));
  QStringList names;
  double top = 0;
  for (auto it = agents.rbegin(); it != agents.rend(); ++it) {
    const double percent = it->utilisation.value_or(0) * 100.0;
    *set << percent;
    names << QString::fromStdString(it->name);
    top = std::max(top, percent);
  }
  set->setColor(QColor(0x1f, 0x77, 0xb4));
  set->setLabelColor(Qt::black);  // the theme's default is white, invisible outside the bar
  auto* series = new QHorizontalBarSeries;
  series->append(set);
  series->setLabelsVisible(true);
  series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
  series->setLabelsFormat(QStringLiteral("@value %"));
  series->setLabelsPrecision(3);
  c->addSeries(series);

  auto* names_axis = new QBarCategoryAxis;
  names_axis->append(names);
  auto* value_axis = new QValueAxis;
  // Room on the right for the bar labels; at least 1 % so that an idle system
  // does not blow a rounding error up to full width.
  value_axis->setRange(0, std::max(1.0, top * 1.25));
  value_axis->applyNiceNumbers();
  value_axis->setLabelFormat(QStringLiteral("%g %%"));
  value_axis->setTitleText(tr("utilisation (percent)"));
  c->addAxis(names_axis, Qt::AlignLeft);
  c->addAxis(value_axis, Qt::AlignBottom);
  series->attachAxis(names_axis);
  series->attachAxis(value_axis);
}

}  // namespace orchsim::gui
