// The Request explorer against real runs: what the loader reads of
// requests.jsonl, what the table holds, how exactly the filters narrow it,
// what the timeline and the decisions show of a retried request, and how bad
// files are refused. The QApplication main is in gui_test.cpp.
#include "gui/request_explorer.hpp"

#include <gtest/gtest.h>

#include <QCheckBox>
#include <QLabel>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "eval/runner.hpp"
#include "gui/request_data.hpp"
#include "gui/request_table_model.hpp"
#include "gui/timeline_view.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::gui::request_explorer_test {
namespace {

using Json = nlohmann::ordered_json;

// A run of `scenario` written as a run folder holding requests.jsonl, plus
// the same lines as JSON for the expected values.
struct RunFolder {
  QTemporaryDir dir;
  std::uint64_t finished = 0;
  Json header;
  std::vector<Json> lines;  // the kept requests

  std::string path() const { return dir.path().toStdString(); }
  std::string file() const { return path() + "/requests.jsonl"; }
  // How many kept requests satisfy `pred`, read from the JSON, not the loader.
  std::size_t count(const std::function<bool(const Json&)>& pred) const {
    std::size_t n = 0;
    for (const Json& l : lines) n += pred(l) ? 1 : 0;
    return n;
  }
};

std::unique_ptr<RunFolder> make_run(const char* scenario, std::uint64_t requests) {
  auto run = std::make_unique<RunFolder>();
  const scenarios::LoadResult loaded = scenarios::load_scenario(scenario);
  EXPECT_TRUE(loaded.ok()) << loaded.diagnostics.format();
  if (!loaded.ok()) return run;
  eval::RunOptions options;
  options.requests = requests;
  options.seed = 11;
  options.request_log = eval::RequestLogOptions{400, 40, 40, 1024};
  const eval::RunResult result = eval::run_scenario(*loaded.scenario, options);
  std::ofstream out(run->file(), std::ios::binary);
  result.request_log->write(out, {{"scenario", loaded.scenario->name}, {"seed", result.seed}});
  out.close();
  std::ifstream in(run->file(), std::ios::binary);
  std::string line;
  std::getline(in, line);
  run->header = Json::parse(line);
  while (std::getline(in, line)) run->lines.push_back(Json::parse(line));
  run->finished = result.request_log->finished();
  return run;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// rag_orchestrated: retries, flow loops, deadlines, context fits.
// hedged_requests: hedges and retries.
class RequestRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rag_ = make_run("rag_orchestrated", 1500).release();
    hedged_ = make_run("hedged_requests", 1500).release();
  }
  static void TearDownTestSuite() {
    delete rag_;
    delete hedged_;
  }

  static std::shared_ptr<const RequestSet> load(const RunFolder& run) {
    RequestLoad r = load_requests(run.path());
    EXPECT_TRUE(r.ok()) << r.error;
    return r.ok() ? std::make_shared<const RequestSet>(std::move(*r.set)) : nullptr;
  }

  static RunFolder* rag_;
  static RunFolder* hedged_;
};

RunFolder* RequestRunTest::rag_ = nullptr;
RunFolder* RequestRunTest::hedged_ = nullptr;

