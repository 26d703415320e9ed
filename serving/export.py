"""Model hand-over: copy a stance model folder (the MLflow champion, or a local folder) into the BentoML store.

The folder is copied as it is (the stance format, `stance.model.save_model`); `bentoml.transformers` is not used (it
breaks with transformers 5). The BentoML model carries, as metadata, where it came from: the MLflow registry name,
version and alias, the run id, the label sets and the run's evaluation metrics, so every response of the service can
name the model version that produced it.

    stance export                                # models:/stance@champion from the project's store
    stance export --model models:/stance/3       # with MLFLOW_TRACKING_URI=http://mlflow.internal:5000
    stance export --model path/to/model-folder   # a local folder (tests, experiments)
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from serving.settings import ensure_bentoml_home
from serving.settings import tracking_uri as default_tracking_uri
from stance.settings import CHAMPION_URI, MODEL_NAME

MODEL_SUBDIR = "stance_model"  # the stance folder inside the BentoML model's folder
REGISTRY_KEYS = ("registered_model", "registry_version", "mlflow_run_id")  # what identifies a registered model
_REGISTRY_URI = re.compile(r"^models:/(?P<name>[^/@]+)(?:@(?P<alias>[^/]+)|/(?P<version>\d+))/?$")
_RUN_URI = re.compile(r"^runs:/(?P<run_id>[^/]+)(?:/.*)?$")
_LOGGED_MODEL = re.compile(r"^(?:models:/)?(?P<model_id>m-[0-9a-f]+)/?$")
_SKIPPED_METRIC_PREFIXES = ("train", "loss", "learning_rate", "epoch", "grad_norm")


# (staging model folder, its MLflow run id or None) -> the gate report; writes the exports into staging/onnx
GateFn = Callable[[Path, str | None], dict[str, Any]]


class ExportError(RuntimeError):
    """The model could not be handed over; the message says which model and what to do."""


@dataclass
class Provenance:
    """Where a model folder came from; becomes the BentoML model's labels and metadata."""

    source: str
    registered_model: str | None = None
    registry_version: str | None = None
    registry_alias: str | None = None
    mlflow_run_id: str | None = None
    mlflow_model_id: str | None = None
    tracking_uri: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)


