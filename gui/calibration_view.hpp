// The Calibration tab: a fit report (`orchsim fit --report FILE`) shown per
// group and quantity. On the left the groups (one per fitted agent) and
// their quantities (time to first token, inter-token time, output and input
// tokens); on the right, for the selected quantity, the measured CDF against
// the fitted one, a QQ plot (fitted against measured quantiles, with the
// diagonal where a perfect fit lies), and a table of every family with its
// AIC, KS distance and p-value, the p50/p90/p99 relative errors and its
// parameters; the chosen family is bold and drawn by default, the family box
// shows any other or all of them.
//
//   CalibrationView view;
//   view.set_report(load_fit_report("fit.json").report);
//   view.select(0, 0);                 // the first group's ttft_ms
//   view.show_family("all");           // every fitted family at once
//
// GUI thread only.
#pragma once

#include <QString>
#include <QWidget>
#include <optional>

#include "gui/fit_report_data.hpp"

class QCheckBox;
class QComboBox;
class QLabel;
class QStandardItemModel;
class QTableView;
class QTreeWidget;

namespace orchsim::gui {

class ChartView;

class CalibrationView : public QWidget {
  Q_OBJECT

 public:
  explicit CalibrationView(QWidget* parent = nullptr);

  void set_report(std::optional<FitReportData> report);
  const std::optional<FitReportData>& report() const { return report_; }
  // Shows quantity `quantity` of group `group`; false if there is none.
  bool select(int group, int quantity);
  // "" (the chosen family), "all", or a family name.
  void show_family(const QString& family);
  void set_log_axis(bool on);

  int shown_group() const { return group_; }
  int shown_quantity() const { return quantity_; }
  ChartView* cdf_view() const { return cdf_; }
  ChartView* qq_view() const { return qq_; }
  QTreeWidget* tree() const { return tree_; }
  QStandardItemModel* table_model() const { return model_; }
  QLabel* header() const { return header_; }

 private:
  void rebuild_tree();
  void rebuild();
  const FitQuantity* current() const;

  std::optional<FitReportData> report_;
  int group_ = -1, quantity_ = -1;
  QString family_;  // "" = chosen
  bool log_axis_ = false;
  QTreeWidget* tree_;
  QLabel* header_;
  QComboBox* family_box_;
  QCheckBox* log_box_;
  ChartView* cdf_;
  ChartView* qq_;
  QStandardItemModel* model_;
  QTableView* table_;
};

}  // namespace orchsim::gui
