"""orchsim.run: report.json as a dict, the same as `orchsim run` writes, and tables."""

import json
import math
import os

import pytest

import orchsim
from conftest import library_document


def test_import_names_the_version_and_the_library():
    assert orchsim.__version__.count(".") == 2
    assert "rag_orchestrated" in orchsim.scenarios()
    names = [p["name"] for p in orchsim.policies()]
    assert "static" in names and "linucb" in names
    assert os.path.isdir(orchsim.library_dir())


def test_run_returns_what_the_cli_writes_to_report_json(cli, tmp_path):
    status, _, err = cli("run", "learned_router", "--requests", "400", "--seed", "3",
                         "--set", "/workload/arrivals/poisson/rate_per_s=30",
                         "--out", str(tmp_path), "--no-decisions", "--request-sample", "0",
                         "--quiet", "--format", "csv")
    assert status == 0, err
    with open(tmp_path / "report.json") as f:
        expected = json.load(f)
    result = orchsim.run("learned_router", requests=400, seed=3,
                         set={"/workload/arrivals/poisson/rate_per_s": 30})
    assert result == expected
    assert result["metrics"]["requests"]["arrived"] == 400


def test_overrides_read_values_as_the_command_line_does():
    as_number = orchsim.run("learned_router", requests=200, set={"/run/quality_threshold": 0.5})
    as_text = orchsim.run("learned_router", requests=200, set=["/run/quality_threshold=0.5"])
    as_pairs = orchsim.run("learned_router", requests=200, set=[("/run/quality_threshold", "0.5")])
    default = orchsim.run("learned_router", requests=200)
    assert as_number == as_text == as_pairs
    assert as_number["metrics"]["quality_threshold"] == 0.5
    assert default["metrics"]["quality_threshold"] == 0.7


def test_a_scenario_is_a_name_a_path_or_a_dict():
    by_name = orchsim.run("learned_router", requests=200)
    by_path = orchsim.run(os.path.join(orchsim.library_dir(), "learned_router.json"), requests=200)
    by_dict = orchsim.run(library_document("learned_router"), requests=200)
    assert by_name["metrics"] == by_path["metrics"] == by_dict["metrics"]


def test_duration_and_warmup_take_seconds_or_text():
    a = orchsim.run("learned_router", duration="20s", warmup=2)
    b = orchsim.run("learned_router", duration=20.0, warmup="2000ms")
    assert a == b
    assert a["run"]["duration_limit_s"] == 20.0
    assert a["metrics"]["steady_state"]["excluded_warmup"] > 0


def test_tables_go_straight_into_pandas():
    pd = pytest.importorskip("pandas")
    result = orchsim.run("rag_orchestrated", requests=300)
    t = result.tables
    agents = pd.DataFrame(t["agents"])
    assert list(agents["name"]) == [a["name"] for a in result["metrics"]["agents"]]
    assert "calls_ended.success" in agents.columns
    assert pd.DataFrame(t["classes"])["count"].sum() == result["metrics"]["requests"]["finished"]
    assert pd.DataFrame(t["edges"]).loc[0, "from"] == "start"
    routing = pd.DataFrame(t["routing"])
    assert set(routing.columns) >= {"node", "agent", "count"}
    hist = pd.DataFrame(t["latency_histogram"])
    assert hist["all"].sum() == result["metrics"]["latency_ms"]["all"]["count"]
    assert (hist["high_ms"] > hist["low_ms"]).all()
    ts = pd.DataFrame(t["timeseries"])
    assert len(ts) == result["timeseries"]["buckets"]
    assert ts["arrived"].sum() == 300
    per_agent = pd.DataFrame(t["agent_timeseries"])
    assert len(per_agent) == len(ts) * len(agents)
    summary = pd.DataFrame(t["summary"])
    assert summary.loc[0, "latency_ms.all.p99"] == result["metrics"]["latency_ms"]["all"]["p99"]
    outcomes = pd.DataFrame(t["outcomes"])
    assert outcomes["count"].sum() == result["metrics"]["requests"]["finished"]
    assert orchsim.tables(json.loads(json.dumps(result))) == t


def test_decision_log_and_request_sample_on_request():
    result = orchsim.run("learned_router", requests=300, decisions=True, request_sample=20)
    routes = [d for d in result.decisions if d["kind"] == "route"]
    counted = sum(d["count"] for d in result["metrics"]["routing"]["decisions"])
    assert len(routes) == counted
    assert {d["choice"] for d in routes} <= {"cheap_model", "strong_model"}
    assert 20 <= len(result.requests) <= 30
    assert len(result.tables["decisions"]) == len(result.decisions)
    plain = orchsim.run("learned_router", requests=300)
    assert plain.decisions is None and plain.requests is None
    assert plain == result  # logging changes nothing that was simulated


def test_bad_input_is_a_scenario_error_with_every_problem():
    with pytest.raises(orchsim.ScenarioError, match="did you mean") as e:
        orchsim.run("learned_routr")
    assert isinstance(e.value, ValueError)
    with pytest.raises(orchsim.ScenarioError, match="/run/no_such_key"):
        orchsim.run("learned_router", requests=10, set={"/run/no_such_key": 1})
    with pytest.raises(orchsim.ScenarioError, match="requests"):
        orchsim.run("learned_router", requests=-1)
    with pytest.raises(orchsim.ScenarioError, match="duration"):
        orchsim.run("learned_router", duration="soon")
    with pytest.raises(orchsim.ScenarioError, match="no end"):
        orchsim.run("learned_router", requests=0)
    with pytest.raises(orchsim.ScenarioError, match="JSON"):
        orchsim.run("learned_router", requests=10, set={"/run/quality_threshold": math.nan})
