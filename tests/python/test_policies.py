"""Routing policies written in Python: the same results as the same logic in
C++, every outcome observed, fresh objects per node and run, same bytes."""

import copy
import json
import math

import pytest

import orchsim
from conftest import FirstEligible, RoundRobin, library_document

ROUTE = "/workflow/nodes/0/routing/policy"


def run_with(policy, name="mine", scenario="learned_router", requests=500, **kw):
    return orchsim.run(scenario, requests=requests, seed=5, set={ROUTE: name},
                       policies={name: policy}, **kw)


def test_a_python_policy_gives_what_the_same_builtin_gives():
    builtin = orchsim.run("learned_router", requests=800, seed=5, set={ROUTE: "static"})
    assert run_with(FirstEligible(), requests=800) == builtin
    builtin_rr = orchsim.run("learned_router", requests=800, seed=5, set={ROUTE: "round_robin"})
    assert run_with(RoundRobin, requests=800) == builtin_rr
    assert builtin_rr != builtin


def test_a_python_policy_runs_on_rag_orchestrated():
    # Every call node of the default scenario routed by one Python policy.
    doc = library_document("rag_orchestrated")
    for node in doc["workflow"]["nodes"]:
        if node["type"] == "call":
            node.setdefault("routing", {})["policy"] = "mine"
    python = orchsim.run(doc, requests=300, policies={"mine": FirstEligible()})
    builtin = orchsim.run("rag_orchestrated", requests=300)
    assert python["metrics"] == builtin["metrics"]
    assert python["metrics"]["requests"]["completed"] > 250


class Learner:
    """Epsilon-greedy on the mean confidence, with the decision's own random stream."""

    def __init__(self, epsilon=0.2):
        self.epsilon = epsilon
        self.sums = {}
        self.counts = {}

    def choose(self, ctx):
        n = len(ctx.candidates)
        means = [self.sums.get(i, 1.0) / self.counts.get(i, 1) for i in range(n)]
        greedy = max(range(n), key=lambda i: means[i])
        rng = ctx.random()
        i = rng.below(n) if rng.uniform() < self.epsilon else greedy
        return i, self.epsilon / n + (1 - self.epsilon) * (i == greedy)  # with its propensity

    def observe(self, outcome):
        i = outcome.candidate
        self.sums[i] = self.sums.get(i, 0.0) + (outcome.confidence if outcome.ok else 0.0)
        self.counts[i] = self.counts.get(i, 0) + 1


def test_same_policy_and_seed_give_the_same_bytes():
    policy = Learner()
    before = copy.deepcopy(policy.__dict__)
    first = run_with(policy, requests=1500, decisions=True)
    second = run_with(policy, requests=1500, decisions=True)
    assert json.dumps(first) == json.dumps(second)
    assert json.dumps(first.decisions) == json.dumps(second.decisions)
    assert policy.__dict__ == before  # the object given is copied, never used
    other_seed = orchsim.run("learned_router", requests=1500, seed=6, set={ROUTE: "mine"},
                             policies={"mine": policy})
    assert other_seed != first
    calls = {a["name"]: a["calls_started"] for a in first["metrics"]["agents"]}
    assert calls["cheap_model"] > 0 and calls["strong_model"] > 0


class Recorder:
    """Counts what it is told; one object per node per run."""
    made = []

    def __init__(self):
        Recorder.made.append(self)
        self.chosen = 0
        self.observed = []
        self.finished = []
        self.nodes = set()

    def choose(self, ctx):
        self.chosen += 1
        self.nodes.add(ctx.node_name)
        return 0

    def observe(self, outcome):
        self.observed.append(outcome.to_dict())

    def request_finished(self, outcome):
        self.finished.append(outcome.to_dict())


def test_every_attempt_and_every_request_is_reported():
    Recorder.made = []
    result = run_with(Recorder, requests=600)
    (policy,) = Recorder.made[1:]  # the first object only checked the scenario when it loaded
    node = result["metrics"]["nodes"][0]
    assert len(policy.observed) == node["calls_started"] == policy.chosen
    ends = {}
    for o in policy.observed:
        ends[o["end"]] = ends.get(o["end"], 0) + 1
    assert ends == {k: v for k, v in node["calls_ended"].items() if v}
    assert len(policy.finished) == result["metrics"]["requests"]["finished"]
    assert all(o["latency_ms"] >= 0 and 0 <= o["oracle_quality"] <= 1 for o in policy.observed)
    ok = [o for o in policy.observed if o["ok"]]
    assert ok and all(o["end"] == "success" and 0 <= o["confidence"] <= 1 for o in ok)
    assert sum(o["confidence"] for o in ok) / len(ok) > 0.5
    assert {r["outcome"] for r in policy.finished if r["success"]} == {"answered"}


