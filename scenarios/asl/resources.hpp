// A Task's Resource (and its Parameters or Arguments) -> the agent that
// serves it, and the documented default mock for it (docs/import.md,
// "Default agents").
//
// Agent names say what is called, taken from the ARN or the parameters:
//   arn:aws:states:::bedrock:invokeModel + ModelId  -> "bedrock:anthropic.claude-v2"
//   arn:aws:states:::lambda:invoke + FunctionName   -> "lambda:ProcessOrder"
//   arn:aws:lambda:...:function:ProcessOrder        -> "lambda:ProcessOrder"
//   arn:aws:states:::aws-sdk:s3:getObject           -> "s3:getObject"
//   arn:aws:states:::sqs:sendMessage.waitForTaskToken -> "sqs:sendMessage.waitForTaskToken"
//   ${CheckPriceFnArn} (a template placeholder)     -> "${CheckPriceFnArn}"
// A value read from the input at run time keeps its path: "lambda:$.provider".
// Tasks naming the same thing share one agent (and its capacity).
//
//   TaskResource r = identify_resource(state);
//   Json agent = default_agent(r);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/json_reader.hpp"

namespace orchsim::scenarios::asl {

// What kind of work a Task waits for; each has a default mock.
enum class AgentFamily : std::uint8_t {
  kLlm,             // a model call (bedrock:invokeModel, bedrock-runtime)
  kFunction,        // a Lambda function (or a template placeholder, most often one)
  kApi,             // an AWS API call that answers at once (sns:publish, dynamodb:putItem, ...)
  kJob,             // .sync: waits for a job to finish (batch, athena, glue, ...)
  kCallback,        // .waitForTaskToken: waits for someone to send the token back
  kActivity,        // an activity: a worker polls for it
  kChildExecution,  // states:startExecution.sync: a nested execution (not yet a sub-workflow)
};
std::string_view to_string(AgentFamily family);

struct TaskResource {
  std::string agent;  // the agent's name
  AgentFamily family = AgentFamily::kApi;
  std::string resource;  // the Resource as written
  // The most output tokens the call asks for (max_tokens, maxTokens, ...).
  std::optional<double> max_output_tokens;
};

// From the Task state's "Resource" (a string) and its Parameters/Arguments.
TaskResource identify_resource(const Json& state);

// The default mock agent (a scenario "agents" entry) for a resource.
Json default_agent(const TaskResource& resource);
// A Wait state's timer: answers after exactly `seconds`, never fails.
Json timer_agent(const std::string& name, double seconds);
// Draws a label at once, with these weights: a Choice's branch, a Map's item count.
Json draw_agent(const std::string& name, const std::string& role,
                const std::vector<std::string>& labels, const std::vector<double>& weights);
// One line for the import report: "Lambda function: lognormal 100 ms median, ..."
std::string describe_default(AgentFamily family);

}  // namespace orchsim::scenarios::asl
