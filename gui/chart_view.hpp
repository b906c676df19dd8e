// A chart view that people can explore: every chart in the explorer is one.
//
//   ChartView view;                 // owns a QChart, as QChartView does
//   view.chart()->addSeries(series);
//
// Mouse: drag a rectangle to zoom into it, the wheel zooms around the
// pointer, right click zooms back out one step. Keyboard (when the chart has
// focus): + and - zoom, arrow keys pan, 0 or Home resets. Antialiased; OpenGL
// stays off (it crashes under the offscreen platform used for tests and
// screenshots). GUI thread only.
#pragma once

#include <QChartView>

class QAbstractAxis;
class QAbstractSeries;

namespace orchsim::gui {

class ChartView : public QChartView {
  Q_OBJECT

 public:
  explicit ChartView(QWidget* parent = nullptr);

  void reset_zoom();
  // Removes every series and axis (and the zoom), keeping the title.
  void clear_chart();
  // Adds `series` with the chart's current axes attached (call after the axes exist).
  void attach_to_axes(QAbstractSeries* series);

 protected:
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
};

// An axis of milliseconds or any positive quantity: logarithmic (base 10,
// whole decades around [lo, hi]) or linear from 0 with nice numbers.
QAbstractAxis* make_number_axis(double lo, double hi, bool log, const QString& title);

}  // namespace orchsim::gui
