#include "gui/timeline_view.hpp"

#include <QBrush>
#include <QFontMetricsF>
#include <QGraphicsLineItem>
#include <QGraphicsPathItem>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QPainterPath>
#include <QPen>
#include <QResizeEvent>
#include <QScrollBar>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

namespace orchsim::gui {

int TimelineLayout::lane_of(const std::string& node, std::uint64_t attempt) const {
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    if (lanes[i].node == node && lanes[i].attempt == attempt) return static_cast<int>(i);
  }
  return -1;
}

TimelineLayout layout_timeline(const RequestRow& request) {
  // Times in the file are exact to the nanosecond (6 decimals of ms): an event
  // "at" a call's end is at exactly that time, but allow for rounding.
  constexpr double kEps = 1e-6;
  TimelineLayout out;
  const double t0 = request.arrival_ms;
  const double finish = request.finish_ms - t0;
  out.span_ms = std::max(0.0, request.latency_ms);

  std::map<std::pair<std::string, std::uint64_t>, int> lane_index;
  for (std::size_t i = 0; i < request.calls.size(); ++i) {
    const CallRow& c = request.calls[i];
    const auto key = std::make_pair(c.node, c.attempt);
    auto it = lane_index.find(key);
    if (it == lane_index.end()) {
      TimelineLane lane{c.node, c.attempt, c.kind, c.node};
      if (c.attempt > 0 || c.kind != "first") {
        lane.label += " #" + std::to_string(c.attempt);
        if (c.kind != "first") lane.label += " " + c.kind;
      }
      out.lanes.push_back(std::move(lane));
      it = lane_index.emplace(key, static_cast<int>(out.lanes.size()) - 1).first;
    }
    TimelineBar bar;
    bar.call = i;
    bar.lane = it->second;
    bar.start_ms = c.start_ms - t0;
    bar.end_ms = std::max(bar.start_ms, c.end_ms ? *c.end_ms - t0 : finish);
    bar.service_ms =
        std::clamp(bar.start_ms + c.queue_wait_ms.value_or(0.0), bar.start_ms, bar.end_ms);
    bar.kind = c.kind;
    bar.end = c.end;
    out.span_ms = std::max(out.span_ms, bar.end_ms);
    if (c.end == "timeout") out.markers.push_back({bar.end_ms, bar.lane, "timeout"});
    out.bars.push_back(std::move(bar));
  }

  for (const EventRow& e : request.events) {
    const double t = e.t_ms - t0;
    if (e.kind == "budget") {
      out.markers.push_back({t, -1, e.budget});
      out.span_ms = std::max(out.span_ms, t);
      continue;
    }
    if (e.kind != "retry") continue;
    // The failed attempt: the call at this node that ended last by the time
    // of the retry, preferring one that did not succeed.
    const TimelineBar* from = nullptr;
    bool from_failed = false;
    for (const TimelineBar& b : out.bars) {
      const CallRow& c = request.calls[b.call];
      if (c.node != e.node || !c.end_ms || b.end_ms > t + kEps) continue;
      const bool failed = c.end != "success";
      if (from == nullptr || (failed && !from_failed) ||
          (failed == from_failed && b.end_ms >= from->end_ms)) {
        from = &b;
        from_failed = failed;
      }
    }
    // The new attempt: its first call starting at or after the retry.
    const TimelineBar* to = nullptr;
    for (const TimelineBar& b : out.bars) {
      const CallRow& c = request.calls[b.call];
      if (c.node == e.node && c.attempt == e.attempt && b.start_ms >= t - kEps) {
        to = &b;
        break;
      }
    }
    if (from == nullptr && to == nullptr) continue;  // both beyond a truncated log
    TimelineConnector k;
    k.from_lane = from != nullptr ? from->lane : to->lane;
    k.from_ms = from != nullptr ? from->end_ms : t;
    k.to_lane = to != nullptr ? to->lane : k.from_lane;
    k.to_ms = to != nullptr ? to->start_ms : t + e.delay_ms;
    char delay[32];
    std::snprintf(delay, sizeof delay, "%.1f", e.delay_ms);
    k.label = "retry #" + std::to_string(e.attempt) + " after " + e.after +
              (e.error ? " (" + *e.error + ")" : std::string()) + ": " + delay + " ms backoff";
    out.span_ms = std::max(out.span_ms, k.to_ms);
    out.connectors.push_back(std::move(k));
  }
  if (out.span_ms <= 0) out.span_ms = 1;
  return out;
}