def export_champion(
    model_uri: str | Path = CHAMPION_URI,
    tracking_uri: str | None = None,
    name: str = MODEL_NAME,
    *,
    force: bool = False,
    onnx: bool = True,
    gate: GateFn | None = None,
) -> Any:
    """Copy the model at `model_uri` into the BentoML store as `name` and return its BentoML tag.

    `model_uri` is an MLflow model URI (`models:/stance@champion`, `models:/stance/3`, `runs:/<id>/model`, `m-<id>`)
    or a local stance model folder. When the store already holds a model of the same name exported from the same
    registry version and run (an MLflow URI) or with the same files (a folder), that model's tag is returned and
    nothing is copied, unless `force`.

    With `onnx` (the default) the stored model also holds ONNX exports (fp32, int8) gated against PyTorch
    (stance/onnx_export.py); the gate's figures go into the BentoML model's metadata (`onnx_gate`). The exports come
    from the model's run when registration gated them; else `gate` makes and gates them (it needs the validation
    data, which serving does not read: the `stance export` command passes training's gate); with neither the
    service runs PyTorch, and says so.
    """
    from stance.model import CONFIG_FILE, ModelCard
    from stance.predictor import resolve_model_dir

    ensure_bentoml_home()
    import bentoml

    source = str(model_uri)
    if _is_local(source):
        provenance = Provenance(source=str(Path(source).resolve()))
    else:
        provenance = _mlflow_provenance(source, default_tracking_uri(tracking_uri))
        if provenance.registry_version and not force:  # known by its registry version: no download needed
            existing = find_exported(name, _labels(provenance, digest=None))
            if existing is not None:
                return existing
    folder = resolve_model_dir(source)
    card = ModelCard(**json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8")))
    card.check_labels()  # a folder this code cannot serve is refused here, not at the service's start-up
    digest = folder_digest(folder)
    labels = _labels(provenance, digest)
    if not force:
        existing = find_exported(name, labels)
        if existing is not None:
            return existing
    metadata = _metadata(provenance, card, digest)
    staging = None
    if onnx:
        staging, report = _onnx_exports(folder, source, provenance, gate)
        if report is not None:
            from stance.onnx_export import gate_metadata

            metadata["onnx_gate"] = gate_metadata(report)
    try:
        with bentoml.models.create(name, labels=labels, metadata=metadata) as bento_model:
            shutil.copytree(staging or folder, bento_model.path_of(MODEL_SUBDIR))
    finally:
        if staging is not None:
            shutil.rmtree(staging.parent, ignore_errors=True)
    return bento_model.tag


def _onnx_exports(folder: Path, source: str, provenance: Provenance,
                  make_gate: GateFn | None) -> tuple[Path | None, dict[str, Any] | None]:
    """A staging copy of `folder` with its `onnx/` exports and gate report: the ones logged on the model's run at
    registration when there are any, else made and gated now (and logged on the run). Returns (None, None), with the
    reason printed, when they cannot be made: the service then runs PyTorch."""
    from stance.backends import ONNX_SUBDIR, read_gate
    from stance.onnx_export import summary_lines, temp_dir
    from stance.predictor import find_onnx

    staging = temp_dir() / MODEL_SUBDIR
    shutil.copytree(folder, staging)
    try:
        found = find_onnx(folder, source)
        if found is not None and found.is_dir() and read_gate(found) is not None:
            shutil.copytree(found, staging / ONNX_SUBDIR, dirs_exist_ok=True)
        gate = read_gate(staging / ONNX_SUBDIR) if (staging / ONNX_SUBDIR).is_dir() else None
        if gate is not None:
            for line in summary_lines(gate):
                print(f"onnx gate (from the run): {line}", file=sys.stderr)
            return staging, gate
        if make_gate is None:
            print(f"onnx: {source} has no gated ONNX exports and none were asked for here (`stance export` makes "
                  "them); the service will run torch", file=sys.stderr)
            return staging, None
        return staging, make_gate(staging, provenance.mlflow_run_id)
    except Exception as err:  # noqa: BLE001 - the PyTorch model still serves; say why ONNX does not
        print(f"onnx: no ONNX exports for {source}: {type(err).__name__}: {err}; the service will run torch",
              file=sys.stderr)
        shutil.rmtree(staging / ONNX_SUBDIR, ignore_errors=True)
        return staging, None


def find_exported(name: str, labels: dict[str, str]) -> Any:
    """The tag of the newest stored model `name` whose identifying labels equal `labels`, else None."""
    import bentoml
    from bentoml.exceptions import NotFound

    keys = REGISTRY_KEYS if "registry_version" in labels else ("source_digest",)
    try:
        stored = bentoml.models.list(name)
    except NotFound:
        return None
    matches = [m for m in stored if all(m.info.labels.get(k) == labels.get(k) for k in keys)]
    if not matches:
        return None
    return max(matches, key=lambda m: m.info.creation_time).tag


def model_dir(bento_model: Any) -> Path:
    """The stance folder inside a stored BentoML model."""
    return Path(bento_model.path_of(MODEL_SUBDIR))


def folder_digest(folder: Path) -> str:
    """sha256 over the relative paths and contents of every file: the same folder always gives the same digest."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _is_local(source: str) -> bool:
    from stance.predictor import MLFLOW_SCHEMES

    return not source.startswith(MLFLOW_SCHEMES)


def _mlflow_provenance(source: str, uri: str) -> Provenance:
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(uri)
    client = MlflowClient(tracking_uri=uri)
    provenance = Provenance(source=source, tracking_uri=_without_credentials(uri))
    try:
        if match := _REGISTRY_URI.match(source):
            name, alias, version = match["name"], match["alias"], match["version"]
            model_version = (
                client.get_model_version_by_alias(name, alias) if alias else client.get_model_version(name, version)
            )
            provenance.registered_model = name
            provenance.registry_version = str(model_version.version)
            provenance.registry_alias = alias
            provenance.mlflow_run_id = model_version.run_id
            provenance.mlflow_model_id = getattr(model_version, "model_id", None)
        elif match := _RUN_URI.match(source):
            provenance.mlflow_run_id = match["run_id"]
        elif match := _LOGGED_MODEL.match(source):
            provenance.mlflow_model_id = match["model_id"]
            provenance.mlflow_run_id = client.get_logged_model(match["model_id"]).source_run_id
        if provenance.mlflow_run_id:
            provenance.metrics = _evaluation_metrics(client.get_run(provenance.mlflow_run_id).data.metrics)
    except Exception as err:  # MLflow raises several types; the user needs the URI, the store and the next step
        raise ExportError(
            f"could not read {source!r} from the MLflow tracking store {_without_credentials(uri)!r}: {err}. "
            "Train and register a model first (stance train --config quick; stance register), "
            "or pass --tracking-uri."
        ) from err
    return provenance


def _evaluation_metrics(metrics: dict[str, float]) -> dict[str, float]:
    """The run's evaluation metrics (validation and reports), without training curves."""
    return {k: float(v) for k, v in sorted(metrics.items()) if not k.startswith(_SKIPPED_METRIC_PREFIXES)}


def _labels(provenance: Provenance, digest: str | None) -> dict[str, str]:
    labels = {"source_digest": digest[:32]} if digest else {}
    for key in ("registered_model", "registry_version", "registry_alias", "mlflow_run_id"):
        value = getattr(provenance, key)
        if value:
            labels[key] = str(value)
    return labels


def _metadata(provenance: Provenance, card: Any, digest: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "source": provenance.source,
        "source_digest": digest,
        "base_model": card.base_model,
        "max_length": card.max_length,
        "label_sets": {task: list(names) for task, names in card.labels.items()},
        "metrics": provenance.metrics,
    }
    for key in ("registered_model", "registry_version", "registry_alias", "mlflow_run_id", "mlflow_model_id",
                "tracking_uri"):
        value = getattr(provenance, key)
        if value:
            metadata[key] = str(value)
    return metadata


def _without_credentials(uri: str) -> str:
    """A tracking URI safe to store and show: user and password removed."""
    parts = urlsplit(uri)
    if parts.username or parts.password:
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return uri
