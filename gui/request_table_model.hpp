// The Request explorer's table: one row per kept request of a run
// (RequestTableModel), and the filter bar's logic over it (RequestFilter).
//
//   auto model = new RequestTableModel(this);
//   model->set_requests(set);                  // shared with the timeline
//   auto filter = new RequestFilter(this);
//   filter->setSourceModel(model);
//   filter->set_only_retried(true);            // rows narrow at once
//   table->setModel(filter);
//
// Qt::DisplayRole gives formatted text; Qt::UserRole (the filter's sort role)
// gives the raw value (ids, counts and ms as numbers) so that columns sort
// numerically and tests read the real values. GUI thread only.
#pragma once

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QString>
#include <cstdint>
#include <memory>
#include <optional>

#include "gui/request_data.hpp"

namespace orchsim::gui {

class RequestTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column {
    kId = 0,
    kClass,
    kOutcome,
    kLatency,
    kCalls,
    kRetries,
    kHedges,
    kFallbacks,  // fallbacks + redirects
    kTimeouts,
    kCost,
    kQuality,
    kKept,
    kColumnCount
  };

  explicit RequestTableModel(QObject* parent = nullptr);

  void set_requests(std::shared_ptr<const RequestSet> set);
  void clear();
  const RequestSet* requests() const { return set_.get(); }
  const std::shared_ptr<const RequestSet>& shared_requests() const { return set_; }
  // The request shown in `row` (a source row), or null.
  const RequestRow* request(int row) const;
  // The source row holding request `id`, or -1.
  int row_of(std::uint64_t id) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  std::shared_ptr<const RequestSet> set_;
};

// Which rows the filter bar lets through; every criterion must hold. The
// source model must be a RequestTableModel. Sorts on Qt::UserRole.
class RequestFilter : public QSortFilterProxyModel {
  Q_OBJECT

 public:
  enum class Kept { kAny, kSample, kSlowest, kFailed };

  explicit RequestFilter(QObject* parent = nullptr);

  // "" or "all": every outcome; "success" / "failed": by success; anything
  // else: that outcome name exactly (e.g. "deadline_exceeded").
  void set_outcome(const QString& outcome);
  // Only requests at least this slow (0: all).
  void set_min_latency_ms(double ms);
  void set_only_retried(bool on);
  void set_only_hedged(bool on);
  void set_only_fell_back(bool on);  // fallbacks + redirects > 0
  void set_only_timed_out(bool on);
  void set_kept(Kept kept);
  // Case-insensitive: the request id as text starts with it, or the class contains it.
  void set_search(const QString& text);
  // Back to letting every row through.
  void reset();

  bool accepts(const RequestRow& r) const;

 protected:
  bool filterAcceptsRow(int source_row, const QModelIndex& source_parent) const override;

 private:
  void changed();

  QString outcome_;
  double min_latency_ms_ = 0;
  bool only_retried_ = false, only_hedged_ = false, only_fell_back_ = false,
       only_timed_out_ = false;
  Kept kept_ = Kept::kAny;
  QString search_;
};

}  // namespace orchsim::gui
