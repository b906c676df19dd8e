#include "gui/node_details.hpp"

#include <QObject>

namespace orchsim::gui {
namespace {

QString ms(const std::optional<double>& v) {
  return v ? QStringLiteral("%1 ms").arg(*v, 0, 'f', 1) : QStringLiteral("-");
}

QString row(const QString& key, const QString& value) {
  return QStringLiteral("<tr><td style='color:#555'>%1</td><td>%2</td></tr>").arg(key, value);
}

const TimeSeries::Agent* series_of(const ReportData& report, const std::string& agent) {
  for (const TimeSeries::Agent& a : report.series.agents) {
    if (a.name == agent) return &a;
  }
  return nullptr;
}

}  // namespace

std::vector<std::pair<double, double>> active_stretches(const std::vector<double>& share,
                                                        double bucket_ms) {
  std::vector<std::pair<double, double>> out;
  for (std::size_t i = 0; i < share.size(); ++i) {
    if (share[i] <= 0) continue;
    const double from = static_cast<double>(i) * bucket_ms / 1000.0;
    const double to = static_cast<double>(i + 1) * bucket_ms / 1000.0;
    if (!out.empty() && out.back().second == from) {
      out.back().second = to;
    } else {
      out.emplace_back(from, to);
    }
  }
  return out;
}

QString node_details_html(const ReportData& report, const std::string& node) {
  const QString name = QString::fromStdString(node).toHtmlEscaped();
  QString html = QStringLiteral("<h3>%1</h3>").arg(name);
  if (const NodeRow* n = report.node(node)) {
    html += QStringLiteral("<table cellspacing=4>");
    html += row(QObject::tr("calls"), QString::number(n->calls_started));
    html += row(QObject::tr("ended"),
                QObject::tr("%1 ok, %2 invalid, %3 error, %4 timeout, %5 cancelled")
                    .arg(n->calls_ended.success)
                    .arg(n->calls_ended.invalid)
                    .arg(n->calls_ended.error)
                    .arg(n->calls_ended.timeout)
                    .arg(n->calls_ended.cancelled));
    html += row(QObject::tr("failure rate"),
                QStringLiteral("%1 %").arg(n->failure_rate().value_or(0) * 100, 0, 'f', 2));
    html += row(QObject::tr("mean call"), ms(n->duration_mean_ms));
    html += QStringLiteral("</table>");
  } else {
    html += QObject::tr("<p>This node made no calls (a gate, join, fan-out or an end).</p>");
  }

  std::uint64_t routed = 0;
  for (const DecisionCount& d : report.metrics.decisions) {
    if (d.node == node) routed += d.count;
  }
  for (const DecisionCount& d : report.metrics.decisions) {
    if (d.node != node) continue;
    const AgentRow* a = report.agent(d.agent);
    html += QStringLiteral("<h4>agent %1 &mdash; %2 calls routed here (%3 %)</h4>")
                .arg(QString::fromStdString(d.agent).toHtmlEscaped())
                .arg(d.count)
                .arg(routed > 0 ? 100.0 * static_cast<double>(d.count) / static_cast<double>(routed)
                                : 0.0,
                     0, 'f', 1);
    if (a == nullptr) continue;
    html += QStringLiteral("<table cellspacing=4>");
    html += row(QObject::tr("servers, utilisation"),
                QStringLiteral("%1, %2 %")
                    .arg(a->servers.value_or(0))
                    .arg(a->utilisation.value_or(0) * 100, 0, 'f', 1));
    html += row(QObject::tr("queue wait mean / p99"),
                ms(a->queue_wait_mean_ms) + " / " + ms(a->queue_wait_p99_ms));
    html += row(QObject::tr("max queue length"), QString::number(a->max_queue_length.value_or(0)));
    html +=
        row(QObject::tr("call p50 / p99"), ms(a->duration_p50_ms) + " / " + ms(a->duration_p99_ms));
    html += row(QObject::tr("all calls to it"),
                QObject::tr("%1 started: %2 ok, %3 invalid, %4 error, %5 timeout, %6 cancelled")
                    .arg(a->calls_started)
                    .arg(a->calls_ended.success)
                    .arg(a->calls_ended.invalid)
                    .arg(a->calls_ended.error)
                    .arg(a->calls_ended.timeout)
                    .arg(a->calls_ended.cancelled));
    QString errors;
    for (std::size_t k = 0; k < eval::ErrorCounts::kKinds; ++k) {
      if (a->errors.counts[k] == 0) continue;  // only the kinds seen
      if (!errors.isEmpty()) errors += QStringLiteral(", ");
      errors += QStringLiteral("%1 %2")
                    .arg(a->errors.counts[k])
                    .arg(QString::fromStdString(std::string(eval::ErrorCounts::name(k))));
    }
    html += row(QObject::tr("errors"), errors.isEmpty() ? QObject::tr("none") : errors);
    html += row(QObject::tr("cost"), QStringLiteral("%1 USD").arg(a->cost_usd, 0, 'f', 4));
    QString breaker = a->breaker_transitions == 0
                          ? QObject::tr("never tripped")
                          : QObject::tr("%1 transitions, open %2 s in all")
                                .arg(a->breaker_transitions)
                                .arg(a->breaker_open_ms / 1000.0, 0, 'f', 2);
    if (const TimeSeries::Agent* s = series_of(report, d.agent)) {
      const auto open = active_stretches(s->breaker_open_share, report.series.bucket_ms);
      for (std::size_t i = 0; i < open.size() && i < 8; ++i) {
        breaker += QStringLiteral("<br>open within %1 s - %2 s")
                       .arg(open[i].first, 0, 'f', 1)
                       .arg(open[i].second, 0, 'f', 1);
      }
      if (open.size() > 8)
        breaker += QObject::tr("<br>... and %1 more stretches").arg(open.size() - 8);
    }
    html += row(QObject::tr("circuit breaker"), breaker);
    html += QStringLiteral("</table>");
  }
  return html;
}

}  // namespace orchsim::gui