TEST_F(RequestRunTest, LoaderReadsTheHeaderAndEveryKeptRequest) {
  const RunFolder& run = *rag_;
  const auto set = load(run);
  ASSERT_TRUE(set);
  EXPECT_EQ(set->scenario, "rag_orchestrated");
  EXPECT_EQ(set->seed, 11u);
  EXPECT_EQ(set->finished, run.finished);
  EXPECT_EQ(set->sample, 400u);
  EXPECT_EQ(set->slowest, 40u);
  EXPECT_EQ(set->failed, 40u);
  EXPECT_FALSE(set->capped);
  ASSERT_EQ(set->requests.size(), run.lines.size());
  ASSERT_EQ(set->requests.size(), run.header["kept"].get<std::size_t>());
  for (std::size_t i = 0; i < run.lines.size(); ++i) {
    const Json& j = run.lines[i];
    const RequestRow& r = set->requests[i];
    ASSERT_EQ(r.id, j["request"].get<std::uint64_t>());
    EXPECT_EQ(r.outcome, j["outcome"].get<std::string>());
    EXPECT_EQ(r.latency_ms, j["latency_ms"].get<double>());
    EXPECT_EQ(r.retries, j["retries"].get<std::uint64_t>());
    EXPECT_EQ(r.kept.size(), j["kept"].size());
    ASSERT_EQ(r.calls.size(), j["calls"].size());
    EXPECT_EQ(r.decisions.size(), j["decisions"].size());
    EXPECT_EQ(r.events.size(), j["events"].size());
    for (std::size_t c = 0; c < r.calls.size(); ++c) {
      const Json& jc = j["calls"][c];
      EXPECT_EQ(r.calls[c].agent, jc["agent"].get<std::string>());
      EXPECT_EQ(r.calls[c].end, jc["end"].get<std::string>());
      EXPECT_EQ(r.calls[c].start_ms, jc["start_ms"].get<double>());
      EXPECT_EQ(r.calls[c].input_tokens, jc["input_tokens"].get<std::uint64_t>());
      EXPECT_EQ(r.calls[c].error.has_value(), !jc["error"].is_null());
    }
  }
  EXPECT_EQ(set->find(set->requests.back().id), &set->requests.back());

  // A run made here hands over the same lines in memory.
  const RequestLoad again = requests_from_json(
      requests_header("rag_orchestrated", 11, run.finished, run.lines.size(), 400, 40, 40),
      run.lines, "here");
  ASSERT_TRUE(again.ok()) << again.error;
  EXPECT_EQ(again.set->requests.size(), set->requests.size());
  EXPECT_EQ(again.set->finished, run.finished);
}

TEST_F(RequestRunTest, TableModelHoldsTheRowsWithTheirValues) {
  const RunFolder& run = *rag_;
  RequestTableModel model;
  model.set_requests(load(run));
  ASSERT_EQ(model.rowCount(), static_cast<int>(run.lines.size()));
  EXPECT_EQ(model.columnCount(), RequestTableModel::kColumnCount);
  for (int row = 0; row < model.rowCount(); ++row) {
    const Json& j = run.lines[static_cast<std::size_t>(row)];
    auto raw = [&](int column) { return model.data(model.index(row, column), Qt::UserRole); };
    EXPECT_EQ(raw(RequestTableModel::kId).toULongLong(), j["request"].get<std::uint64_t>());
    EXPECT_EQ(raw(RequestTableModel::kClass).toString().toStdString(),
              j["class"].get<std::string>());
    EXPECT_EQ(raw(RequestTableModel::kLatency).toDouble(), j["latency_ms"].get<double>());
    EXPECT_EQ(raw(RequestTableModel::kCalls).toULongLong(), j["call_count"].get<std::uint64_t>());
    EXPECT_EQ(raw(RequestTableModel::kFallbacks).toULongLong(),
              j["fallbacks"].get<std::uint64_t>() + j["redirects"].get<std::uint64_t>());
    EXPECT_EQ(raw(RequestTableModel::kCost).toDouble(), j["cost_usd"].get<double>());
  }
  EXPECT_EQ(model.row_of(run.lines[3]["request"].get<std::uint64_t>()), 3);

  // Latency sorts as a number, not as text.
  RequestFilter filter;
  filter.setSourceModel(&model);
  filter.sort(RequestTableModel::kLatency, Qt::DescendingOrder);
  double slowest = 0;
  for (const Json& j : run.lines) slowest = std::max(slowest, j["latency_ms"].get<double>());
  EXPECT_EQ(filter.data(filter.index(0, RequestTableModel::kLatency), Qt::UserRole).toDouble(),
            slowest);
}

