// Tests for load_replay_csv: what a trace file may contain, and that every bad row gets a
// message naming "<file>:<line>:" and what was found there.
#include <gtest/gtest.h>

#include <clocale>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenarios/arrival_process.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace orchsim::scenarios::replay_csv_test {
namespace {

using namespace sim::literals;

std::string fixture(const std::string& name) {
  const char* root = std::getenv("ORCHSIM_SOURCE_DIR");
  return std::string(root ? root : ".") + "/tests/scenarios/data/" + name;
}

// A file in the test's temporary directory with exactly these bytes.
std::string write_temp(const std::string& name, const std::string& bytes) {
  const std::string path = ::testing::TempDir() + "orchsim_scenarios_" + name;
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  return path;
}

// The message of the std::runtime_error that loading `path` throws ("" and a failure if none).
std::string load_error(const std::string& path) {
  try {
    load_replay_csv(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << path << " loaded without error";
  return "";
}

void expect_mentions(const std::string& msg, const std::vector<std::string>& words) {
  for (const auto& w : words) {
    EXPECT_NE(msg.find(w), std::string::npos) << "'" << msg << "' lacks '" << w << "'";
  }
}

TEST(ReplayCsv, FixtureLoadsExactly) {
  const std::string path = fixture("replay_ok.csv");
  const ReplayArrivals r = load_replay_csv(path);
  EXPECT_EQ(r.source, path);
  const std::vector<sim::Duration> expected = {
      0_ms, 1500_us, 1500_us, 10_ms, 250_ms + 250_us, 1_s,
  };
  EXPECT_EQ(r.offsets, expected);
}

TEST(ReplayCsv, FixtureReplaysExactlyThroughTheProcess) {
  auto p = make_arrival_process(load_replay_csv(fixture("replay_ok.csv")));
  sim::RandomStream s = sim::RandomSource(1).stream("unused");
  std::vector<std::int64_t> ns;
  sim::Time t = sim::Time::zero();
  while (auto next = p->next(t, s)) {
    ns.push_back(next->count_ns());
    t = *next;
  }
  EXPECT_EQ(ns, (std::vector<std::int64_t>{0, 1'500'000, 1'500'000, 10'000'000, 250'250'000,
                                           1'000'000'000}));
}

TEST(ReplayCsv, AcceptsCrlfWithoutHeaderAndSubNanosecondRounding) {
  const std::string path = write_temp("crlf.csv", "3\r\n\r\n4.5\r\n# c\r\n0.0000006\r\n");
  // Line 5 is below the previous row (4.5 ms): rejected, and the row is named.
  expect_mentions(load_error(path), {path + ":5:", "4.5"});
  const std::string ok = write_temp("crlf_ok.csv", "arrival_ms\r\n3\r\n4.5\r\n4.5000004\r\n");
  const ReplayArrivals r = load_replay_csv(ok);
  // 4.5000004 ms rounds to the nearest nanosecond.
  EXPECT_EQ(r.offsets, (std::vector<sim::Duration>{3_ms, 4500_us, 4500_us}));
}

TEST(ReplayCsv, EmptyFileAndHeaderOnlyGiveNoArrivals) {
  EXPECT_TRUE(load_replay_csv(write_temp("empty.csv", "")).offsets.empty());
  EXPECT_TRUE(load_replay_csv(write_temp("header.csv", "# x\narrival_ms\n")).offsets.empty());
}

TEST(ReplayCsv, ADeviceAFolderOrAPipeIsNotAReplayFile) {
  // /dev/zero has no end of line to stop at and a FIFO may never end; a
  // folder opens as an empty stream on Linux and replayed nothing, silently.
  for (const char* path : {"/dev/zero", "/dev/null", "/"}) {
    try {
      (void)load_replay_csv(path);
      ADD_FAILURE() << path << ": accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()),
                std::string(path) + ": not a regular file, expected a CSV file of arrival offsets");
    }
  }
}

TEST(ReplayCsv, NonNumberNamesFileLineAndText) {
  const std::string path = fixture("replay_not_number.csv");
  expect_mentions(load_error(path), {path + ":4:", "'abc'"});
}

TEST(ReplayCsv, TrailingJunkIsNotANumber) {
  const std::string path = fixture("replay_trailing_junk.csv");
  expect_mentions(load_error(path), {path + ":3:", "2.5ms"});
}

TEST(ReplayCsv, InfinityIsNotAnOffset) {
  const std::string path = fixture("replay_infinite.csv");
  expect_mentions(load_error(path), {path + ":3:", "inf"});
}

TEST(ReplayCsv, NegativeNamesFileLineAndValue) {
  const std::string path = fixture("replay_negative.csv");
  expect_mentions(load_error(path), {path + ":4:", "-5", "non-negative"});
}

TEST(ReplayCsv, DecreasingNamesFileLineAndBothValues) {
  const std::string path = fixture("replay_decreasing.csv");
  expect_mentions(load_error(path), {path + ":5:", "15", "20"});
}

TEST(ReplayCsv, HeaderAfterDataIsNotANumber) {
  const std::string path = write_temp("late_header.csv", "1\narrival_ms\n");
  expect_mentions(load_error(path), {path + ":2:", "arrival_ms"});
}

TEST(ReplayCsv, MissingFileNamesTheFile) {
  const std::string path = fixture("no_such_file.csv");
  expect_mentions(load_error(path), {path});
}

TEST(ReplayCsv, ParsingIgnoresTheProcessLocale) {
  // A GUI (Qt) sets the C locale from the environment; in a locale whose decimal separator is
  // ',' the C library's strtod reads "1.5" as 1. The loader must not depend on it.
  const char* const candidates[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8",
                                    "nl_NL.UTF-8"};
  const std::string saved = std::setlocale(LC_NUMERIC, nullptr);
  const char* used = nullptr;
  for (const char* name : candidates) {
    if (std::setlocale(LC_NUMERIC, name) != nullptr) {
      used = name;
      break;
    }
  }
  if (used == nullptr) GTEST_SKIP() << "no locale with a decimal comma installed";
  ReplayArrivals r;
  std::string error;
  try {
    r = load_replay_csv(fixture("replay_ok.csv"));
  } catch (const std::exception& e) {
    error = e.what();
  }
  std::setlocale(LC_NUMERIC, saved.c_str());
  EXPECT_EQ(error, "") << "under " << used;
  ASSERT_EQ(r.offsets.size(), 6u);
  EXPECT_EQ(r.offsets[1], 1500_us);
}

}  // namespace
}  // namespace orchsim::scenarios::replay_csv_test
