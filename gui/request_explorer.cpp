#include "gui/request_explorer.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "gui/request_table_model.hpp"
#include "gui/timeline_view.hpp"

namespace orchsim::gui {
namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

QString ms_text(double ms) { return QString::number(ms, 'f', 1); }

QString inputs_text(const DecisionRow& d) {
  QStringList parts;
  for (const Candidate& c : d.inputs) {
    const QString score = c.score ? QString::number(*c.score, 'f', 3) : QStringLiteral("-");
    parts << QStringLiteral("%1=%2 %3")
                 .arg(q(c.agent), score, c.eligible ? QStringLiteral("✓") : QStringLiteral("✗"));
  }
  return parts.join(QStringLiteral(", "));
}

// One row of the decisions table, before it becomes items.
struct Line {
  double t_ms = 0;
  QString node, kind, policy, choice, reason, inputs;
};

Line decision_line(const DecisionRow& d) {
  Line l{d.t_ms, q(d.node), q(d.kind), q(d.policy), {}, q(d.reason), inputs_text(d)};
  l.choice = d.choice ? q(*d.choice)
                      : (d.kind == "flow" ? QStringLiteral("(end)") : QStringLiteral("(none)"));
  return l;
}

Line event_line(const EventRow& e) {
  Line l{e.t_ms, q(e.node), q(e.kind), {}, {}, {}, {}};
  if (e.kind == "enter") {
    l.choice = q(e.to);
    l.reason = QStringLiteral("edge %1 → %2").arg(q(e.from), q(e.to));
  } else if (e.kind == "retry") {
    l.choice = QStringLiteral("%1 #%2").arg(q(e.agent)).arg(e.attempt);
    l.reason = QStringLiteral("after %1%2; backoff %3 ms")
                   .arg(q(e.after), e.error ? QStringLiteral(" (%1)").arg(q(*e.error)) : QString(),
                        ms_text(e.delay_ms));
  } else if (e.kind == "hedge") {
    l.choice = QStringLiteral("%1 #%2").arg(q(e.agent)).arg(e.attempt);
    l.reason = QStringLiteral("hedge launched: a second copy of a slow call");
  } else if (e.kind == "context") {
    l.policy = q(e.policy);
    l.choice = q(e.agent);
    l.reason =
        QStringLiteral("context fitted: %1 → %2 tokens (%3 % retained, %4 segments dropped%5)")
            .arg(e.tokens_before)
            .arg(e.tokens_after)
            .arg(QString::number(e.retained * 100, 'f', 1))
            .arg(e.segments_dropped)
            .arg(e.summarized ? QStringLiteral(", summarized") : QString());
  } else if (e.kind == "budget") {
    l.choice = q(e.budget);
    l.reason = QStringLiteral("budget ran out: %1").arg(q(e.budget));
  }
  return l;
}

}  // namespace

