// One run as the charts draw it: its report, the name it has in legends and
// its colour. The explorer shows one run, or two side by side when comparing
// (run A in blue, run B in orange, on every chart).
#pragma once

#include <QColor>
#include <QString>
#include <iterator>
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

// Per-agent series colours (Tableau 10), by the agent's index in the report,
// so an agent keeps its colour on every tab.
inline QColor agent_colour(std::size_t index) {
  static const QColor kColours[] = {QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b),
                                    QColor(0xe1, 0x57, 0x59), QColor(0x76, 0xb7, 0xb2),
                                    QColor(0x59, 0xa1, 0x4f), QColor(0xed, 0xc9, 0x48),
                                    QColor(0xb0, 0x7a, 0xa1), QColor(0xff, 0x9d, 0xa7),
                                    QColor(0x9c, 0x75, 0x5f), QColor(0xba, 0xb0, 0xac)};
  return kColours[index % std::size(kColours)];
}

}  // namespace orchsim::gui
