// The Request explorer's timeline: a Gantt chart of one request. Time runs
// left to right from the request's arrival (a labelled ms axis on top); each
// lane is one (node, attempt) in order of first start, so a retry, a hedge or
// a redirect gets its own lane under the attempt it followed, while a loop's
// second visit to a node reuses the node's lane. Each call is a bar: queue
// wait light, service solid, coloured by how it ended (success green, invalid
// orange, error red, timeout dark red, cancelled grey, unfinished hatched).
// A retry's backoff is a dashed connector from the failed attempt's end to the
// next attempt's start; a budget that ran out (the request's deadline, a loop
// bound) is a dashed vertical line, a call's timeout a tick at its end.
// Hovering shows a call's full detail.
//
//   TimelineLayout layout = layout_timeline(request);  // pure: lanes, bars, connectors
//   TimelineScene scene;
//   scene.set_request(request);    // rebuilt to the view's width on resize
//   TimelineView view(&scene);
//
// GUI thread only (layout_timeline: any thread).
#pragma once

#include <QGraphicsScene>
#include <QGraphicsView>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gui/request_data.hpp"

namespace orchsim::gui {

struct TimelineLane {
  std::string node;
  std::uint64_t attempt = 0;
  std::string kind;   // the kind of the lane's first call (first, retry, hedge, ...)
  std::string label;  // "generate", "generate #1 retry"
};

// One call. Times are ms since the request's arrival.
struct TimelineBar {
  std::size_t call = 0;  // index in RequestRow::calls
  int lane = 0;
  double start_ms = 0;    // queued from here
  double service_ms = 0;  // served from here (start + queue wait)
  double end_ms = 0;      // ended here; unfinished: the request's finish
  std::string kind, end;  // as in CallRow
};

// A retry's backoff: from the failed attempt's end to the next attempt's start.
struct TimelineConnector {
  int from_lane = 0, to_lane = 0;
  double from_ms = 0, to_ms = 0;
  std::string label;  // "retry after error (transient): 50.0 ms backoff"
};

// Something that happened at one instant: a budget that ran out (lane -1:
// across the whole chart) or a call's timeout (on its lane).
struct TimelineMarker {
  double t_ms = 0;
  int lane = -1;
  std::string label;  // "deadline", "loop_bound", "timeout"
};

struct TimelineLayout {
  std::vector<TimelineLane> lanes;  // top to bottom
  std::vector<TimelineBar> bars;    // one per call, in the calls' order
  std::vector<TimelineConnector> connectors;
  std::vector<TimelineMarker> markers;
  double span_ms = 0;  // the axis' extent: the latency, or the last thing drawn if later

  int lane_of(const std::string& node, std::uint64_t attempt) const;  // -1: none
};

TimelineLayout layout_timeline(const RequestRow& request);

class TimelineScene : public QGraphicsScene {
  Q_OBJECT

 public:
  explicit TimelineScene(QObject* parent = nullptr);

  void set_request(const RequestRow& request);
  void clear_request();
  // Redraws with the plot spread over this many pixels (the view's width).
  void set_width(qreal width);

  bool has_request() const { return request_.has_value(); }
  const TimelineLayout& layout() const { return layout_; }
  // Scene items by role, for tests.
  int bar_count() const { return bar_count_; }
  int connector_count() const { return connector_count_; }
  int marker_count() const { return marker_count_; }

 private:
  void rebuild();

  std::optional<RequestRow> request_;
  TimelineLayout layout_;
  qreal width_ = 900;
  int bar_count_ = 0, connector_count_ = 0, marker_count_ = 0;
};

class TimelineView : public QGraphicsView {
  Q_OBJECT

 public:
  explicit TimelineView(TimelineScene* scene, QWidget* parent = nullptr);

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  TimelineScene* timeline_;
};

}  // namespace orchsim::gui
