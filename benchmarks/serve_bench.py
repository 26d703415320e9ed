"""Serving speed: requests per second and p50/p99 latency of /classify (32 records a request) and /analyze (the
30-sentence article) with N concurrent clients against a server on 127.0.0.1, then the same model called directly
in-process (no HTTP), for comparison. Loops are bounded by a request count and a time budget; loopback only.

    # a running server (make run), its model loaded in-process from the same BentoML store:
    BENTOML_HOME=models/bentoml python benchmarks/serve_bench.py --url http://127.0.0.1:3000
    # start `bentoml serve` for the store's model (STANCE_BENTO_MODEL, default stance:latest), bench, stop it:
    BENTOML_HOME=models/bentoml python benchmarks/serve_bench.py --serve
    # a tiny random model in a temporary store (checks the script, not the model):
    python benchmarks/serve_bench.py --tiny
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from article import ARTICLE, SENTENCES

from stance.settings import apply_offline_environment

REPO_ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
apply_offline_environment()


@dataclass
class Result:
    scenario: str
    clients: int
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    items_per_s: float  # records (classify) or sentences (analyze) per second


def classify_records(count: int = 32) -> list[dict[str, Any]]:
    """Canonical records from the article: each ordered pair of actors in a sentence, then one sentiment record per
    actor, until `count` (the actors found by the project's linker, so spans are real mentions)."""
    from stance.actors import get_linker

    linker = get_linker()
    stance: list[dict[str, Any]] = []
    sentiment: list[dict[str, Any]] = []
    for k, sentence in enumerate(SENTENCES):
        first: dict[str, Any] = {}
        for mention in linker.link(sentence):
            first.setdefault(mention.actor_id, {"start": mention.start, "end": mention.end})
        for h, hs in first.items():
            sentiment.append({"id": f"s{k}-{h}", "text": sentence, "holder": None, "target": hs})
            for t, ts in first.items():
                if h != t:
                    stance.append({"id": f"s{k}-{h}-{t}", "text": sentence, "holder": hs, "target": ts})
    records = (stance + sentiment)[:count]
    if len(records) < count:
        raise SystemExit(f"the article yields only {len(records)} records, {count} wanted")
    return records


def run_load(name: str, call: Callable[[], bool], *, clients: int, requests: int, seconds: float,
             items: int, warmup: int) -> Result:
    """`clients` threads call `call` until `requests` calls are done or `seconds` have passed."""
    for _ in range(warmup):
        call()
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    issued = 0
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal issued, errors
        while True:
            with lock:
                if issued >= requests or time.perf_counter() >= deadline:
                    return
                issued += 1
            started = time.perf_counter()
            ok = call()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors += not ok

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    done = len(latencies)
    ordered = sorted(latencies) or [float("nan")]
    return Result(
        scenario=name, clients=clients, requests=done, errors=errors, seconds=round(wall, 2),
        rps=round(done / wall, 2) if wall else 0.0,
        p50_ms=round(statistics.median(ordered) * 1000, 1),
        p99_ms=round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000, 1),
        items_per_s=round(done * items / wall, 1) if wall else 0.0,
    )


def http_call(url: str, route: str, payload: dict[str, Any]) -> Callable[[], bool]:
    import httpx

    local = threading.local()
    body = json.dumps(payload).encode("utf-8")

    def call() -> bool:
        if not hasattr(local, "client"):  # one keep-alive connection per client thread
            local.client = httpx.Client(base_url=url, timeout=120, headers={"Content-Type": "application/json"})
        try:
            return local.client.post(route, content=body).status_code == 200
        except httpx.HTTPError:
            return False

    return call


def direct_calls(model_dir: Path, records: list[dict[str, Any]]) -> dict[str, Callable[[], bool]]:
    from stance.analysis import analyze
    from stance.predictor import Predictor, default_threads
    from stance.records import PairRecord

    default_threads()
    predictor = Predictor.load(model_dir)
    parsed = [PairRecord.from_dict(r) for r in records]
    return {
        "classify": lambda: len(predictor.predict(parsed)) == len(parsed),
        "analyze": lambda: len(analyze([ARTICLE], predictor)) == 1,
    }


