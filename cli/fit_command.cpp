#include "cli/fit_command.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/arg_spec.hpp"
#include "cli/commands.hpp"
#include "cli/duration_arg.hpp"
#include "eval/atomic_file.hpp"
#include "eval/io_status.hpp"
#include "scenarios/calibration/calibrate.hpp"
#include "scenarios/calibration/fit_report.hpp"
#include "scenarios/calibration/model_check.hpp"
#include "scenarios/csv_line.hpp"
#include "scenarios/replay_trace.hpp"

namespace orchsim::cli {

namespace cal = orchsim::calibration;

namespace {

// The syntaxes of fit's own options, checked when the command line is
// parsed (cli/arg_spec.hpp) and read again by fit_command().
bool parse_max_error(const std::string& text, cal::SelectionOptions& s) {
  std::vector<std::string> parts;
  if (scenarios::split_csv_line(text, parts) || parts.size() != 3) return false;
  double v[3];
  for (int i = 0; i < 3; ++i) {
    if (!scenarios::parse_number(parts[i], v[i]) || !(v[i] > 0)) return false;
  }
  s.max_error_p50 = v[0];
  s.max_error_p90 = v[1];
  s.max_error_p99 = v[2];
  return true;
}

bool is_group_by(const std::string& text) {
  cal::GroupBy by;
  std::string problem;
  return cal::parse_group_by(text, by, problem);
}

bool is_max_error(const std::string& text) {
  cal::SelectionOptions s;
  return parse_max_error(text, s);
}

bool is_error_mapping(const std::string& m) {
  const auto eq = m.rfind('=');
  cal::Outcome outcome{};
  return eq != std::string::npos && eq != 0 && cal::parse_outcome(m.substr(eq + 1), outcome);
}

}  // namespace

CLI::App* add_fit_command(CLI::App& app, FitArgs& a, ArgSpecs& specs) {
  CLI::App* cmd = app.add_subcommand(
      "fit", "Fit agents (and arrivals) to measurements: LLMPerf, OTLP/JSON, CSV, Azure trace");
  add_option(cmd, "inputs", a.inputs, ArgSpec::path(), "Measurement files", specs)->required();
  add_option(cmd, "--format", a.format,
             ArgSpec::choice({"auto", "llmperf", "otlp_json", "otlp", "csv", "azure"}),
             "Input format (default: detected from the content)", specs);
  add_option(
      cmd, "--group-by", a.group_by,
      ArgSpec::custom("a comma list of provider, model, operation, file; or none", is_group_by,
                      {"", "providr", "provider,,model"}, {"provider,model", "file", "none"}),
      "One agent per: comma list of provider, model, operation, file; or none "
      "(default provider,model)",
      specs);
  add_option(cmd, "--out", a.out, ArgSpec::path(),
             "Write the fitted agents (JSON with comments) here", specs);
  add_option(cmd, "--report", a.report, ArgSpec::path(),
             "Write the fit report (per-family statistics, quantile pairs) as JSON here", specs);
  add_option(cmd, "--scenario", a.scenario, ArgSpec::path(),
             "Write a runnable scenario around the fitted agents here", specs);
  add_option(cmd, "--print", a.print, ArgSpec::choice({"table", "json", "none"}),
             "What to print on stdout: table (default), json or none", specs);
  add_option(cmd, "--families", a.families,
             ArgSpec::choice({"lognormal", "gamma", "weibull", "shifted_exponential",
                              "body_pareto_tail", "empirical"}),
             "Candidate families (repeatable or comma list; default all): lognormal, "
             "gamma, weibull, shifted_exponential, body_pareto_tail, empirical",
             specs)
      ->delimiter(',');
  add_option(cmd, "--select", a.select, ArgSpec::choice({"guarded", "aic"}),
             "guarded: lowest AIC among families within --max-error and --min-ks-p, else "
             "empirical (default); aic: lowest AIC",
             specs);
  add_option(cmd, "--max-error", a.max_error,
             ArgSpec::custom("three numbers > 0 for p50,p90,p99, such as 0.1,0.1,0.2", is_max_error,
                             {"0.1,0.1", "0.1,0.1,0", "0.1,-0.1,0.2", "a,b,c", "0.1,0.1,0.2,0.3",
                              "0.1,0.1,inf", ""},
                             {"0.1,0.1,0.2", "1,2,3"}),
             "Largest |relative error| of the fitted p50,p90,p99 (default 0.10,0.10,0.20)", specs);
  add_option(cmd, "--min-ks-p", a.min_ks_p, ArgSpec::number(0.0, 1.0),
             "--select guarded also needs a KS p-value at least this (default 0.01; 0: off)",
             specs);
  add_option(cmd, "--min-samples", a.min_samples, ArgSpec::number(1.0, 1e12),
             "Fewer values than this: empirical with a warning (default 30)", specs);
  add_option(cmd, "--map-error", a.map_errors,
             ArgSpec::custom("CODE=KIND with KIND one of rate_limited, transient, permanent, "
                             "hang, success",
                             is_error_mapping, {"429", "=transient", "429=", "429=fatal", ""},
                             {"429=rate_limited", "content_filter=permanent", "a=b=hang"}),
             "CODE=KIND: how a recorded error maps (KIND: rate_limited, transient, "
             "permanent, hang, success); repeatable",
             specs);
  add_option(cmd, "--ttft-attribute", a.ttft_attributes, ArgSpec::name(),
             "OTLP span attribute holding time to first token in seconds, tried before the "
             "defaults (repeatable)",
             specs);
  add_option(cmd, "--operation", a.operations, ArgSpec::name(),
             "OTLP: only spans with this gen_ai.operation.name (repeatable)", specs);
  add_option(cmd, "--servers", a.servers, ArgSpec::integer(1, 10'000'000),
             "Servers of each fitted agent (default 64)", specs);
  cmd->add_flag("--arrivals", a.arrivals,
                "Also fit the arrival process (poisson, piecewise, mmpp) and report the index "
                "of dispersion");
  add_option(cmd, "--arrival-model", a.arrival_model,
             ArgSpec::choice({"auto", "poisson", "piecewise", "mmpp"}),
             "auto (lowest AIC), poisson, piecewise, mmpp", specs);
  add_option(cmd, "--arrival-window", a.arrival_window,
             ArgSpec::duration(sim::Duration::nanoseconds(1)),
             "Count window for the arrival fits (default 1s)", specs);
  add_option(cmd, "--arrival-piece", a.arrival_piece,
             ArgSpec::duration(sim::Duration::nanoseconds(1)),
             "Piece length of the piecewise rate (default 60s)", specs);
  add_option(cmd, "--rate-scale", a.rate_scale, ArgSpec::number(0.0, 1e6, /*min_open=*/true),
             "Multiply the arrival rate of the fitted arrivals (--arrivals) or of the "
             "replayed trace (--replay): the same traffic at another volume",
             specs);
  add_option(cmd, "--name", a.name, ArgSpec::name(), "--scenario: its name (default fitted)",
             specs);
  add_option(cmd, "--policy", a.policy, ArgSpec::name(),
             "--scenario: routing policy of the call node (default static for one agent, "
             "round_robin for more)",
             specs);
  add_option(cmd, "--users", a.users, ArgSpec::integer(1, 10'000'000),
             "--scenario without --arrivals: closed-loop users (default: the measured "
             "concurrency, else 5)",
             specs);
  add_option(cmd, "--replay", a.replay, ArgSpec::path(),
             "--scenario: replay this trace (arrivals with input and output tokens: a CSV "
             "with named columns or the Azure trace) at --rate-scale; run.requests = its "
             "length",
             specs);
  add_option(cmd, "--requests", a.requests, ArgSpec::integer(1, 1'000'000'000),
             "--scenario: run.requests (default 2000)", specs);
  cmd->add_flag("--check", a.check,
                "Drive each fitted agent as the measurements ran (closed loop, no think time) "
                "and compare TTFT, latency and error rate with them; exit 1 if one is off the bar");
  add_option(cmd, "--check-requests", a.check_requests, ArgSpec::integer(100, 100'000'000),
             "--check: simulated requests per agent (default 20000)", specs);
  add_option(cmd, "--check-users", a.check_users, ArgSpec::integer(1, 100'000),
             "--check: closed-loop users (default: the measured concurrency, else 5)", specs);
  cmd->add_flag("-q,--quiet", a.quiet, "No notes on stderr");
  cmd->footer(
      "Reads every INPUT (format detected unless --format), groups the calls (--group-by), fits\n"
      "time to first token, inter-token time, output tokens and input tokens with every family\n"
      "by maximum likelihood, chooses by AIC within the quantile bar (else empirical), and maps\n"
      "errors onto the agent's outcomes (429 -> rate_limited, 5xx -> transient, timeouts -> "
      "hang).\n"
      "Exit status: 0 written, 1 --check found an agent off the bar, 2 bad input (nothing "
      "written).\n"
      "Examples:\n"
      "  orchsim fit runs/anyscale_13b.json --out agents.json --report fit.json\n"
      "  orchsim fit runs/*.json --group-by file --scenario providers.json --policy "
      "least_loaded\n"
      "  orchsim fit traces.jsonl --operation chat --map-error content_filter=permanent\n"
      "  orchsim fit AzureLLMInferenceTrace_code.csv --arrivals --rate-scale 10 --out "
      "workload.json\n"
      "See docs/calibration.md.");
  return cmd;
}

namespace {

int bad(const std::string& message) {
  std::cerr << "orchsim fit: " << message << '\n';
  return kExitBadInput;
}

std::string quoted(const std::string& s) {
  return s.find_first_of(" \t\"'$") == std::string::npos ? s : "'" + s + "'";
}

// The command as it would be typed, with the non-default options only: the
// comment in the written files says what made them.
std::string command_line(const FitArgs& a) {
  std::string c = "orchsim fit";
  for (const auto& in : a.inputs) c += " " + quoted(in);
  const FitArgs d;
  if (a.format != d.format) c += " --format " + a.format;
  if (a.group_by != d.group_by) c += " --group-by " + a.group_by;
  if (!a.families.empty()) {
    std::string f;
    for (const auto& x : a.families) f += (f.empty() ? "" : ",") + x;
    c += " --families " + f;
  }
  if (a.select != d.select) c += " --select " + a.select;
  if (a.max_error != d.max_error) c += " --max-error " + a.max_error;
  if (a.min_samples != d.min_samples) c += fmt::format(" --min-samples {}", a.min_samples);
  if (a.min_ks_p != d.min_ks_p) c += fmt::format(" --min-ks-p {}", a.min_ks_p);
  for (const auto& m : a.map_errors) c += " --map-error " + quoted(m);
  for (const auto& t : a.ttft_attributes) c += " --ttft-attribute " + t;
  for (const auto& o : a.operations) c += " --operation " + o;
  if (a.servers != d.servers) c += fmt::format(" --servers {}", a.servers);
  if (a.arrivals) c += " --arrivals";
  if (a.arrival_model != d.arrival_model) c += " --arrival-model " + a.arrival_model;
  if (a.arrival_window != d.arrival_window) c += " --arrival-window " + a.arrival_window;
  if (a.arrival_piece != d.arrival_piece) c += " --arrival-piece " + a.arrival_piece;
  if (a.rate_scale != d.rate_scale) c += fmt::format(" --rate-scale {}", a.rate_scale);
  return c;
}

// Writes every file, or (on an exception) none that was not already whole.
void write(const std::string& path, const std::string& text) {
  eval::AtomicFile f(path);
  f.stream() << text;
  f.commit();
}

}  // namespace

int fit_command(const FitArgs& a) {
  cal::FitOptions options;
  options.inputs = a.inputs;
  options.command = command_line(a);
  if (!cal::parse_input_format(a.format, options.format)) {
    return bad(
        fmt::format("--format '{}': expected auto, llmperf, otlp_json, csv or azure", a.format));
  }
  std::string problem;
  if (!cal::parse_group_by(a.group_by, options.group_by, problem)) {
    return bad("--group-by: " + problem);
  }
  if (!a.families.empty()) {
    options.selection.families.clear();
    for (const std::string& f : a.families) {
      cal::Family family{};
      if (!cal::parse_family(f, family)) {
        return bad(
            fmt::format("--families: found '{}', expected lognormal, gamma, weibull, "
                        "shifted_exponential, body_pareto_tail or empirical",
                        f));
      }
      options.selection.families.push_back(family);
    }
  }
  options.selection.quantile_guard = a.select == "guarded";
  if (!parse_max_error(a.max_error, options.selection)) {
    return bad(
        fmt::format("--max-error '{}': expected three numbers > 0 for p50,p90,p99, such "
                    "as 0.1,0.1,0.2",
                    a.max_error));
  }
  options.selection.min_samples = a.min_samples;
  options.selection.min_ks_p_value = a.min_ks_p;
  for (const std::string& m : a.map_errors) {
    const auto eq = m.rfind('=');
    cal::Outcome outcome{};
    if (eq == std::string::npos || eq == 0 || !cal::parse_outcome(m.substr(eq + 1), outcome)) {
      return bad(
          fmt::format("--map-error '{}': expected CODE=KIND with KIND one of "
                      "rate_limited, transient, permanent, hang, success",
                      m));
    }
    options.read.errors.overrides[m.substr(0, eq)] = outcome;
  }
  options.read.ttft_attributes.insert(options.read.ttft_attributes.begin(),
                                      a.ttft_attributes.begin(), a.ttft_attributes.end());
  options.read.operations = a.operations;
  options.servers = a.servers;
  options.arrivals = a.arrivals;
  options.arrival.model = a.arrival_model;
  options.arrival.rate_scale = a.rate_scale;
  for (const auto& [text, target, what] :
       {std::tuple{a.arrival_window, &options.arrival.count_window, "--arrival-window"},
        std::tuple{a.arrival_piece, &options.arrival.piece, "--arrival-piece"}}) {
    const auto d = parse_duration(text);
    if (!d || *d <= sim::Duration::zero()) {
      return bad(
          fmt::format("{} '{}': expected a positive duration such as 1s or 60s", what, text));
    }
    *target = *d;
  }

  const cal::Result<cal::FitReport> result = cal::calibrate(options);
  if (!result.ok()) {
    std::cerr << result.error().format() << '\n';
    return kExitBadInput;
  }
  const cal::FitReport& report = result.value();

  std::vector<cal::ModelCheck> checks;
  bool checks_pass = true;
  if (a.check) {
    cal::CheckOptions c;
    c.users = a.check_users.value_or(report.concurrency.value_or(5));
    c.requests = a.check_requests;
    c.bar = options.selection;
    for (const auto& g : report.groups) {
      checks.push_back(cal::check_group(g, c));
      checks_pass = checks_pass && (!checks.back().checked || checks.back().pass);
    }
  }
  nlohmann::ordered_json report_doc = cal::report_json(report);
  if (a.check) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& c : checks) list.push_back(cal::check_json(c));
    report_doc["checks"] = list;
  }

  // Everything is made before anything is written: a problem leaves no file.
  std::vector<std::pair<std::string, std::string>> files;
  std::size_t agents = 0;
  for (const auto& g : report.groups) agents += g.agent ? 1 : 0;
  if (a.out) {
    if (agents == 0 && !report.arrivals) {
      return bad(
          fmt::format("--out: nothing to write: the measurements have no latency (no "
                      "agent to fit); add --arrivals to fit the workload"));
    }
    files.emplace_back(*a.out, cal::agents_document(report));
  }
  if (a.report) files.emplace_back(*a.report, report_doc.dump(1) + "\n");
  if (a.scenario) {
    if (agents == 0) {
      return bad("--scenario: the measurements have no latency: there is no agent to run");
    }
    cal::ScenarioOptions s;
    s.name = a.name;
    s.policy = a.policy;
    s.users = a.users;
    s.requests = a.requests;
    s.command = options.command + " --scenario " + quoted(*a.scenario);
    s.compare_target = quoted(*a.scenario);
    if (a.name != FitArgs{}.name) s.command += " --name " + quoted(a.name);
    if (!a.policy.empty()) s.command += " --policy " + a.policy;
    if (a.users) s.command += fmt::format(" --users {}", *a.users);
    if (a.replay) {
      // Checked now (a bad trace is bad input), and its length bounds the run.
      const auto trace = scenarios::read_replay_trace(*a.replay, a.rate_scale);
      if (const auto* why = std::get_if<std::string>(&trace)) return bad("--replay: " + *why);
      s.requests = std::get<scenarios::ReplayTrace>(trace).arrivals.offsets.size();
      namespace fs = std::filesystem;
      const fs::path base = fs::absolute(fs::path(*a.scenario)).parent_path();
      s.replay_file = fs::absolute(*a.replay).lexically_normal().lexically_relative(base).string();
      s.replay_rate_scale = a.rate_scale;
      s.command += " --replay " + quoted(*a.replay);
    } else if (a.requests != FitArgs{}.requests) {
      s.command += fmt::format(" --requests {}", a.requests);
    }
    files.emplace_back(*a.scenario, cal::scenario_document(report, s));
  }
  const eval::Status written = eval::io_status([&files] {
    for (const auto& file : files) write(file.first, file.second);
  });
  if (!written.ok()) {
    std::cerr << "orchsim fit: " << written.message() << '\n';
    return exit_status(written);
  }
  if (a.print == "table") {
    cal::write_table(report, std::cout);
    if (a.check) {
      std::cout << fmt::format(
          "\nmodel check: {} users in a closed loop, {} requests; relative errors of the "
          "simulated quantiles:\n",
          a.check_users.value_or(report.concurrency.value_or(5)), a.check_requests);
      std::cout << cal::check_table(checks);
    }
  } else if (a.print == "json") {
    std::cout << report_doc.dump(1) << '\n';
  }
  std::cout.flush();
  if (!a.quiet) {
    for (const auto& [path, text] : files) std::cerr << "orchsim fit: wrote " << path << '\n';
  }
  return checks_pass ? kExitOk : kExitFailure;
}

}  // namespace orchsim::cli
