// Each reader on well-formed input (field by field) and on malformed input
// (an error naming the file and the line or JSON pointer); format detection;
// the error mapping and the timestamp parser.
#include <gtest/gtest.h>

#include <filesystem>

#include "scenarios/calibration/error_mapping.hpp"
#include "scenarios/calibration/input_format.hpp"
#include "scenarios/timestamp.hpp"
#include "tests/calibration/scratch_file.hpp"

namespace orchsim::calibration::readers_test {
namespace {

using scenarios::parse_timestamp;

namespace fs = std::filesystem;
using testing::scratch_file;

const fs::path kShared = fs::path(ORCHSIM_SHARED_DATA);
const fs::path kData = fs::path(ORCHSIM_TEST_DATA);

struct Read {
  Measurements m;
  std::vector<std::string> notes;
  std::optional<InputError> error;
};

Read read(const std::string& path, InputFormat format = InputFormat::kAuto,
          ReadOptions options = {}) {
  Read r;
  r.error = read_measurements(path, format, options, r.m, r.notes);
  return r;
}

// --- LLMPerf -----------------------------------------------------------------

TEST(LlmperfReader, RealFileWithItsSummary) {
  const Read r = read((kShared / "llmperf-2023-12" / "lepton_13b.json").string());
  ASSERT_FALSE(r.error) << r.error->format();
  ASSERT_EQ(r.m.observations.size(), 150u);
  EXPECT_EQ(r.m.sources[0].format, "llmperf");
  EXPECT_EQ(r.m.sources[0].concurrency, 5u);
  ASSERT_EQ(r.m.labels.size(), 1u);
  EXPECT_EQ(r.m.labels[0].provider, "lepton");
  EXPECT_EQ(r.m.labels[0].model, "llama2-13b");
  std::size_t limited = 0;
  for (const Observation& o : r.m.observations) {
    if (o.outcome == Outcome::kRateLimited) {
      ++limited;
      EXPECT_EQ(o.error_code, "429");
      EXPECT_FALSE(o.ttft_ms);  // LLMPerf's zeros are not measurements
      EXPECT_FALSE(o.output_tokens);
    } else {
      EXPECT_TRUE(o.ttft_ms && o.latency_ms && *o.ttft_ms <= *o.latency_ms);
      EXPECT_EQ(o.input_tokens, 550);
    }
  }
  EXPECT_EQ(limited, 130u);
  const Observation& first = r.m.observations.front();
  EXPECT_NEAR(*first.ttft_ms, 1e3 * 1.4046767620000082, 1e-9);
}

TEST(LlmperfReader, ClientSideCodesMapByTheirMessage) {
  const std::string path = scratch_file("codes.json", R"([
    {"error_code": -1, "error_msg": "ReadTimeout: timed out", "ttft_s": 0, "end_to_end_latency_s": 60,
     "number_input_tokens": 550, "number_output_tokens": 1},
    {"error_code": -100, "error_msg": "Output too few tokens 39", "ttft_s": 0.8, "end_to_end_latency_s": 1.7,
     "number_input_tokens": 550, "number_output_tokens": 39},
    {"error_code": 503, "error_msg": "", "ttft_s": 0, "end_to_end_latency_s": 0.1,
     "number_input_tokens": 550, "number_output_tokens": 1}])");
  const Read r = read(path);
  ASSERT_FALSE(r.error) << r.error->format();
  ASSERT_EQ(r.m.observations.size(), 3u);
  EXPECT_EQ(r.m.observations[0].outcome, Outcome::kHang);
  EXPECT_EQ(r.m.observations[1].outcome, Outcome::kTransient);
  EXPECT_EQ(r.m.observations[2].outcome, Outcome::kTransient);
  EXPECT_EQ(r.m.labels[0].provider, "codes");  // no summary: the file's stem
}

TEST(LlmperfReader, MalformedRecordsNameTheirPointer) {
  const auto error_of = [](const std::string& name, const std::string& text) {
    const Read r = read(scratch_file(name, text));
    EXPECT_TRUE(r.error);
    return r.error ? r.error->format() : std::string();
  };
  const std::string ok =
      R"({"error_code": null, "ttft_s": 0.2, "end_to_end_latency_s": 1.0, "number_input_tokens": 5, "number_output_tokens": 9})";
  EXPECT_NE(
      error_of(
          "a.json",
          "[" + ok +
              R"(, {"error_code": null, "ttft_s": "x", "end_to_end_latency_s": 1, "number_input_tokens": 1, "number_output_tokens": 1}])")
          .find("/1/ttft_s: found the string \"x\", expected a number >= 0"),
      std::string::npos);
  EXPECT_NE(error_of("b.json", "[" + ok + R"(, {"ttft_s": 1}])").find("/1: missing \"error_code\""),
            std::string::npos);
  EXPECT_NE(
      error_of(
          "c.json",
          R"([{"error_code": null, "ttft_s": 2, "end_to_end_latency_s": 1, "number_input_tokens": 1, "number_output_tokens": 1}])")
          .find("/0/ttft_s: found 2 s, expected at most end_to_end_latency_s"),
      std::string::npos);
  const std::string syntax = error_of("d.json", "[\n" + ok + ",\n  {oops}\n]");
  EXPECT_NE(syntax.find("d.json:3: not valid JSON"), std::string::npos) << syntax;
  EXPECT_NE(error_of("e.json", "[1]").find("/0: found the number 1, expected an object"),
            std::string::npos);
}

TEST(LlmperfReader, SummaryInputIsSkippedWithANote) {
  const Read r = read((kShared / "llmperf-2023-12" / "groq_70b.summary.json").string());
  EXPECT_FALSE(r.error);
  EXPECT_TRUE(r.m.observations.empty());
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("an LLMPerf summary, skipped"), std::string::npos);
}

