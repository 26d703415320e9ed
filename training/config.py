"""Training configuration as typed dataclasses, loaded from a YAML file (a name in training/configs or a path).

Unknown keys and bad values are errors that name the key and the file, so a typo never silently falls back to a
default.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from stance.model import PAIR_HEADS

CONFIG_DIR = Path(__file__).resolve().parent / "configs"
CLASS_WEIGHTS = ("none", "sqrt", "balanced")


class ConfigError(ValueError):
    pass


@dataclass
class ModelConfig:
    base: str = field(default="minilm", metadata={"help": "minilm, mpnet or a local Hugging Face model folder"})
    max_length: int = field(default=128, metadata={"help": "tokens per input, markers included"})
    dropout: float = 0.1
    pair_head: str = field(default="directed", metadata={
        "help": "directed: each direction on its own | joint: the pair's 3x3 table of both directions at once"})

    def __post_init__(self) -> None:
        if self.pair_head not in PAIR_HEADS:
            raise ConfigError(f"model.pair_head must be one of {PAIR_HEADS}, got {self.pair_head!r}")
        if not 16 <= self.max_length <= 512:
            raise ConfigError(f"model.max_length must be within 16..512, got {self.max_length}")
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"model.dropout must be within [0, 1), got {self.dropout}")


@dataclass
class DataConfig:
    train: list[str] = field(default_factory=lambda: ["directed:train", "newsmtsc:train"])
    validation: dict[str, str] = field(
        default_factory=lambda: {"stance": "directed:valid", "sentiment": "newsmtsc:dev-rw"},
        metadata={"help": "task -> source; these select the best epoch and the champion"},
    )
    reports: dict[str, dict[str, str]] = field(
        default_factory=dict, metadata={"help": "name -> {task: source}; evaluated after training, never for selection"}
    )
    max_records_per_source: int | None = field(default=None, metadata={"help": "cap per training source (smoke runs)"})
    max_validation_records: int | None = None
    calibration_fraction: float = field(default=0.0, metadata={
        "help": "share of the training stance pairs held out to calibrate the polar labels' bias (0: none)"})
    calibration_sources: list[str] = field(default_factory=list, metadata={
        "help": "training sources that give the calibration pairs (empty: all); the others train on all their pairs"})

    def __post_init__(self) -> None:
        if not self.train:
            raise ConfigError("data.train must name at least one source")
        if not 0.0 <= self.calibration_fraction <= 0.5:
            raise ConfigError(f"data.calibration_fraction must be within [0, 0.5], got {self.calibration_fraction}")
        if isinstance(self.calibration_sources, str):  # `--set data.calibration_sources=directed:train`
            self.calibration_sources = [self.calibration_sources]
        unknown = [name for name in self.calibration_sources if name not in self.train]
        if unknown:
            raise ConfigError(f"data.calibration_sources {unknown} are not among data.train {self.train}")
        for task in self.validation:
            if task not in ("stance", "sentiment"):
                raise ConfigError(f"data.validation: unknown task {task!r}; use stance and/or sentiment")
        for name, tasks in self.reports.items():
            if not name.isidentifier():
                raise ConfigError(f"data.reports: name {name!r} must be a plain identifier (it prefixes metric names)")
            for task in tasks:
                if task not in ("stance", "sentiment"):
                    raise ConfigError(f"data.reports.{name}: unknown task {task!r}")


@dataclass
class TrainingConfig:
    epochs: int = 3
    batch_size: int = 16
    learning_rate: float = 5e-5
    head_learning_rate: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    class_weights: str = field(default="sqrt", metadata={"help": "none | sqrt | balanced"})
    bf16: bool = field(default=False, metadata={"help": "bf16 autocast on CPU (AMX)"})
    seed: int = 13
    max_steps: int | None = field(default=None, metadata={"help": "stop after this many optimizer steps (tests)"})
    eval_batch_size: int = 64
    save_steps: int = field(default=500, metadata={"help": "a checkpoint every N steps (and at each epoch end)"})
    keep_checkpoints: int = field(default=2, metadata={"help": "keep the last K checkpoints (the best epoch's too)"})
    logging_steps: int = field(default=50, metadata={"help": "train_loss and learning_rate every N steps"})

    def __post_init__(self) -> None:
        if self.class_weights not in CLASS_WEIGHTS:
            raise ConfigError(f"training.class_weights must be one of {CLASS_WEIGHTS}, got {self.class_weights!r}")
        for name in ("epochs", "batch_size", "eval_batch_size", "save_steps", "keep_checkpoints", "logging_steps"):
            if getattr(self, name) < 1:
                raise ConfigError(f"training.{name} must be at least 1, got {getattr(self, name)}")
        if not 0.0 <= self.warmup_ratio < 1.0:
            raise ConfigError(f"training.warmup_ratio must be within [0, 1), got {self.warmup_ratio}")


@dataclass
class Config:
    name: str
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def config_from_dict(raw: dict[str, Any], where: str = "config.json") -> Config:
    """The inverse of `Config.to_dict` (a run's logged config.json), validated like a YAML file."""
    try:
        return _build(Config, raw, where)
    except ConfigError as err:
        raise ConfigError(f"{where}: {err}") from None


def load_config(name_or_path: str, overrides: dict[str, Any] | None = None) -> Config:
    """`quick`, `default` (files in training/configs) or a path to a YAML file; `overrides` as {"training.epochs": 1}."""
    import yaml

    path = Path(name_or_path)
    if not path.suffix:
        path = CONFIG_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in CONFIG_DIR.glob("*.yaml"))
        raise ConfigError(f"config {name_or_path!r} not found: give a YAML path or one of {known}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from None
    for key, value in (overrides or {}).items():
        section, _, leaf = key.partition(".")
        if not leaf:
            raise ConfigError(f"override {key!r} must look like section.key")
        raw.setdefault(section, {})[leaf] = value
    try:
        return _build(Config, raw, str(path))
    except ConfigError as err:
        raise ConfigError(f"{path}: {err}") from None


def _build(cls: type, raw: Any, where: str) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(raw).__name__}")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ConfigError(f"unknown key(s) {unknown} in {cls.__name__}; known: {sorted(known)}")
    nested = {"model": ModelConfig, "data": DataConfig, "training": TrainingConfig}
    values = {}
    for key, value in raw.items():
        if cls is Config and key in nested:
            values[key] = _build(nested[key], value, key)
        else:
            values[key] = value
    try:
        return cls(**values)
    except TypeError as err:
        raise ConfigError(str(err)) from None
