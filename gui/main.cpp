// orchsim-gui: explore a run of orchsim.
//
//   orchsim-gui                               # empty window; File > Open
//   orchsim-gui results/                      # a folder written by `orchsim run --out`
//   orchsim-gui rag_orchestrated --requests 2000
//   orchsim-gui --screenshot docs/images rag_orchestrated   # PNG of every tab, then exit
//   orchsim-gui runs/storm --compare runs/budget            # run B beside run A
//
// Exit status (screenshot mode): 0 ok, 1 the pictures could not be written,
// 2 bad input (a run or scenario that cannot be opened).
#include <QApplication>
#include <QCommandLineParser>
#include <cstdio>

#include "gui/main_window.hpp"

namespace {

bool parse_count(const QCommandLineParser& parser, const QString& name,
                 std::optional<std::uint64_t>& out) {
  if (!parser.isSet(name)) return true;
  bool ok = false;
  const qulonglong v = parser.value(name).toULongLong(&ok);
  if (!ok) {
    std::fprintf(stderr, "orchsim-gui: --%s '%s': expected a whole number\n", qPrintable(name),
                 qPrintable(parser.value(name)));
    return false;
  }
  out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("orchsim-gui"));

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("Explore a run of orchsim: summary, latency, over time, agents, workflow, "
                     "requests, cost vs quality; or a fit report of orchsim fit (calibration)."));
  parser.addHelpOption();
  parser.addPositionalArgument(
      QStringLiteral("run-or-scenario"),
      QStringLiteral("A run folder (orchsim run --out DIR), its report.json, "
                     "a built-in scenario name, a scenario .json file, or a fit report "
                     "(orchsim fit --report FILE)"));
  parser.addOption({QStringLiteral("screenshot"),
                    QStringLiteral("Save every tab as DIR/gui-<tab>.png and exit"),
                    QStringLiteral("DIR")});
  parser.addOption({QStringLiteral("compare"),
                    QStringLiteral("A second run folder to draw beside the first (run B)"),
                    QStringLiteral("DIR")});
  parser.addOption({QStringLiteral("requests"),
                    QStringLiteral("When running a scenario: stop arrivals after N requests"),
                    QStringLiteral("N")});
  parser.addOption({QStringLiteral("seed"), QStringLiteral("When running a scenario: the seed"),
                    QStringLiteral("SEED")});
  parser.process(app);

  orchsim::gui::RunRequest run;
  if (!parse_count(parser, QStringLiteral("requests"), run.requests) ||
      !parse_count(parser, QStringLiteral("seed"), run.seed)) {
    return 2;
  }
  const QStringList inputs = parser.positionalArguments();
  if (inputs.size() > 1) {
    std::fprintf(stderr, "orchsim-gui: expected at most one run folder or scenario\n");
    return 2;
  }
  const QString input = inputs.isEmpty() ? QString() : inputs.front();

  orchsim::gui::MainWindow window;
  if (parser.isSet(QStringLiteral("screenshot"))) {
    // Laid out and painted as if shown, but never on a screen.
    window.set_interactive(false);
    window.setAttribute(Qt::WA_DontShowOnScreen);
    window.resize(1200, 760);
    window.show();
    QString error;
    if (!window.open_and_wait(input, run, &error)) {
      std::fprintf(stderr, "orchsim-gui: %s\n", qPrintable(error));
      return 2;
    }
    if (parser.isSet(QStringLiteral("compare")) &&
        !window.open_compare(parser.value(QStringLiteral("compare")))) {
      std::fprintf(stderr, "orchsim-gui: %s\n", qPrintable(window.last_error()));
      return 2;
    }
    const QString dir = parser.value(QStringLiteral("screenshot"));
    if (!window.save_screenshots(dir, &error)) {
      std::fprintf(stderr, "orchsim-gui: %s\n", qPrintable(error));
      return 1;
    }
    std::fprintf(
        stderr,
        "orchsim-gui: wrote "
        "%s/"
        "gui-{summary,latency,over-time,agents,workflow,requests,cost-quality,calibration,routing,"
        "search}.png\n",
        qPrintable(dir));
    return 0;
  }

  window.show();
  if (parser.isSet(QStringLiteral("compare"))) {
    // Once the first run is shown: at once for a saved run, later for a
    // scenario running in the background. Connected before opening, since a
    // saved run is shown before open_input returns.
    const QString other = parser.value(QStringLiteral("compare"));
    QObject::connect(&window, &orchsim::gui::MainWindow::report_loaded, &window, [&window, other] {
      if (window.run() != nullptr && window.compared() == nullptr) window.open_compare(other);
    });
  }
  if (!inputs.isEmpty()) window.open_input(input, run);
  return QApplication::exec();
}
