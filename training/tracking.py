"""MLflow set-up and the small pieces every run logs: where the store is, tags, datasets as inputs with digests.

Nothing here runs at import: the entry points call `configure()`.
"""

from __future__ import annotations

import os
import subprocess
import warnings
from pathlib import Path
from typing import Any, Sequence

from stance.records import PairRecord
from stance.settings import EXPERIMENT, REPO_ROOT, apply_offline_environment, mlruns_dir, tracking_uri


def configure(experiment: str = EXPERIMENT) -> str:
    """Point MLflow at the sqlite store (unless MLFLOW_TRACKING_URI says otherwise); return the experiment id."""
    apply_offline_environment()
    import mlflow

    if not os.environ.get("MLFLOW_TRACKING_URI"):
        mlruns_dir().mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(tracking_uri())
    found = mlflow.get_experiment_by_name(experiment)
    if found is None:
        # pin the artifact root next to the database, so the store moves as one folder
        location = (mlruns_dir() / "artifacts").as_uri() if not os.environ.get("MLFLOW_TRACKING_URI") else None
        experiment_id = mlflow.create_experiment(experiment, artifact_location=location)
    else:
        experiment_id = found.experiment_id
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=5)
        commit = out.stdout.strip() or "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return commit + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def run_tags(kind: str, base_model: str, config_name: str) -> dict[str, str]:
    import stance

    return {
        "stance.kind": kind, "mlflow.source.git.commit": git_commit(), "base_model": base_model,
        "stance.version": stance.__version__, "config": config_name,
    }


def log_dataset(records: Sequence[PairRecord], name: str, context: str) -> str:
    """Log records as an MLflow dataset input (name, digest, schema); return the digest."""
    import mlflow
    import pandas as pd

    frame = pd.DataFrame([_row(r) for r in records])
    # the offsets are ints by design (-1, never missing): MLflow's hint about them is noise. The schema is inferred
    # lazily, so log_input must sit inside the filter too
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Hint: Inferred schema contains integer")
        dataset = mlflow.data.from_pandas(frame, name=name, targets="label")
        mlflow.log_input(dataset, context=context)
    return dataset.digest


def _row(record: PairRecord) -> dict[str, Any]:
    return {
        "id": record.id, "task": record.task.value, "text": record.text,
        "holder_start": -1 if record.holder is None else record.holder.start,
        "holder_end": -1 if record.holder is None else record.holder.end,
        "target_start": record.target.start, "target_end": record.target.end, "label": record.label,
    }


def log_reports(reports: dict[str, dict[str, Any]], folder: str = "evaluation") -> None:
    """Each confusion matrix as a PNG and all reports as JSON artifacts."""
    import matplotlib.pyplot as plt
    import mlflow

    from stance.labels import Task
    from training.metrics import confusion_figure

    mlflow.log_dict(reports, f"{folder}/reports.json")
    for name, item in reports.items():
        task = Task(item["task"])
        figure = confusion_figure(task, item["confusion_matrix"], f"{name} ({item['source']}, n={item['n']})")
        mlflow.log_figure(figure, f"{folder}/confusion_{name}.png")
        plt.close(figure)
