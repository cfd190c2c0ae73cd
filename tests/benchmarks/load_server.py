"""Load a running server with wrk and print requests/s and p50/p99 latency per scenario.

Searches and snippets rotate through realistic questions (tests/data/relevance.yaml plus
keyword queries), so each request is a fresh search. Loopback only; each run is bounded.

    python tests/benchmarks/load_server.py --url http://127.0.0.1:8000 --duration 10
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlparse

import yaml

HERE = Path(__file__).parent
QUESTIONS = [item["q"] for item in yaml.safe_load((HERE.parent / "data" / "relevance.yaml").read_text())]
KEYWORDS = ["ketamine", "ECT", "esketamine Medicaid", '"synaptic efficacy"', "liver OR driving", "ketamine -liver"]

SCENARIOS = {
    "claims list": ["/v1/claims?limit=10"],
    "claim detail": ["/v1/claims/ect-more-efficacious-than-ketamine"],
    "claims q search": [f"/v1/claims?limit=10&q={quote(q)}" for q in KEYWORDS + QUESTIONS],
    "snippets": [f"/v1/snippets?k=5&q={quote(q)}" for q in QUESTIONS + KEYWORDS],
    "explore search": [f"/explore/claims?q={quote(q)}" for q in KEYWORDS + QUESTIONS],
    "explore claim": ["/explore/claims/ect-more-efficacious-than-ketamine"],
    "explore article": ["/explore/sources/seed-article"],
}

LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def run_wrk(base: str, paths: list[str], args: argparse.Namespace) -> dict[str, str]:
    script = LUA % ", ".join('"' + p.replace('"', '\\"') + '"' for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        command = [
            "wrk",
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--latency",
            "-s",
            lua.name,
            base,
        ]
        output = subprocess.run(command, capture_output=True, text=True, timeout=args.duration + 30).stdout
    figures = {"rps": re.search(r"Requests/sec:\s+([\d.]+)", output)}
    for percentile in ("50", "99"):
        figures[f"p{percentile}"] = re.search(rf"^\s+{percentile}%\s+(\S+)", output, re.MULTILINE)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {key: match.group(1) if match else "?" for key, match in figures.items()} | {
        "non-2xx": errors.group(1) if errors else "0"
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS), help="default: all")
    parser.add_argument("--warm", action="store_true", help="request every path once first (measures cache hits)")
    args = parser.parse_args()
    if urlparse(args.url).hostname not in {"127.0.0.1", "localhost", "::1"}:
        sys.exit("refusing to load a non-loopback address: start the server on 127.0.0.1")
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    print(f"{'scenario':18} {'req/s':>9} {'p50':>9} {'p99':>9} {'non-2xx':>8}")
    for name in args.scenario or list(SCENARIOS):
        if args.warm:
            for path in SCENARIOS[name]:
                urllib.request.urlopen(args.url.rstrip("/") + path, timeout=60).read()
        figures = run_wrk(args.url.rstrip("/"), SCENARIOS[name], args)
        print(f"{name:18} {figures['rps']:>9} {figures['p50']:>9} {figures['p99']:>9} {figures['non-2xx']:>8}")


if __name__ == "__main__":
    main()
