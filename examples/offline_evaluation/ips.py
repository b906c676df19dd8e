#!/usr/bin/python3
"""Off-line evaluation of a routing policy from a logged run (inverse
propensity scoring), with orchsim's decision log (decisions.jsonl.zst).

    ips.py LOGGED_DIR [TRUTH_DIR]

LOGGED_DIR holds a run whose routing policy explores and logs the probability
of each choice (epsilon_greedy, p2c, weighted_random, thompson with
--decision-features, or your own policy returning (index, probability)).
The target policy below never ran; IPS estimates what it would have earned:

    V_IPS   = mean_i( 1[target(x_i) = a_i] / p_i * r_i )
    V_SNIPS = sum_i( w_i r_i ) / sum_i( w_i ),  w_i = 1[target(x_i) = a_i] / p_i

over the first attempts at the routed node. TRUTH_DIR, when given, is a run
of the target policy itself on the same seed: its mean reward is the truth
the estimate is checked against. docs/policies.md walks through it.
"""

import json
import math
import sys

import zstandard

NODE = "answer_query"
COST_WEIGHT = 25.0  # reward = quality of a successful answer - 25 x its cost (USD)


def target(request_class):
    """The policy to evaluate: the cheap model for class 0, the strong one otherwise."""
    return "cheap_model" if request_class == 0 else "strong_model"


def first_attempts(path):
    """(class, agent, propensity, reward) of each first attempt at NODE."""
    with zstandard.open(path, "rt") as f:
        header = json.loads(f.readline())
        nodes, agents, kinds, ends = (header[k] for k in ("nodes", "agents", "kinds", "ends"))
        for line in f:
            row = json.loads(line)
            for node, agent, kind, p, _visit, end, _error, _lat, _conf, quality, cost in row["d"]:
                if nodes[node] != NODE or kinds[kind] != "first" or end < 0:
                    continue
                ok = ends[end] == "success"
                reward = (quality if ok else 0.0) - COST_WEIGHT * cost / 1e6
                yield row["cls"], agents[agent], p, reward


def mean_and_half_width(values):
    n = len(values)
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, 1.96 * math.sqrt(var / n)


def main(argv):
    logged = list(first_attempts(argv[1] + "/decisions.jsonl.zst"))
    if any(p is None for _, _, p, _ in logged):
        sys.exit("the logged policy did not estimate its propensities: log with "
                 "--decision-features, or use a policy that knows them")
    weights = [(1.0 / p if target(c) == a else 0.0) for c, a, p, _ in logged]
    terms = [w * r for w, (_, _, _, r) in zip(weights, logged)]
    ips, half = mean_and_half_width(terms)
    snips = sum(terms) / sum(weights)
    behaviour, _ = mean_and_half_width([r for *_, r in logged])
    print(f"decisions logged        {len(logged)}")
    print(f"logging policy's value  {behaviour:.4f}")
    print(f"target, IPS estimate    {ips:.4f} +- {half:.4f} (95%)")
    print(f"target, SNIPS estimate  {snips:.4f}")
    if len(argv) > 2:
        truth, truth_half = mean_and_half_width([r for *_, r in first_attempts(argv[2] + "/decisions.jsonl.zst")])
        print(f"target, as run          {truth:.4f} +- {truth_half:.4f} (95%)")


if __name__ == "__main__":
    main(sys.argv)
