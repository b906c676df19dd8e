"""orchsim.compare and orchsim.sweep mean what `orchsim compare` and `orchsim
sweep` mean: the same JSON, key for key."""

import json

import orchsim
from conftest import FirstEligible

ROUTE = "/workflow/nodes/0/routing/policy"


def test_compare_returns_what_the_cli_prints_as_json(cli):
    status, out, err = cli("compare", "learned_router", "--requests", "300", "-R", "3",
                           "--seed", "4", "--set", "/run/quality_threshold=0.6",
                           "--variant", f"rr:{ROUTE}=round_robin",
                           "--variant", f"cheap:{ROUTE}=static,/workflow/nodes/0/retry/max_attempts=1",
                           "--format", "json", "--quiet", "--jobs", "2")
    assert status == 0, err
    expected = json.loads(out)
    got = orchsim.compare("learned_router", requests=300, replications=3, seed=4,
                          set={"/run/quality_threshold": 0.6},
                          variants={"rr": {ROUTE: "round_robin"},
                                    "cheap": [f"{ROUTE}=static",
                                              "/workflow/nodes/0/retry/max_attempts=1"]},
                          jobs=1)
    assert got == expected
    assert [v["name"] for v in got["variants"]] == ["rr", "cheap"]


def test_sweep_returns_what_the_cli_writes_to_sweep_json(cli, tmp_path):
    status, _, err = cli("sweep", "learned_router", "--requests", "200", "-R", "2",
                         "--grid", f"{ROUTE}=static,round_robin",
                         "--grid", "/workload/arrivals/poisson/rate_per_s=10,40",
                         "--strong", "strong_model",
                         "--weak-set", f"{ROUTE}=static",
                         "--strong-set", "/workflow/nodes/0/agents=[\"strong_model\",\"cheap_model\"]",
                         "--out", str(tmp_path), "--quiet")
    assert status == 0, err
    with open(tmp_path / "sweep.json") as f:
        expected = json.load(f)
    got = orchsim.sweep("learned_router", requests=200, replications=2,
                        grid={ROUTE: ["static", "round_robin"],
                              "/workload/arrivals/poisson/rate_per_s": [10, 40]},
                        strong="strong_model", weak_set={ROUTE: "static"},
                        # as typed on the command line: a str passes as it is
                        strong_set={"/workflow/nodes/0/agents": '["strong_model","cheap_model"]'})
    assert got == expected
    assert len(got["points"]) == 4 and got["router"]["apgr"] is not None
    as_cli_strings = orchsim.sweep(
        "learned_router", requests=200, replications=2,
        grid=[f"{ROUTE}=static,round_robin", "/workload/arrivals/poisson/rate_per_s=10,40"])
    assert [p["metrics"] for p in as_cli_strings["points"]] == [p["metrics"] for p in got["points"]]


class Cheap:
    def choose(self, ctx):
        return 0


def test_a_python_policy_against_a_builtin_gets_paired_intervals():
    report = orchsim.compare("learned_router", requests=400, replications=4,
                             variants={"cheap": {ROUTE: "cheap"}}, policies={"cheap": Cheap()},
                             jobs=2)
    (variant,) = report["variants"]
    cost = variant["metrics"]["per_request.cost_usd"]
    assert cost["pairs"] == 4
    assert cost["diff_ci_low"] <= cost["diff_mean"] <= cost["diff_ci_high"]
    assert cost["diff_ci_high"] < 0 and cost["significant"]  # always cheap costs less than linucb
    assert report["seeds"] == [1, 2, 3, 4]
    serial = orchsim.compare("learned_router", requests=400, replications=4,
                             variants={"cheap": {ROUTE: "cheap"}}, policies={"cheap": Cheap()},
                             jobs=1)
    assert json.dumps(serial) == json.dumps(report)


def test_against_another_scenario_file():
    path = f"{orchsim.library_dir()}/model_cascade.json"
    report = orchsim.compare("learned_router", requests=100, replications=2, against=[path],
                             set={ROUTE: "first"}, policies={"first": FirstEligible})
    assert report["variants"][0]["name"] == "model_cascade"
    assert report["variants"][0]["scenario"] == "model_cascade"
