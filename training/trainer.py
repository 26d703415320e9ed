"""The project's `transformers.Trainer`: what the stock Trainer does not know about the two-head model.

- `compute_loss`: class-weighted cross-entropy over whichever targets a batch labels (both stance directions and the
  sentiment of one example come from one forward pass);
- `_get_train_sampler`: length-bucketed batches in an order that is a function of (seed, epoch) alone, so a resumed
  run sees the batches it would have seen;
- `create_optimizer`: the encoder at the fine-tuning rate, the fresh heads faster, no decay on biases and LayerNorm;
- `evaluate`: the shared `Predictor` on the validation sets (rank 0; the figures are broadcast to the other ranks),
  the project's flat metric names, so the Trainer's best-checkpoint bookkeeping keys on `val_score`.

This module imports transformers at the top (9 s): import it only where a training starts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from transformers import Trainer, TrainerCallback

from stance.encoding import PairInput
from stance.predictor import collate
from training.finetune import IGNORE, LABEL_COLUMNS, EpochOrder

TASK_OF = {"stance_ab": "stance", "stance_ba": "stance", "sentiment": "sentiment"}


class Collator:
    """Rows of the encoded dataset -> padded tensors plus the three label columns (-100 where unlabelled)."""

    def __init__(self, pad_id: int) -> None:
        self.pad_id = pad_id

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        batch = collate([PairInput(r["input_ids"], r["pos_a"], r["pos_b"]) for r in rows], self.pad_id)
        for name in LABEL_COLUMNS:
            batch[name] = torch.tensor([r[name] for r in rows], dtype=torch.long)
        return batch


def weighted_loss(logits: dict[str, Any], labels: dict[str, Any], loss_fns: dict[str, Any]) -> Any:
    """Mean over the labelled targets in the batch (a batch may hold only one task's labels). The unlabelled outputs
    join the graph with weight 0, so every parameter gets a gradient (DDP expects that).

    A joint pair head (`stance_pair` among the outputs) is trained on the pair's table cell where both directions are
    labelled (one cross-entropy over nine cells, counted as two targets: -log p(i, j) = -log p(a->b = i)
    - log p(b->a = j | a->b = i), a term per direction), and on the labelled direction's marginal where only one is."""
    total = sum(value.sum() * 0.0 for value in logits.values())
    count = 0
    labels = dict(labels)
    if "stance_pair" in logits:
        ab, ba = labels["stance_ab"], labels["stance_ba"]
        both = (ab != IGNORE) & (ba != IGNORE)
        n = int(both.sum())
        if n:
            cell = torch.where(both, ab * 3 + ba, torch.full_like(ab, IGNORE))
            total = total + loss_fns["pair"](logits["stance_pair"].float(), cell)
            count += 2 * n
            labels["stance_ab"] = torch.where(both, torch.full_like(ab, IGNORE), ab)
            labels["stance_ba"] = torch.where(both, torch.full_like(ba, IGNORE), ba)
    for name in LABEL_COLUMNS:
        target = labels[name]
        n = int((target != IGNORE).sum())
        if n:
            total = total + loss_fns[TASK_OF[name]](logits[name].float(), target)
            count += n
    return total / max(1, count)


class StanceTrainer(Trainer):
    optimizer: Any  # set by Trainer (None until created); declared so mypy knows it on this Any-based subclass

    def __init__(self, *args: Any, loss_weights: dict[str, list[float]], order: EpochOrder,
                 param_groups: list[dict[str, Any]], evaluate_fn: Callable[[], dict[str, float]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loss_fns = {task: torch.nn.CrossEntropyLoss(weight=torch.tensor(w, device=self.args.device),
                                                         ignore_index=IGNORE, reduction="sum")
                         for task, w in loss_weights.items()}
        self.order = order
        self.param_groups = param_groups
        self.evaluate_fn = evaluate_fn
        self.epoch_loss = [0.0, 0]  # sum and count since the last evaluation (this process's batches)

    def _get_train_sampler(self, train_dataset: Any = None) -> EpochOrder:
        return self.order

    def create_optimizer(self, model: Any = None) -> Any:
        if self.optimizer is None:
            self.optimizer = torch.optim.AdamW(self.param_groups, lr=self.args.learning_rate)
        return self.optimizer

    def compute_loss(self, model: Any, inputs: dict[str, Any], return_outputs: bool = False,
                     num_items_in_batch: Any = None) -> Any:
        labels = {name: inputs.pop(name) for name in LABEL_COLUMNS}
        logits = model(**inputs)
        loss = weighted_loss(logits, labels, self.loss_fns)
        self.epoch_loss[0] += float(loss.detach())
        self.epoch_loss[1] += 1
        return (loss, logits) if return_outputs else loss

    def evaluate(self, eval_dataset: Any = None, ignore_keys: Any = None,
                 metric_key_prefix: str = "eval") -> dict[str, float]:
        """The epoch's figures under the project's names, `eval_`-prefixed for the Trainer's bookkeeping (best
        checkpoint by `eval_val_score`); they also land in `state.log_history`, which checkpoints carry."""
        epoch = max(1, math.ceil((self.state.epoch or 0.0) - 1e-6))
        metrics = {"epoch": float(epoch), "train_epoch_loss": self.epoch_loss[0] / max(1, self.epoch_loss[1])}
        metrics.update(self.evaluate_fn())
        self.epoch_loss = [0.0, 0]
        prefixed = {f"{metric_key_prefix}_{key}": value for key, value in metrics.items()}
        self.log(prefixed)
        self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics=prefixed)
        return prefixed


class Hooks(TrainerCallback):
    """The project's logging and checkpoint cadence: a checkpoint at each epoch end (besides every N steps);
    `on_step` gets train_loss and learning_rate, `on_epoch` the epoch's figures (on rank 0 only)."""

    def __init__(self, on_step: Callable[[int, dict[str, float]], None] | None,
                 on_epoch: Callable[[int, dict[str, float]], None] | None) -> None:
        self.on_step = on_step
        self.on_epoch = on_epoch

    def on_epoch_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        control.should_save = True
        return control

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero or not logs:
            return
        if "loss" in logs and self.on_step:
            self.on_step(state.global_step, {"train_loss": float(logs["loss"]),
                                             "learning_rate": float(logs.get("learning_rate", 0.0))})

    def on_evaluate(self, args: Any, state: Any, control: Any, metrics: dict[str, float] | None = None,
                    **kwargs: Any) -> None:
        if state.is_world_process_zero and metrics and self.on_epoch:
            flat = {key.removeprefix("eval_"): value for key, value in metrics.items()}
            self.on_epoch(int(flat["epoch"]), flat)
