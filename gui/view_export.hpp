// Saves any view of the explorer (a chart, the workflow graph, a table) as
// a picture: PNG (pixels, at the view's size and the screen's scale) or SVG
// (vectors, through Qt SVG's QSvgGenerator), chosen by the file's suffix.
//
//   QString error;
//   if (!export_view(chart_view, "latency.svg", &error)) show(error);
//
// Written to a temporary file and renamed, like every orchsim output, so a
// failure never leaves a half-written picture. GUI thread only.
#pragma once

#include <QString>

class QWidget;

namespace orchsim::gui {

// `file` ends in .png or .svg (case-insensitive); anything else is an error.
bool export_view(QWidget* view, const QString& file, QString* error);

}  // namespace orchsim::gui
