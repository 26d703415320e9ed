"""The real server: `bentoml serve serving.service:StanceService` as a subprocess on a free port of 127.0.0.1, with a
tiny model exported into a temporary BentoML store. It waits for /readyz, calls /analyze and /classify (concurrent
/classify requests go through the model service's adaptive batching), sends malformed requests, reads /metrics and
the OpenAPI spec, and stops the server with SIGTERM. About 20 s on 2 cores."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stance.settings import OFFLINE_ENVIRONMENT

pytestmark = pytest.mark.http

REPO_ROOT = Path(__file__).resolve().parent.parent
READY_DEADLINE_S = 120
STOP_DEADLINE_S = 40
TEXT = "Tehran was quick to accuse Azerbaijan of siding with Israel."


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> dict[str, Any]:
    """The tiny model in a fresh BentoML store (for the server process, which gets it as BENTOML_HOME)."""
    from bentoml._internal.configuration.containers import BentoMLContainer
    from bentoml._internal.models import ModelStore

    from serving.export import export_champion
    from stance_cli.gating import gate_exports

    home = tmp_path_factory.mktemp("bentoml-serve")
    (home / "models").mkdir()
    with BentoMLContainer.model_store.patch(ModelStore(home / "models")):
        tag = export_champion(tiny_model_dir, gate=gate_exports)
    return {"home": home, "tag": str(tag)}


@pytest.fixture(scope="module")
def server(exported: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import httpx

    port = free_port()
    log = tmp_path_factory.mktemp("serve-log") / "bentoml.log"
    env = {
        **os.environ,
        **OFFLINE_ENVIRONMENT,
        "BENTOML_HOME": str(exported["home"]),
        "STANCE_BENTO_MODEL": exported["tag"],
        "STANCE_MAX_RECORDS": "64",
    }
    command = [sys.executable, "-m", "bentoml", "serve", "serving.service:StanceService",
               "--host", "127.0.0.1", "--port", str(port)]
    started = time.monotonic()
    with log.open("wb") as out:
        # a session of its own: if the test fails half-way, the whole group (arbiter and workers) can be stopped
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        ready_after = _wait_ready(process, url, log, started)
        with httpx.Client(base_url=url, timeout=60) as client:
            yield {"url": url, "client": client, "process": process, "log": log, "tag": exported["tag"],
                   "ready_after": ready_after}
    finally:
        if process.poll() is None:  # the stop test did not run or did not stop it
            _kill_tree(process)


def _kill_tree(process: subprocess.Popen) -> None:
    """SIGKILL the server and every process it started: BentoML's workers leave the group, so a signal to the
    group alone would orphan them (each holding a model in memory) for the rest of the machine's life."""
    import psutil

    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    os.killpg(process.pid, signal.SIGKILL)
    for child in children:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    process.wait(timeout=10)
    psutil.wait_procs(children, timeout=10)


def _wait_ready(process: subprocess.Popen, url: str, log: Path, started: float) -> float:
    import httpx

    deadline = started + READY_DEADLINE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"bentoml serve exited with {process.returncode} before it was ready:\n{log_tail(log)}")
        try:  # a per-probe timeout: a probe must never be what hangs the test
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"not ready after {READY_DEADLINE_S} s:\n{log_tail(log)}")


def test_health_and_metrics(server: dict[str, Any]) -> None:
    client = server["client"]
    print(f"bentoml serve ready after {server['ready_after']:.1f} s")
    assert client.get("/livez").status_code == 200
    assert client.get("/readyz").status_code == 200
    spec = client.get("/docs.json").json()
    assert {"/analyze", "/classify"} <= set(spec["paths"])
    assert "/classify_batch" not in spec["paths"]  # the model service is internal


def test_classify_over_http(server: dict[str, Any]) -> None:
    records = [
        {"id": "s1", "text": TEXT, "holder": {"start": 0, "end": 6}, "target": {"start": 27, "end": 37}},
        {"id": "p1", "text": TEXT, "holder": None, "target": {"start": 53, "end": 59}},
    ]
    response = server["client"].post("/classify", json={"records": records})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"]["bento_tag"] == server["tag"]
    assert [(r["id"], r["task"]) for r in body["results"]] == [("s1", "stance"), ("p1", "sentiment")]


def test_concurrent_classify_requests_are_batched(server: dict[str, Any]) -> None:
    import httpx

    def one(i: int) -> list[str]:
        records = [{"id": f"c{i}-{j}", "text": TEXT, "holder": {"start": 0, "end": 6},
                    "target": {"start": 27, "end": 37}} for j in range(4)]
        with httpx.Client(base_url=server["url"], timeout=60) as client:
            response = client.post("/classify", json={"records": records})
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["results"]]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(one, range(24)))
    assert answers == [[f"c{i}-{j}" for j in range(4)] for i in range(24)]  # each got its own records back, in order
    metrics = server["client"].get("/metrics").text
    assert 'bentoml_service_adaptive_batch_size_count{method_name="classify_batch"' in metrics


def test_analyze_over_http(server: dict[str, Any]) -> None:
    text = TEXT + " Turkey provided political backing and helped shield Baku."
    response = server["client"].post("/analyze", json={"texts": text})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"]["bento_tag"] == server["tag"]
    [document] = body["documents"]
    assert len(document["sentences"]) == 2
    assert {a["id"] for a in document["sentences"][0]["actors"]} == {"IRN", "AZE", "ISR"}
    assert {a["id"] for a in document["summary"]["actors"]} >= {"IRN", "AZE", "ISR", "TUR"}


def test_malformed_requests_get_4xx(server: dict[str, Any]) -> None:
    client = server["client"]
    response = client.post("/classify", content=b"{oops", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["detail"][0]["type"] == "json_invalid"
    response = client.post("/classify", json={"records": [{"id": "x", "text": "abc", "target": {"start": 1, "end": 9}}]})
    assert response.status_code == 400
    assert "record 'x': target span [1, 9)" in response.json()["detail"][0]["msg"]
    response = client.post("/analyze", json={"texts": ["a."] * 17})
    assert response.status_code == 400 and "STANCE_MAX_TEXTS" in response.json()["detail"][0]["msg"]
    response = client.post("/classify", content=b"\x80\x04N.", headers={"Content-Type": "application/vnd.bentoml+pickle"})
    assert response.status_code == 415


def test_sigterm_stops_the_server(server: dict[str, Any]) -> None:
    process = server["process"]
    process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    try:
        process.wait(timeout=STOP_DEADLINE_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {STOP_DEADLINE_S} s after SIGTERM:\n{log_tail(server['log'])}")
    print(f"stopped {time.monotonic() - started:.1f} s after SIGTERM")
    assert process.returncode is not None
    with pytest.raises(OSError):  # nothing listens any more
        socket.create_connection(("127.0.0.1", int(server["url"].rsplit(":", 1)[1])), timeout=2).close()