RequestExplorer::RequestExplorer(QWidget* parent)
    : QWidget(parent),
      stack_(new QStackedWidget),
      message_(new QLabel),
      outcome_(new QComboBox),
      min_latency_(new QDoubleSpinBox),
      retried_(new QCheckBox(tr("Retried"))),
      hedged_(new QCheckBox(tr("Hedged"))),
      fell_back_(new QCheckBox(tr("Fell back"))),
      timed_out_(new QCheckBox(tr("Timed out"))),
      kept_(new QComboBox),
      search_(new QLineEdit),
      count_(new QLabel),
      model_(new RequestTableModel(this)),
      filter_(new RequestFilter(this)),
      table_(new QTableView),
      summary_(new QLabel),
      timeline_(new TimelineScene(this)),
      timeline_view_(new TimelineView(timeline_)),
      decisions_(new QStandardItemModel(this)),
      decisions_table_(new QTableView) {
  auto* content = new QWidget;
  auto* bar = new QWidget;
  build_filter_bar(bar);

  filter_->setSourceModel(model_);
  table_->setModel(filter_);
  table_->setSortingEnabled(true);
  table_->sortByColumn(-1, Qt::AscendingOrder);  // the file's (id) order until a click
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->setVisible(false);
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
  table_->setAlternatingRowColors(true);
  table_->setWordWrap(false);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current, const QModelIndex&) { on_current_changed(current); });

  decisions_->setHorizontalHeaderLabels(
      {tr("+ms"), tr("Node"), tr("Kind"), tr("Policy"), tr("Choice"), tr("Reason"), tr("Inputs")});
  decisions_table_->setModel(decisions_);
  decisions_table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  decisions_table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  decisions_table_->verticalHeader()->setVisible(false);
  decisions_table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
  decisions_table_->setAlternatingRowColors(true);
  decisions_table_->setWordWrap(false);
  // Sized to the contents on each request, but a long reason is capped (its
  // tooltip has it all) so that the inputs stay in view.
  decisions_table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  decisions_table_->horizontalHeader()->setStretchLastSection(true);

  summary_->setWordWrap(true);
  summary_->setTextFormat(Qt::RichText);
  summary_->setContentsMargins(4, 2, 4, 2);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* right_top = new QWidget;
  auto* right_top_layout = new QVBoxLayout(right_top);
  right_top_layout->setContentsMargins(0, 0, 0, 0);
  right_top_layout->setSpacing(2);
  right_top_layout->addWidget(summary_);
  right_top_layout->addWidget(timeline_view_, 1);

  auto* right = new QSplitter(Qt::Vertical);
  right->addWidget(right_top);
  right->addWidget(decisions_table_);
  right->setStretchFactor(0, 1);
  right->setStretchFactor(1, 1);
  right->setSizes({300, 500});  // a timeline has a few lanes; a request many decisions

  auto* split = new QSplitter(Qt::Horizontal);
  split->addWidget(table_);
  split->addWidget(right);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 1);
  split->setSizes({700, 800});  // room for every column of the table

  auto* content_layout = new QVBoxLayout(content);
  content_layout->setContentsMargins(0, 0, 0, 0);
  content_layout->addWidget(bar);
  content_layout->addWidget(split, 1);

  message_->setAlignment(Qt::AlignCenter);
  message_->setWordWrap(true);
  message_->setMargin(24);
  stack_->addWidget(message_);
  stack_->addWidget(content);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(stack_);
  clear();
}

RequestExplorer::~RequestExplorer() = default;

void RequestExplorer::build_filter_bar(QWidget* bar) {
  auto* row = new QHBoxLayout;
  row->setContentsMargins(0, 0, 0, 0);
  row->addWidget(new QLabel(tr("Outcome")));
  row->addWidget(outcome_);
  row->addSpacing(8);
  row->addWidget(new QLabel(tr("Latency ≥")));
  min_latency_->setRange(0, 1e9);
  min_latency_->setDecimals(0);
  min_latency_->setSingleStep(100);
  min_latency_->setSuffix(tr(" ms"));
  min_latency_->setAccelerated(true);
  row->addWidget(min_latency_);
  row->addSpacing(8);
  for (QCheckBox* box : {retried_, hedged_, fell_back_, timed_out_}) row->addWidget(box);
  fell_back_->setToolTip(tr("Fell back to another agent, or was redirected after a slow call"));
  row->addSpacing(8);
  row->addWidget(new QLabel(tr("Kept as")));
  kept_->addItem(tr("any"), static_cast<int>(RequestFilter::Kept::kAny));
  kept_->addItem(tr("sample"), static_cast<int>(RequestFilter::Kept::kSample));
  kept_->addItem(tr("slowest"), static_cast<int>(RequestFilter::Kept::kSlowest));
  kept_->addItem(tr("failed"), static_cast<int>(RequestFilter::Kept::kFailed));
  kept_->setToolTip(
      tr("Why requests.jsonl kept the request: a uniform sample of the finished requests, "
         "the slowest, or a sample of the failed"));
  row->addWidget(kept_);
  row->addSpacing(8);
  search_->setPlaceholderText(tr("request id or class"));
  search_->setClearButtonEnabled(true);
  search_->setMinimumWidth(140);
  row->addWidget(search_, 1);

  count_->setTextFormat(Qt::PlainText);
  count_->setStyleSheet(QStringLiteral("color: #555"));
  auto* column = new QVBoxLayout(bar);
  column->setContentsMargins(4, 4, 4, 2);
  column->setSpacing(2);
  column->addLayout(row);
  column->addWidget(count_);

  connect(outcome_, &QComboBox::currentIndexChanged, this, [this] { on_filter_changed(); });
  connect(min_latency_, &QDoubleSpinBox::valueChanged, this, [this] { on_filter_changed(); });
  for (QCheckBox* box : {retried_, hedged_, fell_back_, timed_out_}) {
    connect(box, &QCheckBox::toggled, this, [this] { on_filter_changed(); });
  }
  connect(kept_, &QComboBox::currentIndexChanged, this, [this] { on_filter_changed(); });
  connect(search_, &QLineEdit::textChanged, this, [this] { on_filter_changed(); });
}

