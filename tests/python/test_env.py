"""orchsim.RoutingEnv: the Gymnasium shape, pausing at each decision of one
node, deterministic episodes, and the documented reward."""

import random

import pytest

import orchsim
from conftest import library_document

ROUTE = "/workflow/nodes/0/routing/policy"


def episode(env, actions, seed):
    """Plays an episode; `actions(obs, step)` picks. Returns rewards, infos and the report."""
    obs, info = env.reset(seed=seed)
    rewards, infos, step = [], [info], 0
    while True:
        obs, reward, terminated, truncated, info = env.step(actions(obs, step))
        rewards.append(reward)
        infos.append(info)
        step += 1
        if terminated or truncated:
            return rewards, infos, info.get("report")


def test_the_api_has_the_gymnasium_shape():
    env = orchsim.RoutingEnv("learned_router", node="answer_query", requests=100)
    assert env.action_space == {"type": "Discrete", "n": 2}
    spaces = env.observation_space["spaces"]
    assert env.observation_space["type"] == "Dict"
    assert spaces["class_index"] == {"type": "Discrete", "n": 2, "labels": ["easy", "hard"]}
    assert spaces["candidates"]["spaces"]["ewma_latency_ms"]["shape"] == [2]
    obs, info = env.reset(seed=3)
    assert set(obs) == set(spaces)
    assert set(obs["candidates"]) == set(spaces["candidates"]["spaces"])
    assert all(len(v) == 2 for v in obs["candidates"].values())
    assert info["context"].node_name == "answer_query" and info["request"] == obs_request(info)
    assert env.candidates == ["cheap_model", "strong_model"]
    obs, reward, terminated, truncated, info = env.step(1)
    assert isinstance(reward, float) and not terminated and not truncated
    env.close()
    with pytest.raises(orchsim.RunError, match="reset"):
        env.step(0)


def obs_request(info):
    return info["context"].request


def test_always_the_first_candidate_is_the_static_policy():
    env = orchsim.RoutingEnv("learned_router", node="answer_query", requests=300)
    rewards, infos, report = episode(env, lambda obs, step: 0, seed=9)
    builtin = orchsim.run("learned_router", requests=300, seed=9, set={ROUTE: "static"})
    assert report == builtin
    assert len(rewards) == builtin["metrics"]["nodes"][0]["calls_started"]


def test_same_seed_and_actions_give_the_same_episode():
    env = orchsim.RoutingEnv("learned_router", node="answer_query", requests=300)

    def play():
        rng = random.Random(0)
        return episode(env, lambda obs, step: rng.randrange(2), seed=4)

    first_rewards, _, first_report = play()
    second_rewards, _, second_report = play()
    assert first_rewards == second_rewards
    assert first_report == second_report
    strong = {a["name"]: a["calls_started"] for a in first_report["metrics"]["agents"]}
    assert strong["cheap_model"] > 100 and strong["strong_model"] > 100


def test_the_reward_is_the_documented_sum_over_ended_attempts():
    env = orchsim.RoutingEnv("learned_router", node="answer_query", requests=200,
                             reward={"quality": 2.0, "failure": -1.0, "cost_per_usd": 10.0,
                                     "latency_per_s": 0.1})
    rewards, infos, _ = episode(env, lambda obs, step: step % 2, seed=2)

    def score(o):
        if o["end"] == "cancelled":
            return 0.0
        q = 2.0 * o["confidence"] if o["end"] == "success" else -1.0
        return q - 10.0 * o["cost_usd"] - 0.1 * o["latency_ms"] / 1000.0

    for reward, info in zip(rewards, infos[1:]):
        assert reward == pytest.approx(sum(score(o) for o in info["outcomes"]), abs=1e-12)
    ended = sum(len(i["outcomes"]) for i in infos)
    assert ended == len(rewards)  # every attempt chosen ends once
    assert sum(len(i["finished"]) for i in infos) == 200


def test_episodes_continue_seeds_and_can_be_cut_short():
    env = orchsim.RoutingEnv("learned_router", node="answer_query", requests=500, max_steps=5,
                             seed=20)
    rewards, infos, report = episode(env, lambda obs, step: 0, seed=None)
    assert len(rewards) == 5 and report is None and infos[0]["seed"] == 20
    _, infos, _ = episode(env, lambda obs, step: 0, seed=None)
    assert infos[0]["seed"] == 21
    obs, info = env.reset()
    obs, info = env.reset(seed=3)  # abandons the episode in progress
    assert info["seed"] == 3
    with pytest.raises(ValueError, match=r"action 2: expected a candidate index in \[0, 2\)"):
        env.step(2)
    with pytest.raises(ValueError):
        env.step(-1)
    env.step(0)
    env.close()


def test_bad_input():
    with pytest.raises(orchsim.ScenarioError, match="answer_query"):
        orchsim.RoutingEnv("learned_router", node="answer", requests=10)
    with pytest.raises(orchsim.ScenarioError, match="/reward/signal"):
        orchsim.RoutingEnv("learned_router", node="answer_query", requests=10,
                           reward={"signal": "vibes"})
    with pytest.raises(orchsim.ScenarioError, match="no end"):
        orchsim.RoutingEnv("learned_router", node="answer_query", requests=0)


class FirstEligible:
    def choose(self, ctx):
        return 0


def test_other_nodes_keep_their_policies_python_ones_too():
    doc = library_document("rag_orchestrated")
    for node in doc["workflow"]["nodes"]:
        if node["name"] == "retrieve":
            node["routing"] = {"policy": "mine"}
    env = orchsim.RoutingEnv(doc, node="generate", requests=100, policies={"mine": FirstEligible})
    _, _, report = episode(env, lambda obs, step: 0, seed=1)
    plain = orchsim.run("rag_orchestrated", requests=100, seed=1)
    assert report["scenario"]["file"] == "<rag_orchestrated>"  # a dict has no file
    assert {**report, "scenario": None} == {**plain, "scenario": None}


def test_a_failing_policy_elsewhere_stops_the_episode_with_a_policy_error():
    class Broken:
        def choose(self, ctx):
            raise RuntimeError("broken")

    doc = library_document("rag_orchestrated")
    for node in doc["workflow"]["nodes"]:
        if node["name"] == "retrieve":
            node["routing"] = {"policy": "broken"}
    env = orchsim.RoutingEnv(doc, node="generate", requests=100, policies={"broken": Broken()})
    with pytest.raises(orchsim.PolicyError, match='routing policy "broken" at node "retrieve"'):
        env.reset(seed=1)
