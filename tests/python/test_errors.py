"""A policy that breaks its contract or raises stops the run with a message
naming the policy, the node and the request."""

import math
import os
import subprocess
import sys
import textwrap

import pytest

import orchsim

ROUTE = "/workflow/nodes/0/routing/policy"
CONTEXT = r'routing policy "bad" at node "answer_query", request \d+'


class Returns:
    def __init__(self, answer):
        self.answer = answer

    def choose(self, ctx):
        return self.answer


def run_bad(policy, **kw):
    return orchsim.run("learned_router", requests=50, set={ROUTE: "bad"}, policies={"bad": policy},
                       **kw)


@pytest.mark.parametrize("answer, says", [
    (2, r"chose candidate 2, expected one in \[0, 2\)"),
    (-1, r"chose candidate -1, expected one in \[0, 2\)"),
    ((0, 0.0), r"gave probability 0, expected one in \(0, 1\]"),
    ((1, 1.5), r"gave probability 1.5, expected one in \(0, 1\]"),
    ((0, 1.0, [0.5, math.nan]), r"scores \(a NaN among them\?\)"),
    ((0, 1.0, [0.5]), r"gave 1 scores"),
    ("first", r"choose\(\) returned 'first', expected an index"),
    (0.0, r"choose\(\) returned 0.0, expected an index"),
    (True, r"choose\(\) returned True, expected an index"),
    ((0, "high"), r"probability 'high'"),
    ((0, 1.0, 2, 3), r"sequence of 4 items"),
    (None, r"choose\(\) returned None"),
])
def test_a_choice_out_of_contract_stops_the_run(answer, says):
    with pytest.raises(orchsim.PolicyError, match=CONTEXT + ": .*" + says) as e:
        run_bad(Returns(answer))
    assert isinstance(e.value, orchsim.RunError) and isinstance(e.value, RuntimeError)
    assert not isinstance(e.value, orchsim.ScenarioError)


def test_a_nan_probability_is_logged_as_not_estimated():
    # NaN means "not estimated" (as for the built-in thompson policy): the log
    # says null; asked to explain itself (features), a policy must give a number.
    logged = run_bad(Returns((0, math.nan)), decisions=True)
    assert {d["propensity"] for d in logged.decisions if d["kind"] == "route"} == {None}
    with pytest.raises(orchsim.PolicyError, match=CONTEXT + ": gave probability nan"):
        run_bad(Returns((0, math.nan)), decisions="features")


class Raises:
    def __init__(self, where):
        self.where = where

    def choose(self, ctx):
        if self.where == "choose" and ctx.request >= 7:
            return {}["no such key"]
        return 0

    def observe(self, outcome):
        if self.where == "observe":
            raise ValueError("cannot learn from this")

    def request_finished(self, outcome):
        if self.where == "request_finished":
            raise KeyError(outcome.request)


@pytest.mark.parametrize("where, error", [
    ("choose", "KeyError"), ("observe", "ValueError"), ("request_finished", "KeyError")])
def test_a_policy_that_raises_stops_the_run_with_its_traceback(where, error):
    with pytest.raises(orchsim.PolicyError) as e:
        run_bad(Raises(where))
    message = str(e.value)
    assert f"{where}() raised {error}" in message
    assert "Traceback (most recent call last):" in message
    assert f"in {where}" in message and "test_errors.py" in message
    assert __import__("re").match(CONTEXT, message)
    assert type(e.value.__cause__).__name__ == error
    if where == "choose":
        assert "request 7:" in message


def test_keyboard_interrupt_in_a_policy_is_not_a_policy_error():
    class Stop:
        def choose(self, ctx):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_bad(Stop())


def test_policy_objects_must_have_choose():
    with pytest.raises(TypeError, match="choose"):
        run_bad(object())
    with pytest.raises(orchsim.ScenarioError, match="built-in"):
        orchsim.run("learned_router", requests=10, policies={"static": Returns(0)})
    with pytest.raises(orchsim.ScenarioError, match="name"):
        orchsim.run("learned_router", requests=10, set={ROUTE: "Bad-Name"},
                    policies={"Bad-Name": Returns(0)})


def test_a_policy_that_cannot_be_copied_is_bad_input():
    class Uncopyable:
        def choose(self, ctx):
            return 0

        def __deepcopy__(self, memo):
            raise TypeError("holds a socket")

    with pytest.raises(orchsim.ScenarioError, match="holds a socket"):
        run_bad(Uncopyable())


def test_experiments_stop_too():
    with pytest.raises(orchsim.PolicyError, match=CONTEXT + r": choose\(\) raised KeyError") as e:
        orchsim.compare("learned_router", requests=50, replications=2, jobs=2,
                        variants={"bad": {ROUTE: "bad"}}, policies={"bad": Raises("choose")})
    assert "Traceback" in str(e.value)
    with pytest.raises(orchsim.PolicyError, match=CONTEXT + ": chose candidate 9"):
        orchsim.sweep("learned_router", requests=50, replications=1, jobs=1,
                      grid={ROUTE: ["static", "bad"]}, policies={"bad": Returns(9)})


def python_cli(tmp_path, *args):
    policy_file = tmp_path / "my_policies.py"
    policy_file.write_text(textwrap.dedent("""
        class Broken:
            def choose(self, ctx):
                return 1 // 0

        class Cheap:
            def choose(self, ctx):
                return 0
    """))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(orchsim.__file__)))
    return subprocess.run([sys.executable, "-m", "orchsim", *args], capture_output=True,
                          text=True, cwd=tmp_path, env=env)


def test_the_python_command_line_exits_1_on_a_failing_policy_and_2_on_bad_input(tmp_path):
    p = python_cli(tmp_path, "run", "learned_router", "--requests", "30",
                   "--policy", "broken=my_policies.py:Broken", "--set", ROUTE + "=broken")
    assert p.returncode == 1, p.stderr
    assert 'routing policy "broken" at node "answer_query"' in p.stderr
    assert "ZeroDivisionError" in p.stderr and "Traceback" in p.stderr
    p = python_cli(tmp_path, "run", "learned_routr")
    assert p.returncode == 2 and "did you mean" in p.stderr
    p = python_cli(tmp_path, "run", "--policy", "x=nowhere.py:X")
    assert p.returncode == 2
    p = python_cli(tmp_path, "compare", "learned_router", "--requests", "60", "-R", "3",
                   "--policy", "cheap=my_policies.py:Cheap",
                   "--variant", "cheap:" + ROUTE + "=cheap")
    assert p.returncode == 0, p.stderr
    assert "variant cheap vs base" in p.stdout and "per_request.cost_usd" in p.stdout
