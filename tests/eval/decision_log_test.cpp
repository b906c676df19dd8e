#include "eval/decision_log.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <zstd.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "eval/zstd_writer.hpp"
#include "tests/eval/eval_test_support.hpp"

namespace orchsim::eval::decision_log_test {
namespace {

using namespace sim::literals;
using orchestration::AttemptKind;
using orchestration::CallEnd;
using test_support::at;

orchestration::Workflow test_workflow() {
  return test_support::workflow_of({"retrieve", "check", "answer"}, "");
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

orchestration::CallEnded ended(orchestration::RequestId request, std::uint64_t decision,
                               CallEnd end, sim::Time when, sim::Duration duration) {
  orchestration::CallEnded e{};
  e.at = when;
  e.request = request;
  e.end = end;
  e.error =
      end == CallEnd::kError ? mock_agents::ErrorKind::kTransient : mock_agents::ErrorKind::kNone;
  e.started = when - duration;
  e.duration = duration;
  e.cost_usd = 0.0000123;
  e.quality = 0.8765;
  e.confidence = 0.7;
  e.decision = decision;
  return e;
}

// A finished request with the fields the decision log writes; the rest zero.
orchestration::RequestFinished finished(orchestration::RequestId request, sim::Time when,
                                        std::uint32_t class_index, bool success,
                                        std::string_view outcome, sim::Duration latency,
                                        double quality, double cost_usd, std::uint32_t calls,
                                        std::uint32_t retries) {
  return {.at = when,
          .request = request,
          .class_index = class_index,
          .success = success,
          .outcome = outcome,
          .latency = latency,
          .quality = quality,
          .answer_silent_failure = false,
          .cost_usd = cost_usd,
          .input_tokens = 0,
          .output_tokens = 0,
          .calls = calls,
          .retries = retries,
          .hedges = 0,
          .timeouts = 0,
          .fallbacks = 0,
          .redirects = 0};
}

// Request 17: a first attempt that fails, a retry that succeeds, a gate.
// Request 18: a decision the breaker refused (never launched); still in
// flight at the end. Request 19 arrives and ends with no decision.
void feed(DecisionLog& log) {
  const std::vector<orchestration::RoutingCandidate> candidates = {{0, 12.3, true},
                                                                   {1, 1.0, false}};
  log.on_request_arrived({at(0_ms), 17, 1, 300, sim::Time::max()});
  log.on_request_arrived({at(1_ms), 18, 0, 50, sim::Time::max()});
  log.on_request_arrived({at(2_ms), 19, 0, 10, sim::Time::max()});
  log.on_routing_decision({.at = at(0_ms),
                           .request = 17,
                           .node = 0,
                           .policy = "p2c",
                           .candidates = &candidates,
                           .choice = 0,
                           .reason = "",
                           .id = 1,
                           .probability = 0.5,
                           .kind = AttemptKind::kFirst});
  log.on_routing_decision({.at = at(1_ms),
                           .request = 18,
                           .node = 0,
                           .policy = "p2c",
                           .candidates = &candidates,
                           .choice = 1,
                           .reason = "",
                           .id = 2,
                           .probability = std::numeric_limits<double>::quiet_NaN(),
                           .kind = AttemptKind::kFirst});
  log.on_call_ended(ended(17, 1, CallEnd::kError, at(10_ms), 10_ms));
  log.on_routing_decision({.at = at(20_ms),
                           .request = 17,
                           .node = 0,
                           .policy = "p2c",
                           .candidates = &candidates,
                           .choice = 1,
                           .reason = "",
                           .id = 3,
                           .probability = 1.0,
                           .kind = AttemptKind::kRetry});
  orchestration::CallEnded unrouted = ended(17, 0, CallEnd::kSuccess, at(25_ms), 1_ms);
  log.on_call_ended(unrouted);  // a fallback: no decision, not in the log
  log.on_call_ended(ended(17, 3, CallEnd::kSuccess, at(40_ms), 20_ms));
  log.on_flow_decision({at(40_ms), 17, 1, 2, "confidence >= 0.7"});
  log.on_request_finished(
      finished(17, at(40_ms), 1, true, "answered", 40_ms, 0.91234, 0.0000456, 2, 1));
  log.on_request_finished(finished(19, at(2_ms), 0, false, "loop_exhausted", 0_ms, 0, 0, 0, 0));
  log.finish();
}

TEST(DecisionLogTest, HeaderNamesEverythingOnce) {
  const auto workflow = test_workflow();
  std::ostringstream out;
  DecisionLog log(out, workflow, {"fast", "slow"}, {.scenario = "s", .seed = 9});
  const auto h = nlohmann::json::parse(lines_of(out.str()).at(0));
  EXPECT_EQ(h["orchsim"], "decisions");
  EXPECT_EQ(h["version"], DecisionLog::kVersion);
  EXPECT_EQ(h["scenario"], "s");
  EXPECT_EQ(h["seed"], 9);
  EXPECT_EQ(h["nodes"], (nlohmann::json{"retrieve", "check", "answer"}));
  EXPECT_EQ(h["agents"], (nlohmann::json{"fast", "slow"}));
  EXPECT_EQ(h["kinds"][1], "retry");
  EXPECT_EQ(h["ends"][2], "error");
  EXPECT_EQ(h["errors"][1], "transient");
  EXPECT_EQ(h["decision_columns"].size(), 11u);
  EXPECT_FALSE(log.wants_explanations());
}

TEST(DecisionLogTest, OneRowPerRequestWithDecisionsJoinedToTheirAttempts) {
  const auto workflow = test_workflow();
  std::ostringstream out;
  DecisionLog log(out, workflow, {"fast", "slow"});
  feed(log);
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 4u);  // header, 17 and 19 as they ended, then 18 (in flight)
  EXPECT_EQ(log.rows(), 3u);
  EXPECT_EQ(log.decisions(), 3u);
  const auto r17 = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(r17["r"], 17);
  EXPECT_EQ(r17["cls"], 1);
  EXPECT_EQ(r17["in"], 300);
  EXPECT_EQ(r17["ok"], 1);
  ASSERT_EQ(r17["d"].size(), 2u);
  // [node, agent, kind, p, visit, end, error, lat_ms, confidence, quality, cost_uusd]
  EXPECT_EQ(r17["d"][0], (nlohmann::json{0, 0, 0, 0.5, 1, 2, 1, 10, 0.7, 0.88, 12.3}));
  EXPECT_EQ(r17["d"][1], (nlohmann::json{0, 1, 1, 1, 1, 0, 0, 20, 0.7, 0.88, 12.3}));
  EXPECT_EQ(r17["f"], (nlohmann::json{{1, 2}}));
  const auto r19 = nlohmann::json::parse(lines[2]);
  EXPECT_EQ(r19["r"], 19);
  EXPECT_TRUE(r19["d"].empty());
  const auto r18 = nlohmann::json::parse(lines[3]);
  EXPECT_EQ(r18["r"], 18);
  EXPECT_TRUE(r18["ok"].is_null());
  // Never launched: end -1 and no outcome; a propensity not estimated is null.
  EXPECT_EQ(r18["d"][0],
            (nlohmann::json{0, 1, 0, nullptr, 1, -1, 0, nullptr, nullptr, nullptr, nullptr}));
}

// The visit comes with the event, also for a decision made without a
// context (a static node when no observer reads one).
TEST(DecisionLogTest, TheVisitIsTheEventsWithOrWithoutAContext) {
  const auto workflow = test_workflow();
  std::ostringstream out;
  DecisionLog log(out, workflow, {"fast", "slow"});
  const std::vector<orchestration::RoutingCandidate> none;
  log.on_request_arrived({at(0_ms), 5, 0, 10, sim::Time::max()});
  log.on_routing_decision({.at = at(0_ms),
                           .request = 5,
                           .node = 2,
                           .policy = "static",
                           .candidates = &none,
                           .choice = 1,
                           .reason = "",
                           .id = 1,
                           .context = nullptr,
                           .visit = 3});
  log.finish();
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 2u);
  const auto row = nlohmann::json::parse(lines[1]);
  ASSERT_EQ(row["d"].size(), 1u);
  EXPECT_EQ(row["d"][0][4], 3);  // [node, agent, kind, p, visit, ...]
}

TEST(DecisionLogTest, ExactBytesAndSameEventsSameBytes) {
  const auto workflow = test_workflow();
  std::ostringstream out;
  DecisionLog log(out, workflow, {"fast", "slow"});
  feed(log);
  EXPECT_EQ(lines_of(out.str())[1],
            R"({"r":17,"t":0,"cls":1,"in":300,"ok":1,"o":"answered","lat":40,"q":0.912,)"
            R"("c":45.6,"d":[[0,0,0,0.5,1,2,1,10,0.7,0.88,12.3],[0,1,1,1,1,0,0,20,0.7,0.88,12.3]],)"
            R"("f":[[1,2]]})");
  std::ostringstream again;
  DecisionLog log2(again, workflow, {"fast", "slow"});
  feed(log2);
  EXPECT_EQ(again.str(), out.str());
}

// Rows are formatted in batches of 512, by the log's worker thread or (own
// thread off) by the thread that calls it: many batches, requests ending out
// of arrival order and some still in flight must give exactly the rows a
// direct, in-order writer gives.
class RowsAcrossManyBatches : public ::testing::TestWithParam<bool> {};

TEST_P(RowsAcrossManyBatches, AreInTheOrderRequestsEnded) {
  const auto workflow = test_workflow();
  const std::vector<orchestration::RoutingCandidate> none;
  std::ostringstream out;
  DecisionLog log(out, workflow, {"fast", "slow"}, {.own_thread = GetParam()});
  constexpr int kRequests = 3000;
  std::vector<orchestration::RequestId> ended_order;
  for (int i = 0; i < kRequests; ++i) {
    const auto id = static_cast<orchestration::RequestId>(i);
    log.on_request_arrived({at(sim::Duration::milliseconds(i)), id, 0, 10 + i, sim::Time::max()});
    log.on_routing_decision({.at = at(sim::Duration::milliseconds(i)),
                             .request = id,
                             .node = 0,
                             .policy = "p2c",
                             .candidates = &none,
                             .choice = static_cast<orchestration::AgentIndex>(i % 2),
                             .reason = "",
                             .id = static_cast<std::uint64_t>(i + 1),
                             .probability = 0.5,
                             .kind = AttemptKind::kFirst});
    // Each odd request ends before the even one that came before it; every
    // tenth never ends.
    const auto finish = [&log, &ended_order](orchestration::RequestId r) {
      if (r % 10 == 9) return;
      log.on_request_finished(
          finished(r, at(sim::Duration::milliseconds(static_cast<std::int64_t>(r))), 0, true,
                   "answered", 5_ms, 0.5, 0, 1, 0));
      ended_order.push_back(r);
    };
    if (i % 2 == 1) {
      finish(id);
      finish(id - 1);
    }
  }
  log.finish();
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 1u + kRequests);
  EXPECT_EQ(log.rows(), static_cast<std::uint64_t>(kRequests));
  EXPECT_EQ(log.decisions(), static_cast<std::uint64_t>(kRequests));
  std::vector<orchestration::RequestId> expected = ended_order;
  for (int i = 9; i < kRequests; i += 10) expected.push_back(static_cast<std::uint64_t>(i));
  for (std::size_t k = 0; k < expected.size(); ++k) {
    const auto row = nlohmann::json::parse(lines[k + 1]);
    const std::uint64_t r = expected[k];
    ASSERT_EQ(row["r"], r) << "row " << k;
    EXPECT_EQ(row["in"], 10 + r);
    EXPECT_EQ(row["d"][0][1], r % 2);
    EXPECT_EQ(row["ok"].is_null(), r % 10 == 9);
  }
}

