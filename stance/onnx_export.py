"""ONNX exports of a stance model folder, and the gate that decides which of them may serve.

    build_onnx(model_dir, sets)  ->  <model_dir>/onnx/{model.fp32.onnx, model.int8.onnx, gate.json}

1. Export: the whole network (encoder and both heads) with `torch.onnx.export(..., dynamo=False)`, dynamic batch and
   sequence axes, eager attention (so the ORT transformer optimizer can fuse it), then ONNX Runtime's BERT optimizer
   (`onnxruntime.transformers.optimizer`: attention, LayerNorm, GELU fusions).
2. int8 candidates by `onnxruntime.quantization`: dynamic (int8 weights per channel, activations quantized per batch
   at run time), dynamic per-tensor with the feed-forward down-projections left in fp32, and static per-channel QDQ
   (activation ranges calibrated on training sentences). Each is gated; the fastest that
   passes becomes `model.int8.onnx`; the others are deleted and their reasons kept in gate.json.
3. Gate: every variant labels the validation records of both tasks through the same `Predictor` path as PyTorch.
   fp32 must agree with PyTorch on >= 99.9% of labels of each task; int8 must have a macro-F1 within 0.5 points of
   PyTorch's on each task. Speed (records/s over the same records) is recorded so `auto` can take the fastest.

Nothing here reads data sources: callers pass the labelled records (training/evaluation.py builds them).
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stance.backends import GATE_FILE, ONNX_SUBDIR, OUTPUTS, VARIANT_FILES, OnnxBackend
from stance.labels import Task, label_names
from stance.records import PairRecord

log = logging.getLogger(__name__)

FP32_MIN_AGREEMENT = 0.999
INT8_MAX_F1_DROP_POINTS = 0.5
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "pos_a", "pos_b")
_FLOAT = 1  # onnx.TensorProto.FLOAT
# int8 candidates, each gated; the fastest that passes is kept: dynamic per-channel; dynamic per-tensor with the
# feed-forward down-projections in fp32; static per-channel QDQ (calibrated on training sentences)
INT8_METHODS = ("dynamic", "dynamic-ffn-fp32", "static")


@dataclass(frozen=True)
class Thresholds:
    fp32_min_agreement: float = FP32_MIN_AGREEMENT
    int8_max_f1_delta_points: float = INT8_MAX_F1_DROP_POINTS


# --- export ---------------------------------------------------------------------------------------------------------


def export_fp32(model_dir: str | Path, path: str | Path, *, optimize: bool = True, keep_raw: bool = False) -> Path:
    """Export the model folder's network to `path` (fp32, dynamic batch and sequence axes), optimized by ORT's BERT
    fusions; with `keep_raw` the unfused export stays beside it as `<name>.raw.onnx` (static quantization needs it:
    the quantizer cannot infer types through the fused contrib ops)."""
    import torch

    from stance.encoding import encode_pairs
    from stance.model import load_model
    from stance.predictor import collate_numpy
    from stance.records import Span

    model, tokenizer, card = load_model(model_dir)
    encoder = model.encoder
    try:  # eager attention exports to plain MatMul/Softmax, which the ORT optimizer fuses; sdpa may trace the mask away
        encoder.set_attn_implementation("eager")
    except Exception:  # noqa: BLE001 - older transformers: the config attribute does it
        encoder.config._attn_implementation = "eager"
    model.eval()

    class Wrapped(torch.nn.Module):  # keywords into the model, a tuple out (TorchScript export wants positional I/O)
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, pos_a, pos_b):  # noqa: ANN001 - tensors
            out = self.model(input_ids=input_ids, attention_mask=attention_mask, pos_a=pos_a, pos_b=pos_b)
            return tuple(out[name] for name in OUTPUTS)

    text = "Iran accused Israel of backing Azerbaijan, and Turkey praised Baku."
    example = encode_pairs(tokenizer, [(text, Span(0, 4), Span(16, 22)), ("Russia met Turkey.", Span(0, 6), None)],
                           card.max_length)  # two lengths: padding is in the example, so the mask path is traced
    batch = {k: torch.from_numpy(v) for k, v in collate_numpy(example, tokenizer.pad_token_id).items()}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = path.with_suffix(".raw.onnx")
    dynamic = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
               "pos_a": {0: "batch"}, "pos_b": {0: "batch"}, **{name: {0: "batch"} for name in OUTPUTS}}
    with torch.inference_mode():
        torch.onnx.export(Wrapped(), tuple(batch[name] for name in INPUTS), str(raw), input_names=list(INPUTS),
                          output_names=list(OUTPUTS), dynamic_axes=dynamic, opset_version=OPSET, dynamo=False,
                          do_constant_folding=True)
    if optimize:
        try:
            from onnxruntime.transformers.optimizer import optimize_model

            optimized = optimize_model(str(raw), model_type="bert", num_heads=encoder.config.num_attention_heads,
                                       hidden_size=encoder.config.hidden_size, opt_level=1)
            optimized.save_model_to_file(str(path))
            if not keep_raw:
                raw.unlink()
            return path
        except Exception as err:  # noqa: BLE001 - the plain export still works; say why it is not optimized
            log.warning("ORT transformer optimizer failed (%s); keeping the plain export", err)
    shutil.copyfile(raw, path) if keep_raw else raw.replace(path)
    return path


def quantize_dynamic_int8(fp32: Path, out: Path, *, per_channel: bool = True, ffn_out_fp32: bool = False) -> Path:
    """Dynamic int8 on the fused graph: Attention becomes QAttention, MatMul int8 MatMulInteger, activations quantized
    per batch at run time. The heads (Gemm) and the embedding tables stay fp32 (little time, most of the risk).

    `per_channel`: one scale per output column of each weight (per-tensor scales cost MiniLM 3-4 macro-F1 points);
    `ffn_out_fp32`: the feed-forward down-projections (after GELU, the activations with the widest range) stay fp32."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    exclude = []
    if ffn_out_fp32:
        exclude = [n.name for n in onnx.load(str(fp32), load_external_data=False).graph.node
                   if n.op_type == "MatMul" and "/output/dense/" in n.name and "attention" not in n.name]
    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=per_channel,
                     op_types_to_quantize=["MatMul", "Attention"], nodes_to_exclude=exclude,
                     extra_options={"DefaultTensorType": _FLOAT})  # fused contrib ops have no inferred types
    return out