def served_model_dir(url: str, records: list[dict[str, Any]]) -> tuple[str, Path]:
    """The BentoML tag the server reports, and its folder in this process's BentoML store."""
    import bentoml
    import httpx

    from serving.export import model_dir

    answer = httpx.post(f"{url}/classify", json={"records": records[:1]}, timeout=60)
    answer.raise_for_status()
    tag = answer.json()["model"]["bento_tag"]
    return tag, model_dir(bentoml.models.get(tag))


def start_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "bentoml", "serve", "serving.service:StanceService",
               "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def wait_ready(url: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> float:
    import httpx

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise SystemExit(f"the server exited ({process.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server was not ready after {timeout} s; log: {log}")


def stop_server(process: subprocess.Popen) -> float:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return time.monotonic() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def export_tiny(home: Path) -> str:
    os.environ["BENTOML_HOME"] = str(home)
    from serving.export import export_champion
    from stance.tiny import build_tiny
    from stance_cli.gating import gate_exports

    return str(export_champion(build_tiny(home / "tiny-model"), gate=gate_exports))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", default="http://127.0.0.1:3000", help="a running server (loopback only)")
    where.add_argument("--serve", action="store_true", help="start `bentoml serve` on a free port for the run")
    where.add_argument("--tiny", action="store_true", help="like --serve, with a tiny random model in a temp store")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients (default 8)")
    parser.add_argument("--requests", type=int, default=200, help="requests per scenario at most (default 200)")
    parser.add_argument("--seconds", type=float, default=30, help="time budget per scenario (default 30)")
    parser.add_argument("--records", type=int, default=32, help="records per /classify request (default 32)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls per scenario first (default 3)")
    parser.add_argument("--no-direct", action="store_true", help="skip the in-process comparison")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    if min(args.clients, args.requests, args.records) < 1 or args.seconds <= 0:
        parser.error("--clients, --requests, --records and --seconds must be positive")

    process = None
    log = Path(tempfile.mkdtemp(prefix="serve-bench-")) / "bentoml.log"
    url = args.url
    if args.tiny or args.serve:
        env = dict(os.environ)
        if args.tiny:
            env["STANCE_BENTO_MODEL"] = export_tiny(log.parent / "bentoml")
            env["BENTOML_HOME"] = os.environ["BENTOML_HOME"]
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        process = start_server(port, env, log)
        print(f"bentoml serve ready after {wait_ready(url, process, log):.1f} s (log: {log})", flush=True)
    elif (urlsplit(url).hostname or "") not in LOOPBACK:
        parser.error(f"--url must be a loopback address ({', '.join(sorted(LOOPBACK))}), got {url}")

    try:
        records = classify_records(args.records)
        n_sentences = len(SENTENCES)
        tag, folder = served_model_dir(url, records)
        print(f"model {tag}; /classify: {len(records)} records a request; /analyze: {n_sentences} sentences, "
              f"{len(ARTICLE)} characters; {args.clients} clients; at most {args.requests} requests or "
              f"{args.seconds:.0f} s a scenario", flush=True)
        load = dict(clients=args.clients, requests=args.requests, seconds=args.seconds, warmup=args.warmup)
        results = [
            run_load("http /classify", http_call(url, "/classify", {"records": records}), items=len(records), **load),
            run_load("http /analyze", http_call(url, "/analyze", {"texts": ARTICLE}), items=n_sentences, **load),
        ]
        if not args.no_direct:
            calls = direct_calls(folder, records)
            direct = dict(load, clients=1)  # torch already uses every core for one call
            results.append(run_load("direct classify", calls["classify"], items=len(records), **direct))
            results.append(run_load("direct analyze", calls["analyze"], items=n_sentences, **direct))
    finally:
        if process is not None:
            print(f"server stopped {stop_server(process):.1f} s after SIGTERM", flush=True)

    header = f"{'scenario':<17}{'clients':>8}{'requests':>9}{'errors':>7}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
    print(header + f"{'items/s':>10}")
    for r in results:
        print(f"{r.scenario:<17}{r.clients:>8}{r.requests:>9}{r.errors:>7}{r.rps:>9.2f}{r.p50_ms:>9.1f}"
              f"{r.p99_ms:>9.1f}{r.items_per_s:>10.1f}")
    print("items: records for classify, sentences for analyze")
    if args.json:
        Path(args.json).write_text(json.dumps({"model": tag, "results": [asdict(r) for r in results]}, indent=2))
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
