// The error-name table: what each Step Functions error name matches in the
// simulation, and docs/import.md lists the table as the code has it.
#include "scenarios/asl/error_names.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace orchsim::scenarios::asl::error_names_test {
namespace {

std::string failures(std::string_view name) { return describe(match_error_name(name).failures); }

TEST(AslErrorNames, StatesNamesFollowTheSpec) {
  EXPECT_EQ(failures("States.ALL"),
            "transient, rate_limited, permanent, context_overflow, overloaded, unavailable, "
            "timeout");
  // States.TaskFailed: every known error but States.Timeout.
  EXPECT_EQ(failures("States.TaskFailed"),
            "transient, rate_limited, permanent, context_overflow, overloaded, unavailable");
  EXPECT_EQ(failures("States.Timeout"), "timeout");
  EXPECT_EQ(failures("States.HeartbeatTimeout"), "timeout");
  EXPECT_EQ(failures("States.Permissions"), "permanent");
  for (const char* never : {"States.ItemReaderFailed", "States.ResultPathMatchFailure",
                            "States.NoChoiceMatched", "States.DataLimitExceeded"}) {
    EXPECT_EQ(failures(never), "nothing") << never;
    EXPECT_EQ(match_error_name(never).source, MatchSource::kNever) << never;
  }
}

TEST(AslErrorNames, ServiceErrorsByNameAndByKeyword) {
  EXPECT_EQ(failures("Lambda.ServiceException"), "transient");
  EXPECT_EQ(failures("Lambda.AWSLambdaException"), "transient");
  EXPECT_EQ(failures("Lambda.SdkClientException"), "transient");
  EXPECT_EQ(failures("Lambda.TooManyRequestsException"), "rate_limited");
  EXPECT_EQ(failures("Bedrock.ThrottlingException"), "rate_limited");
  EXPECT_EQ(failures("DynamoDb.ProvisionedThroughputExceededException"), "rate_limited");
  EXPECT_EQ(failures("DynamoDb.RequestLimitExceeded"), "rate_limited");
  EXPECT_EQ(failures("Bedrock.ServiceUnavailableException"), "unavailable");
  EXPECT_EQ(failures("Bedrock.ModelNotReadyException"), "unavailable");
  EXPECT_EQ(failures("Bedrock.ValidationException"), "permanent");
  EXPECT_EQ(failures("DynamoDB.ConditionalCheckFailedException"), "permanent");
  EXPECT_EQ(failures("Bedrock.ModelTimeoutException"), "transient");
  EXPECT_EQ(failures("Glue.CrawlerRunningException"), "transient");
  EXPECT_EQ(failures("DynamoDB.AmazonDynamoDBException"), "transient");
  EXPECT_EQ(match_error_name("Bedrock.ThrottlingException").source, MatchSource::kPattern);
}

TEST(AslErrorNames, AnyOtherNameIsAnErrorYourCodeThrows) {
  for (const char* custom : {"ErrorA", "States.QuorumMet", "MigrationError"}) {
    EXPECT_EQ(failures(custom), "permanent") << custom;
    EXPECT_EQ(match_error_name(custom).source, MatchSource::kCustom) << custom;
  }
}

TEST(AslErrorNames, TheDocsListTheTableAsTheCodeHasIt) {
  const char* root = std::getenv("ORCHSIM_SOURCE_DIR");
  const std::filesystem::path docs =
      std::filesystem::path(root && *root ? root : ORCHSIM_SHARED_DATA "/../..") / "docs" /
      "import.md";
  std::ifstream in(docs);
  ASSERT_TRUE(in.good()) << docs;
  std::stringstream text;
  text << in.rdbuf();
  for (const ErrorNameRow& row : error_name_table()) {
    const std::string line =
        "| `" + std::string(row.name) + "` | " +
        (row.failures.empty() ? std::string("nothing") : std::string(row.failures)) + " | " +
        std::string(row.why) + " |";
    EXPECT_NE(text.str().find(line), std::string::npos) << "docs/import.md lacks the row\n" << line;
  }
}

}  // namespace
}  // namespace orchsim::scenarios::asl::error_names_test