def quantize_static_int8(raw: Path, out: Path, calibration: Sequence[dict[str, Any]]) -> Path:
    """Static QDQ, per-channel int8 weights, activation ranges from `calibration` batches (numpy input dicts), from
    the unfused export after the quantizer's own pre-processing (shape inference); ORT fuses the QDQ pairs into int8
    kernels when the session loads."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    prepared = out.with_suffix(".pre.onnx")
    quant_pre_process(str(raw), str(prepared), skip_symbolic_shape=True)  # symbolic fails on the mask ops

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.items = iter(calibration)

        def get_next(self) -> dict[str, Any] | None:
            return next(self.items, None)

    try:
        quantize_static(str(prepared), str(out), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        weight_type=QuantType.QInt8, activation_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax,
                        op_types_to_quantize=["MatMul"],  # the heads (Gemm) stay fp32
                        extra_options={"ActivationSymmetric": True, "DefaultTensorType": _FLOAT})
    finally:
        prepared.unlink(missing_ok=True)
    return out


# --- gate -----------------------------------------------------------------------------------------------------------


def score(predictor: Any, sets: Mapping[str, Sequence[PairRecord]], repeats: int = 1) -> dict[str, Any]:
    """Labels per task and records/s of one predictor on the gate's records (a warm-up batch first)."""
    everything = [r for records in sets.values() for r in records]
    predictor.predict(everything[: min(len(everything), 32)])
    best = float("inf")
    labels: dict[str, list[str]] = {}
    probs: dict[str, list[tuple[float, ...]]] = {}
    for _ in range(max(1, repeats)):
        started = time.perf_counter()
        predictions = predictor.predict(everything)
        best = min(best, time.perf_counter() - started)
    cursor = 0
    for task, records in sets.items():
        chunk = predictions[cursor : cursor + len(records)]
        cursor += len(records)
        labels[task] = [p.label for p in chunk]
        probs[task] = [p.probabilities for p in chunk]
    return {"labels": labels, "probabilities": probs, "pairs_per_s": len(everything) / best if best > 0 else None}


def macro_f1(task: str, gold: Sequence[str], predicted: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, predicted, labels=label_names(Task(task)), average="macro", zero_division=0))


def _gold(records: Sequence[PairRecord]) -> list[str]:
    """The records' gold labels: the gate compares with them, so an unlabelled record is an error, not a miss."""
    gold = [r.label for r in records]
    missing = [r.id for r, label in zip(records, gold) if label is None]
    if missing:
        raise ValueError(f"the gate needs labelled records; {len(missing)} have no label (first: {missing[0]})")
    return [label for label in gold if label is not None]