INSTANTIATE_TEST_SUITE_P(OwnThreadOrNot, RowsAcrossManyBatches, ::testing::Bool());

TEST(DecisionLogTest, FeaturesAddWhatThePolicySawAndAskForExplanations) {
  const auto workflow = test_workflow();
  std::ostringstream out;
  DecisionLog log(out, workflow, {"fast", "slow"}, {.features = true});
  EXPECT_TRUE(log.wants_explanations());
  feed(log);
  const auto r17 = nlohmann::json::parse(lines_of(out.str())[1]);
  // No DecisionContext in these synthetic events: one null per decision.
  EXPECT_EQ(r17["x"], (nlohmann::json{nullptr, nullptr}));
}

std::string decompress(const std::string& frame) {
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  EXPECT_NE(size, ZSTD_CONTENTSIZE_ERROR);
  std::string out;
  ZSTD_DStream* d = ZSTD_createDStream();
  ZSTD_inBuffer in{frame.data(), frame.size(), 0};
  std::string chunk(1 << 16, '\0');
  while (in.pos < in.size) {
    ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
    const std::size_t r = ZSTD_decompressStream(d, &o, &in);
    EXPECT_FALSE(ZSTD_isError(r)) << ZSTD_getErrorName(r);
    if (ZSTD_isError(r)) break;
    out.append(chunk.data(), o.pos);
  }
  ZSTD_freeDStream(d);
  return out;
}

