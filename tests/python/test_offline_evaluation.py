"""The worked example of docs/policies.md ("Off-line evaluation"), run as
written: a logged epsilon-greedy run, the IPS estimate of a policy that never
ran, and the same policy run for real on the same seed."""

import os
import subprocess
import sys

import pytest

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "offline_evaluation")


def estimate(*dirs):
    out = subprocess.run([sys.executable, os.path.join(EXAMPLE, "ips.py"), *dirs],
                         capture_output=True, text=True, check=True).stdout
    values = {}
    for line in out.splitlines():
        label, _, rest = line.rpartition("  ")
        values[label.strip()] = [float(x) for x in rest.replace("(95%)", "").split("+-")]
    return values


def test_the_ips_estimate_covers_the_policy_as_run(cli, tmp_path):
    logged, truth = str(tmp_path / "logged"), str(tmp_path / "truth")
    rc, _, err = cli("run", "learned_router", "--requests", "20000", "--seed", "3",
                     "--set", "/workflow/nodes/0/routing/policy=epsilon_greedy",
                     "--set", "/workflow/nodes/0/routing/params/epsilon=0.3", "--out", logged)
    assert rc == 0, err
    p = subprocess.run([sys.executable, "-m", "orchsim", "run", "learned_router",
                        "--requests", "20000", "--seed", "3",
                        "--policy", "by_class=" + os.path.join(EXAMPLE, "by_class.py") + ":ByClass",
                        "--set", "/workflow/nodes/0/routing/policy=by_class", "--out", truth],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    v = estimate(logged, truth)
    assert v["decisions logged"] == [20000]
    (ips, half), (run, _) = v["target, IPS estimate"], v["target, as run"]
    assert abs(ips - run) < half  # the 95% interval covers the truth
    assert v["logging policy's value"][0] < run  # and the target is worth switching to
    # The figures docs/policies.md quotes.
    assert (round(ips, 4), round(half, 4), round(run, 4)) == (0.6954, 0.0215, 0.7043)


def test_a_log_without_propensities_is_refused(cli, tmp_path):
    out = str(tmp_path / "thompson")
    rc, _, err = cli("run", "learned_router", "--requests", "200",
                     "--set", "/workflow/nodes/0/routing/policy=thompson",
                     "--request-sample", "0", "--out", out)  # nothing asks thompson to explain
    assert rc == 0, err
    p = subprocess.run([sys.executable, os.path.join(EXAMPLE, "ips.py"), out],
                       capture_output=True, text=True)
    assert p.returncode != 0 and "did not estimate its propensities" in p.stderr
