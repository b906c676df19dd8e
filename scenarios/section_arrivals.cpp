// The workload's "arrivals": an object with exactly one key, the kind of
// arrival process, whose value holds that kind's parameters.
#include <fmt/format.h>

#include <filesystem>

#include "scenarios/replay_trace.hpp"
#include "scenarios/sections.hpp"

namespace orchsim::scenarios {

namespace {

const Range kRate = Range::positive();

const Fields<PoissonArrivals>& poisson_fields() {
  using P = PoissonArrivals;
  static const Fields<P> t{.doc = "",
                           .fields = {number("rate_per_s", &P::rate_per_second, kRate, "1/s",
                                             "Mean arrivals per second.")
                                          .required()}};
  return t;
}

const Fields<DeterministicArrivals>& deterministic_fields() {
  using D = DeterministicArrivals;
  static const Fields<D> t{.doc = "",
                           .fields = {duration("interval_ms", &D::interval, TimeUnit::kMilliseconds,
                                               Range::positive(), "Time between arrivals.")
                                          .required()}};
  return t;
}

const Fields<OnOffArrivals>& on_off_fields() {
  using O = OnOffArrivals;
  static const Fields<O> t{
      .doc = "",
      .fields = {
          number("on_rate_per_s", &O::on_rate_per_second, kRate, "1/s", "Rate while on.")
              .required(),
          number("off_rate_per_s", &O::off_rate_per_second, Range::non_negative(), "1/s",
                 "Rate while off."),
          duration("mean_on_s", &O::mean_on, TimeUnit::kSeconds, Range::positive(),
                   "Mean on period.")
              .required(),
          duration("mean_off_s", &O::mean_off, TimeUnit::kSeconds, Range::positive(),
                   "Mean off period.")
              .required(),
      }};
  return t;
}

void read_points(const FieldSpec& f, ReadContext& ctx, ObjectReader& a,
                 PiecewiseLinearArrivals& p) {
  const Json* pts = a.child(f.key);
  Diagnostics& d = ctx.diagnostics();
  if (!pts || !pts->is_array() || pts->empty()) {
    d.error(a.at(f.key), "expected a non-empty array of [time_s, rate_per_s] pairs");
    return;
  }
  for (std::size_t i = 0; i < pts->size(); ++i) {
    const Json& pt = (*pts)[i];
    // A time before the run's start would have no meaning (and -1e300 s
    // saturates the clock, whose differences then overflow).
    if (!pt.is_array() || pt.size() != 2 || !pt[0].is_number() || !pt[1].is_number() ||
        !(pt[0].get<double>() >= 0) || pt[1].get<double>() < 0) {
      d.error(pointer_join(a.at(f.key), std::to_string(i)),
              fmt::format("found {}, expected [time_s >= 0, rate_per_s >= 0]", describe_json(pt)));
      continue;
    }
    p.points.emplace_back(sim::Duration::from_seconds(pt[0].get<double>()), pt[1].get<double>());
  }
}

const Fields<PiecewiseLinearArrivals>& piecewise_fields() {
  static const Fields<PiecewiseLinearArrivals> t{
      .doc = "",
      .fields = {custom<PiecewiseLinearArrivals>(
                     "points", "The rate over time, linear between points.",
                     [](SchemaBuilder&) {
                       return Json{
                           {"type", "array"},
                           {"items",
                            {{"type", "array"},
                             {"description",
                              "[time_s, rate_per_s]; times >= 0 and increasing, rates >= 0."},
                             {"items", {{"type", "number"}}},
                             {"minItems", 2},
                             {"maxItems", 2}}},
                           {"minItems", 1}};
                     },
                     read_points)
                     .required()}};
  return t;
}

const Fields<DiurnalArrivals>& diurnal_fields() {
  using D = DiurnalArrivals;
  static const Fields<D> t{
      .doc = "",
      .fields = {
          number("mean_rate_per_s", &D::mean_rate_per_second, kRate, "1/s", "Mean rate.")
              .required(),
          number("amplitude", &D::amplitude, Range::probability(), "",
                 "Relative swing around the mean."),
          duration("period_s", &D::period, TimeUnit::kSeconds, Range::positive(), "Period."),
          number("phase_radians", &D::phase_radians, {}, "radians", "Phase of the sine."),
      }};
  return t;
}

// A replay names its file; the offsets (and any per-request attributes)
// come from reading it.
struct ReplayFile {
  std::string file;
  double rate_scale = 1.0;
};

const Fields<ReplayFile>& replay_fields() {
  static const Fields<ReplayFile> t{
      .doc = "",
      .fields = {
          text("file", &ReplayFile::file,
               "The trace, relative to the scenario file: one arrival offset in milliseconds "
               "per line; or a CSV with named columns (arrival_ms, arrival_s or timestamp; "
               "input_tokens, output_tokens, class); or the Azure LLM trace as published "
               "(TIMESTAMP, ContextTokens, GeneratedTokens).")
              .required(),
          number("rate_scale", &ReplayFile::rate_scale, Range::positive(), "",
                 "Speeds the trace up (> 1) or slows it down (< 1): every offset is divided "
                 "by it."),
      }};
  return t;
}

const Fields<ClosedLoopUsers>& closed_loop_fields() {
  using U = ClosedLoopUsers;
  static const Fields<U> t{
      .doc = "",
      .fields = {
          integer("users", &U::users, {1, 1e7}, "", "Concurrent users.").required(),
          distribution("think_time_ms", &U::think_time_ms, "ms",
                       "Think time between a reply and the user's next request."),
      }};
  return t;
}

void load_replay(ReadContext& ctx, ObjectReader& a, const ReplayFile& f, WorkloadConfig& w) {
  if (f.file.empty()) return;
  std::filesystem::path path(f.file);
  if (path.is_relative() && !ctx.base_dir().empty()) {
    path = std::filesystem::path(ctx.base_dir()) / path;
  }
  std::variant<ReplayTrace, std::string> read = read_replay_trace(path.string(), f.rate_scale);
  if (auto* why = std::get_if<std::string>(&read)) {
    ctx.diagnostics().error(a.at("file"), fmt::format("cannot replay: {}", *why));
    return;
  }
  ReplayTrace& trace = std::get<ReplayTrace>(read);
  w.arrivals = ArrivalSpec{trace.arrivals};
  // Its classes are bound once the workload's classes are read (read_workload).
  if (trace.has_attributes()) ctx.pending_replay = std::move(trace);
}

struct ArrivalKind {
  const char* key;
  const char* doc;
  void (*read)(ReadContext&, ObjectReader&, WorkloadConfig&);
  Json (*schema)(SchemaBuilder&);
};

// A kind whose parameters are a struct with a table: read, then in the workload.
template <class A, Table<A> table>
void read_kind(ReadContext& ctx, ObjectReader& a, WorkloadConfig& w) {
  A value = table().prototype();
  table().read(ctx, a, value);
  if constexpr (std::is_same_v<A, ReplayFile>) {
    load_replay(ctx, a, value, w);
  } else if constexpr (std::is_same_v<A, ClosedLoopUsers>) {
    w.arrivals = std::move(value);
  } else {
    w.arrivals = ArrivalSpec{std::move(value)};
  }
}

template <class A, Table<A> table>
Json kind_schema(SchemaBuilder& b) {
  return table().object(b);
}

template <class A, Table<A> table>
ArrivalKind kind(const char* key, const char* doc) {
  return {key, doc, read_kind<A, table>, kind_schema<A, table>};
}

const std::vector<ArrivalKind>& kinds() {
  static const std::vector<ArrivalKind> k = {
      kind<PoissonArrivals, poisson_fields>("poisson", "Poisson arrivals."),
      kind<DeterministicArrivals, deterministic_fields>("deterministic", "Evenly spaced arrivals."),
      kind<OnOffArrivals, on_off_fields>("on_off", "Bursty (Markov-modulated) arrivals."),
      kind<PiecewiseLinearArrivals, piecewise_fields>(
          "piecewise_linear", "A rate that follows a piecewise-linear curve."),
      kind<DiurnalArrivals, diurnal_fields>("diurnal", "A sinusoidal daily cycle."),
      kind<ReplayFile, replay_fields>("replay", "Replays recorded arrivals."),
      kind<ClosedLoopUsers, closed_loop_fields>("closed_loop", "A closed loop of users."),
  };
  return k;
}

// The one kind present; reports none or several.
const ArrivalKind* kind_of(const Json& j, ObjectReader& r, const std::string& at, Diagnostics& d) {
  const ArrivalKind* found = nullptr;
  std::vector<std::string> names;
  for (const ArrivalKind& k : kinds()) {
    names.emplace_back(k.key);
    if (!r.has(k.key)) continue;
    r.child(k.key);  // known, even when it is the second one
    if (found) {
      d.error(at, fmt::format("found both \"{}\" and \"{}\", expected exactly one arrival process",
                              found->key, k.key));
    }
    found = &k;
  }
  if (!found) {
    std::string near, list;
    for (auto it = j.begin(); it != j.end(); ++it) near = closest_match(it.key(), names);
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    d.error(at, "found no arrival process, expected one of: " + list,
            near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
  }
  return found;
}

}  // namespace

void read_arrivals(ReadContext& ctx, const Json& j, const std::string& at, WorkloadConfig& w) {
  ObjectReader r(j, at, ctx.diagnostics());
  if (!r.valid()) return;
  const ArrivalKind* kind = kind_of(j, r, at, ctx.diagnostics());
  if (!kind) return;
  ObjectReader a(*r.child(kind->key), r.at(kind->key), ctx.diagnostics());
  kind->read(ctx, a, w);
  a.finish();
  r.finish();
}

Json arrivals_schema(SchemaBuilder& b) {
  return b.ref("arrivals", [](SchemaBuilder& bb) {
    Json one = Json::array();
    for (const ArrivalKind& k : kinds()) {
      one.push_back(object_schema(k.doc, Json{{k.key, k.schema(bb)}}, {k.key}));
    }
    return Json{{"description", "The arrival process: an object with exactly one of these keys."},
                {"oneOf", one}};
  });
}

}  // namespace orchsim::scenarios
