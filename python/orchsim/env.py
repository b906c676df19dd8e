"""RoutingEnv: one node's routing decisions as a Gymnasium-style environment.

    env = orchsim.RoutingEnv("rag_orchestrated", node="generate", requests=2000)
    obs, info = env.reset(seed=1)
    done = False
    while not done:
        action = agent.act(obs)                       # an index into the node's candidates
        obs, reward, terminated, truncated, info = env.step(action)
        done = terminated or truncated

gymnasium is not required: the API has its shape (reset, step, close,
observation_space, action_space), and the spaces are plain dicts that say
what gymnasium.spaces to build ({"type": "Discrete", "n": 3}, {"type": "Box",
"low": 0.0, "high": inf, "shape": [3]}, {"type": "Dict", "spaces": {...}}).

How it runs: the simulation runs on a worker thread and pauses inside the
node's policy at each decision until step() gives the action. The two sides
strictly alternate, so an episode is as deterministic as any run: the same
seed and the same actions give the same rewards and the same report, byte for
byte. Other nodes keep their scenario's policies (Python ones too, through
``policies=``).

Reward: the node's attempts are scored as the learning policies score them
(orchestration/policies/reward.hpp), with ``reward=`` holding the same keys:

    quality (1)          weight of the answer's quality signal
    signal ("confidence") which signal: "confidence" (what the agent reported),
                         "verdict" (1 if a judge passed it), or "oracle"
                         (ORACLE: the true quality; for upper bounds only)
    failure (0)          the quality term of an attempt that failed (error,
                         timeout, or an output the validator rejected)
    cost_per_usd (0)     subtracted per dollar the attempt cost
    latency_per_s (0)    subtracted per second the attempt took

A cancelled attempt (a hedge that lost) scores 0. An attempt ends some time
after it was chosen, and several may end between two decisions: the reward
step() returns is the sum over the node's attempts that ended after this
action was given and before the next decision (or the end of the run). So a
reward may belong to an earlier action; ``info["outcomes"]`` lists each
ended attempt with its request, attempt number and decision id, for exact
credit assignment. ``info["finished"]`` lists the requests that ended (with
ORACLE quality), for request-level rewards of your own.

Episodes: reset(seed=s) runs the scenario with seed s; reset() without a
seed continues with the seed after the last episode's (the scenario's
run.seed first). An episode ends (terminated) when the run has no further
decision at the node; with max_steps it is cut short (truncated) after that
many steps. info["report"] holds the run's report.json dict when it ended.
"""

from __future__ import annotations

import json
import math

from . import _convert, _orchsim

_KINDS = ["first", "retry", "hedge", "fallback", "redirect", "decompose", "cascade", "summarize"]
_CANDIDATE_FIELDS = [
    "eligible", "in_flight", "in_service", "queued", "servers", "ewma_latency_ms",
    "ewma_error_rate", "ewma_confidence", "ewma_cost_usd", "observations",
    "usd_per_1k_input_tokens", "usd_per_1k_output_tokens", "context_window_tokens",
    "rate_limit_headroom",
]


def _box(low, high, shape=()):
    return {"type": "Box", "low": low, "high": high, "shape": list(shape), "dtype": "float64"}


