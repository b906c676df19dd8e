#include "gui/search_view.hpp"

#include <QChart>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QPainter>
#include <QPainterPath>
#include <QPen>
#include <QScatterSeries>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "gui/chart_view.hpp"

namespace orchsim::gui {
namespace {

std::optional<double> number(const std::string& text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

// "≤" or "≥": chart titles and legends are rich text, where "<=" would open a tag.
QString relation(const SearchConstraintInfo& k) {
  return k.at_most ? QStringLiteral("\u2264") : QStringLiteral("\u2265");
}

// Pale to dark blue, by rung.
QColor rung_colour(unsigned rung, unsigned top) {
  const float t = top == 0 ? 1.0f : static_cast<float>(rung) / static_cast<float>(top);
  return QColor::fromRgbF(0.75f - 0.65f * t, 0.82f - 0.55f * t, 0.95f - 0.35f * t);
}

QImage star_marker(const QColor& colour, int size) {
  QImage image(size, size, QImage::Format_ARGB32);
  image.fill(Qt::transparent);
  QPainter p(&image);
  p.setRenderHint(QPainter::Antialiasing);
  QPainterPath star;
  const double c = size / 2.0, outer = size / 2.0 - 1, inner = outer * 0.45;
  for (int i = 0; i < 10; ++i) {
    const double r = i % 2 == 0 ? outer : inner;
    const double a = -M_PI / 2 + i * M_PI / 5;
    const QPointF at(c + r * std::cos(a), c + r * std::sin(a));
    if (i == 0) {
      star.moveTo(at);
    } else {
      star.lineTo(at);
    }
  }
  star.closeSubpath();
  p.setPen(QPen(colour.darker(160), 1));
  p.setBrush(colour);
  p.drawPath(star);
  return image;
}

}  // namespace

SearchView::SearchView(QWidget* parent)
    : QWidget(parent), x_axis_(new QComboBox), summary_(new QLabel), chart_(new ChartView) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("x axis:")));
  bar->addWidget(x_axis_, 1);
  layout->addLayout(bar);
  layout->addWidget(chart_, 1);
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(summary_);
  chart_->chart()->legend()->setAlignment(Qt::AlignBottom);
  connect(x_axis_, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });
  rebuild();
}

void SearchView::set_search(std::optional<SearchData> search) {
  search_ = std::move(search);
  const QSignalBlocker block(x_axis_);
  x_axis_->clear();
  if (search_) {
    for (const SearchConstraintInfo& c : search_->constraints)
      x_axis_->addItem(QString::fromStdString(c.metric));
    for (const std::string& p : search_->parameters) x_axis_->addItem(QString::fromStdString(p));
  }
  x_axis_->setCurrentIndex(x_axis_->count() > 0 ? 0 : -1);
  rebuild();
}

std::vector<std::optional<double>> SearchView::x_values(const SearchData& s, int choice) {
  std::vector<std::optional<double>> out;
  out.reserve(s.rows.size());
  const auto constraints = static_cast<int>(s.constraints.size());
  for (const SearchEvaluationRow& r : s.rows) {
    if (choice < 0) {
      out.emplace_back();
    } else if (choice < constraints) {
      const auto m = static_cast<std::size_t>(choice) + 1;
      out.push_back(m < r.means.size() ? r.means[m] : std::nullopt);
    } else {
      const auto p = static_cast<std::size_t>(choice - constraints);
      out.push_back(p < r.values.size() ? number(r.values[p]) : std::nullopt);
    }
  }
  return out;
}