def judge(variant: str, reference: dict[str, Any], candidate: dict[str, Any],
          sets: Mapping[str, Sequence[PairRecord]], thresholds: Thresholds = Thresholds()) -> dict[str, Any]:
    """Compare a variant's labels with PyTorch's: agreement and macro-F1 per task, pass or fail with the reason."""
    report: dict[str, Any] = {"agreement": {}, "macro_f1": {}, "macro_f1_delta_points": {}, "max_abs_prob_diff": 0.0}
    failures = []
    for task, records in sets.items():
        gold = _gold(records)
        ref, got = reference["labels"][task], candidate["labels"][task]
        agreement = sum(a == b for a, b in zip(ref, got)) / max(1, len(ref))
        f1_ref, f1_got = macro_f1(task, gold, ref), macro_f1(task, gold, got)
        delta = 100.0 * (f1_got - f1_ref)
        diff = max((abs(a - b) for pa, pb in zip(reference["probabilities"][task], candidate["probabilities"][task])
                    for a, b in zip(pa, pb)), default=0.0)
        report["agreement"][task] = agreement
        report["macro_f1"][task] = f1_got
        report["macro_f1_delta_points"][task] = delta
        report["max_abs_prob_diff"] = max(report["max_abs_prob_diff"], diff)
        if variant == "onnx" and agreement < thresholds.fp32_min_agreement:
            failures.append(f"{task} label agreement {agreement:.4f} < {thresholds.fp32_min_agreement}")
        if variant != "onnx" and abs(delta) > thresholds.int8_max_f1_delta_points:
            failures.append(f"{task} macro-F1 {100 * f1_got:.2f} vs PyTorch {100 * f1_ref:.2f} "
                            f"({delta:+.2f} points, limit {thresholds.int8_max_f1_delta_points})")
    report["pairs_per_s"] = candidate["pairs_per_s"]
    report["passed"] = not failures
    report["reason"] = "; ".join(failures) if failures else "within the gate"
    return report


def onnx_predictor(torch_predictor: Any, path: Path, name: str) -> Any:
    from stance.predictor import Predictor

    return Predictor(None, torch_predictor.tokenizer, torch_predictor.card, batch_size=torch_predictor.batch_size,
                     backend=OnnxBackend(path, name), model_dir=torch_predictor.model_dir)


def calibration_batches(tokenizer: Any, card: Any, records: Iterable[PairRecord], batch_size: int = 16,
                        limit: int = 256) -> list[dict[str, Any]]:
    from stance.encoding import encode_pairs, pair_key
    from stance.predictor import collate_numpy

    keys = list(dict.fromkeys(pair_key(r) for r in records))[:limit]
    encoded = encode_pairs(tokenizer, keys, card.max_length)
    return [collate_numpy(encoded[i : i + batch_size], tokenizer.pad_token_id) for i in range(0, len(encoded), batch_size)]


def build_onnx(model_dir: str | Path, sets: Mapping[str, Sequence[PairRecord]], *,
               calibration: Sequence[PairRecord] | None = None, out_dir: str | Path | None = None,
               methods: Sequence[str] = INT8_METHODS, thresholds: Thresholds = Thresholds(),
               batch_size: int = 32, repeats: int = 1) -> dict[str, Any]:
    """Export fp32 and int8 candidates into `<model_dir>/onnx` (or `out_dir`), gate them against PyTorch on `sets`
    (task name -> labelled records), keep what passes, write gate.json and return its content."""
    from stance.predictor import Predictor

    model_dir = Path(model_dir)
    out = Path(out_dir) if out_dir is not None else model_dir / ONNX_SUBDIR
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    fp32 = export_fp32(model_dir, out / VARIANT_FILES["onnx"], keep_raw="static" in methods)
    raw = fp32.with_suffix(".raw.onnx")
    reference_predictor = Predictor.load(model_dir, backend="torch", batch_size=batch_size)
    reference = score(reference_predictor, sets, repeats)
    fp32_result = score(onnx_predictor(reference_predictor, fp32, "onnx"), sets, repeats)
    gate: dict[str, Any] = {
        "format_version": 1,
        "thresholds": {"fp32_min_agreement": thresholds.fp32_min_agreement,
                       "int8_max_f1_delta_points": thresholds.int8_max_f1_delta_points},
        "validation": {task: {"n": len(records)} for task, records in sets.items()},
        "torch": {"macro_f1": {task: macro_f1(task, _gold(records), reference["labels"][task])
                               for task, records in sets.items()},
                  "pairs_per_s": reference["pairs_per_s"]},
        "variants": {"onnx": {"file": VARIANT_FILES["onnx"], "method": "fp32 (ORT-optimized)",
                              **judge("onnx", reference, fp32_result, sets, thresholds)}},
        "int8_candidates": [],
    }
    tokenizer, card = reference_predictor.tokenizer, reference_predictor.card
    candidates = []
    for method in methods:
        path = out / f"model.int8-{method}.onnx"
        try:
            if method == "dynamic":
                quantize_dynamic_int8(fp32, path, per_channel=True)
            elif method == "dynamic-ffn-fp32":
                quantize_dynamic_int8(fp32, path, per_channel=False, ffn_out_fp32=True)
            elif method == "static":
                calib = calibration if calibration is not None else [r for rs in sets.values() for r in rs]
                quantize_static_int8(raw, path, calibration_batches(tokenizer, card, calib))
            else:
                raise ValueError(f"unknown quantization method {method!r}")
            result = score(onnx_predictor(reference_predictor, path, "onnx-int8"), sets, repeats)
            report = {"method": method, **judge("onnx-int8", reference, result, sets, thresholds)}
        except Exception as err:  # noqa: BLE001 - a quantizer failure rejects that candidate, not the export
            report = {"method": method, "passed": False, "reason": f"quantization failed: {err}", "pairs_per_s": None}
        candidates.append((report, path))
        gate["int8_candidates"].append(report)
    passing = [(r, p) for r, p in candidates if r["passed"]]
    pool = passing or [(r, p) for r, p in candidates if r.get("pairs_per_s")]
    if pool:
        best, best_path = max(pool, key=lambda item: item[0]["pairs_per_s"] or 0.0)
        gate["variants"]["onnx-int8"] = {"file": VARIANT_FILES["onnx-int8"], **best}
        if best["passed"]:
            best_path.replace(out / VARIANT_FILES["onnx-int8"])
    for _, path in candidates:
        path.unlink(missing_ok=True)
    raw.unlink(missing_ok=True)
    for variant, report in gate["variants"].items():
        if not report["passed"]:
            (out / VARIANT_FILES[variant]).unlink(missing_ok=True)  # kept out of serving
    gate["seconds"] = round(time.perf_counter() - started, 1)
    (out / GATE_FILE).write_text(json.dumps(gate, indent=2) + "\n", encoding="utf-8")
    return gate


