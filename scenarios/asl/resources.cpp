#include "scenarios/asl/resources.hpp"

#include <fmt/format.h>

#include <array>

namespace orchsim::scenarios::asl {

std::string_view to_string(AgentFamily family) {
  switch (family) {
    case AgentFamily::kLlm:
      return "llm";
    case AgentFamily::kFunction:
      return "function";
    case AgentFamily::kApi:
      return "api";
    case AgentFamily::kJob:
      return "job";
    case AgentFamily::kCallback:
      return "callback";
    case AgentFamily::kActivity:
      return "activity";
    case AgentFamily::kChildExecution:
      return "child_execution";
  }
  return "?";
}

namespace {

constexpr std::uint64_t kServersUnbounded = 10000000;  // the scenario format's most servers

// The service integration part of an ARN: "lambda:invoke", "aws-sdk:s3:getObject",
// from arn:<partition>:states:::X or arn:<partition>:states:<region>:<account>:X.
std::optional<std::string> integration_of(const std::string& arn) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    const std::size_t colon = arn.find(':', start);
    if (colon == std::string::npos) return std::nullopt;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  if (parts[0] != "arn" || parts[2] != "states") return std::nullopt;
  return arn.substr(start);
}

// Parameters (JSONPath) or Arguments (JSONata).
const Json* parameters_of(const Json& state) {
  for (const char* key : {"Parameters", "Arguments"}) {
    const auto it = state.find(key);
    if (it != state.end() && it->is_object()) return &*it;
  }
  return nullptr;
}

// A parameter's value: the literal, or the path or expression it is read
// from ("Key.$": "$.x"). Empty when absent.
std::string parameter(const Json* params, const std::string& key) {
  if (!params) return {};
  if (const auto it = params->find(key); it != params->end() && it->is_string()) {
    return it->get<std::string>();
  }
  if (const auto it = params->find(key + ".$"); it != params->end() && it->is_string()) {
    return it->get<std::string>();
  }
  return {};
}

// "arn:aws:lambda:r:a:function:Name:alias" -> "Name"; "Name:$LATEST" -> "Name".
std::string function_name(std::string f) {
  if (const std::size_t at = f.find(":function:"); at != std::string::npos) {
    f = f.substr(at + 10);
  }
  // A qualifier after the name (a version or alias); placeholders keep their braces.
  if (!f.starts_with("$.") && !f.starts_with("{%")) {
    if (const std::size_t colon = f.find(':'); colon != std::string::npos) f = f.substr(0, colon);
  }
  return f;
}

// "arn:aws:bedrock:r::foundation-model/anthropic.claude-v2" -> "anthropic.claude-v2".
std::string model_name(std::string m) {
  if (m.starts_with("arn:")) {
    if (const std::size_t slash = m.rfind('/'); slash != std::string::npos) m = m.substr(slash + 1);
  }
  return m;
}

// The first integer value of a max-output-tokens key anywhere in the parameters.
std::optional<double> find_max_tokens(const Json& j) {
  static constexpr std::array<std::string_view, 7> kKeys = {
      "max_tokens_to_sample", "max_tokens",     "maxTokens",      "max_gen_len",
      "maxTokenCount",        "max_new_tokens", "maxOutputTokens"};
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      for (const std::string_view k : kKeys) {
        if (it.key() == k && it->is_number() && it->get<double>() >= 1.0) {
          return it->get<double>();
        }
      }
    }
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (const auto found = find_max_tokens(*it)) return found;
    }
  } else if (j.is_array()) {
    for (const Json& e : j) {
      if (const auto found = find_max_tokens(e)) return found;
    }
  }
  return std::nullopt;
}

Json lognormal(double median, double p99) {
  return {{"lognormal", {{"median", median}, {"p99", p99}}}};
}

}  // namespace

TaskResource identify_resource(const Json& state) {
  TaskResource r;
  const auto res = state.find("Resource");
  r.resource = res != state.end() && res->is_string() ? res->get<std::string>() : "";
  const Json* params = parameters_of(state);
  const std::string& arn = r.resource;
  if (const auto integration = integration_of(arn)) {
    std::string service = *integration;  // "lambda:invoke", "activity:Name", "aws-sdk:s3:getObject"
    if (service.starts_with("activity:")) {
      r.family = AgentFamily::kActivity;
      r.agent = "activity:" + service.substr(9);
      return r;
    }
    const bool wait_token = service.ends_with(".waitForTaskToken");
    const std::size_t sync_at = service.find(".sync");
    const bool sync = sync_at != std::string::npos;
    std::string base = sync ? service.substr(0, sync_at) : service;
    if (wait_token) base = base.substr(0, base.size() - 17);
    if (base.starts_with("aws-sdk:")) base = base.substr(8);  // "s3:getObject"
    if (base == "lambda:invoke") {
      const std::string f = function_name(parameter(params, "FunctionName"));
      r.agent = "lambda:" + (f.empty() ? std::string("invoke") : f);
      r.family = AgentFamily::kFunction;
    } else if (base == "bedrock:invokeModel" || base == "bedrockruntime:invokeModel" ||
               base == "bedrockruntime:converse") {
      const std::string m = model_name(parameter(params, "ModelId"));
      r.agent = "bedrock:" + (m.empty() ? std::string("invokeModel") : m);
      r.family = AgentFamily::kLlm;
      if (params) r.max_output_tokens = find_max_tokens(*params);
    } else if (base == "states:startExecution" && sync) {
      r.family = AgentFamily::kChildExecution;
      const std::string sm = parameter(params, "StateMachineArn");
      r.agent = "states:startExecution.sync:" +
                (sm.empty() ? std::string("?") : sm.substr(sm.rfind(':') + 1));
    } else {
      r.agent = base;
      r.family = sync ? AgentFamily::kJob : AgentFamily::kApi;
    }
    if (wait_token) {
      r.family = AgentFamily::kCallback;
      r.agent += ".waitForTaskToken";
    } else if (sync && r.family == AgentFamily::kJob) {
      r.agent += ".sync";
    }
    return r;
  }
  if (arn.starts_with("arn:") && arn.find(":lambda:") != std::string::npos) {
    r.family = AgentFamily::kFunction;
    r.agent = "lambda:" + function_name(arn);
    return r;
  }
  if (arn.starts_with("arn:") && arn.find(":activity:") != std::string::npos) {
    r.family = AgentFamily::kActivity;
    r.agent = "activity:" + arn.substr(arn.rfind(':') + 1);
    return r;
  }
  // A template placeholder (${CheckPriceFnArn}), or anything else: named as
  // written; a function is the common case.
  r.family =
      arn.find("Activity") != std::string::npos ? AgentFamily::kActivity : AgentFamily::kFunction;
  r.agent = arn.empty() ? std::string("task") : arn;
  return r;
}

