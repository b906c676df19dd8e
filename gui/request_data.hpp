// What the Request explorer shows of one run: the kept requests of
// requests.jsonl (eval/request_log.hpp documents the file, schema
// "orchsim.requests" version 1) read into plain values, and the loader that
// turns a run folder or the file into them.
//
//   RequestLoad r = load_requests("results/");   // a run folder or its requests.jsonl
//   if (!r.ok()) { show(r.error); return; }
//   for (const RequestRow& q : r.set->requests) use(q.id, q.latency_ms, q.calls);
//
// Errors are values: a missing file, a damaged line, a foreign file or a newer
// schema gives a one-line message naming the file, the line (1 is the header)
// and the JSON pointer of the first bad key within that line, never an
// exception. Plain C++ with no Qt, so it may run on any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orchsim::gui {

inline constexpr const char* kRequestsSchema = "orchsim.requests";
inline constexpr int kRequestsSchemaVersionRead = 1;  // newer versions are refused
// Past this many requests a file is read no further (RequestSet::capped).
inline constexpr std::size_t kMaxRequestsRead = 100000;

// One agent call made for the request (a first attempt, a retry, a hedge, a
// fallback, a redirect, a decomposed part), as it started and ended.
struct CallRow {
  std::string node, agent;
  std::string kind;  // first | retry | hedge | fallback | redirect | decompose
  // success | invalid | error | timeout | cancelled | unfinished (still
  // running when the request ended: end_ms and queue_wait_ms are then unset).
  std::string end;
  std::optional<std::string> error;  // the error kind of an "error" end
  std::uint64_t attempt = 0;
  double start_ms = 0;  // simulated time, like every *_ms below
  std::optional<double> end_ms;
  std::optional<double> queue_wait_ms;  // of [start, end], the part spent queued
  std::uint64_t input_tokens = 0;       // the context the agent was given
  std::uint64_t output_tokens = 0;
  double cost_usd = 0;
  std::optional<double> quality, confidence;  // unset while unfinished
  bool silent = false;                        // a wrong answer that looked right
};

// A candidate agent a routing policy weighed.
struct Candidate {
  std::string agent;
  std::optional<double> score;
  bool eligible = false;
};

// A routing decision (which agent serves a node) or a flow decision (which
// node comes next; no choice: the request ends there).
struct DecisionRow {
  double t_ms = 0;
  std::string node;
  std::string kind;               // route | flow
  std::string policy;             // route only
  std::vector<Candidate> inputs;  // route only
  std::optional<std::string> choice;
  std::string reason;
};

// Something else that happened to the request. Which fields mean something
// depends on the kind (the others keep their defaults):
//   enter   - from, to (the edge taken; node = to)
//   retry   - node, agent, attempt (the new one), delay_ms, after (how the
//             failed attempt ended), error
//   hedge   - node, agent, attempt
//   context - node, agent, policy, tokens_before, tokens_after, retained,
//             segments_dropped, summarized
//   budget  - node, budget (deadline, loop_bound, ...: what ran out)
// A kind this explorer does not know keeps only t_ms and kind.
struct EventRow {
  double t_ms = 0;
  std::string kind;
  std::string node, agent;
  std::string from, to;
  std::uint64_t attempt = 0;
  double delay_ms = 0;
  std::string after;
  std::optional<std::string> error;
  std::string policy;
  std::uint64_t tokens_before = 0, tokens_after = 0;
  double retained = 0;
  std::uint64_t segments_dropped = 0;
  bool summarized = false;
  std::string budget;
};

struct RequestRow {
  std::uint64_t id = 0;
  std::string cls;  // the request class ("class" in the file)
  double arrival_ms = 0, finish_ms = 0, latency_ms = 0;
  bool success = false;
  std::string outcome;  // answered, best_so_far, deadline_exceeded, ...
  double quality = 0;
  bool silent_answer = false;
  double cost_usd = 0;
  std::uint64_t input_tokens = 0, output_tokens = 0;
  std::uint64_t call_count = 0, retries = 0, hedges = 0, timeouts = 0, fallbacks = 0, redirects = 0;
  std::vector<std::string> kept;  // why it was kept: sample, slowest, failed
  bool truncated = false;         // calls, decisions or events beyond the log's bound are missing
  std::vector<CallRow> calls;     // in start order
  std::vector<DecisionRow> decisions;
  std::vector<EventRow> events;

  bool kept_for(std::string_view reason) const;
};

struct RequestSet {
  std::string source;  // where it came from (a path, or "scenario X (run here)")
  std::string scenario;
  std::uint64_t seed = 0;
  std::uint64_t finished = 0;  // requests the run finished; the file keeps a selection
  // The selection's sizes: a uniform sample, the slowest, a sample of the failed.
  std::uint64_t sample = 0, slowest = 0, failed = 0;
  std::vector<RequestRow> requests;  // increasing id
  bool capped = false;               // the file held more than max_requests; the rest was not read

  // The request with this id, or null.
  const RequestRow* find(std::uint64_t id) const;
};

struct RequestLoad {
  std::optional<RequestSet> set;
  std::string error;  // one line, empty when ok
  bool ok() const { return set.has_value(); }
};

// `path` is a run folder (holding requests.jsonl) or the file itself.
RequestLoad load_requests(const std::string& path);
// Reads requests.jsonl text; `source` names it in messages.
RequestLoad parse_requests(std::istream& in, const std::string& source,
                           std::size_t max_requests = kMaxRequestsRead);
// Reads already parsed lines: the header and then one request per element
// (a run made here hands over eval::RequestLog::kept_requests(), with a header
// from requests_header). Errors count lines as the file would (header = 1).
RequestLoad requests_from_json(const nlohmann::ordered_json& header,
                               const std::vector<nlohmann::ordered_json>& lines,
                               const std::string& source);
// The header line eval::RequestLog::write would write for such a run.
nlohmann::ordered_json requests_header(const std::string& scenario, std::uint64_t seed,
                                       std::uint64_t finished, std::uint64_t kept,
                                       std::uint64_t sample, std::uint64_t slowest,
                                       std::uint64_t failed);

}  // namespace orchsim::gui
