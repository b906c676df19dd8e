"""orchsim: a deterministic simulator of orchestrated multi-agent LLM systems.

The same scenarios, runs and statistics as the ``orchsim`` command, from
Python, plus routing policies written in Python and a Gymnasium-style
environment for reinforcement learning::

    import orchsim

    class Cheapest:
        def choose(self, ctx):
            return min(range(len(ctx.candidates)),
                       key=lambda i: ctx.candidates[i].usd_per_1k_output_tokens)

    result = orchsim.run("model_cascade", requests=5000, seed=7,
                         set={"/workflow/nodes/0/routing/policy": "cheapest"},
                         policies={"cheapest": Cheapest()})
    result["metrics"]["requests"]["success_rate"]        # report.json, as a dict
    pandas.DataFrame(result.tables["agents"])             # tables for pandas

A policy is any object with ``choose(ctx)``; ``observe(outcome)``,
``request_finished(outcome)`` and ``accepts(outcome)`` are optional (see
docs/policies.md, "Python"). Every node of every run gets a fresh policy: a
class is called with no arguments, an instance is copied with
``copy.deepcopy``, so runs are reproducible and the object you passed is never
changed. The same policy and seed give the same bytes.

Errors: ``ScenarioError`` (also a ValueError) for bad input; ``RunError``
(also a RuntimeError) when a run stops; ``PolicyError`` (a RunError) when a
policy raised or broke its contract, naming the policy, node and request.
"""

from __future__ import annotations

import json
import os

from . import _convert, _decisions, _orchsim
from ._orchsim import (
    AttemptOutcome,
    Candidate,
    Candidates,
    DecisionContext,
    OrchsimError,
    PolicyError,
    PreviousStep,
    RandomStream,
    RequestOutcome,
    RunError,
    ScenarioError,
    __version__,
)
from ._tables import tables
from .env import RoutingEnv

__all__ = [
    "run", "compare", "sweep", "tables", "scenarios", "policies", "library_dir", "Result",
    "RoutingEnv", "DecisionContext", "Candidate", "Candidates", "PreviousStep", "RandomStream",
    "AttemptOutcome", "RequestOutcome", "OrchsimError", "ScenarioError", "RunError", "PolicyError",
    "__version__",
]


class Result(dict):
    """What ``run`` returns: the report.json content as a dict, plus

    ``tables``      the run as tables for pandas (``orchsim.tables``)
    ``decisions``   the decision log, one dict per routing or flow decision,
                    when run with ``decisions=True``
    ``decision_log`` the same log as orchsim writes it (decisions.jsonl,
                    version 2: a header, then one compact row per request)
    ``requests``    per-request detail of a sample (requests.jsonl), when run
                    with ``request_sample=N``
    """

    def __init__(self, report, decisions=None, requests=None, decision_log=None):
        super().__init__(report)
        self.decisions = decisions
        self.decision_log = decision_log
        self.requests = requests
        self._tables = None

    @property
    def tables(self):
        if self._tables is None:
            self._tables = tables(self, self.decisions, self.requests)
        return self._tables


def _jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line]


def run(scenario=None, *, requests=None, seed=None, set=None, policies=None, duration=None,
        warmup=None, decisions=False, request_sample=0):
    """Runs a scenario once; what ``orchsim run SCENARIO --out DIR`` writes.

    scenario        a built-in name ("rag_orchestrated", the default), a path,
                    or a scenario document as a dict
    requests        stop arrivals after this many (default: the scenario's run.requests)
    seed            the run's seed (default: run.seed)
    set             overrides, as --set: {"/json/pointer": value}, pairs, or
                    "/pointer=value" strings; a str value is parsed as JSON when
                    it is valid JSON (as on the command line), anything else is
                    written as JSON
    policies        {"name": policy class or object}: routing policies written in
                    Python, for this call only; a node uses one by naming it
                    ("routing": {"policy": "name"}, or
                    set={"/workflow/nodes/N/routing/policy": "name"})
    duration        stop arrivals at this simulated time: seconds, a timedelta
                    or "30s", "5min"
    warmup          leave requests arriving before this out of the metrics
    decisions       keep the decision log (result.decisions: one dict per
                    routing or flow decision, with the outcome of the attempt
                    it launched); "features" adds what each policy saw and its
                    scores ("inputs"), as --decision-features
    request_sample  keep per-request detail of this many sampled requests
                    (result.requests; as --request-sample)

    Returns a Result: a dict with the content of report.json
    (``result["metrics"]["requests"]["completed"]``, ...), and ``result.tables``.
    Raises ScenarioError for bad input, PolicyError when a policy fails.
    """
    report, decision_log, request_log = _orchsim.run(
        _convert.scenario_source(scenario), _convert.overrides(set), _convert.policy_makers(policies),
        _convert.count(seed, "seed"), _convert.count(requests, "requests"),
        _convert.seconds(duration, "duration"), _convert.seconds(warmup, "warmup"), bool(decisions),
        decisions == "features",
        _convert.count(request_sample, "request_sample") or 0)
    return Result(json.loads(report),
                  _decisions.expand(decision_log) if decision_log is not None else None,
                  _jsonl(request_log)[1:] if request_log is not None else None,
                  decision_log)


