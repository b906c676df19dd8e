// The Search tab: an `orchsim search` (File > Open search, or a folder with
// search.json on the command line) as its evaluated points over the Pareto
// front. The objective is on the y axis; the x axis is a constraint's metric
// or a parameter, picked in a combo box. Points are coloured by rung, from
// the shortest runs (pale) to full fidelity (dark); the full-fidelity Pareto
// front is a line, the best configuration a star, and a constraint's bound a
// dashed line when its metric is on the x axis.
//
//   SearchView view;
//   view.set_search(load_search("search_out/").search);
//
// GUI thread only.
#pragma once

#include <QList>
#include <QPointF>
#include <QWidget>
#include <optional>

#include "gui/search_data.hpp"

class QComboBox;
class QLabel;

namespace orchsim::gui {

class ChartView;

class SearchView : public QWidget {
  Q_OBJECT

 public:
  explicit SearchView(QWidget* parent = nullptr);

  void set_search(std::optional<SearchData> search);
  void clear() { set_search(std::nullopt); }
  const std::optional<SearchData>& search() const { return search_; }

  ChartView* chart_view() const { return chart_; }
  QComboBox* x_box() const { return x_axis_; }

  // The x values of the rows for x-axis choice `choice`: 0.. the constraint
  // metrics, then the parameters (values that are not numbers are nullopt).
  static std::vector<std::optional<double>> x_values(const SearchData& s, int choice);
  // The Pareto front's points (x, objective), sorted by x.
  static QList<QPointF> front_points(const SearchData& s, int choice);

 private:
  void rebuild();

  std::optional<SearchData> search_;
  QComboBox* x_axis_;
  QLabel* summary_;
  ChartView* chart_;
};

}  // namespace orchsim::gui
