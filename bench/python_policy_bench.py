"""Routing decisions per second with a trivial Python policy, through the
whole simulator (docs/performance.md, "Python policies").

    PYTHONPATH=build/release/python /usr/bin/python3 bench/python_policy_bench.py [requests] [repeats]

Every call node of the scenario is routed by the policy; the figure is the
run's routing decisions over its wall time (best of `repeats`), next to the
same run with the built-in static policy (the same choices: the same
simulation, so the difference is what the Python calls cost).
"""

import json
import os
import re
import sys
import time

import orchsim


class First:
    """The cheapest possible policy: always the first candidate."""

    def choose(self, ctx):
        return 0


class FirstEligible:
    """The built-in static policy in Python: reads a field per candidate."""

    def choose(self, ctx):
        for k in ctx.candidates:
            if k.eligible:
                return k.index
        return 0


class Counting(First):
    """First, and learns from every outcome (observe + request_finished)."""

    def __init__(self):
        self.n = 0

    def observe(self, outcome):
        self.n += outcome.ok

    def request_finished(self, outcome):
        self.n += 1


def document(name, policy):
    with open(os.path.join(orchsim.library_dir(), name + ".json")) as f:
        text = "\n".join(line for line in f if not line.lstrip().startswith("//"))
    doc = json.loads(re.sub(r"\s//[^\n\"]*$", "", text, flags=re.M))
    for node in doc["workflow"]["nodes"]:
        if node["type"] == "call":
            node["routing"] = {"policy": policy}
    return doc


def measure(name, policy_name, policies, requests, repeats):
    doc = document(name, policy_name)
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = orchsim.run(doc, requests=requests, seed=1, policies=policies)
        best = min(best, time.perf_counter() - start)
    decisions = sum(d["count"] for d in result["metrics"]["routing"]["decisions"])
    return decisions, best, result


def main():
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    print(f"orchsim {orchsim.__version__}, {requests} requests, best of {repeats}")
    for scenario in ("rag_orchestrated", "learned_router"):
        base_decisions, base_s, base = measure(scenario, "static", {}, requests, repeats)
        print(f"{scenario}: {base_decisions} decisions; built-in static "
              f"{base_s:.3f} s ({base_decisions / base_s / 1e3:.0f}k decisions/s)")
        for label, policy in (("python First", First), ("python FirstEligible", FirstEligible),
                              ("python First + observe", Counting)):
            decisions, seconds, result = measure(scenario, "py", {"py": policy}, requests, repeats)
            assert result["metrics"] == base["metrics"], "the same choices must give the same run"
            extra_us = (seconds - base_s) / decisions * 1e6
            print(f"  {label:<24} {seconds:.3f} s  {decisions / seconds / 1e3:6.0f}k decisions/s"
                  f"  (+{extra_us:.2f} us a decision)")


if __name__ == "__main__":
    main()
