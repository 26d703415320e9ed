"""Shared fixtures. Tests never reach a hub: the tiny model is built locally, MiniLM comes from its PyPI package."""

from __future__ import annotations

from pathlib import Path

import pytest

from stance.settings import apply_offline_environment, data_dir

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
    """A fresh MLflow store per test (sqlite in tmp)."""
    monkeypatch.setenv("STANCE_MLRUNS_DIR", str(tmp_path / "mlruns"))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return tmp_path / "mlruns"


needs_shared = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"public data not found at {SHARED_DATA}")
