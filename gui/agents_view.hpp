// The Agents tab: the per-agent table (AgentsModel) above a bar chart of each
// agent's utilisation, so that the bottleneck stands out at a glance.
//
//   AgentsView view;
//   view.set_report(report);
//
// GUI thread only.
#pragma once

#include <QWidget>

#include "gui/agents_model.hpp"
#include "gui/report_data.hpp"

class QChartView;
class QTableView;

namespace orchsim::gui {

class AgentsView : public QWidget {
  Q_OBJECT

 public:
  explicit AgentsView(QWidget* parent = nullptr);

  void set_report(const ReportData& report);
  void clear();

  AgentsModel* model() { return model_; }
  QChartView* chart_view() { return chart_view_; }

 private:
  void rebuild_chart();

  AgentsModel* model_;
  QTableView* table_;
  QChartView* chart_view_;
};

}  // namespace orchsim::gui
