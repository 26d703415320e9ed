"""`stance train`: one tracked fine-tuning run, from a config to a logged model.

The run owns its lifecycle: any exception or an interrupt ends it FAILED, so the store never keeps a run that says
RUNNING for a process that died.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from stance.records import PairRecord
from training.config import Config, load_config
from training.data import load_records
from training.evaluation import EvalSet, build_eval_sets, evaluate
from training.tracking import configure, log_dataset, log_reports, run_tags

log = logging.getLogger(__name__)


def load_training_records(config: Config) -> dict[str, list[PairRecord]]:
    return {name: load_records(name, config.data.max_records_per_source) for name in config.data.train}


def report_sets(config: Config) -> list[EvalSet]:
    sets: list[EvalSet] = []
    for prefix, spec in config.data.reports.items():
        sets.extend(build_eval_sets(prefix, spec))
    return sets


def train(config_ref: str, overrides: dict[str, Any] | None = None, *, progress: bool = True) -> dict[str, Any]:
    """Train, evaluate and log one run; returns the run id, the kept epoch and the final metrics."""
    configure()
    import mlflow

    from stance.mlflow_model import log_stance_model
    from stance.model import save_model
    from training.finetune import finetune

    config = load_config(config_ref, overrides)
    train_sets = load_training_records(config)  # read everything first: a bad file fails before a run exists
    validation = build_eval_sets("val", config.data.validation, config.data.max_validation_records)
    reports = report_sets(config)
    train_records = [r for records in train_sets.values() for r in records]

    with mlflow.start_run(run_name=f"finetune-{config.name}") as run:
        try:
            mlflow.set_tags(run_tags("finetune", config.model.base, config.name))
            mlflow.log_params({
                "base_model": config.model.base, "max_length": config.model.max_length,
                "epochs": config.training.epochs, "batch_size": config.training.batch_size,
                "learning_rate": config.training.learning_rate, "class_weights": config.training.class_weights,
                "seed": config.training.seed, "train_records": len(train_records),
                "train_sources": ",".join(config.data.train),
            })
            mlflow.log_dict(config.to_dict(), "config.json")
            for name, records in train_sets.items():
                log_dataset(records, name, "training")
            for eval_set in validation:
                log_dataset(eval_set.records, f"{eval_set.source}[{eval_set.task.value}]", "validation")
            for eval_set in reports:
                context = "test" if eval_set.prefix.endswith("test") else "evaluation"
                log_dataset(eval_set.records, f"{eval_set.source}[{eval_set.task.value}]", context)

            result = finetune(
                config, train_records, validation, progress=progress,
                on_epoch=lambda epoch, metrics: mlflow.log_metrics(metrics, step=epoch),
                on_step=lambda step, metrics: mlflow.log_metrics(metrics, step=step),
            )
            # the kept epoch's figures once more as the curves' last point: the run's summary is the kept model
            final_step = len(result.history) + 1
            final = evaluate(result.predictor, [*validation, *reports])
            mlflow.log_metrics({**final.metrics, "best_epoch": float(result.best_epoch),
                                "train_seconds": result.train_seconds}, step=final_step)
            mlflow.set_tag("stance.best_epoch", str(result.best_epoch))
            log_reports(final.reports)
            with tempfile.TemporaryDirectory() as tmp:
                model_dir = save_model(result.predictor.model, result.predictor.tokenizer, result.predictor.card,
                                       Path(tmp) / "stance-model")
                info = log_stance_model(model_dir)
            mlflow.set_tag("stance.model_id", info.model_id)
        except BaseException:
            mlflow.end_run(status="FAILED")
            raise
    summary = {"run_id": run.info.run_id, "model_id": info.model_id, "best_epoch": result.best_epoch,
               "train_seconds": round(result.train_seconds, 1), "metrics": final.metrics}
    log.info("run %s: %s", run.info.run_id, json.dumps(summary["metrics"], sort_keys=True))
    return summary
