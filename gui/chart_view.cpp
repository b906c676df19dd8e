#include "gui/chart_view.hpp"

#include <QAbstractSeries>
#include <QChart>
#include <QKeyEvent>
#include <QLogValueAxis>
#include <QValueAxis>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

namespace orchsim::gui {

ChartView::ChartView(QWidget* parent) : QChartView(new QChart, parent) {
  setRenderHint(QPainter::Antialiasing);
  setRubberBand(QChartView::RectangleRubberBand);
  setFocusPolicy(Qt::StrongFocus);
  chart()->setAnimationOptions(QChart::NoAnimation);  // screenshots must show the final state
}

void ChartView::reset_zoom() { chart()->zoomReset(); }

void ChartView::clear_chart() {
  QChart* c = chart();
  c->zoomReset();
  c->removeAllSeries();
  for (QAbstractAxis* axis : c->axes()) {
    c->removeAxis(axis);
    delete axis;
  }
}

void ChartView::attach_to_axes(QAbstractSeries* series) {
  chart()->addSeries(series);
  for (QAbstractAxis* axis : chart()->axes()) series->attachAxis(axis);
}

QAbstractAxis* make_number_axis(double lo, double hi, bool log, const QString& title) {
  if (log) {
    auto* axis = new QLogValueAxis;
    axis->setBase(10);
    axis->setLabelFormat(QStringLiteral("%g"));
    axis->setMinorTickCount(8);
    lo = lo > 0 ? lo : 1e-3;
    hi = std::max(hi, lo * 10);
    axis->setRange(std::pow(10.0, std::floor(std::log10(lo))),
                   std::pow(10.0, std::ceil(std::log10(hi))));
    axis->setTitleText(title + QObject::tr(" (log scale)"));
    return axis;
  }
  auto* axis = new QValueAxis;
  axis->setRange(0, hi > 0 ? hi * 1.02 : 1.0);
  axis->setLabelFormat(QStringLiteral("%g"));
  axis->applyNiceNumbers();
  axis->setTitleText(title);
  return axis;
}

void ChartView::wheelEvent(QWheelEvent* event) {
  const double steps = event->angleDelta().y() / 120.0;
  if (steps == 0) return;
  const double factor = steps > 0 ? 1.25 : 0.8;
  // Zoom around the pointer: shrink the plot rectangle towards it.
  const QRectF plot = chart()->plotArea();
  const QPointF at = chart()->mapFromScene(mapToScene(event->position().toPoint()));
  QRectF r(0, 0, plot.width() / factor, plot.height() / factor);
  r.moveCenter(at + (plot.center() - at) / factor);
  chart()->zoomIn(r);
  event->accept();
}

void ChartView::keyPressEvent(QKeyEvent* event) {
  switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
      chart()->zoomIn();
      break;
    case Qt::Key_Minus:
      chart()->zoomOut();
      break;
    case Qt::Key_Left:
      chart()->scroll(-chart()->plotArea().width() / 10, 0);
      break;
    case Qt::Key_Right:
      chart()->scroll(chart()->plotArea().width() / 10, 0);
      break;
    case Qt::Key_Up:
      chart()->scroll(0, chart()->plotArea().height() / 10);
      break;
    case Qt::Key_Down:
      chart()->scroll(0, -chart()->plotArea().height() / 10);
      break;
    case Qt::Key_0:
    case Qt::Key_Home:
      reset_zoom();
      break;
    default:
      QChartView::keyPressEvent(event);
      return;
  }
  event->accept();
}

}  // namespace orchsim::gui