namespace {

constexpr qreal kAxisHeight = 40;  // tick labels and the axis title above the lanes
constexpr qreal kLaneHeight = 24;
constexpr qreal kBarHeight = 14;
constexpr qreal kRightMargin = 24;
constexpr qreal kMarkerRow = 16;  // one row of marker labels under the lanes

QColor end_colour(const std::string& end) {
  if (end == "success") return QColor(0x2c, 0xa0, 0x2c);
  if (end == "invalid") return QColor(0xff, 0x7f, 0x0e);
  if (end == "error") return QColor(0xd6, 0x27, 0x28);
  if (end == "timeout") return QColor(0x7f, 0x00, 0x00);
  return QColor(0x9e, 0x9e, 0x9e);  // cancelled, unfinished, unknown
}

QString ms_text(double ms) { return QString::number(ms, 'f', ms < 10 ? 2 : 1); }

QString opt_text(const std::optional<double>& v, int decimals) {
  return v ? QString::number(*v, 'f', decimals) : QStringLiteral("-");
}

QString call_tooltip(const CallRow& c, const TimelineBar& b) {
  QString s = QStringLiteral("<b>%1</b> attempt %2 (%3) on <b>%4</b><br>")
                  .arg(QString::fromStdString(c.node))
                  .arg(c.attempt)
                  .arg(QString::fromStdString(c.kind), QString::fromStdString(c.agent));
  s +=
      QStringLiteral("ended: %1%2<br>")
          .arg(QString::fromStdString(c.end),
               c.error ? QStringLiteral(" (%1)").arg(QString::fromStdString(*c.error)) : QString());
  s += QStringLiteral("start +%1 ms, served from +%2 ms, end +%3 ms%4<br>")
           .arg(ms_text(b.start_ms), ms_text(b.service_ms), ms_text(b.end_ms),
                c.end_ms ? QString() : QStringLiteral(" (the request's finish)"));
  s += QStringLiteral("queue wait %1 ms, service %2 ms<br>")
           .arg(ms_text(b.service_ms - b.start_ms), ms_text(b.end_ms - b.service_ms));
  s += QStringLiteral("tokens in %1 (context size), out %2<br>")
           .arg(c.input_tokens)
           .arg(c.output_tokens);
  s += QStringLiteral("cost $%1, quality %2, confidence %3%4")
           .arg(QString::number(c.cost_usd, 'f', 6), opt_text(c.quality, 3),
                opt_text(c.confidence, 3), c.silent ? QStringLiteral(", silent failure") : "");
  return s;
}

// A step of 1, 2 or 5 x 10^k giving at most `max_ticks` ticks over `span`.
double nice_step(double span, int max_ticks) {
  const double raw = span / std::max(1, max_ticks);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * magnitude >= raw) return m * magnitude;
  }
  return 10 * magnitude;
}

}  // namespace

TimelineScene::TimelineScene(QObject* parent) : QGraphicsScene(parent) {
  setBackgroundBrush(Qt::white);
  rebuild();
}

void TimelineScene::set_request(const RequestRow& request) {
  request_ = request;
  layout_ = layout_timeline(request);
  rebuild();
}

void TimelineScene::clear_request() {
  request_.reset();
  layout_ = {};
  rebuild();
}

void TimelineScene::set_width(qreal width) {
  width = std::max<qreal>(width, 320);
  if (std::abs(width - width_) < 0.5) return;
  width_ = width;
  rebuild();
}

