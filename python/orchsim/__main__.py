"""python3 -m orchsim: run or compare scenarios with routing policies written
in Python, from the command line.

    python3 -m orchsim run learned_router --policy mine=my_policies.py:Mine \\
        --set /workflow/nodes/0/routing/policy=mine --requests 5000 --out results/
    python3 -m orchsim compare learned_router --policy mine=my_policies.py:Mine \\
        --variant mine:/workflow/nodes/0/routing/policy=mine -R 10

--policy NAME=SOURCE:ATTR registers SOURCE's ATTR (a class, or a policy object)
under NAME; SOURCE is a .py file or an importable module. Everything else
means what it means to the orchsim command. Exit status: 0 success, 1 the run
failed (a policy raised: its traceback is printed), 2 bad input.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import math
import os
import sys

import orchsim

KEY_METRICS = ["latency_ms.all.mean", "latency_ms.all.p50", "latency_ms.all.p99",
               "requests.success_rate", "quality.mean", "quality.pass_rate",
               "per_request.cost_usd", "per_request.calls"]


class BadInput(Exception):
    pass


def load_policy(spec):
    name, eq, target = spec.partition("=")
    source, colon, attr = target.rpartition(":")
    if not eq or not colon or not name or not source or not attr:
        raise BadInput(f"--policy '{spec}': expected NAME=FILE.py:ATTR or NAME=MODULE:ATTR")
    try:
        if source.endswith(".py") or os.sep in source:
            module_name = "orchsim_user_" + os.path.splitext(os.path.basename(source))[0]
            loader = importlib.util.spec_from_file_location(module_name, source)
            if loader is None:
                raise BadInput(f"--policy '{spec}': cannot load {source}")
            module = importlib.util.module_from_spec(loader)
            sys.modules[module_name] = module
            loader.loader.exec_module(module)
        else:
            module = importlib.import_module(source)
    except (OSError, ImportError) as e:
        raise BadInput(f"--policy '{spec}': {e}") from None
    if not hasattr(module, attr):
        raise BadInput(f"--policy '{spec}': {source} has no {attr}")
    return name, getattr(module, attr)


def sets(args):
    return list(args.set or [])


def common(parser):
    parser.add_argument("scenario", nargs="?", default=None,
                        help="a built-in name or a path (default rag_orchestrated)")
    parser.add_argument("--policy", action="append", default=[], metavar="NAME=SOURCE:ATTR",
                        help="register a Python policy (repeatable)")
    parser.add_argument("--set", action="append", metavar="/PTR=VALUE", help="override a value")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--requests", type=int)
    parser.add_argument("--duration")
    parser.add_argument("--warmup")


def num(x):
    return "-" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.6g}"


def cmd_run(args, policies):
    result = orchsim.run(args.scenario, requests=args.requests, seed=args.seed, set=sets(args),
                         policies=policies, duration=args.duration, warmup=args.warmup,
                         decisions=bool(args.out))
    if args.format == "json":
        print(json.dumps(result, indent=2))
    else:
        m = result["metrics"]
        print(f"{result['scenario']['name']}: seed {result['run']['seed']}, "
              f"{m['requests']['arrived']} requests")
        for key in KEY_METRICS:
            section, _, rest = key.partition(".")
            value = m[section]
            for part in rest.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            print(f"  {key:<28} {num(value)}")
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "report.json"), "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
        # The file `orchsim run --out` writes, in the same format.
        import zstandard
        with zstandard.open(os.path.join(args.out, "decisions.jsonl.zst"), "wt") as f:
            f.write(result.decision_log)
        print(f"wrote {args.out}/report.json, decisions.jsonl.zst", file=sys.stderr)


def cmd_compare(args, policies):
    variants = {}
    for spec in args.variant:
        name, colon, rest = spec.partition(":")
        if not colon or not name or not rest.startswith("/"):
            raise BadInput(f"--variant '{spec}': expected NAME:/json/pointer=value[,...]")
        parts = []
        for p in rest.split(","):
            if parts and not p.startswith("/"):
                parts[-1] += "," + p  # a value with a comma
            else:
                parts.append(p)
        variants[name] = parts
    report = orchsim.compare(args.scenario, variants=variants, against=args.against,
                             set=sets(args), replications=args.replications, seed=args.seed,
                             requests=args.requests, duration=args.duration, warmup=args.warmup,
                             jobs=args.jobs, policies=policies)
    if args.format == "json":
        print(json.dumps(report, indent=2))
        return
    print(f"{report['scenario']}: {report['replications']} replications per variant on seeds "
          f"{report['seeds'][0]}..{report['seeds'][-1]} (common random numbers); differences are "
          f"variant - base, 95% CIs")
    for v in report["variants"]:
        print(f"\nvariant {v['name']} vs base")
        print(f"{'metric':<28} {'base':>11} {'variant':>11} {'diff':>11} {'paired ci95':>26}")
        for key in KEY_METRICS:
            c = v["metrics"].get(key)
            if c is None:
                continue
            ci = (f"[{num(c['diff_ci_low'])}, {num(c['diff_ci_high'])}]"
                  if c["diff_ci_low"] is not None else "-")
            print(f"{key:<28} {num(c['base_mean']):>11} {num(c['variant_mean']):>11} "
                  f"{num(c['diff_mean']):>11} {ci:>26}{' *' if c['significant'] else ''}")
    print("\n* the paired CI excludes 0")

def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m orchsim", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="one run")
    common(run)
    run.add_argument("--out", help="write report.json and decisions.jsonl.zst here")
    run.add_argument("--format", choices=["table", "json"], default="table")
    compare = sub.add_parser("compare", help="paired comparison on common random numbers")
    common(compare)
    compare.add_argument("--variant", action="append", default=[], metavar="NAME:/PTR=VALUE,...")
    compare.add_argument("--against", action="append", default=[], metavar="FILE")
    compare.add_argument("-R", "--replications", type=int, default=5)
    compare.add_argument("-j", "--jobs", type=int, default=0)
    compare.add_argument("--format", choices=["table", "json"], default="table")
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    try:
        policies = dict(load_policy(p) for p in args.policy)
        if args.command == "run":
            cmd_run(args, policies)
        else:
            cmd_compare(args, policies)
    except (BadInput, orchsim.ScenarioError, TypeError) as e:
        print(f"orchsim: {e}", file=sys.stderr)
        return 2
    except orchsim.RunError as e:
        print(f"orchsim: run failed: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
