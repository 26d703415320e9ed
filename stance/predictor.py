"""The one inference path: training's evaluation, `stance predict`, the analysis and the HTTP service all use it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stance.calibration import apply_bias
from stance.encoding import PairInput, PairKey, encode_pairs, is_forward, pair_key
from stance.labels import Task, label_names
from stance.model import CONFIG_FILE, ModelCard, load_card_and_tokenizer, load_model
from stance.records import PairRecord, Prediction

MLFLOW_SCHEMES = ("models:/", "runs:/", "mlflow-artifacts:/", "m-")
log = logging.getLogger(__name__)


class Predictor:
    """Labels canonical records in batches; returns, per record, the label and the distribution in label order.

    Records that mark the same two spans of the same text share one forward pass (both directions of a pair).
    """

    def __init__(self, model: Any, tokenizer: Any, card: ModelCard, *, batch_size: int = 32, bf16: bool = False,
                 source: str | None = None, backend: Any = None, model_dir: str | Path | None = None) -> None:
        """`model` is the PyTorch model (None when only an ONNX backend is used); `backend` an object from
        stance.backends (default: the PyTorch model)."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if model is None and backend is None:
            raise ValueError("a Predictor needs a PyTorch model or a backend")
        self.model = model
        self.tokenizer = tokenizer
        self.card = card
        self.batch_size = batch_size
        self.bf16 = bf16
        self.source = source
        self.model_dir = Path(model_dir) if model_dir is not None else None
        self._backend = backend
        self.backend_notes: list[str] = []

    @property
    def backend(self) -> str:
        """The backend that runs the model: torch, onnx or onnx-int8."""
        return "torch" if self._backend is None else self._backend.name

    @classmethod
    def load(cls, source: str | Path, backend: str = "torch", threads: int | None = None,
             **options: Any) -> Predictor:
        """Load a model folder, or an MLflow model URI (`models:/stance@champion`, `runs:/<id>/model`, `m-<id>`).

        `backend`: torch, onnx (fp32), onnx-int8, or auto (the fastest variant that passed the gate, stance/backends.py).
        A variant that is missing or failed the gate falls back (at worst to torch) with a logged warning that says why.
        `threads`: intra-op threads of torch and ONNX Runtime for this process (set once; default $OMP_NUM_THREADS,
        else all cores).
        """
        from stance import backends

        backends.configure_threads(threads)
        directory = resolve_model_dir(source)
        onnx_dir = find_onnx(directory, str(source)) if backend != "torch" else None
        chosen, notes = backends.choose(backend, onnx_dir)
        for note in notes:  # an explicit backend that is unavailable is news; auto passing over a variant is not
            log.log(logging.INFO if backend == "auto" else logging.WARNING, "%s", note)
        if chosen == "torch":
            model, tokenizer, card = load_model(directory)
            if threads is not None:
                backends.apply_torch_threads()
            predictor = cls(model, tokenizer, card, source=str(source), model_dir=directory, **options)
        else:
            tokenizer, card = load_card_and_tokenizer(directory)
            assert onnx_dir is not None  # choose() picks an ONNX variant only when there is a folder to load it from
            runner = backends.OnnxBackend(onnx_dir / backends.VARIANT_FILES[chosen], chosen)
            predictor = cls(None, tokenizer, card, source=str(source), model_dir=directory, backend=runner, **options)
        predictor.backend_notes = notes
        return predictor

    def predict(self, records: Sequence[PairRecord], batch_size: int | None = None) -> list[Prediction]:
        groups: dict[PairKey, list[int]] = {}
        keys: list[PairKey] = []
        for index, record in enumerate(records):
            if not isinstance(record, PairRecord):
                raise TypeError(f"item {index} is a {type(record).__name__}, expected a PairRecord")
            key = pair_key(record)
            if key not in groups:
                groups[key] = []
                keys.append(key)
            groups[key].append(index)
        encoded = encode_pairs(self.tokenizer, keys, self.card.max_length)
        outputs = self._forward(encoded, batch_size or self.batch_size)
        results: list[Prediction | None] = [None] * len(records)
        for key, (stance_ab, stance_ba, sentiment) in zip(keys, outputs):
            for index in groups[key]:
                record = records[index]
                if record.task is Task.SENTIMENT:
                    probs = sentiment
                else:
                    probs = stance_ab if is_forward(record, key) else stance_ba
                    if any(self.card.stance_bias):
                        probs = apply_bias(probs, self.card.stance_bias)
                names = label_names(record.task)
                best = max(range(len(probs)), key=probs.__getitem__)
                results[index] = Prediction(record.id, record.task, names[best], tuple(probs))
        return results  # type: ignore[return-value]

    def _forward(self, encoded: list[PairInput], batch_size: int) -> list[tuple[list[float], list[float], list[float]]]:
        from stance.backends import TorchBackend

        runner = self._backend if self._backend is not None else TorchBackend(self.model, self.bf16)
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i].input_ids))  # similar lengths pad little
        out: list[Any] = [None] * len(encoded)
        pad = self.tokenizer.pad_token_id
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            probs = runner.run(collate_numpy([encoded[i] for i in rows], pad))
            lists = {name: probs[name].tolist() for name in ("stance_ab", "stance_ba", "sentiment")}
            for row, i in enumerate(rows):
                out[i] = (lists["stance_ab"][row], lists["stance_ba"][row], lists["sentiment"][row])
        return out

    def forward_batches(self, encoded: list[PairInput], batch_size: int | None = None) -> list[Any]:
        """Probabilities (stance_ab, stance_ba, sentiment) per encoded input: for the gate and benchmarks."""
        return self._forward(encoded, batch_size or self.batch_size)