void RequestExplorer::set_requests(std::shared_ptr<const RequestSet> set) {
  if (!set) {
    clear();
    return;
  }
  set_ = std::move(set);
  // Reset the filter bar without a refilter per widget.
  for (QWidget* w : std::initializer_list<QWidget*>{outcome_, min_latency_, retried_, hedged_,
                                                    fell_back_, timed_out_, kept_, search_}) {
    w->blockSignals(true);
  }
  outcome_->clear();
  outcome_->addItem(tr("all"), QStringLiteral("all"));
  outcome_->addItem(tr("success"), QStringLiteral("success"));
  outcome_->addItem(tr("failed"), QStringLiteral("failed"));
  std::map<std::string, int> outcomes;
  for (const RequestRow& r : set_->requests) ++outcomes[r.outcome];
  for (const auto& [name, n] : outcomes) {
    outcome_->addItem(QStringLiteral("%1 (%2)").arg(q(name)).arg(n), q(name));
  }
  outcome_->setCurrentIndex(0);
  min_latency_->setValue(0);
  for (QCheckBox* box : {retried_, hedged_, fell_back_, timed_out_}) box->setChecked(false);
  kept_->setCurrentIndex(0);
  search_->clear();
  for (QWidget* w : std::initializer_list<QWidget*>{outcome_, min_latency_, retried_, hedged_,
                                                    fell_back_, timed_out_, kept_, search_}) {
    w->blockSignals(false);
  }
  filter_->reset();
  current_ = nullptr;
  model_->set_requests(set_);
  stack_->setCurrentIndex(1);
  update_count();
  if (filter_->rowCount() > 0) {
    table_->setCurrentIndex(filter_->index(0, 0));
  } else {
    show_request(nullptr);
  }
}

void RequestExplorer::clear() { show_message(tr("No requests loaded.")); }

void RequestExplorer::show_message(const QString& message) {
  set_.reset();
  current_ = nullptr;
  model_->clear();
  timeline_->clear_request();
  decisions_->removeRows(0, decisions_->rowCount());
  summary_->clear();
  count_->clear();
  message_->setText(message);
  stack_->setCurrentIndex(0);
}

bool RequestExplorer::showing_message() const { return stack_->currentIndex() == 0; }

bool RequestExplorer::select_request(std::uint64_t id) {
  const int source_row = model_->row_of(id);
  if (source_row < 0) return false;
  const QModelIndex index = filter_->mapFromSource(model_->index(source_row, 0));
  if (!index.isValid()) return false;
  table_->setCurrentIndex(index);
  table_->scrollTo(index);
  return current_ != nullptr && current_->id == id;
}

const RequestRow* RequestExplorer::current_request() const { return current_; }

void RequestExplorer::on_current_changed(const QModelIndex& current) {
  const QModelIndex source = filter_->mapToSource(current);
  show_request(source.isValid() ? model_->request(source.row()) : nullptr);
}

void RequestExplorer::on_filter_changed() {
  filter_->set_outcome(outcome_->currentData().toString());
  filter_->set_min_latency_ms(min_latency_->value());
  filter_->set_only_retried(retried_->isChecked());
  filter_->set_only_hedged(hedged_->isChecked());
  filter_->set_only_fell_back(fell_back_->isChecked());
  filter_->set_only_timed_out(timed_out_->isChecked());
  filter_->set_kept(static_cast<RequestFilter::Kept>(kept_->currentData().toInt()));
  filter_->set_search(search_->text());
  update_count();
  // Keep the shown request if it is still listed, else show the first listed.
  if (!table_->currentIndex().isValid()) {
    if (filter_->rowCount() > 0) {
      table_->setCurrentIndex(filter_->index(0, 0));
    } else {
      show_request(nullptr);
    }
  }
}

void RequestExplorer::update_count() {
  if (!set_) {
    count_->clear();
    return;
  }
  std::uint64_t sample = 0, slowest = 0, failed = 0;
  for (const RequestRow& r : set_->requests) {
    sample += r.kept_for("sample");
    slowest += r.kept_for("slowest");
    failed += r.kept_for("failed");
  }
  QString text = tr("%1 of %2 shown (sampled: %3 uniform + %4 slowest + %5 failed, of %6 "
                    "finished requests; a request may be kept for several reasons)")
                     .arg(filter_->rowCount())
                     .arg(set_->requests.size())
                     .arg(sample)
                     .arg(slowest)
                     .arg(failed)
                     .arg(set_->finished);
  if (set_->capped) text += tr("; the file holds more, only the first ones were read");
  count_->setText(text);
}

