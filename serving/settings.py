"""The service's settings: environment variables with defaults, read when the service starts (never per request).

Every limit protects the service from a request that would take it down or hog it; a request over a limit is answered
400 with a message that names the field and the limit (and the variable that sets it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

from stance.settings import MODEL_NAME, OFFLINE_ENVIRONMENT, bentoml_home

BACKENDS = ("torch", "onnx", "onnx-int8", "auto")  # stance.backends.BACKENDS (not imported: numpy at import time)


class SettingsError(ValueError):
    """An environment variable with a value the service cannot use; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Each field is read from the environment variable `STANCE_<FIELD NAME IN UPPER CASE>`."""

    bento_model: str = f"{MODEL_NAME}:latest"  # the BentoML model the service loads, chosen at start-up
    max_text_chars: int = 20_000  # characters per text (/analyze) and per record text (/classify)
    max_texts: int = 16  # texts per /analyze request
    max_records: int = 256  # records per /classify request
    max_extra_actors: int = 50  # extra actors per /analyze request
    max_analysis_records: int = 4096  # pair and sentiment records one /analyze request may send to the model
    max_body_bytes: int = 4 * 1024 * 1024  # bytes per request body, checked before it is parsed
    max_batch_size: int = 128  # records per adaptive batch of the model service
    max_latency_ms: int = 10_000  # adaptive batching: a request waiting longer is answered 503
    batch_size: int = 32  # records per forward pass
    model_threads: int = max(1, (os.cpu_count() or 2) - 1)  # torch and ONNX Runtime threads of the model service;
    # one core is left to the front service (sentence splitting, JSON) and the clients
    backend: str = "auto"  # torch, onnx, onnx-int8, or auto: the fastest ONNX variant that passed the gate

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env: Mapping[str, str] = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for item in fields(cls):
            name = env_name(item.name)
            raw = env.get(name)
            if raw is None or raw.strip() == "":
                continue
            if item.type == "int":
                try:
                    number = int(raw)
                except ValueError:
                    raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
                if number < 1:
                    raise SettingsError(f"{name} must be at least 1, got {number}")
                values[item.name] = number
            else:
                values[item.name] = raw.strip()
        backend = values.get("backend", cls.backend)
        if backend not in BACKENDS:
            raise SettingsError(f"{env_name('backend')} must be one of {', '.join(BACKENDS)}, got {backend!r}")
        return cls(**values)  # type: ignore[arg-type]


def env_name(field_name: str) -> str:
    return f"STANCE_{field_name.upper()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once (tests call `get_settings.cache_clear()` after changing the env)."""
    return Settings.from_env()


def ensure_bentoml_home() -> Path:
    """Point BentoML at the project's store (`<repo>/models/bentoml`) unless the user chose one with BENTOML_HOME.

    Called by the entry points before BentoML is first used; BentoML reads the variable once per process.
    """
    home = bentoml_home()
    os.environ["BENTOML_HOME"] = str(home)
    os.environ.setdefault("BENTOML_DO_NOT_TRACK", OFFLINE_ENVIRONMENT["BENTOML_DO_NOT_TRACK"])
    return home


def tracking_uri(explicit: str | None = None) -> str:
    """The MLflow tracking store, as training finds it: the argument, else $MLFLOW_TRACKING_URI, else the sqlite file
    in $STANCE_MLRUNS_DIR, else in ./mlruns (training/tracking.py)."""
    from stance.settings import tracking_uri as store_uri

    return explicit or store_uri()
