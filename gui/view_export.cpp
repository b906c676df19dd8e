#include "gui/view_export.hpp"

#include <QFile>
#include <QFileInfo>
#include <QPainter>
#include <QPixmap>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QWidget>

namespace orchsim::gui {

bool export_view(QWidget* view, const QString& file, QString* error) {
  const QString suffix = QFileInfo(file).suffix().toLower();
  if (suffix != QLatin1String("png") && suffix != QLatin1String("svg")) {
    *error = QStringLiteral("%1: unknown picture type; use a .png or .svg name").arg(file);
    return false;
  }
  if (view == nullptr || view->width() <= 0 || view->height() <= 0) {
    *error = QStringLiteral("%1: nothing to save (the view is empty)").arg(file);
    return false;
  }
  QSaveFile out(file);
  if (!out.open(QIODevice::WriteOnly)) {
    *error = QStringLiteral("%1: cannot be written: %2").arg(file, out.errorString());
    return false;
  }
  if (suffix == QLatin1String("png")) {
    if (!view->grab().save(&out, "PNG")) {
      *error = QStringLiteral("%1: the PNG could not be encoded").arg(file);
      return false;
    }
  } else {
    QSvgGenerator svg;
    svg.setOutputDevice(&out);
    svg.setSize(view->size());
    svg.setViewBox(QRect(QPoint(0, 0), view->size()));
    svg.setTitle(view->windowTitle().isEmpty() ? QStringLiteral("orchsim") : view->windowTitle());
    svg.setDescription(QStringLiteral("exported by orchsim-gui"));
    QPainter painter;
    if (!painter.begin(&svg)) {
      *error = QStringLiteral("%1: the SVG could not be started").arg(file);
      return false;
    }
    view->render(&painter);
    painter.end();
  }
  if (!out.commit()) {
    *error = QStringLiteral("%1: cannot be written: %2").arg(file, out.errorString());
    return false;
  }
  return true;
}

}  // namespace orchsim::gui
