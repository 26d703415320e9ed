"""Where the MLflow store is, decided once for training, the CLI and serving alike."""

from __future__ import annotations

import os
from pathlib import Path


def mlruns_dir() -> Path:
    """$STANCE_MLRUNS_DIR, else ./mlruns in the working directory (the repository root for `make` targets)."""
    return Path(os.environ.get("STANCE_MLRUNS_DIR") or Path.cwd() / "mlruns").resolve()


def tracking_uri() -> str:
    """$MLFLOW_TRACKING_URI (a shared server), else the sqlite file in mlruns_dir()."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{mlruns_dir() / 'mlflow.db'}"
