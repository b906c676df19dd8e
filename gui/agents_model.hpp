// The Agents tab's table: one row per agent of a run, with its servers,
// calls and how they ended, queue wait, call duration, utilisation, cost.
//
//   AgentsModel model;
//   model.set_report(report);   // rows in the report's (the scenario's) order
//
// Qt::DisplayRole gives formatted text; Qt::UserRole gives the raw number of
// report.json (utilisation as a share in [0, 1], times in ms; an invalid
// QVariant for null) so that sorting and tests use the real values.
// GUI thread only.
#pragma once

#include <QAbstractTableModel>
#include <vector>

#include "gui/report_data.hpp"

namespace orchsim::gui {

class AgentsModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column {
    kName = 0,
    kServers,
    kUtilisation,
    kCallsStarted,
    kSuccess,
    kError,
    kTimeout,
    kInvalid,
    kCancelled,
    kQueueWaitMean,
    kQueueWaitP99,
    kDurationP50,
    kDurationP99,
    kMaxQueue,
    kCost,
    kColumnCount
  };

  explicit AgentsModel(QObject* parent = nullptr);

  void set_report(const ReportData& report);
  void clear();
  const std::vector<AgentRow>& agents() const { return agents_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  QVariant raw(const AgentRow& a, int column) const;
  std::vector<AgentRow> agents_;
};

}  // namespace orchsim::gui