TEST_F(RequestRunTest, FiltersNarrowTheRowsExactly) {
  for (const RunFolder* run : {rag_, hedged_}) {
    RequestTableModel model;
    model.set_requests(load(*run));
    RequestFilter f;
    f.setSourceModel(&model);
    auto u = [](const Json& j, const char* key) { return j[key].get<std::uint64_t>(); };
    auto kept = [](const Json& j, const char* reason) {
      for (const Json& k : j["kept"]) {
        if (k == reason) return true;
      }
      return false;
    };
    auto expect = [&](std::size_t n, const char* what) {
      EXPECT_EQ(static_cast<std::size_t>(f.rowCount()), n) << what;
      f.reset();
      EXPECT_EQ(static_cast<std::size_t>(f.rowCount()), run->lines.size());
    };

    f.set_outcome("success");
    expect(run->count([](const Json& j) { return j["success"].get<bool>(); }), "success");
    f.set_outcome("failed");
    expect(run->count([](const Json& j) { return !j["success"].get<bool>(); }), "failed");
    const std::string outcome = run->lines.back()["outcome"].get<std::string>();
    f.set_outcome(QString::fromStdString(outcome));
    expect(run->count([&](const Json& j) { return j["outcome"] == outcome; }), "outcome");
    f.set_min_latency_ms(5000);
    expect(run->count([](const Json& j) { return j["latency_ms"].get<double>() >= 5000; }),
           "latency");
    f.set_only_retried(true);
    const std::size_t retried = run->count([&](const Json& j) { return u(j, "retries") > 0; });
    expect(retried, "retried");
    f.set_only_hedged(true);
    expect(run->count([&](const Json& j) { return u(j, "hedges") > 0; }), "hedged");
    f.set_only_fell_back(true);
    expect(run->count([&](const Json& j) { return u(j, "fallbacks") + u(j, "redirects") > 0; }),
           "fell back");
    f.set_only_timed_out(true);
    expect(run->count([&](const Json& j) { return u(j, "timeouts") > 0; }), "timed out");
    f.set_kept(RequestFilter::Kept::kSlowest);
    expect(run->count([&](const Json& j) { return kept(j, "slowest"); }), "slowest");
    f.set_kept(RequestFilter::Kept::kFailed);
    expect(run->count([&](const Json& j) { return kept(j, "failed"); }), "kept failed");
    f.set_kept(RequestFilter::Kept::kSample);
    expect(run->count([&](const Json& j) { return kept(j, "sample"); }), "sample");
    f.set_search("12");
    expect(run->count(
               [&](const Json& j) { return std::to_string(u(j, "request")).rfind("12", 0) == 0; }),
           "id search");
    // Criteria combine: retried and slower than 2 s.
    f.set_only_retried(true);
    f.set_min_latency_ms(2000);
    expect(run->count([&](const Json& j) {
      return u(j, "retries") > 0 && j["latency_ms"].get<double>() >= 2000;
    }),
           "retried and slow");
  }
  // The filters had something to find: rag_orchestrated retries (hedged_requests
  // retries too, but at 0.5% its 480 kept requests may hold none), and
  // hedged_requests does hedge.
  EXPECT_GT(rag_->count([](const Json& j) { return j["retries"].get<int>() > 0; }), 0u);
  EXPECT_GT(hedged_->count([](const Json& j) { return j["hedges"].get<int>() > 0; }), 0u);
}

// The first kept request with a retry whose failed and next attempts were both kept.
const Json* retried_request(const RunFolder& run) {
  for (const Json& j : run.lines) {
    if (j["retries"].get<int>() == 0 || j["truncated"].get<bool>()) continue;
    for (const Json& e : j["events"]) {
      if (e["kind"] == "retry") return &j;
    }
  }
  return nullptr;
}

