"""MLflow set-up and the small pieces every run logs: where the store is, tags, datasets as inputs with digests.

Nothing here runs at import: the entry points call `configure()`.
"""

from __future__ import annotations

import fcntl
import signal
import subprocess
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from stance.records import PairRecord
from stance.settings import EXPERIMENT, REPO_ROOT, apply_offline_environment, tracking_uri


def configure(experiment: str = EXPERIMENT) -> str:
    """Point MLflow at the sqlite store (unless MLFLOW_TRACKING_URI says otherwise); return the experiment id."""
    apply_offline_environment()
    import mlflow

    uri = tracking_uri()
    # a local store is decided by the URI, not by whether MLFLOW_TRACKING_URI is set: MLflow 3 exports the URI it is
    # given into that variable, so a second configure() in the process, or a child process, would see it set
    database = _sqlite_file(uri)
    if database is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    # two commands started together on a new store (two seeds side by side) would both run MLflow's schema migrations
    # and both create the experiment; the second crashed ("Online migration expected to match one row"). A lock file
    # beside the database makes the first create both and the second find them. A tracking server does its own.
    with _store_lock(database.parent / ".init.lock") if database is not None else nullcontext():
        found = mlflow.get_experiment_by_name(experiment)
        if found is None:
            # pin the artifact root next to the database, so the store moves as one folder
            location = (database.parent / "artifacts").as_uri() if database is not None else None
            experiment_id = mlflow.create_experiment(experiment, artifact_location=location, tags=EXPERIMENT_TAGS)
        else:
            experiment_id = found.experiment_id
            missing = {k: v for k, v in EXPERIMENT_TAGS.items() if k not in found.tags}  # stores made before the tags
            for key, value in missing.items():
                mlflow.MlflowClient().set_experiment_tag(experiment_id, key, value)
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id


def _sqlite_file(uri: str) -> Path | None:
    """The database file of a `sqlite:///` URI (absolute, or relative to the working directory); None otherwise."""
    prefix = "sqlite:///"
    return Path(uri[len(prefix):]).resolve() if uri.startswith(prefix) else None


@contextmanager
def _store_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on `path` for the block (released when the process dies, so never stale)."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


EXPERIMENT_DESCRIPTION = """\
Directed stance (holder -> target: neutral, supportive, hostile) and actor sentiment (negative, neutral, positive) in
international-politics news. Each fine-tuned run (`stance.kind = finetune`) sits beside a TF-IDF baseline
(`stance.kind = baseline`) trained on the same data. Compare runs only when their `validation` tag is the same: it
names the validation sets and their digests; `max_validation_records` and `max_records_per_source` say whether the
data were capped (the `quick` config caps both, `default` neither). `val_score` = mean of the stance and sentiment
macro-F1 on the validation sets; it picks the best epoch and the champion (`stance register`). Each run's
`comparison/val_f1_vs_baseline.png` puts its per-class F1 beside the baseline's on the same validation data."""
# classic model development, not the UI's GenAI mode (traces, judges, prompts); the UI reads this tag (MLflow 3.x)
EXPERIMENT_TAGS = {"mlflow.experimentKind": "custom_model_development", "mlflow.note.content": EXPERIMENT_DESCRIPTION}


@contextmanager
def tracked_run(*, run_name: str | None = None, run_id: str | None = None,
                on_failure: Callable[[BaseException], None] | None = None) -> Iterator[Any]:
    """Start a run (or re-open `run_id`); any exception or interrupt ends it FAILED, after `on_failure` has tagged it.
    The one run lifecycle every command uses: the store never keeps a RUNNING run for a process that died."""
    import mlflow

    with mlflow.start_run(run_name=run_name, run_id=run_id) as run, _sigterm_interrupts():
        try:
            yield run
        except BaseException as err:
            if on_failure is not None:
                try:
                    on_failure(err)
                except Exception:  # tagging is best effort: the status below matters more
                    pass
            mlflow.end_run(status="FAILED")
            raise


class Terminated(KeyboardInterrupt):
    """SIGTERM (`kill`, a container or a scheduler stopping the job), handled as an interrupt."""


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Python dies on SIGTERM without unwinding, which left the run RUNNING forever and untagged for resume; raising
    an interrupt instead lets tracked_run end it FAILED and resumable, as Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():  # signal handlers belong to the main thread
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        # a second SIGTERM (a repeated kill, a signal to the process group) must not cut short the tagging and the
        # FAILED status that the first one set going; SIGKILL still stops the process
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated(f"signal {signum} (SIGTERM)")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        # None: the previous handler was not installed from Python (nothing to give back but the default)
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=5)
        commit = out.stdout.strip() or "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return commit + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def run_tags(kind: str, base_model: str, config_name: str) -> dict[str, str]:
    import stance

    return {
        "stance.kind": kind, "mlflow.source.git.commit": git_commit(), "base_model": base_model,
        "stance.version": stance.__version__, "config": config_name,
    }


def dataset_digest(records: Sequence[PairRecord]) -> str:
    """The `datasets` fingerprint of the records (a hash of their content): the digest every run logs."""
    from training.data import to_dataset

    return to_dataset(records)._fingerprint


def log_dataset(records: Sequence[PairRecord], name: str, context: str) -> str:
    """Log records as an MLflow dataset input (name, schema, and the `datasets` fingerprint as digest); return it."""
    import mlflow

    from training.data import to_dataset

    dataset = to_dataset(records)
    digest = dataset._fingerprint
    # the offsets are ints by design: MLflow's hint about them is noise. The schema is inferred lazily, so log_input
    # must sit inside the filter too
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Hint: Inferred schema contains integer")
        logged = mlflow.data.from_huggingface(dataset, name=name, targets="label", digest=digest)
        mlflow.log_input(logged, context=context)
    return digest


def log_reports(reports: dict[str, dict[str, Any]], folder: str = "evaluation") -> None:
    """Each confusion matrix as a PNG and all reports as JSON artifacts."""
    import matplotlib.pyplot as plt
    import mlflow

    from stance.labels import Task
    from training.metrics import confusion_figure

    mlflow.log_dict(reports, f"{folder}/reports.json")
    for name, item in reports.items():
        task = Task(item["task"])
        figure = confusion_figure(task, item["confusion_matrix"], f"{name} ({item['source']}, n={item['n']})")
        mlflow.log_figure(figure, f"{folder}/confusion_{name}.png")
        plt.close(figure)
