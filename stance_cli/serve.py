"""`stance serve` (`make run`): make sure there is a champion, hand it to BentoML, and serve it on 127.0.0.1:3000.

    stance serve [--port 3000] [--config quick]

1. no `stance@champion` in the MLflow store: fit the baseline, train and register (`stance baseline`, `stance train`,
   `stance register`, on the same data; minutes on
   2 cores) with the `quick` config when the public data is there ($STANCE_DATA_DIR, default ../shared/data),
   else with the `corpus` config, on the project's own data;
2. export the champion into the BentoML store (skipped when that registry version is already there);
3. print an example request, then replace this process with `bentoml serve` (Ctrl+C or SIGTERM stops it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from serving.settings import ensure_bentoml_home, tracking_uri
from stance.settings import CHAMPION_ALIAS as ALIAS
from stance.settings import CHAMPION_URI, MODEL_NAME, REPO_ROOT, apply_offline_environment

SERVICE = "serving.service:StanceService"


def champion_version(uri: str, name: str = MODEL_NAME) -> str | None:
    """The registry version `name@champion` points at, or None when there is none (or no store yet)."""
    if uri.startswith("sqlite:///") and not Path(uri[len("sqlite:///"):]).is_file():
        return None  # no store yet; do not let MLflow create an empty one here
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    try:
        return str(MlflowClient(tracking_uri=uri).get_model_version_by_alias(name, ALIAS).version)
    except MlflowException:
        return None


def example_request(host: str, port: int) -> str:
    body = '{"texts": "Tehran was quick to accuse Azerbaijan of siding with Israel."}'
    return f"curl -s -X POST http://{host}:{port}/analyze -H 'Content-Type: application/json' -d '{body}'"


def default_config() -> str:
    """`quick` when the public data is present, `corpus` (the project's own data only) otherwise."""
    from training.data import SOURCES

    needed = [SOURCES[name].path() for name in ("directed:train", "newsmtsc:train")]
    return "quick" if all(path.is_file() for path in needed) else "corpus"


def ensure_served(*, host: str = "127.0.0.1", port: int = 3000, config: str | None = None,
                  tracking: str | None = None, serve: bool = True) -> str:
    """Train and register if there is no champion, export it, then exec `bentoml serve` (unless `serve` is False).

    Returns the BentoML tag (only when `serve` is False: otherwise this process becomes the server).
    """
    apply_offline_environment()
    ensure_bentoml_home()
    if tracking:
        os.environ["MLFLOW_TRACKING_URI"] = tracking  # the stance CLI and the export use the same store
    uri = tracking_uri(tracking)
    if champion_version(uri) is None:
        config = config or default_config()
        print(f"no {MODEL_NAME}@{ALIAS} in {uri}: training with the {config!r} config, then registering "
              "(minutes on 2 cores) ...", flush=True)
        _stance("baseline", "--config", config)  # the reference every fine-tuned run is compared with, same data
        _stance("train", "--config", config)
        _stance("register")
        if champion_version(uri) is None:
            raise SystemExit(f"training finished but {MODEL_NAME}@{ALIAS} is still missing in {uri}; "
                             "see the output of `stance register` above")
    from serving.export import export_champion
    from stance_cli.gating import gate_exports

    tag = str(export_champion(CHAMPION_URI, tracking_uri=uri, gate=gate_exports))
    print(f"serving {tag} (from {MODEL_NAME}@{ALIAS}, registry version {champion_version(uri)}) "
          f"on http://{host}:{port}; ready when http://{host}:{port}/readyz answers 200 (about 15 s)", flush=True)
    print(f"try:\n  {example_request(host, port)}\nAPI docs: http://{host}:{port}/ (OpenAPI: /docs.json)", flush=True)
    if not serve:
        return tag
    os.environ["STANCE_BENTO_MODEL"] = tag  # pin the exact version, not stance:latest
    command = [sys.executable, "-m", "bentoml", "serve", SERVICE, "--host", host, "--port", str(port)]
    os.execv(sys.executable, command)
    return tag  # not reached


def _stance(*args: str) -> None:
    command = [sys.executable, "-m", "stance_cli", *args]
    result = subprocess.run(command, cwd=REPO_ROOT)
    if result.returncode != 0:
        raise SystemExit(f"`stance {' '.join(args)}` failed with exit code {result.returncode}")
