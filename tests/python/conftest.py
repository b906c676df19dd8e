"""Shared helpers of the orchsim Python suites."""

import json
import os
import re
import subprocess

import pytest

import orchsim


@pytest.fixture
def cli():
    """Runs the orchsim command (ORCHSIM_EXE) and returns (exit status, stdout, stderr)."""
    exe = os.environ.get("ORCHSIM_EXE")
    if not exe or not os.path.exists(exe):
        pytest.skip("ORCHSIM_EXE is not set: no orchsim command to compare with")

    # Under the asan preset this interpreter runs with the shared ASan runtime
    # preloaded (tests/python/CMakeLists.txt); the orchsim command has the
    # runtime linked in, and two runtimes in one process refuse to start.
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}

    def run(*args, cwd=None):
        p = subprocess.run([exe, *args], capture_output=True, text=True, cwd=cwd, env=env)
        return p.returncode, p.stdout, p.stderr
    return run


def library_document(name):
    """A built-in scenario as a dict (the library's files have // comments)."""
    with open(os.path.join(orchsim.library_dir(), name + ".json")) as f:
        text = "\n".join(line for line in f if not line.lstrip().startswith("//"))
    return json.loads(re.sub(r"\s//[^\n\"]*$", "", text, flags=re.M))


class FirstEligible:
    """The built-in "static" policy, in Python."""

    def choose(self, ctx):
        for k in ctx.candidates:
            if k.eligible:
                return k.index
        return 0


class RoundRobin:
    """The built-in "round_robin" policy, in Python."""

    def __init__(self):
        self.next = 0

    def choose(self, ctx):
        n = len(ctx.candidates)
        start = self.next % n
        for step in range(n):
            i = (start + step) % n
            if ctx.candidates[i].eligible:
                break
        else:
            i = start
        self.next = i + 1
        return i
