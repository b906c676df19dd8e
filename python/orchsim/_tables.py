"""Tables of a run, each in a form ``pandas.DataFrame`` takes directly.

A table is a list of rows, each a flat dict (nested keys joined with dots:
``calls_ended.success``), or for the long series a dict of equal-length
column lists. Both are plain Python: pandas is not needed to build them.

    import pandas as pd
    result = orchsim.run("rag_orchestrated", requests=2000)
    agents = pd.DataFrame(result.tables["agents"])
    pd.DataFrame(result.tables["timeseries"]).plot(x="t_ms", y="in_flight_mean")
"""

from __future__ import annotations


def _flat(record, prefix="", out=None):
    out = {} if out is None else out
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _flat(value, name + ".", out)
        else:
            out[name] = value
    return out


def _rows(records, index_name=None):
    rows = []
    for i, record in enumerate(records or []):
        row = {index_name: i} if index_name else {}
        rows.append(_flat(record, out=row))
    return rows


def _latency_histogram(h):
    edges = h.get("edges_ms", [])
    return {
        "low_ms": edges[:-1],
        "high_ms": edges[1:],
        "all": list(h.get("all", [])),
        "success": list(h.get("success", [])),
    }


def _timeseries(ts):
    n = ts.get("buckets", 0)
    width = ts.get("bucket_ms", 0.0)
    columns = {"t_ms": [i * width for i in range(n)]}
    for key in ("arrived", "completed", "failed", "latency_mean_ms", "in_flight_mean", "cost_usd"):
        if key in ts:
            columns[key] = list(ts[key])
    return columns


def _agent_timeseries(ts):
    n = ts.get("buckets", 0)
    width = ts.get("bucket_ms", 0.0)
    columns = {"t_ms": [], "agent": []}
    agents = ts.get("agents", [])
    keys = [k for k in (agents[0] if agents else {}) if k != "name"]
    for k in keys:
        columns[k] = []
    for agent in agents:
        columns["t_ms"].extend(i * width for i in range(n))
        columns["agent"].extend([agent["name"]] * n)
        for k in keys:
            columns[k].extend(agent[k])
    return columns


def tables(report, decisions=None, requests=None):
    """Tables from a report.json dict (orchsim.run's result, or
    ``json.load(open("out/report.json"))``).

    Returns a dict of tables by name:

    ``summary``            one row: every scalar metric (``latency_ms.all.p99``, ...)
    ``classes``            a row per request class
    ``agents``             a row per agent (calls by end, errors by kind, queue, cost, ...)
    ``nodes``              a row per workflow node that made calls
    ``edges``              traffic per workflow edge (from, to, count)
    ``routing``            routing choices per (node, agent)
    ``outcomes``           completed requests by outcome and failed ones by cause
    ``latency_histogram``  columns low_ms, high_ms, all, success (report.json's bins)
    ``timeseries``         a row per time bucket: t_ms, arrived, completed, ... in_flight_mean
    ``agent_timeseries``   a row per (agent, time bucket): calls, failed_calls, queue_mean, ...
    ``decisions``          with ``decisions``: a row per routing or flow decision
                           (decisions.jsonl; run(..., decisions=True))
    ``requests``           with ``requests``: a row per sampled request
                           (requests.jsonl; run(..., request_sample=N))
    """
    metrics = report.get("metrics", {})
    summary = {}
    for key, value in metrics.items():
        if isinstance(value, dict):
            for k, v in _flat(value, key + ".").items():
                if not isinstance(v, list):
                    summary[k] = v
        elif not isinstance(value, list):
            summary[key] = value
    outcomes = [{"kind": "completed", "name": name, "count": n}
                for name, n in metrics.get("requests", {}).get("completed_by_outcome", {}).items()]
    outcomes += [{"kind": "failed", "name": name, "count": n}
                 for name, n in metrics.get("requests", {}).get("failed_by_cause", {}).items()]
    out = {
        "summary": [summary],
        "classes": _rows(metrics.get("classes"), "class_index"),
        "agents": _rows(metrics.get("agents"), "agent_index"),
        "nodes": _rows(metrics.get("nodes")),
        "edges": _rows(metrics.get("routing", {}).get("edges")),
        "routing": _rows(metrics.get("routing", {}).get("decisions")),
        "outcomes": outcomes,
        "latency_histogram": _latency_histogram(report.get("latency_histogram", {})),
        "timeseries": _timeseries(report.get("timeseries", {})),
        "agent_timeseries": _agent_timeseries(report.get("timeseries", {})),
    }
    if decisions is not None:
        out["decisions"] = [_flat(d) for d in decisions]
    if requests is not None:
        out["requests"] = [_flat(r) for r in requests]
    return out