void TimelineScene::rebuild() {
  clear();
  bar_count_ = connector_count_ = marker_count_ = 0;
  const QFont font;
  QFont small = font;
  small.setPointSizeF(font.pointSizeF() * 0.85);
  const QFontMetricsF fm(font), sm(small);

  if (!request_) {
    auto* text = addSimpleText(tr("Select a request to see its timeline."), font);
    text->setBrush(QColor(0x66, 0x66, 0x66));
    text->setPos(12, 12);
    setSceneRect(0, 0, width_, 60);
    return;
  }
  const RequestRow& r = *request_;
  const TimelineLayout& l = layout_;

  qreal label_w = 80;
  for (const TimelineLane& lane : l.lanes) {
    label_w = std::max(label_w, fm.horizontalAdvance(QString::fromStdString(lane.label)));
  }
  label_w = std::min<qreal>(label_w, 240) + 16;
  const qreal plot_w = std::max<qreal>(width_ - label_w - kRightMargin, 120);
  const qreal px_per_ms = plot_w / l.span_ms;
  auto x_of = [&](double ms) { return label_w + ms * px_per_ms; };
  const qreal top = kAxisHeight;
  const qreal lanes_h = std::max<qreal>(1, static_cast<qreal>(l.lanes.size())) * kLaneHeight;
  const qreal bottom = top + lanes_h;
  auto lane_y = [&](int lane) { return top + lane * kLaneHeight; };

  // Lane bands and names.
  for (std::size_t i = 0; i < l.lanes.size(); ++i) {
    const qreal y = lane_y(static_cast<int>(i));
    if (i % 2 == 1) {
      addRect(QRectF(0, y, width_, kLaneHeight), Qt::NoPen, QColor(0xf4, 0xf6, 0xf8))
          ->setZValue(-2);
    }
    const QString name =
        fm.elidedText(QString::fromStdString(l.lanes[i].label), Qt::ElideMiddle, label_w - 16);
    auto* text = addSimpleText(name, font);
    text->setPos(label_w - 8 - fm.horizontalAdvance(name), y + (kLaneHeight - fm.height()) / 2);
    text->setToolTip(QString::fromStdString(l.lanes[i].label));
  }

  // The time axis: ticks and grid lines every "nice" step.
  const double step = nice_step(l.span_ms, std::max(2, static_cast<int>(plot_w / 80)));
  QPen grid(QColor(0xdd, 0xdd, 0xdd));
  QPen axis_pen(QColor(0x44, 0x44, 0x44));
  addLine(label_w, top, label_w + plot_w, top, axis_pen);
  for (double t = 0; t <= l.span_ms + step * 1e-9; t += step) {
    const qreal x = x_of(t);
    addLine(x, top + 1, x, bottom, grid)->setZValue(-1);
    addLine(x, top - 4, x, top, axis_pen);
    const QString label = QString::number(t, 'g', 10);
    auto* text = addSimpleText(label, small);
    text->setPos(x - sm.horizontalAdvance(label) / 2, top - 6 - sm.height());
  }
  auto* title = addSimpleText(tr("ms since arrival"), small);
  title->setBrush(QColor(0x55, 0x55, 0x55));
  title->setPos(label_w - 8 - sm.horizontalAdvance(title->text()), top - 6 - sm.height());
  addLine(x_of(0), top, x_of(0), bottom, axis_pen);

  // Bars: queue wait light, service solid.
  for (const TimelineBar& b : l.bars) {
    const CallRow& c = r.calls[b.call];
    const QString tip = call_tooltip(c, b);
    const qreal y = lane_y(b.lane) + (kLaneHeight - kBarHeight) / 2;
    const QColor colour = end_colour(b.end);
    const bool unfinished = b.end == "unfinished";
    const qreal x0 = x_of(b.start_ms), xs = x_of(b.service_ms);
    const qreal x1 = std::max(x_of(b.end_ms), x0 + 2);  // a zero-length call stays visible
    if (xs > x0 + 0.5) {
      auto* queued =
          addRect(QRectF(x0, y, xs - x0, kBarHeight), QPen(colour, 1), colour.lighter(175));
      queued->setToolTip(tip);
    }
    QBrush brush = unfinished ? QBrush(colour.darker(130), Qt::BDiagPattern) : QBrush(colour);
    auto* served = addRect(QRectF(std::min(xs, x1 - 2), y, x1 - std::min(xs, x1 - 2), kBarHeight),
                           QPen(colour.darker(130), 1), brush);
    served->setToolTip(tip);
    ++bar_count_;
    if (b.kind != "first") {
      const QString kind = QString::fromStdString(b.kind);
      if (sm.horizontalAdvance(kind) + 6 < x1 - x0) {
        auto* text = addSimpleText(kind, small);
        text->setBrush(unfinished ? QColor(Qt::black) : QColor(Qt::white));
        text->setPos(x0 + 3, y + (kBarHeight - sm.height()) / 2);
        text->setToolTip(tip);
      }
    }
  }

  // Retry backoffs: dashed, with an arrowhead at the new attempt.
  QPen dashed(QColor(0x33, 0x33, 0x33), 1.2, Qt::DashLine);
  for (const TimelineConnector& k : l.connectors) {
    const QPointF a(x_of(k.from_ms), lane_y(k.from_lane) + kLaneHeight / 2);
    const QPointF b(x_of(k.to_ms), lane_y(k.to_lane) + kLaneHeight / 2);
    QPainterPath path(a);
    // Across lanes: down (or up) at the failure, then along the backoff.
    if (k.from_lane != k.to_lane) path.lineTo(a.x(), b.y());
    path.lineTo(b);
    auto* line = addPath(path, dashed);
    QPainterPath head;
    const qreal dir = b.x() >= a.x() ? 1 : -1;
    head.moveTo(b);
    head.lineTo(b + QPointF(-5 * dir, -3.5));
    head.lineTo(b + QPointF(-5 * dir, 3.5));
    head.closeSubpath();
    auto* arrow = addPath(head, QPen(QColor(0x33, 0x33, 0x33)), QColor(0x33, 0x33, 0x33));
    const QString tip = QString::fromStdString(k.label);
    line->setToolTip(tip);
    arrow->setToolTip(tip);
    line->setZValue(1);
    arrow->setZValue(1);
    ++connector_count_;
  }

  // Markers: a budget across the chart with its name underneath (names that
  // would collide go one row lower), a timeout as a tick on its lane.
  std::vector<qreal> row_ends;  // per label row: the right edge of its last label
  QPen marker_pen(QColor(0x9b, 0x00, 0x00), 1.5, Qt::DashLine);
  int marker_rows = 0;
  for (const TimelineMarker& m : l.markers) {
    const qreal x = x_of(m.t_ms);
    if (m.lane < 0) {
      auto* line = addLine(x, top - 2, x, bottom + 2, marker_pen);
      line->setZValue(2);
      const QString name = QString::fromStdString(m.label);
      line->setToolTip(tr("%1 ran out at +%2 ms").arg(name, ms_text(m.t_ms)));
      const qreal w = sm.horizontalAdvance(name);
      const qreal left = std::clamp(x - w / 2, 0.0, width_ - w - 2);
      std::size_t row = 0;
      while (row < row_ends.size() && row_ends[row] > left - 6) ++row;
      if (row == row_ends.size()) row_ends.push_back(0);
      row_ends[row] = left + w;
      auto* text = addSimpleText(name, small);
      text->setBrush(QColor(0x9b, 0x00, 0x00));
      text->setPos(left, bottom + 3 + static_cast<qreal>(row) * kMarkerRow);
      marker_rows = std::max(marker_rows, static_cast<int>(row) + 1);
    } else {
      const qreal y = lane_y(m.lane);
      auto* tick = addLine(x, y + 2, x, y + kLaneHeight - 2, QPen(QColor(0x9b, 0x00, 0x00), 2.5));
      tick->setZValue(2);
      tick->setToolTip(tr("timed out at +%1 ms").arg(ms_text(m.t_ms)));
    }
    ++marker_count_;
  }

  // Legend under everything.
  qreal y = bottom + 8 + marker_rows * kMarkerRow;
  qreal x = label_w;
  auto swatch = [&](const QBrush& brush, const QColor& pen, const QString& name) {
    const qreal w = sm.horizontalAdvance(name);
    if (x + 16 + w > width_ - 4) {
      x = label_w;
      y += kMarkerRow;
    }
    addRect(QRectF(x, y + 3, 12, 10), QPen(pen), brush);
    addSimpleText(name, small)->setPos(x + 16, y + (kMarkerRow - sm.height()) / 2);
    x += 16 + w + 14;
  };
  const QColor green = end_colour("success");
  swatch(green.lighter(175), green, tr("queued"));
  for (const char* end : {"success", "invalid", "error", "timeout", "cancelled"}) {
    swatch(end_colour(end), end_colour(end).darker(130), QString::fromLatin1(end));
  }
  swatch(QBrush(end_colour("unfinished").darker(130), Qt::BDiagPattern),
         end_colour("unfinished").darker(130), tr("unfinished"));
  setSceneRect(0, 0, width_, y + kMarkerRow + 6);
}

TimelineView::TimelineView(TimelineScene* scene, QWidget* parent)
    : QGraphicsView(scene, parent), timeline_(scene) {
  setAlignment(Qt::AlignLeft | Qt::AlignTop);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setRenderHint(QPainter::Antialiasing);
  setMinimumHeight(120);
}

void TimelineView::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  timeline_->set_width(viewport()->width());
}

}  // namespace orchsim::gui
