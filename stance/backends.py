"""Inference backends behind `Predictor`: the PyTorch model, or its ONNX Runtime exports (fp32, int8).

Every backend takes the same padded batch (numpy int64 arrays: input_ids, attention_mask, pos_a, pos_b) and returns
the same thing: per output (stance_ab, stance_ba, sentiment) a float32 array of probabilities, rows in batch order.

Which ONNX variants a model folder offers, and whether each passed the gate against PyTorch, is written in
`<model folder>/onnx/gate.json` (stance/onnx_export.py). `auto` takes the fastest variant that passed; a variant that
is missing or failed falls back to the next one (at worst torch) with a message that says why.

Threads are set once per process (`configure_threads`): torch's intra-op pool and ONNX Runtime's intra-op pool get
the same count, and ORT's pool does not spin, so an idle model process leaves its cores to the service's front.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Protocol

import numpy as np

log = logging.getLogger(__name__)

OUTPUTS = ("stance_ab", "stance_ba", "sentiment")
ONNX_SUBDIR = "onnx"
GATE_FILE = "gate.json"
VARIANT_FILES = {"onnx": "model.fp32.onnx", "onnx-int8": "model.int8.onnx"}
BACKENDS = ("torch", "onnx", "onnx-int8", "auto")
AUTO_ORDER = ("onnx-int8", "onnx", "torch")  # when no speeds are recorded: int8, then fp32, then torch

_THREADS: int | None = None


class BackendError(RuntimeError):
    """A backend was asked for that the model folder cannot provide; the message says why and what to do."""


def configure_threads(threads: int | None) -> int:
    """Set the intra-op thread count of torch (if loaded) and of every ONNX session created afterwards; once per
    process (a later call with another count is ignored with a warning: pools cannot shrink safely mid-run). No
    count given: $OMP_NUM_THREADS, else every core."""
    global _THREADS
    count = max(1, int(threads or _omp_threads() or os.cpu_count() or 1))
    if _THREADS is not None:
        if count != _THREADS:
            log.warning("threads already set to %d for this process; ignoring %d", _THREADS, count)
        return _THREADS
    _THREADS = count
    import sys

    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(count)
    return count


def _omp_threads() -> int | None:
    """OMP_NUM_THREADS, the variable torch itself reads, when set to a count: a user who runs two jobs side by side
    with one thread each keeps them at one."""
    value = os.environ.get("OMP_NUM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def threads() -> int | None:
    return _THREADS


def apply_torch_threads() -> None:
    """torch was imported after `configure_threads` (the model loads later): give its pool the same count."""
    import sys

    if _THREADS is not None and "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(_THREADS)


class Backend(Protocol):
    name: str

    def run(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]: ...


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


class TorchBackend:
    name = "torch"

    def __init__(self, model: Any, bf16: bool = False) -> None:
        self.model = model
        self.bf16 = bf16

    def run(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        import torch

        self.model.eval()
        device = next(self.model.parameters()).device  # a model evaluated on the GPU it trains on
        tensors = {k: torch.from_numpy(v).to(device) for k, v in batch.items()}
        with torch.inference_mode(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=self.bf16):
            logits = self.model(**tensors)
            return {name: torch.softmax(logits[name].float(), dim=-1).cpu().numpy() for name in OUTPUTS}


class OnnxBackend:
    def __init__(self, path: str | Path, name: str = "onnx") -> None:
        import onnxruntime as ort

        self.name = name
        self.path = Path(path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = _THREADS or max(1, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # idle threads sleep
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]

    def run(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        feed = {name: batch[name] for name in self.inputs}
        logits = self.session.run(list(OUTPUTS), feed)
        return {name: softmax(value.astype(np.float32)) for name, value in zip(OUTPUTS, logits)}


def onnx_dir_of(path: str | Path) -> Path:
    """The folder of the exports: `<model folder>/onnx`, or `path` itself when it is such a folder."""
    path = Path(path)
    return path / ONNX_SUBDIR if (path / ONNX_SUBDIR).is_dir() else path


def read_gate(model_dir: str | Path) -> dict[str, Any] | None:
    path = onnx_dir_of(model_dir) / GATE_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def available(model_dir: str | Path) -> dict[str, str]:
    """Variant -> why it cannot be used ('' when it can): file present and gate passed."""
    gate = read_gate(model_dir) or {}
    out = {}
    for variant, filename in VARIANT_FILES.items():
        report = (gate.get("variants") or {}).get(variant)
        path = onnx_dir_of(model_dir) / filename
        if report is None:
            out[variant] = f"no {variant} export with a gate report in {onnx_dir_of(model_dir)} (run stance export)"
        elif not report.get("passed"):
            out[variant] = f"{variant} failed the gate: {report.get('reason', 'no reason recorded')}"
        elif not path.is_file():
            out[variant] = f"{variant} passed the gate but {path} is missing"
        else:
            out[variant] = ""
    return out


def choose(requested: str, model_dir: str | Path | None) -> tuple[str, list[str]]:
    """The backend to use for `requested` and the messages explaining any fallback."""
    if requested not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {requested!r}")
    if requested == "torch":
        return "torch", []
    status = available(model_dir) if model_dir is not None else {v: "the model has no folder" for v in VARIANT_FILES}
    if requested != "auto":
        if status[requested]:
            return "torch", [f"backend {requested} unavailable ({status[requested]}); falling back to torch"]
        return requested, []
    gate = (read_gate(model_dir) or {}) if model_dir is not None else {}
    speeds = {k: v.get("pairs_per_s") for k, v in (gate.get("variants") or {}).items()}
    speeds.setdefault("torch", (gate.get("torch") or {}).get("pairs_per_s"))
    candidates = [v for v in AUTO_ORDER if v == "torch" or not status[v]]
    if all(speeds.get(v) for v in candidates):
        candidates.sort(key=lambda v: -float(speeds[v]))
    notes = [f"auto: {status[v]}" for v in VARIANT_FILES if status[v]]
    return candidates[0], notes
