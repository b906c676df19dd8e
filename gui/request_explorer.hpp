// The Request explorer: "what happened to request 4711?". A filter bar on
// top (outcome, latency at least, only retried / hedged / fell back / timed
// out, why it was kept, an id or class search, and how many of the kept
// requests are shown), the kept requests in a sortable table on the left, and
// on the right the selected request's summary, its timeline (TimelineView)
// and, below it, its decisions and events in time order: routing decisions
// with every candidate's score and eligibility and the reason, flow decisions,
// edges entered, retries with their backoff and cause, hedges, context fits
// (tokens before -> after) and budgets that ran out.
//
//   RequestExplorer explorer;
//   RequestLoad r = load_requests("results/");
//   if (r.ok()) explorer.set_requests(std::make_shared<const RequestSet>(std::move(*r.set)));
//   else explorer.show_message(QString::fromStdString(r.error));
//   explorer.select_request(4711);
//
// Only the requests the run kept (requests.jsonl holds a bounded sample, see
// eval/request_log.hpp) can be explored; the count label says which. Up/Down
// in the table move through the requests. GUI thread only.
#pragma once

#include <QWidget>
#include <cstdint>
#include <memory>

#include "gui/request_data.hpp"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QStackedWidget;
class QStandardItemModel;
class QTableView;

namespace orchsim::gui {

class RequestFilter;
class RequestTableModel;
class TimelineScene;
class TimelineView;

class RequestExplorer : public QWidget {
  Q_OBJECT

 public:
  // The columns of decisions().
  enum DecisionColumn {
    kTime = 0,  // ms since the request's arrival (Qt::UserRole: the number)
    kNode,
    kKind,    // route | flow | enter | retry | hedge | context | budget
    kPolicy,  // the routing policy, or the context policy
    kChoice,  // the agent or node chosen; a retry's or hedge's agent and attempt
    kReason,
    kInputs,  // a route's candidates: "agent=score ✓" (eligible) or "✗"
    kDecisionColumns
  };

  explicit RequestExplorer(QWidget* parent = nullptr);
  ~RequestExplorer() override;

  // Shows these requests (filters reset) and selects the first.
  void set_requests(std::shared_ptr<const RequestSet> set);
  // Empties everything and shows a neutral message.
  void clear();
  // Empties everything and shows `message` instead of the views (e.g. "This
  // run has no requests.jsonl: rerun with orchsim run --out DIR").
  void show_message(const QString& message);
  // Selects request `id` in the table (scrolling to it) and shows it; false if
  // it is not among the kept requests or the filters hide it.
  bool select_request(std::uint64_t id);

  // The request shown on the right, or null.
  const RequestRow* current_request() const;

  // For tests and the screenshot mode.
  RequestTableModel* model() { return model_; }
  RequestFilter* filter() { return filter_; }
  QTableView* table() { return table_; }
  TimelineScene* timeline() { return timeline_; }
  TimelineView* timeline_view() { return timeline_view_; }
  QStandardItemModel* decisions() { return decisions_; }
  QLabel* summary_label() { return summary_; }
  QLabel* count_label() { return count_; }
  QLabel* message_label() { return message_; }
  bool showing_message() const;

 Q_SIGNALS:
  // The request shown on the right changed (after a click, a key or select_request).
  void request_selected(quint64 id);

 private:
  void build_filter_bar(QWidget* bar);
  void on_current_changed(const QModelIndex& current);
  void on_filter_changed();
  void show_request(const RequestRow* request);
  void fill_decisions(const RequestRow& request);
  void update_count();

  std::shared_ptr<const RequestSet> set_;
  const RequestRow* current_ = nullptr;

  QStackedWidget* stack_;
  QLabel* message_;
  QComboBox* outcome_;
  QDoubleSpinBox* min_latency_;
  QCheckBox* retried_;
  QCheckBox* hedged_;
  QCheckBox* fell_back_;
  QCheckBox* timed_out_;
  QComboBox* kept_;
  QLineEdit* search_;
  QLabel* count_;
  RequestTableModel* model_;
  RequestFilter* filter_;
  QTableView* table_;
  QLabel* summary_;
  TimelineScene* timeline_;
  TimelineView* timeline_view_;
  QStandardItemModel* decisions_;
  QTableView* decisions_table_;
};

}  // namespace orchsim::gui