TEST_F(RequestRunTest, SelectingARetriedRequestShowsItsTimelineAndDecisions) {
  const RunFolder& run = *rag_;
  const Json* j = retried_request(run);
  ASSERT_NE(j, nullptr);
  const std::uint64_t id = (*j)["request"].get<std::uint64_t>();
  RequestExplorer explorer;
  explorer.resize(1400, 800);
  explorer.set_requests(load(run));
  EXPECT_FALSE(explorer.showing_message());
  ASSERT_TRUE(explorer.select_request(id));
  ASSERT_NE(explorer.current_request(), nullptr);
  EXPECT_EQ(explorer.current_request()->id, id);
  EXPECT_TRUE(explorer.summary_label()->text().contains(QString::number(id)));

  // Timeline: a bar per call, a lane per (node, attempt), a connector per retry.
  const TimelineScene& scene = *explorer.timeline();
  const TimelineLayout& layout = scene.layout();
  const Json& calls = (*j)["calls"];
  EXPECT_EQ(scene.bar_count(), static_cast<int>(calls.size()));
  ASSERT_EQ(layout.bars.size(), calls.size());
  std::set<std::pair<std::string, std::uint64_t>> lanes;
  for (const Json& c : calls) {
    lanes.insert({c["node"].get<std::string>(), c["attempt"].get<std::uint64_t>()});
  }
  EXPECT_EQ(layout.lanes.size(), lanes.size());
  const double arrival = (*j)["arrival_ms"].get<double>();
  for (std::size_t i = 0; i < calls.size(); ++i) {
    EXPECT_DOUBLE_EQ(layout.bars[i].start_ms, calls[i]["start_ms"].get<double>() - arrival);
    EXPECT_EQ(layout.lanes[static_cast<std::size_t>(layout.bars[i].lane)].node,
              calls[i]["node"].get<std::string>());
  }
  std::size_t retries = 0;
  const Json* retry = nullptr;
  for (const Json& e : (*j)["events"]) {
    if (e["kind"] != "retry") continue;
    if (retry == nullptr) retry = &e;
    ++retries;
  }
  ASSERT_EQ(layout.connectors.size(), retries);
  EXPECT_EQ(scene.connector_count(), static_cast<int>(retries));
  // The first backoff starts where the failed attempt ended and reaches the next attempt.
  const TimelineConnector& k = layout.connectors.front();
  EXPECT_DOUBLE_EQ(k.from_ms, (*retry)["t_ms"].get<double>() - arrival);
  EXPECT_GE(k.to_ms, k.from_ms + (*retry)["delay_ms"].get<double>() - 1e-6);
  const TimelineLane& to_lane = layout.lanes[static_cast<std::size_t>(k.to_lane)];
  EXPECT_EQ(to_lane.node, (*retry)["node"].get<std::string>());
  EXPECT_EQ(to_lane.attempt, (*retry)["attempt"].get<std::uint64_t>());
  EXPECT_NE(to_lane.label.find("retry"), std::string::npos);
  EXPECT_NE(k.label.find("backoff"), std::string::npos);

  // Decisions: one row per decision and per event, in time order, with reasons.
  const QStandardItemModel& d = *explorer.decisions();
  ASSERT_EQ(d.rowCount(), static_cast<int>((*j)["decisions"].size() + (*j)["events"].size()));
  int retry_rows = 0, route_rows = 0;
  double last = -1;
  for (int row = 0; row < d.rowCount(); ++row) {
    const double t = d.item(row, RequestExplorer::kTime)->data(Qt::UserRole).toDouble();
    EXPECT_GE(t, last);
    last = t;
    const QString kind = d.item(row, RequestExplorer::kKind)->text();
    EXPECT_FALSE(d.item(row, RequestExplorer::kReason)->text().isEmpty()) << row;
    if (kind == "retry") {
      ++retry_rows;
      EXPECT_TRUE(d.item(row, RequestExplorer::kReason)->text().contains("backoff"));
    }
    if (kind == "route") {
      ++route_rows;
      EXPECT_TRUE(d.item(row, RequestExplorer::kInputs)->text().contains(QStringLiteral("✓")));
      EXPECT_FALSE(d.item(row, RequestExplorer::kPolicy)->text().isEmpty());
    }
  }
  EXPECT_EQ(retry_rows, static_cast<int>(retries));
  EXPECT_GT(route_rows, 0);
}

TEST_F(RequestRunTest, ExplorerFilterBarCountsAndKeysMoveTheSelection) {
  const RunFolder& run = *hedged_;
  RequestExplorer explorer;
  explorer.resize(1400, 800);
  explorer.set_requests(load(run));
  const QString total = QString::number(run.lines.size());
  EXPECT_TRUE(explorer.count_label()->text().startsWith(total + " of " + total + " shown"))
      << explorer.count_label()->text().toStdString();

  // The Hedged box narrows the table and the count; the first hedged request is shown.
  QCheckBox* hedged = nullptr;
  for (QCheckBox* box : explorer.findChildren<QCheckBox*>()) {
    if (box->text() == "Hedged") hedged = box;
  }
  ASSERT_NE(hedged, nullptr);
  hedged->setChecked(true);
  const std::size_t n = run.count([](const Json& j) { return j["hedges"].get<int>() > 0; });
  ASSERT_GT(n, 1u);
  EXPECT_EQ(explorer.filter()->rowCount(), static_cast<int>(n));
  EXPECT_TRUE(explorer.count_label()->text().startsWith(QString::number(n) + " of " + total));
  ASSERT_NE(explorer.current_request(), nullptr);
  EXPECT_GT(explorer.current_request()->hedges, 0u);
  bool hedge_lane = false;
  for (const TimelineLane& lane : explorer.timeline()->layout().lanes) {
    hedge_lane = hedge_lane || lane.label.find("hedge") != std::string::npos;
  }
  EXPECT_TRUE(hedge_lane);

  // Down moves to the next row.
  explorer.table()->setFocus();
  const QModelIndex second = explorer.filter()->index(1, 0);
  const std::uint64_t next = explorer.filter()->data(second, Qt::UserRole).toULongLong();
  QTest::keyClick(explorer.table(), Qt::Key_Down);
  ASSERT_NE(explorer.current_request(), nullptr);
  EXPECT_EQ(explorer.current_request()->id, next);
  QTest::keyClick(explorer.table(), Qt::Key_Up);
  EXPECT_NE(explorer.current_request()->id, next);

  // A request the filter hides cannot be selected.
  const Json* plain = nullptr;
  for (const Json& j : run.lines) {
    if (j["hedges"].get<int>() == 0) plain = &j;
  }
  ASSERT_NE(plain, nullptr);
  EXPECT_FALSE(explorer.select_request((*plain)["request"].get<std::uint64_t>()));
  EXPECT_FALSE(explorer.select_request(~std::uint64_t{0}));

  explorer.show_message("This run has no requests.jsonl");
  EXPECT_TRUE(explorer.showing_message());
  EXPECT_EQ(explorer.model()->rowCount(), 0);
  EXPECT_EQ(explorer.current_request(), nullptr);
}