def collate_numpy(items: Sequence[PairInput], pad_id: int) -> dict[str, Any]:
    """`collate` as int64 numpy arrays: the input every backend takes."""
    import numpy as np

    width = max(len(item.input_ids) for item in items)
    ids = np.full((len(items), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(items), width), dtype=np.int64)
    for row, item in enumerate(items):
        ids[row, : len(item.input_ids)] = item.input_ids
        mask[row, : len(item.input_ids)] = 1
    return {
        "input_ids": ids,
        "attention_mask": mask,
        "pos_a": np.array([item.pos_a for item in items], dtype=np.int64),
        "pos_b": np.array([item.pos_b for item in items], dtype=np.int64),
    }


def collate(items: Sequence[PairInput], pad_id: int) -> dict[str, Any]:
    """`collate_numpy` as torch tensors (training's batches; dynamic padding: CPU time grows with the padded length)."""
    import torch

    return {name: torch.from_numpy(array) for name, array in collate_numpy(items, pad_id).items()}


def resolve_model_dir(source: str | Path) -> Path:
    """A local folder as it is; an MLflow URI downloaded (MLflow caches nothing, so we keep a copy per URI)."""
    text = str(source)
    if not text.startswith(MLFLOW_SCHEMES):
        directory = Path(text)
        if not directory.is_dir():
            raise FileNotFoundError(
                f"model {text!r} is neither a folder nor an MLflow model URI (models:/NAME@ALIAS, runs:/ID/model, m-ID)"
            )
        return _find_model_dir(directory, text)
    import mlflow

    uri = f"models:/{text}" if text.startswith("m-") else text
    try:
        local = mlflow.artifacts.download_artifacts(artifact_uri=uri)
    except Exception as err:  # mlflow raises several types; the user needs the URI and the tracking store
        raise FileNotFoundError(
            f"could not load MLflow model {text!r} from tracking store {mlflow.get_tracking_uri()!r}: {err}"
        ) from err
    return _find_model_dir(Path(local), text)


def _find_model_dir(root: Path, source: str) -> Path:
    if (root / CONFIG_FILE).is_file():
        return root
    found = sorted(path.parent for path in root.rglob(CONFIG_FILE))
    if not found:
        raise FileNotFoundError(f"{source!r} holds no stance model ({CONFIG_FILE} not found under {root})")
    return found[0]



def find_onnx(directory: Path, source: str) -> Path | None:
    """The folder of a model's ONNX exports and gate report: `<model folder>/onnx` (`stance export` writes it), else,
    for an MLflow model, its run's `onnx/` artifacts (logged at registration). Read only: with a local store MLflow
    hands out the store's own folders, so nothing is ever written next to them."""
    from stance.backends import GATE_FILE, ONNX_SUBDIR

    if (directory / ONNX_SUBDIR / GATE_FILE).is_file() or not source.startswith(MLFLOW_SCHEMES):
        return directory / ONNX_SUBDIR
    import mlflow

    try:
        run_id = mlflow_run_id(source)
        if not run_id:
            return None
        return Path(mlflow.artifacts.download_artifacts(artifact_uri=f"runs:/{run_id}/{ONNX_SUBDIR}"))
    except Exception as err:  # no exports logged for this run: the backend choice falls back and says so
        log.info("no ONNX exports for %s: %s", source, err)
        return None


def mlflow_run_id(source: str) -> str | None:
    """The run that trained the model at an MLflow URI (models:/NAME@ALIAS, models:/NAME/V, runs:/ID/..., m-ID)."""
    import re

    from mlflow import MlflowClient

    client = MlflowClient()
    if match := re.match(r"^runs:/([^/]+)", source):
        return match[1]
    if match := re.match(r"^(?:models:/)?(m-[0-9a-f]+)/?$", source):
        return client.get_logged_model(match[1]).source_run_id
    if match := re.match(r"^models:/([^/@]+)(?:@([^/]+)|/(\d+))/?$", source):
        name, alias, version = match[1], match[2], match[3]
        found = client.get_model_version_by_alias(name, alias) if alias else client.get_model_version(name, version)
        return found.run_id or (found.tags or {}).get("run_id")
    return None
