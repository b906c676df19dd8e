#include "gui/agents_model.hpp"

#include <QString>

namespace orchsim::gui {
namespace {

QVariant opt(const std::optional<double>& v) { return v ? QVariant(*v) : QVariant(); }
QVariant num(std::uint64_t n) { return QVariant(static_cast<qulonglong>(n)); }
// A count known only after the run ended (servers, queue length): empty before.
QVariant num(std::optional<std::uint32_t> n) { return n ? num(std::uint64_t{*n}) : QVariant(); }

}  // namespace

AgentsModel::AgentsModel(QObject* parent) : QAbstractTableModel(parent) {}

void AgentsModel::set_report(const ReportData& report) {
  beginResetModel();
  agents_ = report.metrics.agents;
  endResetModel();
}

void AgentsModel::clear() {
  beginResetModel();
  agents_.clear();
  endResetModel();
}

int AgentsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(agents_.size());
}

int AgentsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumnCount;
}

QVariant AgentsModel::raw(const AgentRow& a, int column) const {
  switch (column) {
    case kName:
      return QString::fromStdString(a.name);
    case kServers:
      return num(a.servers);
    case kUtilisation:
      return opt(a.utilisation);
    case kCallsStarted:
      return num(a.calls_started);
    case kSuccess:
      return num(a.calls_ended.success);
    case kError:
      return num(a.calls_ended.error);
    case kTimeout:
      return num(a.calls_ended.timeout);
    case kInvalid:
      return num(a.calls_ended.invalid);
    case kCancelled:
      return num(a.calls_ended.cancelled);
    case kQueueWaitMean:
      return opt(a.queue_wait_mean_ms);
    case kQueueWaitP99:
      return opt(a.queue_wait_p99_ms);
    case kDurationP50:
      return opt(a.duration_p50_ms);
    case kDurationP99:
      return opt(a.duration_p99_ms);
    case kMaxQueue:
      return num(a.max_queue_length);
    case kCost:
      return a.cost_usd;
    default:
      return {};
  }
}

QVariant AgentsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= static_cast<int>(agents_.size())) return {};
  const AgentRow& a = agents_[static_cast<std::size_t>(index.row())];
  const int column = index.column();
  if (role == Qt::UserRole) return raw(a, column);
  if (role == Qt::TextAlignmentRole) {
    return column == kName ? QVariant()
                           : QVariant(static_cast<int>(Qt::AlignRight | Qt::AlignVCenter));
  }
  if (role != Qt::DisplayRole) return {};
  const QVariant v = raw(a, column);
  switch (column) {
    case kName:
      return v;
    case kUtilisation:
      return a.utilisation ? QString::number(*a.utilisation * 100.0, 'f', 2) + QStringLiteral(" %")
                           : QStringLiteral("–");
    case kQueueWaitMean:
    case kQueueWaitP99:
    case kDurationP50:
    case kDurationP99:
      return v.isValid() ? QString::number(v.toDouble(), 'f', 1) : QStringLiteral("–");
    case kCost:
      return QStringLiteral("$") + QString::number(a.cost_usd, 'f', 4);
    default:
      return v.toString();
  }
}

QVariant AgentsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  if (role == Qt::ToolTipRole) {
    switch (section) {
      case kUtilisation:
        return tr("Busy time / (servers x simulated time)");
      case kCallsStarted:
        return tr("Calls started; the next columns count how they ended");
      case kInvalid:
        return tr("Output that failed validation");
      case kCancelled:
        return tr("Cancelled, e.g. the losing copy of a hedge");
      case kQueueWaitMean:
      case kQueueWaitP99:
        return tr("Time a call waited for a free server");
      case kDurationP50:
      case kDurationP99:
        return tr("Call duration, cancelled calls included");
      case kMaxQueue:
        return tr("Longest queue seen");
      default:
        return {};
    }
  }
  if (role != Qt::DisplayRole) return {};
  switch (section) {
    case kName:
      return tr("Agent");
    case kServers:
      return tr("Servers");
    case kUtilisation:
      return tr("Utilisation");
    case kCallsStarted:
      return tr("Calls");
    case kSuccess:
      return tr("Success");
    case kError:
      return tr("Error");
    case kTimeout:
      return tr("Timeout");
    case kInvalid:
      return tr("Invalid");
    case kCancelled:
      return tr("Cancelled");
    case kQueueWaitMean:
      return tr("Queue wait mean (ms)");
    case kQueueWaitP99:
      return tr("Queue wait p99 (ms)");
    case kDurationP50:
      return tr("Duration p50 (ms)");
    case kDurationP99:
      return tr("Duration p99 (ms)");
    case kMaxQueue:
      return tr("Max queue");
    case kCost:
      return tr("Cost");
    default:
      return {};
  }
}

}  // namespace orchsim::gui