// --- OTLP/JSON (built from the GenAI semantic conventions) --------------------

TEST(OtlpJsonReader, GenAiSpansFromTheCollectorsFileExporter) {
  const Read r = read((kData / "genai_spans.jsonl").string());
  ASSERT_FALSE(r.error) << r.error->format();
  const Source& s = r.m.sources.at(0);
  EXPECT_EQ(s.format, "otlp_json");
  EXPECT_EQ(s.records, 6u);
  EXPECT_EQ(s.skipped, 1u);  // the HTTP child span
  const auto& o = r.m.observations;
  ASSERT_EQ(o.size(), 6u);
  // The chat call: response model wins, tokens, TTFT from time_to_first_chunk.
  const Label& l0 = r.m.labels[o[0].label];
  EXPECT_EQ(l0.provider, "openai");
  EXPECT_EQ(l0.model, "gpt-4o-mini-2024-07-18");
  EXPECT_EQ(l0.operation, "chat");
  EXPECT_EQ(o[0].outcome, Outcome::kSuccess);
  EXPECT_DOUBLE_EQ(*o[0].latency_ms, 1500.0);
  EXPECT_DOUBLE_EQ(*o[0].ttft_ms, 250.0);
  EXPECT_EQ(o[0].input_tokens, 120);
  EXPECT_EQ(o[0].output_tokens, 300);
  EXPECT_EQ(o[0].start_ns, 1'700'000'000'000'000'000);
  // 429 with a retry-after header.
  EXPECT_EQ(o[1].outcome, Outcome::kRateLimited);
  EXPECT_EQ(o[1].error_code, "RateLimitError");
  EXPECT_DOUBLE_EQ(*o[1].retry_after_ms, 2000.0);
  EXPECT_EQ(r.m.labels[o[1].label].model, "gpt-4o-mini");  // only the request model
  // A client timeout, a server error, a bare ERROR status.
  EXPECT_EQ(o[2].outcome, Outcome::kHang);
  EXPECT_DOUBLE_EQ(*o[2].latency_ms, 30000.0);
  EXPECT_EQ(o[3].outcome, Outcome::kTransient);
  EXPECT_EQ(o[4].outcome, Outcome::kTransient);
  EXPECT_EQ(o[4].error_code, "_OTHER");
  EXPECT_FALSE(o[4].error_recognised);
  EXPECT_EQ(r.m.labels[o[4].label].provider, "anthropic");  // the pre-1.37 gen_ai.system
  EXPECT_FALSE(o[4].ttft_ms);  // an error's first chunk is not a first token
  // A tool call: the tool's name serves as the model.
  EXPECT_EQ(r.m.labels[o[5].label].operation, "execute_tool");
  EXPECT_EQ(r.m.labels[o[5].label].model, "search");
}