def compare(scenario=None, *, variants=None, against=None, set=None, replications=5, seed=None,
            requests=None, duration=None, warmup=None, jobs=0, policies=None):
    """Paired comparison of variants with the base on common random numbers;
    what ``orchsim compare`` writes to comparison.json.

    Every variant runs the base's replication seeds (seed, seed + 1, ...), so
    replication i of each faces the same world, and the paired differences
    variant - base get confidence intervals far narrower than unpaired ones.

    variants   {"name": overrides} applied on top of ``set``, as
               --variant NAME:/ptr=value,...; e.g.
               {"mine": {"/workflow/nodes/0/routing/policy": "mine"}}
    against    other scenario paths, each a variant named by its file's stem
    set, seed, requests, duration, warmup, policies   as for run()
    replications   runs per configuration (default 5, as the CLI)
    jobs       threads (0: one per core); the result does not depend on it.
               Python policies run one at a time (the GIL), so with them
               jobs=1 is often as fast.

    Returns the comparison.json content: {"scenario", "sets", "replications",
    "seeds", "confidence_level", "variants": [{"name", "scenario", "overrides",
    "metrics": {metric: {"pairs", "base_mean", "variant_mean", "diff_mean",
    "diff_ci_low", "diff_ci_high", "paired_half_width", "unpaired_half_width",
    "width_ratio", "significant"}}}]}.
    """
    base_sets = _convert.overrides(set)
    vs = []
    for name, sets in (variants or {}).items():
        vs.append((name, None, _convert.overrides(sets, f"variants[{name!r}]")))
    for path in against or []:
        stem = os.path.splitext(os.path.basename(os.fspath(path)))[0]
        vs.append((stem, _convert.scenario_source(path), []))
    text = _orchsim.compare(
        _convert.scenario_source(scenario), base_sets, vs, _replications(replications),
        _convert.count(seed, "seed"), _convert.count(requests, "requests"),
        _convert.seconds(duration, "duration"), _convert.seconds(warmup, "warmup"),
        _jobs(jobs), _convert.policy_makers(policies))
    return json.loads(text)


def sweep(scenario=None, *, grid, set=None, replications=5, seed=None, requests=None,
          duration=None, warmup=None, jobs=0, policies=None, strong=None, weak_set=None,
          strong_set=None, quality_metric="quality.mean"):
    """A grid sweep with Pareto frontier; what ``orchsim sweep`` writes to sweep.json.

    grid       the axes, the last varying fastest: {"/json/pointer": [values]},
               or "/ptr=v1,v2" strings as --grid takes them
    strong, weak_set, strong_set, quality_metric
               the RouteLLM metrics (APGR, CPT): the strong agent's name and the
               overrides of the always-weak and always-strong references, as
               --strong, --weak-set, --strong-set and --quality-metric
    set, replications, seed, requests, duration, warmup, jobs, policies
               as for compare()

    Every configuration runs the same seeds (common random numbers across points).
    Returns the sweep.json content: {"points": [{"overrides", "pareto",
    "metrics": {...}}], ..., "scenario", "sets", "replications", "first_seed"}.
    """
    axes = []
    items = grid.items() if isinstance(grid, dict) else grid
    for item in items:
        if isinstance(item, str):
            axis = _orchsim.parse_grid(item)
            if axis is None:
                raise ScenarioError(f"grid: '{item}': expected /json/pointer=v1,v2,...")
            axes.append(axis)
        else:
            pointer, values = item
            if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
                raise ScenarioError(f"grid {pointer}: expected a list of values, found {values!r}")
            axes.append((pointer, [_convert.value_text(v, f"grid {pointer}") for v in values]))
    router = None
    if strong is not None:
        router = (strong, _convert.overrides(weak_set, "weak_set"),
                  _convert.overrides(strong_set, "strong_set"), quality_metric)
    elif weak_set or strong_set:
        raise ScenarioError("weak_set= and strong_set= need strong=AGENT")
    text = _orchsim.sweep(
        _convert.scenario_source(scenario), _convert.overrides(set), axes, router,
        _replications(replications), _convert.count(seed, "seed"),
        _convert.count(requests, "requests"), _convert.seconds(duration, "duration"),
        _convert.seconds(warmup, "warmup"), _jobs(jobs), _convert.policy_makers(policies))
    return json.loads(text)


def _replications(n):
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ScenarioError(f"replications={n!r}: expected an integer >= 1")
    return n


def _jobs(n):
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ScenarioError(f"jobs={n!r}: expected an integer >= 0 (0: one per core)")
    return n


def scenarios():
    """The built-in scenarios' names."""
    return _orchsim.scenarios()


def policies():
    """The registered routing policies: [{"name", "summary", "params", "builtin"}]."""
    return _orchsim.policies()


def library_dir():
    """The folder of the built-in scenarios ($ORCHSIM_LIBRARY_DIR overrides it)."""
    return _orchsim.library_dir()
