"""Shared fixtures. Tests never reach a hub: the tiny model is built locally, MiniLM comes from its PyPI package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stance.settings import apply_offline_environment, data_dir

os.environ.setdefault("STANCE_GATE_MAX_RECORDS", "64")  # the ONNX gate of exports in tests: a sample per task

apply_offline_environment()

SHARED_DATA = data_dir()
TIERS = ("unit", "data", "model", "http", "slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test belongs to a tier (pyproject's markers), so `-m` selections such as `make test-fast` are real."""
    untiered = [item.nodeid for item in items if not any(item.get_closest_marker(tier) for tier in TIERS)]
    if untiered:
        raise pytest.UsageError(f"tests without a tier marker ({', '.join(TIERS)}): {untiered[:5]}")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from stance.tiny import build_tiny

    return build_tiny(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="session")
def tiny_predictor(tiny_model_dir: Path):
    from stance.predictor import Predictor

    return Predictor.load(tiny_model_dir, batch_size=4)


@pytest.fixture()
def mlruns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh MLflow store per test (sqlite in tmp), with the run checkpoints and the encoded-data cache beside it."""
    monkeypatch.setenv("STANCE_MLRUNS_DIR", str(tmp_path / "mlruns"))
    monkeypatch.setenv("STANCE_CHECKPOINTS_DIR", str(tmp_path / "checkpoints"))
    monkeypatch.setenv("STANCE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return tmp_path / "mlruns"


@pytest.fixture()
def one_thread():
    """Tiny models train fastest on one thread, and a shared 2-core machine stays usable."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture()
def tiny_config():
    """Writes a config that trains the tiny model (see `write_tiny_config`)."""
    return write_tiny_config


def write_tiny_config(tmp_path: Path, model_dir: Path, *, seed: int = 3, records: int = 120, epochs: int = 2,
                save_steps: int = 5, name: str = "tiny") -> str:
    """A config that trains the tiny model on a sample of the project's corpus (nothing outside the repository)."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"""
name: {name}
model: {{base: "{model_dir}", max_length: 64}}
data:
  train: [ir:train]
  max_records_per_source: {records}
  validation: {{stance: ir:dev, sentiment: ir:dev}}
  max_validation_records: 40
training: {{epochs: {epochs}, batch_size: 8, seed: {seed}, eval_batch_size: 32, save_steps: {save_steps},
           keep_checkpoints: 2, logging_steps: 2}}
""")
    return str(path)


needs_shared = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"public data not found at {SHARED_DATA}")