// The row writer's numbers are fmt's "{:.{d}f}" with trailing zeros (and a
// bare '.') dropped and "-0" as "0"; the file's bytes depend on it.
std::string fmt_fixed(double x, int decimals) {
  std::string s = fmt::format("{:.{}f}", x, decimals);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

std::string fixed(double x, int decimals) {
  std::string s;
  detail::append_fixed(s, x, decimals);
  return s;
}

// A row is written into a buffer sized beforehand for its longest form: the
// largest finite doubles in every number column must fit (ASan would see an
// overrun) and come out as fmt writes them.
TEST(DecisionLogTest, TheLongestNumbersFitTheirRow) {
  const auto workflow = test_workflow();
  std::ostringstream out;
  DecisionLog log(out, workflow, {"fast", "slow"});
  const double huge = -std::numeric_limits<double>::max();
  log.on_request_arrived(
      {at(0_ms), 7, 0, std::numeric_limits<std::int64_t>::min(), sim::Time::max()});
  for (std::uint64_t id = 1; id <= 40; ++id) {
    log.on_routing_decision({.at = at(0_ms),
                             .request = 7,
                             .node = 0,
                             .policy = "p2c",
                             .candidates = nullptr,
                             .choice = 1,
                             .reason = "",
                             .id = id,
                             .probability = huge,
                             .kind = AttemptKind::kFirst});
    orchestration::CallEnded e = ended(7, id, CallEnd::kSuccess, at(1_ms), 1_ms);
    e.cost_usd = huge / 2e6;  // in micro-dollars: half the largest double
    e.quality = huge;
    e.confidence = huge;
    log.on_call_ended(e);
  }
  log.on_request_finished(
      finished(7, at(2_ms), 0, true, "answered", 2_ms, huge, huge / 2e6, 40, 0));
  log.finish();
  const std::vector<std::string> lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 2u);
  const auto row = nlohmann::json::parse(lines[1]);
  ASSERT_EQ(row["d"].size(), 40u);
  const std::string digits = fmt_fixed(huge, 0);
  EXPECT_EQ(digits.size(), 310u);  // '-' and 309 digits
  EXPECT_NE(lines[1].find("\"q\":" + digits + ","), std::string::npos);
  EXPECT_NE(lines[1].find("," + digits + "," + digits + "," + fmt_fixed(huge / 2e6 * 1e6, 1) + "]"),
            std::string::npos);
  EXPECT_EQ(row["in"].get<std::int64_t>(), std::numeric_limits<std::int64_t>::min());
}