TEST(OtlpJsonReader, OperationFilterAndCustomTtftAttribute) {
  ReadOptions options;
  options.operations = {"execute_tool"};
  Read r = read((kData / "genai_spans.jsonl").string(), InputFormat::kAuto, options);
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.m.observations.size(), 1u);
  EXPECT_EQ(r.m.sources[0].skipped, 6u);
  ReadOptions custom;
  custom.ttft_attributes = {"gen_ai.server.time_to_first_token"};
  r = read((kData / "genai_spans.jsonl").string(), InputFormat::kOtlpJson, custom);
  ASSERT_FALSE(r.error);
  EXPECT_FALSE(r.m.observations[0].ttft_ms);  // it used time_to_first_chunk
}

TEST(OtlpJsonReader, MalformedSpansNameTheLineAndPointer) {
  const auto error_of = [](const std::string& name, const std::string& text) {
    const Read r = read(scratch_file(name, text), InputFormat::kOtlpJson);
    EXPECT_TRUE(r.error);
    return r.error ? r.error->format() : std::string();
  };
  const std::string span_ok =
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"chat","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}}]}]}]}]})";
  std::string e = error_of(
      "a.jsonl",
      span_ok + "\n" +
          R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"chat","endTimeUnixNano":"2","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}}]}]}]}]})");
  EXPECT_NE(e.find("a.jsonl:2: /resourceSpans/0/scopeSpans/0/spans/0/startTimeUnixNano: missing"),
            std::string::npos)
      << e;
  e = error_of("b.jsonl", span_ok + "\n{not json\n");
  EXPECT_NE(e.find("b.jsonl:2: not valid JSON"), std::string::npos) << e;
  e = error_of(
      "c.jsonl",
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"chat","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"many"}}]}]}]}]})");
  EXPECT_NE(e.find("/resourceSpans/0/scopeSpans/0/spans/0/attributes/1/value/intValue: found the "
                   "string \"many\", expected an integer"),
            std::string::npos)
      << e;
  e = error_of("d.jsonl", R"({"resourceSpans": {}})");
  EXPECT_NE(e.find("/resourceSpans: found an object, expected an array"), std::string::npos) << e;
  e = error_of("e.jsonl", R"({"spans": []})");
  EXPECT_NE(e.find("missing \"resourceSpans\""), std::string::npos) << e;
  e = error_of(
      "f.jsonl",
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"chat","startTimeUnixNano":"5","endTimeUnixNano":"2","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}}]}]}]}]})");
  EXPECT_NE(e.find("endTimeUnixNano: found 2, expected a time >= startTimeUnixNano (5)"),
            std::string::npos)
      << e;
}

// --- CSV -----------------------------------------------------------------------

TEST(CsvReader, NamedColumnsAnySubsetAndUnknownOnesListed) {
  const std::string path =
      scratch_file("calls.csv",
                   "# exported from our gateway\n"
                   "model,Latency_S,ttft_ms,input_tokens,output_tokens,error,region,"
                   "retry_after_ms,arrival_ms,cost\n"
                   "gpt-x,1.5,200,100,50,,eu,,0,0.01\n"
                   "gpt-x,0.1,,100,,429,eu,1500,250.5,0\n"
                   "\"gpt, quoted\",2.0,300,10,20,timeout,us,,500,0\n");
  const Read r = read(path);
  ASSERT_FALSE(r.error) << r.error->format();
  const Source& s = r.m.sources[0];
  EXPECT_EQ(s.format, "csv");
  ASSERT_EQ(s.notes.size(), 1u);
  EXPECT_EQ(s.notes[0], "unknown columns (ignored): region, cost");
  const auto& o = r.m.observations;
  ASSERT_EQ(o.size(), 3u);
  EXPECT_DOUBLE_EQ(*o[0].latency_ms, 1500.0);
  EXPECT_DOUBLE_EQ(*o[0].ttft_ms, 200.0);
  EXPECT_EQ(o[0].output_tokens, 50);
  EXPECT_EQ(o[1].outcome, Outcome::kRateLimited);
  EXPECT_DOUBLE_EQ(*o[1].retry_after_ms, 1500.0);
  EXPECT_EQ(o[1].start_ns, 250'500'000);
  EXPECT_EQ(o[2].outcome, Outcome::kHang);
  EXPECT_EQ(r.m.labels[o[2].label].model, "gpt, quoted");
}