void RequestExplorer::show_request(const RequestRow* request) {
  const RequestRow* before = current_;
  current_ = request;
  if (request == nullptr) {
    timeline_->clear_request();
    decisions_->removeRows(0, decisions_->rowCount());
    summary_->setText(set_ && filter_->rowCount() == 0 ? tr("No request matches the filters.")
                                                       : tr("Select a request."));
    return;
  }
  const RequestRow& r = *request;
  QStringList kept;
  for (const std::string& k : r.kept) kept << q(k);
  QString outcome = q(r.outcome);
  if (!r.success) outcome = QStringLiteral("<span style='color:#b02020'>%1</span>").arg(outcome);
  if (r.silent_answer) outcome += tr(" (silent failure)");
  QString text = tr("<b>Request %1</b> (%2): %3 after <b>%4 ms</b> · cost $%5 · quality %6 · "
                    "calls %7 · retries %8 · hedges %9 · kept as %10")
                     .arg(r.id)
                     .arg(q(r.cls).toHtmlEscaped(), outcome, ms_text(r.latency_ms))
                     .arg(QString::number(r.cost_usd, 'f', 5))
                     .arg(QString::number(r.quality, 'f', 3))
                     .arg(r.call_count)
                     .arg(r.retries)
                     .arg(r.hedges)
                     .arg(kept.join(QStringLiteral(", ")));
  if (r.truncated) text += tr("; <i>detail truncated by the log's bound</i>");
  summary_->setText(text);
  timeline_->set_request(r);
  fill_decisions(r);
  if (before != request) Q_EMIT request_selected(static_cast<quint64>(r.id));
}

void RequestExplorer::fill_decisions(const RequestRow& r) {
  std::vector<Line> lines;
  lines.reserve(r.decisions.size() + r.events.size());
  // Events first so that at one instant the edge entered precedes the
  // routing decision made on arrival at its node.
  for (const EventRow& e : r.events) lines.push_back(event_line(e));
  for (const DecisionRow& d : r.decisions) lines.push_back(decision_line(d));
  std::stable_sort(lines.begin(), lines.end(),
                   [](const Line& a, const Line& b) { return a.t_ms < b.t_ms; });

  decisions_->removeRows(0, decisions_->rowCount());
  decisions_->setRowCount(static_cast<int>(lines.size()));
  for (int i = 0; i < static_cast<int>(lines.size()); ++i) {
    const Line& l = lines[static_cast<std::size_t>(i)];
    const double rel = l.t_ms - r.arrival_ms;
    auto* time = new QStandardItem(ms_text(rel));
    time->setData(rel, Qt::UserRole);
    time->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    time->setToolTip(tr("simulated time %1 ms").arg(QString::number(l.t_ms, 'f', 3)));
    decisions_->setItem(i, kTime, time);
    const QString cells[] = {l.node, l.kind, l.policy, l.choice, l.reason, l.inputs};
    for (int c = 0; c < 6; ++c) {
      auto* item = new QStandardItem(cells[c]);
      if (c + 1 == kReason || c + 1 == kInputs) item->setToolTip(cells[c]);
      decisions_->setItem(i, c + 1, item);
    }
    if (l.kind == QLatin1String("retry") || l.kind == QLatin1String("budget")) {
      for (int c = 0; c < kDecisionColumns; ++c) {
        decisions_->item(i, c)->setForeground(QColor(0xb0, 0x20, 0x20));
      }
    } else if (l.kind == QLatin1String("enter")) {
      for (int c = 0; c < kDecisionColumns; ++c) {
        decisions_->item(i, c)->setForeground(QColor(0x70, 0x70, 0x70));
      }
    }
  }
  decisions_table_->resizeColumnsToContents();
  const int ch = decisions_table_->fontMetrics().averageCharWidth();
  const std::pair<int, int> caps[] = {{kPolicy, 14}, {kChoice, 18}, {kReason, 44}};
  for (const auto& [column, max_chars] : caps) {
    decisions_table_->setColumnWidth(
        column, std::min(decisions_table_->columnWidth(column), max_chars * ch));
  }
}

}  // namespace orchsim::gui
