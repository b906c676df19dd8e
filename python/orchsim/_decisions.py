"""The decision log (decisions.jsonl, version 2) as one dict per decision.

The file is compact: a header names nodes, agents and enums once, and each
request is one row of small integers (eval/decision_log.hpp). Python users
want a decision per row, with names, so this expands it.
"""

import json

_CANDIDATE = ("agent", "eligible", "in_flight", "queued", "servers", "ewma_latency_ms",
              "ewma_error_rate", "ewma_confidence", "ewma_cost_usd")


def _name(names, i):
    return names[i] if i is not None and 0 <= i < len(names) else None


def expand(text):
    """Decision-log text -> [dict], routing decisions ("kind": "route") and
    gate/join decisions ("kind": "flow"), in the order the log holds them."""
    lines = [line for line in text.splitlines() if line]
    if not lines:
        return []
    header = json.loads(lines[0])
    if header.get("orchsim") != "decisions" or header.get("version") != 2:
        raise ValueError("not a version 2 orchsim decision log")
    nodes, agents = header["nodes"], header["agents"]
    kinds, ends, errors = header["kinds"], header["ends"], header["errors"]
    out = []
    for line in lines[1:]:
        row = json.loads(line)
        features = row.get("x") or []
        for i, d in enumerate(row["d"]):
            node, agent, kind, p, visit, end, error, lat, confidence, quality, cost = d
            decision = {
                "request": row["r"], "kind": "route", "node": _name(nodes, node),
                "choice": _name(agents, agent), "attempt": kinds[kind], "propensity": p,
                "visit": visit, "end": _name(ends, end) if end >= 0 else None,
                "error": errors[error], "latency_ms": lat, "confidence": confidence,
                "quality": quality,
                "cost_usd": cost / 1e6 if cost is not None else None,
            }
            if i < len(features):
                x = features[i]
                scores = x.get("s") or []
                decision.update({
                    "context_tokens": x["ctx"], "time_left_ms": x["tl"],
                    "cost_so_far_usd": x["cost"], "attempt_number": x["at"],
                    "previous": dict(zip(("failed", "label", "confidence", "verdict"), x["prev"])),
                    "inputs": [dict(zip(_CANDIDATE, c), agent=_name(agents, c[0]),
                                    score=scores[j] if j < len(scores) else None)
                               for j, c in enumerate(x["cand"])],
                })
            out.append(decision)
        for node, nxt in row["f"]:
            out.append({"request": row["r"], "kind": "flow", "node": _name(nodes, node),
                        "next": _name(nodes, nxt) if nxt >= 0 else None})
    return out