TEST(CsvReader, BadCellsNameTheLineAndColumn) {
  const auto error_of = [](const std::string& name, const std::string& text) {
    const Read r = read(scratch_file(name, text), InputFormat::kCsv);
    EXPECT_TRUE(r.error);
    return r.error ? r.error->format() : std::string();
  };
  const std::string a = scratch_file("a.csv", "latency_ms,output_tokens\n10,5\n\n12,abc\n");
  const Read ra = read(a, InputFormat::kCsv);
  ASSERT_TRUE(ra.error);
  EXPECT_EQ(ra.error->format(),
            a + ":4: found 'abc' in column output_tokens, expected a whole number of tokens >= 0 "
                "(at most 1e12)");
  EXPECT_NE(error_of("t.csv", "latency_ms,output_tokens\n10,8e21\n")
                .find("t.csv:2: found '8e21' in column output_tokens, expected a whole number of "
                      "tokens >= 0 (at most 1e12)"),
            std::string::npos);
  EXPECT_NE(error_of("b.csv", "latency_ms,model\n10\n").find("b.csv:2: found 1 fields, expected 2"),
            std::string::npos);
  EXPECT_NE(error_of("c.csv", "latency_ms,latency_s\n1,2\n").find("found both"), std::string::npos);
  EXPECT_NE(error_of("d.csv", "when,who\n1,2\n").find("d.csv:1: found no known column"),
            std::string::npos);
  EXPECT_NE(error_of("e.csv", "latency_ms,model\n10,\"open\n")
                .find("e.csv:2: found an unterminated quote"),
            std::string::npos);
  EXPECT_NE(
      error_of("f.csv", "latency_ms,ttft_ms\n10,20\n").find("f.csv:2: found a time to first token"),
      std::string::npos);
  EXPECT_NE(error_of("g.csv", "latency_ms\n-3\n").find("g.csv:2: found '-3'"), std::string::npos);
  EXPECT_NE(
      error_of("h.csv", "timestamp,latency_ms\nyesterday,3\n").find("h.csv:2: found 'yesterday'"),
      std::string::npos);
}

// --- Azure trace ---------------------------------------------------------------

TEST(AzureReader, TheRealTraceAsItIs) {
  const Read r = read((kShared / "azure-llm-2023" / "AzureLLMInferenceTrace_code.csv").string());
  ASSERT_FALSE(r.error) << r.error->format();
  EXPECT_EQ(r.m.sources[0].format, "azure");
  ASSERT_EQ(r.m.observations.size(), 8819u);
  const Observation& first = r.m.observations.front();
  std::int64_t expected = 0;
  ASSERT_TRUE(parse_timestamp("2023-11-16 18:17:03.9799600", expected));
  EXPECT_EQ(first.start_ns, expected);
  EXPECT_EQ(first.input_tokens, 4808);
  EXPECT_EQ(first.output_tokens, 10);
  EXPECT_FALSE(first.latency_ms);
}

TEST(AzureReader, MalformedRows) {
  const std::string header = "TIMESTAMP,ContextTokens,GeneratedTokens\n";
  Read r = read(
      scratch_file("az1.csv", header + "2023-11-16 18:17:03.98,10,2\n2023-11-16 18:17:04,x,2\n"),
      InputFormat::kAzure);
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->format().find("az1.csv:3: found 'x' in ContextTokens"), std::string::npos);
  r = read(scratch_file("az2.csv", "TIME,ContextTokens,GeneratedTokens\n"), InputFormat::kAzure);
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->format().find("az2.csv:1: found the header"), std::string::npos);
}

// --- Detection, mapping, timestamps ------------------------------------------