TEST(DecisionLogNumbers, FixedPlacesAreFmtsDigitsOnTiesNearTiesAndEverywhereElse) {
  EXPECT_EQ(fixed(0.125, 2), "0.12");  // an exact tie: to even, as fmt
  EXPECT_EQ(fixed(0.375, 2), "0.38");
  EXPECT_EQ(fixed(2.5, 0), "2");
  EXPECT_EQ(fixed(0.1, 1), "0.1");
  EXPECT_EQ(fixed(1.0, 6), "1");
  EXPECT_EQ(fixed(-0.0001, 2), "0");
  EXPECT_EQ(fixed(-1.25, 1), "-1.2");
  EXPECT_EQ(fixed(1e300, 1), fmt_fixed(1e300, 1));  // beyond the fast path
  std::uint64_t state = 12345;
  const auto next = [&state] {  // SplitMix64
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  int checked = 0;
  for (int i = 0; i < 200000; ++i) {
    const double u = static_cast<double>(next() >> 11) * 0x1p-53;
    const int d = static_cast<int>(next() % 8);
    // Uniform in [0, 1) and in wide ranges; values on a grid of 1/1024 hit
    // ties and near-ties at every number of places.
    const double values[] = {
        u, (u - 0.5) * 2e6, std::ldexp(u, static_cast<int>(next() % 80) - 40),
        static_cast<double>(next() % 4000000) / 1024.0,
        std::nextafter(static_cast<double>(next() % 4096) / 8.0 + 0.0625, 0.0)};
    for (const double x : values) {
      ASSERT_EQ(fixed(x, d), fmt_fixed(x, d)) << fmt::format("{:.17g} at {} places", x, d);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 1000000);
}

TEST(ZstdOstream, RoundTripsAndIsDeterministicWhateverTheWriteSizes) {
  std::string text;
  for (int i = 0; i < 200'000; ++i) text += "{\"r\":" + std::to_string(i * 7919 % 100'003) + "}\n";
  ASSERT_GT(text.size(), std::size_t{2} << 20);  // more than two of its 1 MiB pieces
  std::ostringstream a, b;
  {
    ZstdOstream z(a);
    z << text;
    z.finish();
    EXPECT_EQ(z.bytes_in(), text.size());
    EXPECT_EQ(z.bytes_out(), a.str().size());
  }
  {
    ZstdOstream z(b);
    for (std::size_t i = 0; i < text.size(); i += 7) z << text.substr(i, 7);
    z.flush();  // a flush ends no piece
    z.finish();
  }
  EXPECT_EQ(a.str(), b.str());
  EXPECT_LT(a.str().size(), text.size() / 3);
  EXPECT_EQ(decompress(a.str()), text);
}

}  // namespace
}  // namespace orchsim::eval::decision_log_test
