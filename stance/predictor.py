"""The one inference path: training's evaluation, `stance predict`, the analysis and the HTTP service all use it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from stance.calibration import apply_bias
from stance.encoding import PairInput, PairKey, encode_pairs, is_forward, pair_key
from stance.labels import Task, label_names
from stance.model import CONFIG_FILE, ModelCard, load_model
from stance.records import Prediction
from stance.records import PairRecord, Span

MLFLOW_SCHEMES = ("models:/", "runs:/", "mlflow-artifacts:/", "m-")


class Predictor:
    """Labels canonical records in batches; returns, per record, the label and the distribution in label order.

    Records that mark the same two spans of the same text share one forward pass (both directions of a pair).
    """

    def __init__(self, model: Any, tokenizer: Any, card: ModelCard, *, batch_size: int = 32, bf16: bool = False,
                 source: str | None = None) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.model = model
        self.tokenizer = tokenizer
        self.card = card
        self.batch_size = batch_size
        self.bf16 = bf16
        self.source = source

    @classmethod
    def load(cls, source: str | Path, **options: Any) -> "Predictor":
        """Load a model folder, or an MLflow model URI (`models:/stance@champion`, `runs:/<id>/model`, `m-<id>`)."""
        directory = resolve_model_dir(source)
        model, tokenizer, card = load_model(directory)
        return cls(model, tokenizer, card, source=str(source), **options)

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
        import torch

        self.model.eval()
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i].input_ids))  # similar lengths pad little
        out: list[Any] = [None] * len(encoded)
        pad = self.tokenizer.pad_token_id
        device = next(self.model.parameters()).device  # a model evaluated on the GPU it trains on
        with torch.inference_mode(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=self.bf16):
            for start in range(0, len(order), batch_size):
                chunk = [encoded[i] for i in order[start : start + batch_size]]
                batch = {key: value.to(device) for key, value in collate(chunk, pad).items()}
                logits = self.model(**batch)
                probs = {name: torch.softmax(value.float(), dim=-1).tolist() for name, value in logits.items()}
                for row, i in enumerate(order[start : start + batch_size]):
                    out[i] = (probs["stance_ab"][row], probs["stance_ba"][row], probs["sentiment"][row])
        return out


def collate(items: Sequence[PairInput], pad_id: int) -> dict[str, Any]:
    """Pad a list of inputs to the longest one (dynamic padding: CPU time grows with the padded length)."""
    import torch

    width = max(len(item.input_ids) for item in items)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    for row, item in enumerate(items):
        ids[row, : len(item.input_ids)] = torch.tensor(item.input_ids, dtype=torch.long)
        mask[row, : len(item.input_ids)] = 1
    return {
        "input_ids": ids,
        "attention_mask": mask,
        "pos_a": torch.tensor([item.pos_a for item in items], dtype=torch.long),
        "pos_b": torch.tensor([item.pos_b for item in items], dtype=torch.long),
    }


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