TEST(InputFormat, DetectedFromContent) {
  bool summary = false;
  EXPECT_EQ(detect_format(" [ {} ]", summary), InputFormat::kLlmperf);
  EXPECT_EQ(detect_format(R"({"resourceSpans": []})", summary), InputFormat::kOtlpJson);
  EXPECT_EQ(detect_format(R"({"results_ttft_s_mean": 1})", summary), InputFormat::kAuto);
  EXPECT_TRUE(summary);
  EXPECT_EQ(detect_format("\xEF\xBB\xBFTIMESTAMP,ContextTokens,GeneratedTokens\r\n", summary),
            InputFormat::kAzure);
  EXPECT_EQ(detect_format("latency_ms\n1\n", summary), InputFormat::kCsv);
}

TEST(InputFormat, MissingEmptyOrFolderIsAnInputError) {
  const Read r = read("/nonexistent/calls.csv");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->format(), "/nonexistent/calls.csv: cannot open for reading");
  const std::string empty = scratch_file("empty.json", " \n");
  EXPECT_EQ(read(empty).error->format(), empty + ": is empty, expected measurements");
  const std::string folder = fs::path(empty).parent_path().string();
  EXPECT_EQ(read(folder).error->format(), folder + ": is a folder, expected a measurement file");
  // Read whole, a device or a pipe would never end (the hardening review, issue 23).
  EXPECT_EQ(read("/dev/zero").error->format(),
            "/dev/zero: is not a regular file (a device or a pipe), expected a measurement file");
}

TEST(ErrorMapping, CodesAndWords) {
  const ErrorMap map;
  struct Case {
    const char* code;
    const char* message;
    Outcome outcome;
    bool recognised;
  };
  for (const Case& c : std::vector<Case>{{"429", "", Outcome::kRateLimited, true},
                                         {"429.0", "", Outcome::kRateLimited, true},
                                         {"503", "", Outcome::kTransient, true},
                                         {"504", "gateway timeout", Outcome::kTransient, true},
                                         {"408", "", Outcome::kHang, true},
                                         {"400", "", Outcome::kPermanent, true},
                                         {"-1", "Read timed out", Outcome::kHang, true},
                                         {"-1", "connection reset", Outcome::kTransient, true},
                                         {"RateLimitError", "", Outcome::kRateLimited, true},
                                         {"timeout", "", Outcome::kHang, true},
                                         {"APITimeoutError", "", Outcome::kHang, true},
                                         {"overloaded_error", "", Outcome::kTransient, true},
                                         {"InternalServerError", "", Outcome::kTransient, true},
                                         {"invalid_request_error", "", Outcome::kPermanent, true},
                                         {"", "", Outcome::kSuccess, true},
                                         {"hang", "", Outcome::kHang, true},
                                         {"_OTHER", "", Outcome::kTransient, false},
                                         {"Kaboom", "", Outcome::kTransient, false}}) {
    const ErrorClass got = map.classify(c.code, c.message);
    EXPECT_EQ(got.outcome, c.outcome) << c.code << " / " << c.message;
    EXPECT_EQ(got.recognised, c.recognised) << c.code;
  }
  ErrorMap overridden;
  overridden.overrides["kaboom"] = Outcome::kPermanent;
  EXPECT_EQ(overridden.classify("Kaboom", "").outcome, Outcome::kPermanent);
}

