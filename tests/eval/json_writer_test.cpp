// JsonWriter writes the bytes nlohmann's dump() writes for the same document:
// numbers (shortest digits, ".0" on whole doubles, null for non-finite),
// strings (escapes, UTF-8 kept, invalid UTF-8 replaced) and the commas of
// nested objects and arrays.
#include "eval/json_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace orchsim::eval::json_writer_test {
namespace {

using Json = nlohmann::ordered_json;

std::string written(double x) {
  std::string s;
  JsonWriter(s).value(x);
  return s;
}

TEST(JsonWriter, DoublesAsNlohmannDumpsThem) {
  const std::vector<double> xs = {0.0,
                                  -0.0,
                                  1.0,
                                  -3.0,
                                  0.1,
                                  1.5,
                                  1e15,
                                  1e16,
                                  1e21,
                                  1e-4,
                                  1e-5,
                                  123456.789012,
                                  5e-324,
                                  std::numeric_limits<double>::max(),
                                  -std::numeric_limits<double>::max(),
                                  std::numeric_limits<double>::quiet_NaN(),
                                  std::numeric_limits<double>::infinity()};
  for (const double x : xs) EXPECT_EQ(written(x), Json(x).dump()) << x;
  // Many values of every magnitude, rounded as the logs round them.
  std::uint64_t state = 88172645463325252ull;
  for (int i = 0; i < 100000; ++i) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    const double u = static_cast<double>(state >> 11) * 0x1p-53;
    const double x = std::ldexp(u - 0.5, static_cast<int>(state % 120) - 60);
    const int decimals = static_cast<int>(state % 9);
    std::string s;
    JsonWriter(s).number(x, decimals);
    ASSERT_EQ(s, json_number(x, decimals).dump()) << x << " " << decimals;
    ASSERT_EQ(written(x), Json(x).dump()) << x;
  }
}

TEST(JsonWriter, IntegersBoolsAndNull) {
  std::string s;
  JsonWriter w(s);
  w.begin_array()
      .value(std::numeric_limits<std::int64_t>::min())
      .value(std::numeric_limits<std::uint64_t>::max())
      .value(0)
      .value(true)
      .value(false)
      .null()
      .number(std::nullopt, 3)
      .end_array();
  Json j =
      Json::array({std::numeric_limits<std::int64_t>::min(),
                   std::numeric_limits<std::uint64_t>::max(), 0, true, false, nullptr, nullptr});
  EXPECT_EQ(s, j.dump());
}

TEST(JsonWriter, StringsAsNlohmannEscapesThem) {
  for (const std::string& text :
       {std::string(""), std::string("plain words"), std::string("quote \" and \\ back"),
        std::string("tab\tnewline\ncr\r"), std::string("\x01\x1f control"),
        std::string("caf\xc3\xa9 \xe2\x82\xac"), std::string("del \x7f"),
        std::string("nul \0 inside", 12)}) {
    std::string s;
    JsonWriter(s).string(text);
    EXPECT_EQ(s, Json(text).dump()) << text;
  }
  // Not UTF-8: replaced (U+FFFD), where dump() by default would throw.
  std::string s;
  JsonWriter(s).string("bad \xff byte");
  EXPECT_EQ(s, "\"bad \xef\xbf\xbd byte\"");
}

TEST(JsonWriter, NestedObjectsAndArraysGetTheirCommas) {
  std::string s;
  JsonWriter w(s);
  w.begin_object();
  w.key("a").value(1);
  w.key("empty").begin_array().end_array();
  w.key("list").begin_array();
  for (int i = 0; i < 3; ++i) w.begin_object().key("i").value(i).key("x").null().end_object();
  w.end_array();
  w.key("inner").begin_object().key("deep").begin_array().value(1.5).value(2).end_array();
  w.end_object();
  w.key("last").string("z");
  w.end_object();
  Json j;
  j["a"] = 1;
  j["empty"] = Json::array();
  j["list"] = Json::array();
  for (int i = 0; i < 3; ++i) j["list"].push_back({{"i", i}, {"x", nullptr}});
  j["inner"]["deep"] = {1.5, 2};
  j["last"] = "z";
  EXPECT_EQ(s, j.dump());
}

}  // namespace
}  // namespace orchsim::eval::json_writer_test
