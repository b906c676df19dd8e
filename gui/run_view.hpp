// One run as the charts draw it: its report, the name it has in legends and
// its colour. The explorer shows one run, or two side by side when comparing
// (run A in blue, run B in orange, on every chart).
#pragma once

#include <QColor>
#include <QString>
#include <memory>
#include <vector>

#include "gui/report_data.hpp"

namespace orchsim::gui {

struct RunView {
  QString label;  // "A: rag_orchestrated (seed 11)"
  std::shared_ptr<const ReportData> report;
  QColor colour;
};
using RunViews = std::vector<RunView>;

inline QColor run_colour(std::size_t index) {
  static const QColor kColours[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e)};
  return kColours[index % 2];
}

}  // namespace orchsim::gui