QList<QPointF> SearchView::front_points(const SearchData& s, int choice) {
  const std::vector<std::optional<double>> xs = x_values(s, choice);
  QList<QPointF> points;
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    const SearchEvaluationRow& r = s.rows[i];
    const bool on_front =
        r.rung == s.top_rung() && !r.reused &&
        std::find(s.pareto.begin(), s.pareto.end(), r.candidate) != s.pareto.end();
    if (on_front && xs[i] && !r.means.empty() && r.means.front())
      points.append(QPointF(*xs[i], *r.means.front()));
  }
  std::sort(points.begin(), points.end(),
            [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
  return points;
}

void SearchView::rebuild() {
  chart_->clear_chart();
  QChart* c = chart_->chart();
  if (!search_) {
    c->setTitle(tr("Search: open a search folder (File > Open search, orchsim search --out)"));
    summary_->clear();
    return;
  }
  const SearchData& s = *search_;
  const int choice = x_axis_->currentIndex();
  const std::vector<std::optional<double>> xs = x_values(s, choice);
  std::vector<QString> subject;
  for (const SearchConstraintInfo& k : s.constraints) {
    subject.push_back(
        QStringLiteral("%1 %2 %3").arg(QString::fromStdString(k.metric), relation(k)).arg(k.bound));
  }
  QString subject_text;
  for (const QString& t : subject) subject_text += (subject_text.isEmpty() ? "" : ", ") + t;
  c->setTitle(tr("search %1: %2 %3%4")
                  .arg(QString::fromStdString(s.scenario),
                       s.maximize ? tr("maximize") : tr("minimize"),
                       QString::fromStdString(s.objective),
                       subject_text.isEmpty() ? QString() : tr(" subject to ") + subject_text));
  summary_->setText(tr("%1 evaluations of %2 candidates on rungs of %3 requests; %4 requests "
                       "simulated. Pale points ran on short rungs, dark ones at full fidelity; "
                       "the line joins the full-fidelity Pareto front; the star is the best.")
                        .arg(s.rows.size())
                        .arg(s.rows.empty() ? 0 : s.rows.back().candidate + 1)
                        .arg([&] {
                          QStringList r;
                          for (std::uint64_t n : s.rungs) r << QString::number(n);
                          return r.join(QStringLiteral(", "));
                        }())
                        .arg(s.requests_simulated));

  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo;
  double y_lo = x_lo, y_hi = -x_lo;
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    if (!xs[i] || s.rows[i].means.empty() || !s.rows[i].means.front()) continue;
    x_lo = std::min(x_lo, *xs[i]);
    x_hi = std::max(x_hi, *xs[i]);
    y_lo = std::min(y_lo, *s.rows[i].means.front());
    y_hi = std::max(y_hi, *s.rows[i].means.front());
  }
  if (!(x_lo <= x_hi)) {
    c->setTitle(c->title() + tr(" (nothing to draw on this axis)"));
    return;
  }
  auto pad = [](double lo, double hi) {
    return hi > lo ? (hi - lo) * 0.06 : std::max(1e-9, std::fabs(hi) * 0.1);
  };
  auto* x = new QValueAxis;
  // Costs, latencies and most parameters are not negative: no axis below 0 for them.
  x->setRange(x_lo >= 0 ? std::max(0.0, x_lo - pad(x_lo, x_hi)) : x_lo - pad(x_lo, x_hi),
              x_hi + pad(x_lo, x_hi));
  x->setTitleText(x_axis_->currentText());
  auto* y = new QValueAxis;
  y->setRange(y_lo - pad(y_lo, y_hi), y_hi + pad(y_lo, y_hi));
  y->setTitleText(QString::fromStdString(s.objective));
  c->addAxis(x, Qt::AlignBottom);
  c->addAxis(y, Qt::AlignLeft);
  auto attach = [&](QAbstractSeries* series) {
    c->addSeries(series);
    series->attachAxis(x);
    series->attachAxis(y);
  };

  for (unsigned rung = 0; rung <= s.top_rung(); ++rung) {
    auto* points = new QScatterSeries;
    const std::uint64_t requests = rung < s.rungs.size() ? s.rungs[rung] : 0;
    points->setName(tr("%1 requests").arg(requests));
    const QColor colour = rung_colour(rung, s.top_rung());
    points->setColor(colour);
    points->setBorderColor(colour.darker(140));
    points->setMarkerSize(rung == s.top_rung() ? 11 : 7);
    for (std::size_t i = 0; i < s.rows.size(); ++i) {
      const SearchEvaluationRow& r = s.rows[i];
      if (r.rung != rung || r.reused || !xs[i] || r.means.empty() || !r.means.front()) continue;
      points->append(*xs[i], *r.means.front());
    }
    attach(points);
  }
  auto* front = new QLineSeries;
  front->setName(tr("Pareto front (full fidelity)"));
  front->replace(front_points(s, choice));
  QPen front_pen(QColor(0x2c, 0xa0, 0x2c));
  front_pen.setWidthF(2);
  front->setPen(front_pen);
  attach(front);

  if (choice >= 0 && choice < static_cast<int>(s.constraints.size())) {
    const SearchConstraintInfo& k = s.constraints[static_cast<std::size_t>(choice)];
    auto* bound = new QLineSeries;
    bound->setName(tr("bound %1 %2").arg(relation(k)).arg(k.bound));
    bound->append(k.bound, y->min());
    bound->append(k.bound, y->max());
    QPen dashed(QColor(0xc0, 0x30, 0x30));
    dashed.setWidthF(1.5);
    dashed.setStyle(Qt::DashLine);
    bound->setPen(dashed);
    attach(bound);
  }
  if (s.best) {
    for (std::size_t i = 0; i < s.rows.size(); ++i) {
      const SearchEvaluationRow& r = s.rows[i];
      if (r.candidate != *s.best || r.rung != s.top_rung() || !xs[i] || !r.means.front()) continue;
      auto* best = new QScatterSeries;
      best->setName(tr("best: candidate %1").arg(r.candidate));
      best->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
      best->setMarkerSize(22);
      best->setBrush(star_marker(QColor(0xe1, 0x57, 0x59), 22));
      best->setPen(QColor(Qt::transparent));
      best->append(*xs[i], *r.means.front());
      attach(best);
      break;
    }
  }
}

}  // namespace orchsim::gui