def summary_lines(gate: dict[str, Any]) -> list[str]:
    """One line per variant (and rejected candidate): passed or refused, with the figures and the reason."""
    lines = ["torch: macro-F1 " + ", ".join(f"{t} {100 * v:.2f}" for t, v in gate["torch"]["macro_f1"].items())
             + f"; {gate['torch']['pairs_per_s']:.0f} records/s"]
    for variant, report in gate["variants"].items():
        lines.append(_line(variant, report))
    for report in gate.get("int8_candidates", []):
        chosen = gate["variants"].get("onnx-int8", {}).get("method") == report.get("method")
        if not chosen:
            lines.append(_line(f"onnx-int8 candidate {report.get('method')}", report) + " (not kept)")
    return lines


def _line(name: str, report: dict[str, Any]) -> str:
    verdict = "PASSED" if report.get("passed") else "REFUSED"
    parts = [f"{name} [{report.get('method', '')}]: {verdict}"]
    if report.get("agreement"):
        parts.append("agreement " + ", ".join(f"{t} {100 * v:.2f}%" for t, v in report["agreement"].items()))
        parts.append("macro-F1 delta " + ", ".join(f"{t} {v:+.2f} pt" for t, v in report["macro_f1_delta_points"].items()))
    if report.get("pairs_per_s"):
        parts.append(f"{report['pairs_per_s']:.0f} records/s")
    parts.append(report.get("reason", ""))
    return "; ".join(parts)


def gate_metrics(gate: dict[str, Any]) -> dict[str, float]:
    """Flat figures for MLflow: onnx_<variant>_<figure>[_<task>]."""
    metrics: dict[str, float] = {}
    for variant, report in gate["variants"].items():
        key = "onnx_fp32" if variant == "onnx" else "onnx_int8"
        metrics[f"{key}_passed"] = 1.0 if report.get("passed") else 0.0
        for figure in ("agreement", "macro_f1", "macro_f1_delta_points"):
            for task, value in (report.get(figure) or {}).items():
                metrics[f"{key}_{figure}_{task}"] = float(value)
        if report.get("pairs_per_s"):
            metrics[f"{key}_records_per_s"] = float(report["pairs_per_s"])
    if gate["torch"].get("pairs_per_s"):
        metrics["onnx_torch_records_per_s"] = float(gate["torch"]["pairs_per_s"])
    return metrics


def gate_metadata(gate: dict[str, Any]) -> dict[str, Any]:
    """A compact copy for the BentoML model's metadata (JSON-safe)."""
    return {
        "thresholds": gate["thresholds"],
        "torch": gate["torch"],
        "variants": {v: {k: r.get(k) for k in ("method", "passed", "reason", "agreement", "macro_f1",
                                               "macro_f1_delta_points", "pairs_per_s")}
                     for v, r in gate["variants"].items()},
        "rejected_int8": [{"method": r.get("method"), "reason": r.get("reason")}
                          for r in gate.get("int8_candidates", []) if not r.get("passed")],
    }


def copy_onnx(source_dir: Path, target_dir: Path) -> None:
    if (source_dir / ONNX_SUBDIR).is_dir():
        shutil.copytree(source_dir / ONNX_SUBDIR, target_dir / ONNX_SUBDIR, dirs_exist_ok=True)


def temp_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="stance-onnx-"))
