#!/usr/bin/env python3
"""The decision log as a data scientist reads it: zstandard + pandas (Debian's
python3-pandas and python3-zstandard), nothing of orchsim's. Runs a scenario,
reads decisions.jsonl.zst and checks its counts against report.json.

Usage: decision_log_pandas_test.py ORCHSIM_EXE SCRATCH_DIR
"""
import json
import os
import subprocess
import sys

import pandas as pd
import zstandard


def main():
    exe, scratch = sys.argv[1], sys.argv[2]
    out = os.path.join(scratch, "decision-log-pandas")
    subprocess.run([exe, "run", "query_fanout", "--requests", "3000", "--seed", "3", "-q",
                    "--format", "csv", "--out", out], check=True, stdout=subprocess.DEVNULL)
    report = json.load(open(os.path.join(out, "report.json")))
    metrics = report["metrics"]

    with zstandard.open(os.path.join(out, "decisions.jsonl.zst"), "rt") as f:
        header = json.loads(f.readline())
        requests = pd.read_json(f, lines=True)
    assert header["orchsim"] == "decisions" and header["version"] == 2, header

    # One row per request that arrived: finished ones and those in flight.
    assert len(requests) == metrics["requests"]["arrived"], (len(requests), metrics["requests"])
    assert int(requests["ok"].sum()) == metrics["requests"]["completed"]
    # One decision per routing decision the metrics counted, node by node.
    decisions = pd.DataFrame(
        [d for ds in requests["d"] for d in ds], columns=header["decision_columns"])
    counted = {(d["node"], d["agent"]): d["count"] for d in metrics["routing"]["decisions"]}
    logged = decisions.groupby(["node", "agent"]).size()
    assert len(logged) == len(counted), (logged, counted)
    for (node, agent), n in logged.items():
        key = (header["nodes"][node], header["agents"][agent])
        assert counted[key] == n, (key, counted[key], n)
    # Calls started by a routing decision = the launched decisions.
    started = sum(a["calls_started"] for a in metrics["agents"])
    launched = int((decisions["end"] >= 0).sum())
    assert launched <= started, (launched, started)
    size = os.path.getsize(os.path.join(out, "decisions.jsonl.zst"))
    print(f"ok: {len(requests)} requests, {len(decisions)} decisions, "
          f"{size / len(requests):.1f} bytes per request")


if __name__ == "__main__":
    main()
