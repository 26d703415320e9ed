"""The ONNX gate as `stance export` and `stance serve` run it: the exports are scored against PyTorch on the model's
validation data, which only training reads, so the command line hands this to serving's export."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def gate_exports(staging: Path, run_id: str | None) -> dict[str, Any]:
    """Export and gate the model in `staging` (its `onnx/` folder is written); log the figures on `run_id`'s run."""
    from stance.backends import ONNX_SUBDIR
    from training.onnx_gate import gate_folder, log_gate, run_spec

    spec = run_spec(run_id)[0] if run_id else None
    report = gate_folder(staging, spec)
    if run_id:
        log_gate(run_id, report, staging / ONNX_SUBDIR)
    return report