TEST(TimelineLayoutTest, LanesBarsConnectorsAndMarkersFromOneRequest) {
  RequestRow r;
  r.arrival_ms = 1000;
  r.finish_ms = 1900;
  r.latency_ms = 900;
  auto call = [](const char* node, std::uint64_t attempt, const char* kind, double start,
                 std::optional<double> end, double queued, const char* how) {
    CallRow c;
    c.node = node;
    c.agent = "a";
    c.attempt = attempt;
    c.kind = kind;
    c.start_ms = start;
    c.end_ms = end;
    c.queue_wait_ms = end ? std::optional<double>(queued) : std::nullopt;
    c.end = how;
    return c;
  };
  r.calls = {call("plan", 0, "first", 1000, 1100, 20, "success"),
             call("gen", 0, "first", 1100, 1300, 0, "error"),
             call("gen", 1, "retry", 1350, 1600, 0, "timeout"),
             call("gen", 2, "hedge", 1500, std::nullopt, 0, "unfinished"),
             call("plan", 0, "first", 1600, 1700, 0, "success")};
  EventRow retry;
  retry.t_ms = 1300;
  retry.kind = "retry";
  retry.node = "gen";
  retry.attempt = 1;
  retry.delay_ms = 50;
  retry.after = "error";
  EventRow deadline;
  deadline.t_ms = 1900;
  deadline.kind = "budget";
  deadline.budget = "deadline";
  r.events = {retry, deadline};

  const TimelineLayout l = layout_timeline(r);
  ASSERT_EQ(l.lanes.size(), 4u);  // plan, gen, gen #1, gen #2: plan's second visit reuses its lane
  EXPECT_EQ(l.lanes[0].label, "plan");
  EXPECT_EQ(l.lanes[2].label, "gen #1 retry");
  EXPECT_EQ(l.lanes[3].label, "gen #2 hedge");
  ASSERT_EQ(l.bars.size(), 5u);
  EXPECT_EQ(l.bars[0].start_ms, 0);
  EXPECT_EQ(l.bars[0].service_ms, 20);
  EXPECT_EQ(l.bars[0].end_ms, 100);
  EXPECT_EQ(l.bars[3].end_ms, 900);  // unfinished: up to the request's finish
  EXPECT_EQ(l.bars[4].lane, 0);
  ASSERT_EQ(l.connectors.size(), 1u);
  EXPECT_EQ(l.connectors[0].from_lane, 1);
  EXPECT_EQ(l.connectors[0].to_lane, 2);
  EXPECT_EQ(l.connectors[0].from_ms, 300);
  EXPECT_EQ(l.connectors[0].to_ms, 350);
  ASSERT_EQ(l.markers.size(), 2u);  // the retry's timeout, the deadline
  EXPECT_EQ(l.markers[0].label, "timeout");
  EXPECT_EQ(l.markers[0].lane, 2);
  EXPECT_EQ(l.markers[1].label, "deadline");
  EXPECT_EQ(l.markers[1].lane, -1);
  EXPECT_EQ(l.span_ms, 900);

  TimelineScene scene;
  scene.set_request(r);
  EXPECT_EQ(scene.bar_count(), 5);
  EXPECT_EQ(scene.connector_count(), 1);
  EXPECT_EQ(scene.marker_count(), 2);
}

class RequestFileTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.isValid()); }
  std::string path(const char* name) const { return dir_.filePath(name).toStdString(); }

  static std::string header(int version = 1) {
    return R"({"schema":"orchsim.requests","schema_version":)" + std::to_string(version) +
           R"(,"scenario":"s","seed":1,"selection":{"sample":2,"slowest":1,"failed":1},)"
           R"("finished":5,"kept":2})"
           "\n";
  }
  static std::string request(int id, const std::string& latency = "12.5") {
    return R"({"request":)" + std::to_string(id) +
           R"(,"class":"faq","arrival_ms":1.0,"finish_ms":13.5,"latency_ms":)" + latency +
           R"(,"success":true,"outcome":"answered","quality":0.9,"silent_answer":false,)"
           R"("cost_usd":0.001,"input_tokens":10,"output_tokens":5,"call_count":1,"retries":0,)"
           R"("hedges":0,"timeouts":0,"fallbacks":0,"redirects":0,"kept":["sample"],)"
           R"("truncated":false,"calls":[{"node":"n","agent":"a","attempt":0,"kind":"first",)"
           R"("start_ms":1.0,"end_ms":13.5,"queue_wait_ms":0.0,"end":"success","error":null,)"
           R"("input_tokens":10,"output_tokens":5,"cost_usd":0.001,"quality":0.9,)"
           R"("confidence":0.8,"silent":false}],"decisions":[],"events":[]})"
           "\n";
  }

  QTemporaryDir dir_;
};

TEST_F(RequestFileTest, AGoodHandmadeFileLoads) {
  write_file(path("requests.jsonl"), header() + request(3) + request(7));
  const RequestLoad r = load_requests(dir_.path().toStdString());
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.set->requests.size(), 2u);
  EXPECT_EQ(r.set->requests[1].id, 7u);
  EXPECT_EQ(r.set->requests[0].calls[0].end_ms, 13.5);

  std::istringstream in(header() + request(3) + request(7) + request(9));
  const RequestLoad capped = parse_requests(in, "x", 2);
  ASSERT_TRUE(capped.ok()) << capped.error;
  EXPECT_EQ(capped.set->requests.size(), 2u);
  EXPECT_TRUE(capped.set->capped);
}

TEST_F(RequestFileTest, CorruptLineIsNamedWithFileAndLine) {
  const std::string file = path("requests.jsonl");
  write_file(file, header() + request(1) + "{\"request\":2,\"class\":\"fa\n" + request(3));
  const RequestLoad r = load_requests(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error, file + ":3: not valid JSON (the file is damaged)");
}

TEST_F(RequestFileTest, WrongOrMissingKeyIsNamedByItsPointer) {
  const std::string file = path("requests.jsonl");
  std::string bad = request(2);
  bad.replace(bad.find("\"end_ms\":13.5"), 13, "\"end_ms\":\"late\"");
  write_file(file, header() + request(1) + bad);
  RequestLoad r = load_requests(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error, file + ":3: /calls/0/end_ms: found \"late\", expected a number or null");

  std::string missing = request(2);
  missing.replace(missing.find("\"latency_ms\":12.5,"), 18, "");
  write_file(file, header() + missing);
  r = load_requests(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error, file + ":2: /latency_ms: missing");

  write_file(file, header() + "42\n");
  r = load_requests(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error, file + ":2: found 42, expected an object");

  write_file(file, header() + request(5) + request(4));
  r = load_requests(file);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.find(file + ":3: /request: request 4 after request 5"), std::string::npos)
      << r.error;
}

TEST_F(RequestFileTest, ForeignNewerAndMissingFilesAreRefused) {
  const std::string file = path("requests.jsonl");
  write_file(file, "{\"schema\":\"orchsim.report\",\"schema_version\":1}\n");
  RequestLoad r = load_requests(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error, file +
                         ":1: not an orchsim requests file (schema is \"orchsim.report\", "
                         "expected \"orchsim.requests\")");

  write_file(file, "[1, 2, 3]\n");
  r = load_requests(file);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.find(file + ":1: not an orchsim requests file"), std::string::npos);

  write_file(file, header(2) + request(1));
  r = load_requests(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error, file +
                         ":1: written by a newer orchsim (schema_version 2; this explorer reads "
                         "up to 1)");

  write_file(file, "");
  r = load_requests(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error, file + ": empty (no header line)");

  r = load_requests(path("nothing.jsonl"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error, path("nothing.jsonl") + ": no such file or folder");

  QTemporaryDir empty;
  r = load_requests(empty.path().toStdString());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.find("no requests.jsonl in this folder"), std::string::npos);
}

}  // namespace
}  // namespace orchsim::gui::request_explorer_test
