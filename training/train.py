"""`stance train`: one tracked fine-tuning run, from a config to a logged model; `--resume RUN_ID` continues one.

The run owns its lifecycle (`tracked_run`): any exception or an interrupt ends it FAILED, tagged resumable when a
checkpoint exists, so `stance train --resume RUN_ID` can re-open the same run from its last checkpoint. Under
`torchrun --nproc-per-node N` every process trains (DDP) and rank 0 alone logs.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

from stance.records import PairRecord
from stance.settings import cache_dir, checkpoints_dir
from training.config import Config, config_from_dict, load_config
from training.inputs import RunData, load_run_data, log_data
from training.tracking import configure, log_reports, run_tags, tracked_run

log = logging.getLogger(__name__)
RESUMABLE_TAG = "stance.resumable"


def train(config_ref: str | None = "quick", overrides: dict[str, Any] | None = None, *, progress: bool = True,
          resume: str | None = None, callbacks: tuple[Any, ...] = ()) -> dict[str, Any]:
    """Train, evaluate and log one run (or continue run `resume`); returns the run id, the kept epoch and metrics."""
    from training.parallel import processes

    procs = processes()
    if procs.is_main:  # rank 0 creates the store (concurrent creation of one sqlite file fails), then the others
        configure()
    procs.barrier()
    if not procs.is_main:
        configure()
    if resume:
        config, checkpoint = resume_point(resume)
    else:
        config, checkpoint = load_config(config_ref or "quick", overrides), None
    data = load_run_data(config)
    if not procs.is_main:
        return _train_worker(config, data, procs, checkpoint, progress, callbacks)

    with tracked_run(run_name=None if resume else f"finetune-{config.name}", run_id=resume,
                     on_failure=lambda err: _mark_interrupted(err)) as run:
        run_id = procs.broadcast(run.info.run_id)
        summary = _train_in_run(config, data, run_id, procs, checkpoint, progress, callbacks)
    shutil.rmtree(checkpoints_dir(run_id), ignore_errors=True)  # finished: the logged model replaces them
    log.info("run %s: %s", run_id, json.dumps(summary["metrics"], sort_keys=True))
    return summary


def _train_in_run(config: Config, data: RunData, run_id: str, procs: Any, checkpoint: str | None, progress: bool,
                  callbacks: tuple[Any, ...]) -> dict[str, Any]:
    import mlflow

    from stance.mlflow_model import log_stance_model
    from stance.model import save_model
    from training.evaluation import evaluate
    from training.finetune import finetune

    if checkpoint is None:
        mlflow.set_tags(run_tags("finetune", config.model.base, config.name))
        mlflow.log_params({
            "base_model": config.model.base, "max_length": config.model.max_length,
            "pair_head": config.model.pair_head, "epochs": config.training.epochs, "batch_size": config.training.batch_size,
            "learning_rate": config.training.learning_rate, "class_weights": config.training.class_weights,
            "seed": config.training.seed, "max_steps": config.training.max_steps or "none",
            "processes": procs.world_size,
            # the levers the ablations compare, as columns of the MLflow UI's run table
            "calibration_fraction": config.data.calibration_fraction,
            "calibration_sources": (",".join(config.data.calibration_sources) or "all")
            if config.data.calibration_fraction > 0 else "none",
        })
        mlflow.log_dict(config.to_dict(), "config.json")
        validation_tag = log_data(config, data)
    else:
        validation_tag = mlflow.get_run(run_id).data.tags.get("validation", "")
        mlflow.set_tags({"stance.resumed_from": Path(checkpoint).name, RESUMABLE_TAG: "false"})
    mlflow.set_tag("stance.checkpoints", str(checkpoints_dir(run_id)))

    result = finetune(
        config, data.train_records, data.validation, checkpoint_dir=checkpoints_dir(run_id), resume_from=checkpoint,
        progress=progress, procs=procs, cache=cache_dir() / "datasets", callbacks=callbacks,
        on_epoch=lambda epoch, metrics: mlflow.log_metrics(metrics, step=epoch),
        on_step=lambda step, metrics: mlflow.log_metrics(metrics, step=step),
    )
    if data.calibration:
        calibrate(result.predictor, data.calibration)
    elif config.data.calibration_fraction > 0:
        log.warning("no calibration pairs: data.calibration_sources %s hold no stance pairs; the model is not "
                    "calibrated", config.data.calibration_sources or config.data.train)
    # the kept epoch's figures once more as the curves' last point: the run's summary is the kept model
    final_step = len(result.history) + 1
    final = evaluate(result.predictor, [*data.validation, *data.reports])
    mlflow.log_metrics({**final.metrics, "best_epoch": float(result.best_epoch), "train_steps": float(result.steps),
                        "train_seconds": result.train_seconds}, step=final_step)
    mlflow.set_tags({"stance.best_epoch": str(result.best_epoch), "stance.train_dataset": result.train_fingerprint,
                     "stance.ddp_world_size": str(result.world_size)})
    log_reports(final.reports)
    log_comparison(final.metrics, data, validation_tag, config.training.seed)
    behaviour = log_behaviour(result.predictor, final_step)
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = save_model(result.predictor.model, result.predictor.tokenizer, result.predictor.card,
                               Path(tmp) / "stance-model")
        info = log_stance_model(model_dir)
    mlflow.set_tag("stance.model_id", info.model_id)
    return {"run_id": run_id, "model_id": info.model_id, "best_epoch": result.best_epoch, "steps": result.steps,
            "train_seconds": round(result.train_seconds, 1), "metrics": {**final.metrics, **behaviour}}


def calibrate(predictor: Any, records: list[PairRecord]) -> None:
    """Fit the polar labels' log-odds shift on the held-out calibration pairs, store it in the model card (so every
    later prediction, the final evaluation included, is calibrated) and log it."""
    import mlflow

    from training.calibration import fit_stance_bias

    predictor.card.stance_bias = [0.0] * len(predictor.card.stance_bias)  # fit on the trained boundary
    predictions = predictor.predict(records)
    bias, before, after = fit_stance_bias([p.probabilities for p in predictions], [str(r.label) for r in records])
    predictor.card.stance_bias = bias
    mlflow.log_params({"calibration_pairs": len(records), "stance_bias": ",".join(f"{b:+.2f}" for b in bias)})
    mlflow.log_metrics({"calib_stance_macro_f1_before": before, "calib_stance_macro_f1_after": after})


def log_behaviour(predictor: Any, step: int) -> dict[str, float]:
    """The behaviour suite's pass rates (`behave_<capability>`) and its failures, with every fine-tuned run."""
    from dataclasses import asdict

    import mlflow

    from training.behaviour import run_suite

    report = run_suite(predictor)
    metrics = report.metrics()
    mlflow.log_metrics(metrics, step=step)
    mlflow.log_dict({"metrics": metrics, "failures": [asdict(f) for f in report.failures]}, "behaviour/report.json")
    return metrics


