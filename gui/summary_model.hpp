// The Summary tab's table: one row per headline number of a run (requests,
// success and failures by cause, latency quantiles, quality, cost and work
// per request), with what each means. Comparing two runs fills the columns
// "B" and "B - A" (the difference, and the relative change in percent).
//
//   SummaryModel model;
//   model.set_report(report);
//   model.set_compare(other);   // or nullptr: one run
//   table_view->setModel(&model);
//
// Qt::DisplayRole gives the formatted text; Qt::UserRole gives the number as
// it is in report.json (a double, or an invalid QVariant for null), so that
// tests and copy-paste see the report's own values. GUI thread only.
#pragma once

#include <QAbstractTableModel>
#include <QString>
#include <QVariant>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gui/report_data.hpp"

namespace orchsim::gui {

class SummaryModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kMetric = 0, kValue, kCompare, kChange, kMeaning, kColumnCount };

  explicit SummaryModel(QObject* parent = nullptr);

  void set_report(const ReportData& report);
  void set_compare(const ReportData* other);  // nullptr: no comparison
  bool comparing() const { return !compare_.empty(); }
  void clear();

  // The row of a metric by its stable key ("latency_p99_ms", "cost_per_request_usd",
  // ...: the report's names flattened), or -1.
  int row_of(std::string_view key) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  struct Row {
    std::string key;
    QString label;
    std::optional<double> value;
    QString text;     // formatted value
    QString tooltip;  // what the number means
  };
  // `causes`: the failure causes to list (both runs' when comparing; a cause
  // a run never saw is 0 there).
  static std::vector<Row> build_rows(const ReportData& report,
                                     const std::vector<std::string>& causes);
  const Row* compare_row(const std::string& key) const;
  void rebuild();
  static QString change_text(const std::string& key, double a, double change);

  std::optional<ReportData> a_, b_;
  std::vector<Row> rows_;
  std::vector<Row> compare_;
};

}  // namespace orchsim::gui