def test_each_node_of_each_run_gets_a_fresh_object():
    Recorder.made = []
    doc = library_document("rag_orchestrated")
    for node in doc["workflow"]["nodes"]:
        if node["name"] in ("retrieve", "generate"):
            node["routing"] = {"policy": "mine"}
    orchsim.run(doc, requests=50, policies={"mine": Recorder})
    used = [p for p in Recorder.made if p.chosen]
    assert sorted(n for p in used for n in p.nodes) == ["generate", "retrieve"]
    assert all(len(p.nodes) == 1 for p in used)
    orchsim.run(doc, requests=50, policies={"mine": Recorder})
    assert len([p for p in Recorder.made if p.chosen]) == 4


def test_views_are_read_only_lazy_and_expire():
    seen = {}

    class Peek:
        def choose(self, ctx):
            if not seen:
                seen["ctx"] = ctx
                seen["first"] = ctx.candidates[0]
                seen["dict"] = ctx.to_dict()
                k = ctx.candidates
                assert len(k) == 2 and k[-1].name == "strong_model" and k[-1].index == 1
                assert [c.name for c in k] == ["cheap_model", "strong_model"]
                with pytest.raises(IndexError):
                    k[2]
                with pytest.raises(AttributeError):
                    ctx.request = 3
                assert ctx.time_left_ms <= ctx.deadline_ms
                assert ctx.kind == "first" and ctx.visit == 1 and not ctx.previous.exists
                assert 0.0 <= ctx.random().uniform() < 1.0
            return 0

    run_with(Peek(), requests=20)
    with pytest.raises(RuntimeError, match="valid only during choose"):
        seen["ctx"].request
    with pytest.raises(RuntimeError, match="valid only during choose"):
        seen["first"].in_flight
    d = seen["dict"]
    assert d["node_name"] == "answer_query" and len(d["candidates"]) == 2
    assert d["candidates"][1]["usd_per_1k_output_tokens"] == 0.015
    assert math.isfinite(d["deadline_ms"])


def test_user_policies_live_for_one_call_only():
    run_with(FirstEligible())
    assert "mine" not in [p["name"] for p in orchsim.policies()]
    with pytest.raises(orchsim.ScenarioError, match='"mine".*registered routing policy'):
        orchsim.run("learned_router", requests=10, set={ROUTE: "mine"})


def test_a_python_policy_takes_no_scenario_params():
    doc = library_document("learned_router")
    doc["workflow"]["nodes"][0]["routing"] = {"policy": "mine", "params": {"epsilon": 0.1}}
    with pytest.raises(orchsim.ScenarioError, match="/workflow/nodes/0/routing/params/epsilon"):
        orchsim.run(doc, requests=10, policies={"mine": FirstEligible()})


def test_scores_and_propensity_reach_the_decision_log():
    class Scored:
        def choose(self, ctx):
            return 1, 0.25, [0.5, 2.0]

    result = run_with(Scored(), requests=30, decisions="features")
    route = next(d for d in result.decisions if d["kind"] == "route")
    assert route["choice"] == "strong_model"
    assert route["propensity"] == 0.25
    assert [i["score"] for i in route["inputs"]] == [0.5, 2.0]
    assert [i["agent"] for i in route["inputs"]] == ["cheap_model", "strong_model"]


def test_accepts_can_decline_an_answer():
    class Picky:
        def choose(self, ctx):
            return ctx.escalations % 2

        def accepts(self, outcome):
            return outcome.escalations > 0  # the first answer of every step is declined

    result = run_with(Picky(), requests=200)
    agents = {a["name"]: a["calls_started"] for a in result["metrics"]["agents"]}
    assert agents["strong_model"] >= 190 and agents["cheap_model"] >= 190


def test_numpy_numbers_are_numbers():
    np = pytest.importorskip("numpy")

    class NumpyChoice:
        def choose(self, ctx):
            return np.int64(ctx.request % 2), np.float64(1.0)

    class Alternate:
        def choose(self, ctx):
            return ctx.request % 2

    assert run_with(NumpyChoice(), requests=100) == run_with(Alternate(), requests=100)