class RoutingEnv:
    """A Gymnasium-style environment whose actions route one call node.

    scenario    a built-in name, a path, or a scenario dict (as run())
    node        the call node whose decisions the actions make
    requests, duration, warmup, set, policies   as for orchsim.run()
    reward      the reward's weights: {"quality", "signal", "failure",
                "cost_per_usd", "latency_per_s"} (see the module's doc)
    max_steps   cut an episode after this many steps (truncated=True)
    seed        the first episode's seed when reset() gets none

    Observations are dicts of plain numbers and lists (``observation_space``
    says which); ``info["context"]`` is the live DecisionContext of the
    pending decision, valid until the next step() or reset().
    """

    metadata = {"render_modes": []}

    def __init__(self, scenario=None, *, node, requests=None, duration=None, warmup=None, set=None,
                 policies=None, reward=None, max_steps=None, seed=None):
        if reward is not None and not isinstance(reward, dict):
            raise _orchsim.ScenarioError("reward: expected a dict of the reward's weights")
        self._core = _orchsim.RoutingEnvCore(
            _convert.scenario_source(scenario), node, _convert.overrides(set),
            _convert.policy_makers(policies), _convert.count(requests, "requests"),
            _convert.seconds(duration, "duration"), _convert.seconds(warmup, "warmup"),
            json.dumps(reward or {}))
        self.max_steps = _convert.count(max_steps, "max_steps")
        self._next_seed = _convert.count(seed, "seed")
        self._seed = None
        self._steps = 0
        self._last_obs = None
        self._over = True
        n = len(self._core.candidates)
        self.candidates = list(self._core.candidates)
        self.node = node
        self.action_space = {"type": "Discrete", "n": n}
        inf = math.inf
        self.observation_space = {"type": "Dict", "spaces": {
            "now_ms": _box(0.0, inf),
            "class_index": {"type": "Discrete", "n": self._core.class_count,
                            "labels": list(self._core.class_names)},
            "input_tokens": _box(0.0, inf),
            "context_tokens": _box(0.0, inf),
            "time_left_ms": _box(-inf, inf),
            "cost_usd": _box(0.0, inf),
            "visit": _box(1.0, inf),
            "attempt": _box(0.0, inf),
            "kind": {"type": "Discrete", "n": len(_KINDS), "labels": list(_KINDS)},
            "previous_exists": {"type": "Discrete", "n": 2},
            "previous_failed": {"type": "Discrete", "n": 2},
            "previous_confidence": _box(0.0, 1.0),
            "previous_verdict_pass": {"type": "Discrete", "n": 2},
            "candidates": {"type": "Dict", "spaces": {
                field: ({"type": "MultiBinary", "n": n} if field == "eligible" else
                        _box(0.0, 1.0, (n,)) if field in ("ewma_error_rate", "rate_limit_headroom") else
                        _box(0.0, inf, (n,)))
                for field in _CANDIDATE_FIELDS}},
        }}

    def reset(self, *, seed=None, options=None):
        """Starts an episode (a new run) and returns (observation, info) at
        the node's first decision. Abandons an episode in progress."""
        if seed is not None:
            self._seed = _convert.count(seed, "seed")
        elif self._next_seed is not None:
            self._seed = self._next_seed
        else:
            self._seed = self._core.default_seed
        self._next_seed = self._seed + 1
        self._steps = 0
        if not self._core.reset(self._seed):
            self._over = True
            raise _orchsim.RunError(
                f"node {self.node!r} made no routing decision in this run: nothing to act on")
        self._over = False
        self._core.take_reward()  # outcomes before the first decision belong to no action
        obs = self._observe()
        return obs, self._info(self._core.take_outcomes(), self._core.take_finished())

    def step(self, action):
        """Gives the pending decision its action: a candidate index, or
        (index, probability) to record a propensity other than 1. Returns
        (observation, reward, terminated, truncated, info)."""
        if self._over:
            raise _orchsim.RunError("the episode is over: call reset() first")
        if isinstance(action, tuple):
            index, probability = action
        else:
            index, probability = action, 1.0
        try:
            index = int(index.__index__())
        except AttributeError:
            raise ValueError(f"action {action!r}: expected a candidate index (an int)") from None
        if index < 0:
            raise ValueError(f"action {index}: expected a candidate index in [0, "
                             f"{self.action_space['n']})")
        alive = self._core.step(index, float(probability))
        self._steps += 1
        reward = self._core.take_reward()
        outcomes, finished = self._core.take_outcomes(), self._core.take_finished()
        terminated = not alive
        truncated = alive and self.max_steps is not None and self._steps >= self.max_steps
        obs = self._observe() if alive else self._last_obs
        info = self._info(outcomes, finished)
        if terminated:
            report = self._core.report()
            info["report"] = json.loads(report) if report is not None else None
        if terminated or truncated:
            self._over = True
            if truncated:
                info["context"] = None
                self._core.close()
        return obs, reward, terminated, truncated, info

    def close(self):
        """Abandons the episode in progress and ends its thread."""
        self._core.close()
        self._over = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _observe(self):
        c = self._core.context()
        prev = c.previous
        candidates = list(c.candidates)
        obs = {
            "now_ms": c.now_ms,
            "class_index": c.class_index,
            "input_tokens": float(c.input_tokens),
            "context_tokens": float(c.context_tokens),
            "time_left_ms": c.time_left_ms,
            "cost_usd": c.cost_usd,
            "visit": float(c.visit),
            "attempt": float(c.attempt),
            "kind": _KINDS.index(c.kind),
            "previous_exists": int(prev.exists),
            "previous_failed": int(prev.failed),
            "previous_confidence": prev.confidence,
            "previous_verdict_pass": int(prev.verdict_pass),
            "candidates": {
                field: [int(getattr(k, field)) if field == "eligible" else float(getattr(k, field))
                        for k in candidates]
                for field in _CANDIDATE_FIELDS},
        }
        self._last_obs = obs
        return obs

    def _info(self, outcomes, finished):
        info = {"step": self._steps, "seed": self._seed, "decisions": self._core.decisions,
                "outcomes": outcomes, "finished": finished}
        if not self._core.done:
            c = self._core.context()
            info.update({"request": c.request, "context": c})
        return info