def _train_worker(config: Config, data: RunData, procs: Any, checkpoint: str | None, progress: bool,
                  callbacks: tuple[Any, ...]) -> dict[str, Any]:
    """A rank other than 0: trains its shard, logs nothing."""
    from training.finetune import finetune

    run_id = procs.broadcast(None)
    result = finetune(config, data.train_records, data.validation, checkpoint_dir=checkpoints_dir(run_id),
                      resume_from=checkpoint, progress=False, procs=procs, cache=cache_dir() / "datasets",
                      callbacks=callbacks)
    return {"run_id": run_id, "rank": procs.rank, "steps": result.steps}


def _mark_interrupted(err: BaseException) -> None:
    """Tag a dying run: resumable when a checkpoint exists (`stance train --resume RUN_ID`)."""
    import mlflow
    from transformers.trainer_utils import get_last_checkpoint

    run_id = mlflow.active_run().info.run_id
    folder = checkpoints_dir(run_id)
    last = get_last_checkpoint(str(folder)) if folder.is_dir() else None
    tags = {"stance.interrupted": "true" if isinstance(err, KeyboardInterrupt) else "false",
            "stance.error": f"{type(err).__name__}: {err}"[:500]}
    if last:
        tags.update({RESUMABLE_TAG: "true", "stance.last_checkpoint": Path(last).name,
                     "stance.resume_command": f"stance train --resume {run_id}"})
    mlflow.set_tags(tags)


def resume_point(run_id: str) -> tuple[Config, str]:
    """The config of an unfinished fine-tuning run and its last checkpoint; errors say why a run cannot resume."""
    import mlflow
    from mlflow.exceptions import MlflowException
    from transformers.trainer_utils import get_last_checkpoint

    try:
        run = mlflow.get_run(run_id)
    except MlflowException as err:
        raise ValueError(f"no run {run_id!r} in {mlflow.get_tracking_uri()}: {err.message}") from None
    if run.data.tags.get("stance.kind") != "finetune":
        raise ValueError(f"run {run_id} is not a fine-tuning run (stance.kind={run.data.tags.get('stance.kind')!r})")
    if run.info.status == "FINISHED":
        raise ValueError(f"run {run_id} has already FINISHED: nothing to resume")
    folder = checkpoints_dir(run_id)
    last = get_last_checkpoint(str(folder)) if folder.is_dir() else None
    if last is None:
        raise ValueError(f"run {run_id} left no checkpoint under {folder}: it cannot resume; start a new run")
    config = config_from_dict(mlflow.artifacts.load_dict(f"runs:/{run_id}/config.json"), f"run {run_id} config.json")
    return config, last


def log_comparison(metrics: dict[str, float], data: RunData, validation_tag: str, seed: int) -> None:
    """This run's validation F1 per class beside the baseline's on the same validation data: the latest finished
    baseline run with the same `validation` tag, else a baseline fitted here on this run's training data."""
    import matplotlib.pyplot as plt
    import mlflow

    from training.baseline import BaselineClassifier
    from training.evaluation import evaluate
    from training.metrics import comparison_figure

    found = mlflow.search_runs(
        filter_string="tags.`stance.kind` = 'baseline' and attributes.status = 'FINISHED'",
        order_by=["attributes.start_time DESC"], output_format="list")
    found = [r for r in found if r.data.tags.get("validation") == validation_tag]
    if found:
        baseline, label = found[0].data.metrics, f"baseline run {found[0].info.run_id[:8]}"
    else:
        model = BaselineClassifier(seed=seed).fit(data.train_records)
        baseline, label = evaluate(model, data.validation).metrics, "baseline (fitted for this figure)"
    figure = comparison_figure(metrics, baseline, "val", f"validation: {validation_tag}", label)
    mlflow.log_figure(figure, "comparison/val_f1_vs_baseline.png")
    plt.close(figure)
    mlflow.set_tag("stance.compared_with", label)
