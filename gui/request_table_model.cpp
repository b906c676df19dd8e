#include "gui/request_table_model.hpp"

#include <QColor>
#include <QStringList>

namespace orchsim::gui {
namespace {

QVariant num(std::uint64_t n) { return QVariant(static_cast<qulonglong>(n)); }

QString kept_text(const RequestRow& r) {
  QStringList parts;
  for (const std::string& k : r.kept) parts << QString::fromStdString(k);
  return parts.join(QStringLiteral(", "));
}

}  // namespace

RequestTableModel::RequestTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void RequestTableModel::set_requests(std::shared_ptr<const RequestSet> set) {
  beginResetModel();
  set_ = std::move(set);
  endResetModel();
}

void RequestTableModel::clear() { set_requests(nullptr); }

const RequestRow* RequestTableModel::request(int row) const {
  if (!set_ || row < 0 || row >= static_cast<int>(set_->requests.size())) return nullptr;
  return &set_->requests[static_cast<std::size_t>(row)];
}

int RequestTableModel::row_of(std::uint64_t id) const {
  if (!set_) return -1;
  const RequestRow* r = set_->find(id);
  return r == nullptr ? -1 : static_cast<int>(r - set_->requests.data());
}

int RequestTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !set_ ? 0 : static_cast<int>(set_->requests.size());
}

int RequestTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumnCount;
}

QVariant RequestTableModel::data(const QModelIndex& index, int role) const {
  const RequestRow* r = request(index.row());
  if (r == nullptr || !index.isValid()) return {};
  const int column = index.column();
  if (role == Qt::UserRole) {
    switch (column) {
      case kId:
        return num(r->id);
      case kClass:
        return QString::fromStdString(r->cls);
      case kOutcome:
        return QString::fromStdString(r->outcome);
      case kLatency:
        return r->latency_ms;
      case kCalls:
        return num(r->call_count);
      case kRetries:
        return num(r->retries);
      case kHedges:
        return num(r->hedges);
      case kFallbacks:
        return num(r->fallbacks + r->redirects);
      case kTimeouts:
        return num(r->timeouts);
      case kCost:
        return r->cost_usd;
      case kQuality:
        return r->quality;
      case kKept:
        return kept_text(*r);
      default:
        return {};
    }
  }
  if (role == Qt::DisplayRole) {
    switch (column) {
      case kLatency:
        return QString::number(r->latency_ms, 'f', 1);
      case kCost:
        return QStringLiteral("$%1").arg(r->cost_usd, 0, 'f', 5);
      case kQuality:
        return QString::number(r->quality, 'f', 3);
      default:
        return data(index, Qt::UserRole);
    }
  }
  if (role == Qt::TextAlignmentRole) {
    const bool text = column == kClass || column == kOutcome || column == kKept;
    return text ? QVariant() : QVariant(static_cast<int>(Qt::AlignRight | Qt::AlignVCenter));
  }
  if (role == Qt::ForegroundRole && column == kOutcome) {
    return r->success ? QVariant() : QVariant(QColor(0xb0, 0x20, 0x20));
  }
  if (role == Qt::ToolTipRole) {
    if (column == kFallbacks) {
      return tr("%1 fallbacks, %2 redirects").arg(r->fallbacks).arg(r->redirects);
    }
    if (column == kOutcome && r->silent_answer) return tr("a silent failure: wrong but confident");
    if (column == kKept) {
      return tr("Kept in requests.jsonl as: %1 (sample: uniform sample of finished requests; "
                "slowest: among the longest latencies; failed: a sample of failures)")
          .arg(kept_text(*r));
    }
  }
  return {};
}

QVariant RequestTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  if (role == Qt::DisplayRole) {
    switch (section) {
      case kId:
        return tr("Request");
      case kClass:
        return tr("Class");
      case kOutcome:
        return tr("Outcome");
      case kLatency:
        return tr("Latency ms");
      case kCalls:
        return tr("Calls");
      case kRetries:
        return tr("Retries");
      case kHedges:
        return tr("Hedges");
      case kFallbacks:
        return tr("Fallbacks");
      case kTimeouts:
        return tr("Timeouts");
      case kCost:
        return tr("Cost");
      case kQuality:
        return tr("Quality");
      case kKept:
        return tr("Kept as");
      default:
        return {};
    }
  }
  if (role == Qt::ToolTipRole && section == kFallbacks) {
    return tr("Fallbacks to another agent plus redirects after a slow call");
  }
  return {};
}

RequestFilter::RequestFilter(QObject* parent) : QSortFilterProxyModel(parent) {
  setSortRole(Qt::UserRole);
}

void RequestFilter::changed() { invalidateFilter(); }

void RequestFilter::set_outcome(const QString& outcome) {
  outcome_ = outcome == QLatin1String("all") ? QString() : outcome;
  changed();
}

void RequestFilter::set_min_latency_ms(double ms) {
  min_latency_ms_ = ms;
  changed();
}

void RequestFilter::set_only_retried(bool on) {
  only_retried_ = on;
  changed();
}

void RequestFilter::set_only_hedged(bool on) {
  only_hedged_ = on;
  changed();
}

void RequestFilter::set_only_fell_back(bool on) {
  only_fell_back_ = on;
  changed();
}

void RequestFilter::set_only_timed_out(bool on) {
  only_timed_out_ = on;
  changed();
}

void RequestFilter::set_kept(Kept kept) {
  kept_ = kept;
  changed();
}

void RequestFilter::set_search(const QString& text) {
  search_ = text.trimmed();
  changed();
}

void RequestFilter::reset() {
  outcome_.clear();
  min_latency_ms_ = 0;
  only_retried_ = only_hedged_ = only_fell_back_ = only_timed_out_ = false;
  kept_ = Kept::kAny;
  search_.clear();
  changed();
}

bool RequestFilter::accepts(const RequestRow& r) const {
  if (!outcome_.isEmpty()) {
    if (outcome_ == QLatin1String("success")) {
      if (!r.success) return false;
    } else if (outcome_ == QLatin1String("failed")) {
      if (r.success) return false;
    } else if (outcome_ != QString::fromStdString(r.outcome)) {
      return false;
    }
  }
  if (r.latency_ms < min_latency_ms_) return false;
  if (only_retried_ && r.retries == 0) return false;
  if (only_hedged_ && r.hedges == 0) return false;
  if (only_fell_back_ && r.fallbacks + r.redirects == 0) return false;
  if (only_timed_out_ && r.timeouts == 0) return false;
  switch (kept_) {
    case Kept::kAny:
      break;
    case Kept::kSample:
      if (!r.kept_for("sample")) return false;
      break;
    case Kept::kSlowest:
      if (!r.kept_for("slowest")) return false;
      break;
    case Kept::kFailed:
      if (!r.kept_for("failed")) return false;
      break;
  }
  if (!search_.isEmpty()) {
    const bool id_match = QString::number(r.id).startsWith(search_);
    const bool class_match = QString::fromStdString(r.cls).contains(search_, Qt::CaseInsensitive);
    if (!id_match && !class_match) return false;
  }
  return true;
}

bool RequestFilter::filterAcceptsRow(int source_row, const QModelIndex& source_parent) const {
  if (source_parent.isValid()) return false;
  const auto* model = qobject_cast<const RequestTableModel*>(sourceModel());
  const RequestRow* r = model == nullptr ? nullptr : model->request(source_row);
  return r != nullptr && accepts(*r);
}

}  // namespace orchsim::gui