TEST(Timestamp, CalendarToEpochNanoseconds) {
  std::int64_t ns = 0;
  ASSERT_TRUE(parse_timestamp("1970-01-01 00:00:00", ns));
  EXPECT_EQ(ns, 0);
  ASSERT_TRUE(parse_timestamp("2023-11-16T18:17:03.9799600Z", ns));
  EXPECT_EQ(ns, 1'700'158'623'979'960'000);
  ASSERT_TRUE(parse_timestamp("2024-02-29 12:00:00.000000001", ns));
  EXPECT_EQ(ns % 1'000'000'000, 1);
  EXPECT_FALSE(parse_timestamp("2023-02-29 00:00:00", ns));
  EXPECT_FALSE(parse_timestamp("2023-11-16 18:17:03+02:00", ns));
  EXPECT_FALSE(parse_timestamp("2023-11-16 18:17:03.", ns));
  EXPECT_FALSE(parse_timestamp("2023-11-16 18:17:03.1234567891", ns));
  // Outside what an int64 of nanoseconds holds: overflowed (UBSan, fuzz_fit_csv).
  EXPECT_FALSE(parse_timestamp("0736-07-11 00:00:00", ns));
  EXPECT_FALSE(parse_timestamp("2262-04-12 00:00:00", ns));
  ASSERT_TRUE(parse_timestamp("1678-01-01 00:00:00", ns));
  EXPECT_LT(ns, 0);
  ASSERT_TRUE(parse_timestamp("2261-12-31 23:59:59.999999999", ns));
  EXPECT_GT(ns, 0);
}

TEST(JsonText, ANumberBeyondADoubleIsAnInputErrorNotAnAbort) {
  // nlohmann throws out_of_range, not parse_error, for 1e999 (fuzz_fit_llmperf).
  for (const InputFormat f : {InputFormat::kLlmperf, InputFormat::kOtlpJson}) {
    const std::string path = scratch_file(
        "overflow.json", f == InputFormat::kLlmperf ? R"([{"ttft_s": 1e999}])"
                                                    : R"({"resourceSpans": [], "x": -1e400})");
    const Read r = read(path, f);
    ASSERT_TRUE(r.error);
    EXPECT_NE(r.error->format().find("expected a finite number"), std::string::npos)
        << r.error->format();
  }
}

// Numbers that fit a double but not the field they fill: each is refused with
// its pointer, or read exactly, never narrowed (a span's status code of 3e42
// was converted to int, undefined behaviour found by fuzz_fit_otlp_json).
TEST(JsonText, NumbersBeyondTheirFieldAreRefusedOrReadExactly) {
  const auto span = [](const std::string& status, const std::string& extra_attribute) {
    return R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"chat","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}})" +
           extra_attribute + R"(],"status":)" + status + "}]}]}]}\n";
  };
  const Read status =
      read(scratch_file("status.jsonl", span(R"({"code":3e42})", "") + span(R"({"code":2.0})", "")),
           InputFormat::kOtlpJson);
  ASSERT_FALSE(status.error) << status.error->format();
  ASSERT_EQ(status.m.observations.size(), 2u);
  EXPECT_EQ(status.m.observations[0].outcome, Outcome::kSuccess);    // 3e42 is no status code
  EXPECT_EQ(status.m.observations[1].outcome, Outcome::kTransient);  // 2.0 is ERROR
  EXPECT_EQ(status.m.observations[1].error_code, "_OTHER");

  const Read retry_after = read(
      scratch_file(
          "retry.jsonl",
          span(
              R"({})",
              R"(,{"key":"error.type","value":{"stringValue":"429"}},{"key":"http.response.header.retry-after","value":{"doubleValue":1e300}})")),
      InputFormat::kOtlpJson);
  ASSERT_TRUE(retry_after.error);
  EXPECT_NE(retry_after.error->format().find(
                "/resourceSpans/0/scopeSpans/0/spans/0/attributes: found "
                "http.response.header.retry-after = 1e+300 s, expected at most 9.2e+09 s"),
            std::string::npos)
      << retry_after.error->format();

  const std::string fields =
      R"("number_input_tokens": 1, "number_output_tokens": 1, "ttft_s": 0.1, )";
  const Read latency = read(scratch_file(
      "latency.json", "[{" + fields + R"("error_code": null, "end_to_end_latency_s": 1e300}])"));
  ASSERT_TRUE(latency.error);
  EXPECT_NE(latency.error->format().find("/0/end_to_end_latency_s: found the number 1e+300, "
                                         "expected a number >= 0 (at most 9.2e+09)"),
            std::string::npos)
      << latency.error->format();
  const Read code = read(scratch_file(
      "code.json",
      "[{" + fields + R"("error_code": 18446744073709551615, "end_to_end_latency_s": 1}])"));
  ASSERT_FALSE(code.error) << code.error->format();
  EXPECT_EQ(code.m.observations.at(0).error_code, "18446744073709551615");

  const Read csv = read(scratch_file("latency.csv", "latency_s\n1e300\n"), InputFormat::kCsv);
  ASSERT_TRUE(csv.error);
  EXPECT_NE(csv.error->format().find(
                "found '1e300' in column latency_s, expected a number >= 0 (at most 9.2e+09: 292 "
                "years)"),
            std::string::npos)
      << csv.error->format();
}

}  // namespace
}  // namespace orchsim::calibration::readers_test
