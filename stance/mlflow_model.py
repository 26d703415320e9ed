"""The MLflow form of a stance model: a pyfunc wrapping the same `Predictor`, the model folder as its artifact.

Imported only by code that logs or serves through MLflow (it imports mlflow and pandas at the top).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import mlflow.pyfunc
import pandas as pd

from stance.records import PairRecord, Span

ARTIFACT_KEY = "stance_model"
INPUT_COLUMNS = ["id", "text", "holder_start", "holder_end", "target_start", "target_end"]


class StancePyfunc(mlflow.pyfunc.PythonModel):
    """Input: one row per canonical record (holder_start/holder_end -1 or null for a sentiment record).
    Output: id, task, label and the probabilities as a JSON object in label order."""

    def load_context(self, context: Any) -> None:
        from stance.predictor import Predictor

        self.predictor = Predictor.load(context.artifacts[ARTIFACT_KEY])

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
        records = frame_to_records(model_input)
        predictions = self.predictor.predict(records)
        return pd.DataFrame([
            {"id": p.id, "task": p.task.value, "label": p.label, "probabilities": json.dumps(p.distribution())}
            for p in predictions
        ])


def frame_to_records(frame: pd.DataFrame) -> list[PairRecord]:
    missing = [c for c in INPUT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"model input lacks column(s) {missing}; expected {INPUT_COLUMNS}")
    records = []
    for row in frame.to_dict(orient="records"):
        has_holder = pd.notna(row["holder_start"]) and int(row["holder_start"]) >= 0
        holder = Span(int(row["holder_start"]), int(row["holder_end"])) if has_holder else None
        records.append(PairRecord(str(row["id"]), row["text"],
                                  target=Span(int(row["target_start"]), int(row["target_end"])), holder=holder))
    return records


def input_example() -> pd.DataFrame:
    text = "Tehran accused Baku of siding with Israel."
    return pd.DataFrame([
        {"id": "pair-1", "text": text, "holder_start": 0, "holder_end": 6, "target_start": 15, "target_end": 19},
        {"id": "target-1", "text": text, "holder_start": -1, "holder_end": -1, "target_start": 15, "target_end": 19},
    ])


def requirements() -> list[str]:
    """Explicit pins (MLflow's inference of requirements crashes offline looking for torchvision)."""
    from importlib.metadata import version

    pins = ["torch", "transformers", "tokenizers", "safetensors", "numpy", "pandas", "mlflow"]
    return [f"{name}=={version(name).split('+')[0]}" for name in pins]


def log_stance_model(model_dir: str | Path, name: str = "model") -> Any:
    """Log the folder as a pyfunc with signature, input example, explicit requirements and the stance code."""
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema

    # declared, not inferred: holder offsets are optional (-1 or missing for a sentiment record)
    signature = ModelSignature(
        inputs=Schema([
            ColSpec("string", "id"), ColSpec("string", "text"),
            ColSpec("long", "holder_start", required=False), ColSpec("long", "holder_end", required=False),
            ColSpec("long", "target_start"), ColSpec("long", "target_end"),
        ]),
        outputs=Schema([ColSpec("string", "id"), ColSpec("string", "task"), ColSpec("string", "label"),
                        ColSpec("string", "probabilities")]),
    )
    example = input_example()
    package_dir = Path(__file__).resolve().parent
    with warnings.catch_warnings():  # the example's offsets are ints by design (-1, never missing)
        warnings.filterwarnings("ignore", message="Hint: Inferred schema contains integer")
        return _log(name, model_dir, signature, example, package_dir)


def _log(name: str, model_dir: str | Path, signature: Any, example: pd.DataFrame, package_dir: Path) -> Any:
    return mlflow.pyfunc.log_model(
        name=name,
        python_model=StancePyfunc(),
        artifacts={ARTIFACT_KEY: str(model_dir)},
        signature=signature,
        input_example=example,
        pip_requirements=requirements(),
        code_paths=[str(package_dir)],
    )
