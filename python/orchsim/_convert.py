"""Argument conversion shared by run, compare, sweep and RoutingEnv.

Python values become what the command line passes, so that a call means
what the same command means: overrides and grid values become the text of
``--set /ptr=value`` (a str as it is, anything else as JSON), durations
become seconds, policies become factories of fresh objects.
"""

from __future__ import annotations

import copy
import datetime
import functools
import json
import math
import os
import re

from . import _orchsim

_UNITS = {"": 1.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "min": 60.0, "m": 60.0, "h": 3600.0}
_DURATION = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-z]*)\s*$")


def value_text(value, what):
    """The --set text of a value: a str as it is (parsed as JSON when it is
    valid JSON, else taken as a string, as on the command line); None, bools,
    numbers, lists and dicts as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise _orchsim.ScenarioError(f"{what}: {value!r} is not a JSON number")
    try:
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise _orchsim.ScenarioError(f"{what}: {value!r} cannot be written as JSON: {e}") from None


def overrides(sets, what="set"):
    """[(pointer, text), ...] from a dict {pointer: value}, pairs, or
    "/pointer=value" strings; applied in order."""
    if sets is None:
        return []
    items = sets.items() if isinstance(sets, dict) else sets
    if isinstance(items, str):
        raise _orchsim.ScenarioError(f"{what}: expected a dict {{'/pointer': value}} or a list, "
                                     f"found the string {items!r}")
    out = []
    for item in items:
        if isinstance(item, str):
            pointer, eq, text = item.partition("=")
            if not eq:
                raise _orchsim.ScenarioError(f"{what}: '{item}': expected /json/pointer=value")
        else:
            pointer, value = item
            text = value_text(value, f"{what} {pointer}")
        if not isinstance(pointer, str) or not pointer.startswith("/"):
            raise _orchsim.ScenarioError(
                f"{what}: {pointer!r}: expected a JSON pointer such as /run/requests")
        out.append((pointer, text))
    return out


def scenario_source(scenario):
    """A built-in name, a path, or a scenario document (a dict)."""
    if scenario is None:
        return _orchsim.ScenarioSource("")
    if isinstance(scenario, dict):
        name = scenario.get("name", "scenario") if isinstance(scenario.get("name"), str) else "scenario"
        return _orchsim.ScenarioSource(f"<{name}>", json.dumps(scenario))
    if isinstance(scenario, (str, os.PathLike)):
        return _orchsim.ScenarioSource(os.fspath(scenario))
    raise _orchsim.ScenarioError(
        f"scenario: {scenario!r}: expected a built-in name, a path or a scenario dict")


def seconds(value, what):
    """Seconds from a number, a datetime.timedelta or a string such as
    "30s", "5min", "250ms" (as --duration takes); None stays None."""
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, bool):
        raise _orchsim.ScenarioError(f"{what}={value!r}: expected seconds")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m and m.group(2) in _UNITS:
            return float(m.group(1)) * _UNITS[m.group(2)]
    raise _orchsim.ScenarioError(
        f"{what}={value!r}: expected seconds, a timedelta, or a duration such as 30s, 5min, 250ms")


def count(value, what):
    """A non-negative int, or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _orchsim.ScenarioError(f"{what}={value!r}: expected a non-negative integer")
    return value


def policy_makers(policies):
    """{name: callable making a fresh policy object}. A class is called with
    no arguments; an instance is deep-copied (copy.deepcopy), so that every
    node of every run starts from the object as it was given and runs do not
    share what they learn."""
    if policies is None:
        return {}
    if not isinstance(policies, dict):
        raise _orchsim.ScenarioError("policies: expected a dict {name: policy class or object}")
    makers = {}
    for name, policy in policies.items():
        if not isinstance(name, str):
            raise _orchsim.ScenarioError(f"policies: the name {name!r} is not a string")
        if not callable(getattr(policy, "choose", None)):
            raise TypeError(f"policies[{name!r}]: {policy!r} has no choose(ctx) method")
        if isinstance(policy, type):
            makers[name] = policy
        else:
            makers[name] = functools.partial(copy.deepcopy, policy)
    return makers