Json default_agent(const TaskResource& r) {
  Json a = Json::object();
  a["name"] = r.agent;
  Json outcomes = {{"transient_error", 0.001}, {"retry_after_ms", 0}};
  switch (r.family) {
    case AgentFamily::kLlm: {
      // Latency from real Bedrock measurements (LLMPerf, Llama-2 13B on
      // Bedrock, 2023-12: TTFT median 269 ms, p99 764 ms; 26.5 ms a token).
      a["role"] = "generator";
      a["context_window_tokens"] = 200000;
      a["servers"] = 1000;
      a["latency"] = {{"base_ms", lognormal(269, 764)}, {"output_tokens_per_second", 37.7}};
      outcomes["transient_error"] = 0.002;
      const double max_tokens = r.max_output_tokens.value_or(600);
      a["tokens"] = {{"output_tokens",
                      {{"lognormal", {{"median", max_tokens / 2}, {"p99", max_tokens}}},
                       {"truncate", {1, max_tokens}}}},
                     {"usd_per_1k_input_tokens", 0.003},
                     {"usd_per_1k_output_tokens", 0.015}};
      break;
    }
    case AgentFamily::kFunction:
      a["role"] = "tool";
      a["servers"] = 1000;  // Lambda's default concurrency per account and region
      a["latency"] = {{"base_ms", lognormal(100, 1000)}};
      outcomes["permanent_error"] = 0.0005;
      break;
    case AgentFamily::kApi:
      a["role"] = "tool";
      a["servers"] = 1000;
      a["latency"] = {{"base_ms", lognormal(50, 400)}};
      break;
    case AgentFamily::kJob:
      a["role"] = "job";
      a["servers"] = 1000;
      a["latency"] = {{"base_ms", lognormal(60000, 900000)}};
      break;
    case AgentFamily::kCallback:
      a["role"] = "callback";
      a["servers"] = kServersUnbounded;  // every token waits on its own
      a["latency"] = {{"base_ms", lognormal(60000, 3600000)}};
      break;
    case AgentFamily::kActivity:
      a["role"] = "worker";
      a["servers"] = 10;
      a["latency"] = {{"base_ms", lognormal(1000, 10000)}};
      break;
    case AgentFamily::kChildExecution:
      a["role"] = "child_execution";
      a["servers"] = kServersUnbounded;
      a["latency"] = {{"base_ms", lognormal(60000, 900000)}};
      break;
  }
  a["outcomes"] = std::move(outcomes);
  return a;
}

std::string describe_default(AgentFamily family) {
  switch (family) {
    case AgentFamily::kLlm:
      return "LLM on Bedrock: TTFT lognormal median 269 ms p99 764 ms, 37.7 tokens/s, 1000 "
             "servers, 0.2% transient errors";
    case AgentFamily::kFunction:
      return "Lambda function: lognormal median 100 ms p99 1 s, 1000 servers, 0.1% transient "
             "and 0.05% permanent errors";
    case AgentFamily::kApi:
      return "AWS API call: lognormal median 50 ms p99 400 ms, 1000 servers, 0.1% transient "
             "errors";
    case AgentFamily::kJob:
      return "job run to completion (.sync): lognormal median 1 min p99 15 min, 1000 servers";
    case AgentFamily::kCallback:
      return "callback (.waitForTaskToken): lognormal median 1 min p99 1 h, no queue";
    case AgentFamily::kActivity:
      return "activity: 10 workers, lognormal median 1 s p99 10 s";
    case AgentFamily::kChildExecution:
      return "child execution (not simulated inside): lognormal median 1 min p99 15 min";
  }
  return "?";
}

Json timer_agent(const std::string& name, double seconds) {
  return {{"name", name},
          {"role", "timer"},
          {"servers", kServersUnbounded},
          {"latency", {{"base_ms", seconds * 1000.0}}}};
}

Json draw_agent(const std::string& name, const std::string& role,
                const std::vector<std::string>& labels, const std::vector<double>& weights) {
  Json l = Json::array();
  for (std::size_t i = 0; i < labels.size(); ++i) {
    l.push_back({{"name", labels[i]}, {"weight", weights[i]}});
  }
  return {{"name", name},
          {"role", role},
          {"servers", kServersUnbounded},
          {"latency", {{"base_ms", 0}}},
          {"labels", std::move(l)}};
}

}  // namespace orchsim::scenarios::asl
