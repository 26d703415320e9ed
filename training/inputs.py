"""The data of a run, shared by `stance train` and `stance baseline`: the training sources (seeded samples when
capped), the validation and report sets, their digests, and the params and tags that keep runs on different data
from being compared by accident.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from stance.records import PairRecord
from training.config import Config
from training.data import load_records
from training.evaluation import EvalSet, build_eval_sets

SOURCES_TAG = "stance.train_sources"


@dataclass
class RunData:
    train_sets: dict[str, list[PairRecord]]
    validation: list[EvalSet]
    reports: list[EvalSet]
    calibration: list[PairRecord] = field(default_factory=list)  # carved from the training sets, never trained on
    sources_digest: str = ""  # the training sources as read, before the carve: see sources_digest()

    @property
    def train_records(self) -> list[PairRecord]:
        return [r for records in self.train_sets.values() for r in records]


def load_training_records(config: Config) -> dict[str, list[PairRecord]]:
    return {name: load_records(name, config.data.max_records_per_source) for name in config.data.train}


def report_sets(config: Config) -> list[EvalSet]:
    sets: list[EvalSet] = []
    for prefix, spec in config.data.reports.items():
        sets.extend(build_eval_sets(prefix, spec))
    return sets


def load_run_data(config: Config) -> RunData:
    """Everything a run reads, read before the run exists: a bad file fails without leaving a FAILED run behind."""
    train_sets = load_training_records(config)
    digest = sources_digest(train_sets)
    train_sets, calibration = carve_calibration(train_sets, config.data.calibration_fraction, config.training.seed,
                                                config.data.calibration_sources)
    return RunData(train_sets, build_eval_sets("val", config.data.validation, config.data.max_validation_records),
                   report_sets(config), calibration, digest)


def sources_digest(train_sets: dict[str, list[PairRecord]]) -> str:
    """One digest of the training sources as read, before the calibration carve. The carve depends on the seed, so
    the trained-on set's digest differs between seeds of one config; this one names the data two seeds share (and
    changes when a source does, as the corpus grows)."""
    import hashlib

    from training.tracking import dataset_digest

    parts = [f"{name}@{dataset_digest(records)}" for name, records in sorted(train_sets.items())]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def carve_calibration(train_sets: dict[str, list[PairRecord]], fraction: float, seed: int,
                      sources: Sequence[str] = ()) -> tuple[dict[str, list[PairRecord]], list[PairRecord]]:
    """Hold out a seeded share of each source's stance pairs (both directions of a pair go together) for calibration;
    sentiment records all stay in training. `sources`: only these sources give pairs (empty: every source); the
    others train on all of theirs. A source's draw depends on its name and the seed alone, so naming sources changes
    no other source's held pairs."""
    import random

    from stance.encoding import pair_key

    if fraction <= 0:
        return train_sets, []
    kept: dict[str, list[PairRecord]] = {}
    held: list[PairRecord] = []
    for name, records in train_sets.items():
        if sources and name not in sources:
            kept[name] = records
            continue
        keys = sorted({pair_key(r) for r in records if r.holder is not None}, key=repr)
        chosen = set(random.Random(f"{seed}:{name}").sample(keys, round(len(keys) * fraction))) if keys else set()
        kept[name] = [r for r in records if r.holder is None or pair_key(r) not in chosen]
        held.extend(r for r in records if r.holder is not None and pair_key(r) in chosen)
    return kept, held


def eval_set_name(eval_set: EvalSet) -> str:
    return f"{eval_set.source}[{eval_set.task.value}]"


def data_params(config: Config, data: RunData) -> dict[str, Any]:
    """The caps and sizes as params: a column each in the runs table."""
    return {
        "train_sources": ",".join(config.data.train), "train_records": len(data.train_records),
        "max_records_per_source": config.data.max_records_per_source or "all",
        "max_validation_records": config.data.max_validation_records or "all",
        "validation_records": sum(len(s.records) for s in data.validation),
    }


def validation_tag(data: RunData) -> str:
    """`stance=directed:valid@<digest>(n=800); sentiment=...`: two runs compare only when this tag is the same."""
    from training.tracking import dataset_digest

    return "; ".join(f"{s.task.value}={s.source}@{dataset_digest(s.records)}(n={len(s.records)})"
                     for s in data.validation)


def log_data(config: Config, data: RunData) -> str:
    """Params, the `validation` tag and every set as an MLflow input with its digest; returns the validation tag."""
    import mlflow

    from training.tracking import log_dataset

    for name, records in data.train_sets.items():
        log_dataset(records, name, "training")
    if data.calibration:
        log_dataset(data.calibration, "calibration (held out of training)", "calibration")
    for eval_set in data.validation:
        log_dataset(eval_set.records, eval_set_name(eval_set), "validation")
    for eval_set in data.reports:
        context = "test" if eval_set.prefix.endswith("test") else "evaluation"
        log_dataset(eval_set.records, eval_set_name(eval_set), context)
    tag = validation_tag(data)
    capped = config.data.max_records_per_source is not None or config.data.max_validation_records is not None
    mlflow.log_params(data_params(config, data))
    mlflow.set_tags({"validation": tag, "data.capped": str(capped).lower(), SOURCES_TAG: data.sources_digest})
    return tag
