"""The ONNX gate with the project's data: validation records of both tasks, calibration inputs from training data,
figures logged on the model's MLflow run (stance/onnx_export.py does the export and the judging).

    stance export                      # the champion: its run's ONNX files if registration made them, else made here
    python -m training.onnx_gate FOLDER # export and gate a local model folder, print the verdicts
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stance.records import PairRecord

DEFAULT_VALIDATION = {"stance": "directed:valid", "sentiment": "newsmtsc:dev-rw"}
CALIBRATION_SOURCES = ("directed:train", "newsmtsc:train")
LIMIT_ENV = "STANCE_GATE_MAX_RECORDS"  # a cap per task, for tests and smoke runs; unset: the whole validation split


def gate_limit(limit: int | None = None) -> int | None:
    if limit is not None:
        return limit
    raw = os.environ.get(LIMIT_ENV, "").strip()
    return int(raw) if raw else None


def gate_sets(spec: Mapping[str, str] | None = None, limit: int | None = None) -> dict[str, list[PairRecord]]:
    """task -> labelled validation records (the run's validation sources; default directed:valid, newsmtsc:dev-rw)."""
    from training.evaluation import build_eval_sets

    sets = build_eval_sets("gate", dict(spec or DEFAULT_VALIDATION), gate_limit(limit))
    return {s.task.value: s.records for s in sets}


def calibration_records(per_source: int = 128) -> list[PairRecord] | None:
    """A seeded sample of training records for static quantization (never the validation records it is judged on);
    None when the training data is absent (the gate's records are used then)."""
    from training.data import load_records

    out: list[PairRecord] = []
    for source in CALIBRATION_SOURCES:
        try:
            out.extend(load_records(source, per_source))
        except Exception:  # noqa: BLE001 - DataError when the public data is not there
            return None
    return out


def gate_folder(folder: str | Path, spec: Mapping[str, str] | None = None, limit: int | None = None,
                *, quiet: bool = False) -> dict[str, Any]:
    """Export and gate `folder` in place (`<folder>/onnx`); print one verdict line per variant."""
    from stance.onnx_export import build_onnx, summary_lines

    gate = build_onnx(folder, gate_sets(spec, limit), calibration=calibration_records())
    if not quiet:
        for line in summary_lines(gate):
            print(f"onnx gate: {line}", file=sys.stderr)
    return gate


def log_gate(run_id: str, gate: dict[str, Any], onnx_dir: Path | None = None) -> None:
    """Gate figures as metrics of the model's run; the exports and gate.json as its `onnx/` artifacts."""
    from mlflow import MlflowClient

    from stance.onnx_export import gate_metrics

    client = MlflowClient()
    for key, value in gate_metrics(gate).items():
        client.log_metric(run_id, key, value)
    if onnx_dir is not None and onnx_dir.is_dir():
        client.log_artifacts(run_id, str(onnx_dir), "onnx")


def run_spec(run_id: str) -> tuple[dict[str, str] | None, int | None]:
    """The validation sources of a run's config (None when the run has no config.json)."""
    import mlflow

    try:
        config = mlflow.artifacts.load_dict(f"runs:/{run_id}/config.json")
    except Exception:  # noqa: BLE001
        return None, None
    return (config.get("data") or {}).get("validation"), None


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m training.onnx_gate", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--limit", type=int, default=None, help="records per task (default: all)")
    args = parser.parse_args(argv)
    from stance.settings import apply_offline_environment

    apply_offline_environment()
    gate = gate_folder(args.folder, limit=args.limit)
    print(json.dumps(gate, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
