"""Runs grouped by what their configuration changed, with the mean and spread over seeds: the ablation table.

A run's variant is its config name plus every value of its logged `config.json` that differs from that config's file
today, the seed left out; runs of one variant with different seeds are the repeats. So
`stance train --config default --set model.pair_head=joint --set training.seed=7` falls in the group
`default [model.pair_head=joint]` beside the same command with seed 13. The same config over other data is another
row: a group also shares the digest of its training data and its validation sets (the corpus grows; a config file's
`ir:train` today is not last week's).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from training.config import ConfigError, load_config
from training.inputs import SOURCES_TAG

DEFAULT_METRICS = (
    "val_stance_macro_f1", "val_stance5_macro_f1", "val_stance5_f1_qp_supportive", "val_stance5_f1_qp_hostile",
    "val_sentiment_macro_f1", "ir_test_stance_macro_f1", "behave_overall",
)
SEED_KEY = "training.seed"


@dataclass
class Group:
    variant: str
    train_data: str = "?"  # the digest of the training sources (`stance.train_sources`)
    validation: str = ""  # the `validation` tag: each set's source, digest and size
    seeds: list[int] = field(default_factory=list)
    run_ids: list[str] = field(default_factory=list)
    values: dict[str, list[float]] = field(default_factory=dict)

    def summary(self, metric: str) -> tuple[float, float, int] | None:
        """Mean, sample standard deviation (0 for one run) and the number of runs that logged `metric`."""
        found = self.values.get(metric, [])
        if not found:
            return None
        spread = statistics.stdev(found) if len(found) > 1 else 0.0
        return statistics.fmean(found), spread, len(found)


def _flatten(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and prefix == "":
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def variant_of(config: dict[str, Any]) -> tuple[str, int | None]:
    """`name [key=value, ...]` for what differs from the named config's file (seed aside), and the seed."""
    flat = _flatten(config)
    name = str(config.get("name", "?"))
    seed = flat.get(SEED_KEY)
    seed_value = int(seed) if seed is not None else None
    try:
        reference = _flatten(load_config(name).to_dict())
    except ConfigError:
        # no file of that name in training/configs (a YAML given by path): nothing to diff against, so the whole
        # config, seed aside, names the variant (a short digest keeps the label readable)
        import hashlib
        import json

        rest = {key: value for key, value in flat.items() if key != SEED_KEY}
        digest = hashlib.sha256(json.dumps(rest, sort_keys=True, default=str).encode()).hexdigest()[:8]
        return f"{name} [config {digest}]", seed_value
    changed = [f"{key}={flat[key]}" for key in sorted(flat)
               if key not in (SEED_KEY, "name") and flat[key] != reference.get(key)]
    return (f"{name} [{', '.join(changed)}]" if changed else name), seed_value


@dataclass
class Collected:
    groups: list[Group]
    skipped: list[str]  # run ids without a readable config.json (they cannot be placed in a group)


def collect(*, config_names: Sequence[str] = (), kind: str = "finetune",
            metrics: Sequence[str] = DEFAULT_METRICS) -> Collected:
    """Every finished run of the experiment (of `kind`, optionally of these config names), oldest first, grouped by
    variant."""
    import mlflow
    from mlflow import MlflowClient

    from stance.settings import EXPERIMENT

    client = MlflowClient()
    experiment = client.get_experiment_by_name(EXPERIMENT)
    if experiment is None:
        return Collected([], [])
    query = f"tags.`stance.kind` = '{kind}' and attributes.status = 'FINISHED'"
    runs: list[Any] = []
    token = None
    while True:  # every page: a cap would drop runs
        page = client.search_runs([experiment.experiment_id], query, max_results=1000,
                                  order_by=["start_time ASC"], page_token=token)
        runs.extend(page)
        token = page.token
        if not token:
            break
    groups: dict[str, Group] = {}
    skipped: list[str] = []
    for run in runs:
        if config_names and run.data.tags.get("config") not in config_names:
            continue
        try:
            config = mlflow.artifacts.load_dict(f"runs:/{run.info.run_id}/config.json")
        except Exception:  # noqa: BLE001 - any failure to read it means the same: the run cannot be grouped
            skipped.append(run.info.run_id)
            continue
        variant, seed = variant_of(config)
        # the sources' digest (one for all seeds); a run older than that tag has only its trained-on set's, which
        # differs by seed: marked, so that its one-seed rows are not taken for separate data
        train_data = run.data.tags.get(SOURCES_TAG) or "*" + run.data.tags.get("stance.train_dataset", "?")
        validation = run.data.tags.get("validation", "")
        group = groups.setdefault(f"{variant}\0{train_data}\0{validation}", Group(variant, train_data, validation))
        group.run_ids.append(run.info.run_id)
        if seed is not None:
            group.seeds.append(seed)
        for metric in metrics:
            if metric in run.data.metrics:
                group.values.setdefault(metric, []).append(float(run.data.metrics[metric]))
    return Collected(list(groups.values()), skipped)


def format_table(groups: Sequence[Group], metrics: Sequence[str] = DEFAULT_METRICS) -> str:
    """Markdown: a row per variant and data, `mean ± sd` per metric (sd over seeds; `n` runs). Validation sets are
    named by letter (A, B, ...: listed under the table) since rows on different ones do not compare."""
    header = ["variant", "train data", "validation", "runs", "seeds", *metrics]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    letters: dict[str, str] = {}
    for group in groups:
        letters.setdefault(group.validation, chr(ord("A") + len(letters)) if len(letters) < 26 else f"V{len(letters)}")
    for group in groups:
        cells = [group.variant, group.train_data[:9 if group.train_data.startswith("*") else 8],
                 letters[group.validation], str(len(group.run_ids)),
                 ",".join(str(s) for s in sorted(set(group.seeds)))]
        for metric in metrics:
            summary = group.summary(metric)
            if summary is None:
                cells.append("-")
            else:
                mean, spread, n = summary
                cells.append(f"{mean:.3f} ± {spread:.3f}" if n > 1 else f"{mean:.3f}")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.extend(f"validation {letter}: {tag or '(not tagged)'}" for tag, letter in letters.items())
    if any(group.train_data.startswith("*") for group in groups):
        lines.append(f"*: a run from before the {SOURCES_TAG} tag: the digest of the set it trained on, which the "
                     "calibration carve makes differ by seed")
    return "\n".join(lines)
