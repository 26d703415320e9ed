"""ONNX backends on the tiny model: export and gate, a damaged int8 model refused, backend selection, torch/onnx parity."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from stance.records import PairRecord, Span

pytest.importorskip("onnxruntime")

WORDS = ["the", "iran", "israel", "russia", "turkey", "accused", "backed", "praised", "condemned", "met", "baku", "tehran", "said"]


def fixture_sets(n: int = 48, seed: int = 0) -> dict[str, list[PairRecord]]:
    """Labelled records of both tasks over news-like word salad (the tiny model is random: labels are arbitrary)."""
    rng = random.Random(seed)
    sets: dict[str, list[PairRecord]] = {"stance": [], "sentiment": []}
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(4, 40))]
        text = " ".join(words)
        holder = Span(0, len(words[0]))
        start = len(text) - len(words[-1])
        target = Span(start, len(text))
        sets["stance"].append(PairRecord(f"s{i}", text, holder=holder, target=target,
                                         label=rng.choice(["neutral", "supportive", "hostile"])))
        sets["sentiment"].append(PairRecord(f"t{i}", text, target=target,
                                            label=rng.choice(["negative", "neutral", "positive"])))
    return sets


@pytest.fixture(scope="module")
def onnx_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from stance.onnx_export import build_onnx

    folder = tmp_path_factory.mktemp("onnx") / "model"
    shutil.copytree(tiny_model_dir, folder)
    build_onnx(folder, fixture_sets(), methods=("dynamic", "static"))
    return folder


def write_gate(folder: Path, variants: dict[str, dict[str, Any]], files: tuple[str, ...] = ()) -> Path:
    from stance.backends import GATE_FILE, ONNX_SUBDIR, VARIANT_FILES

    (folder / ONNX_SUBDIR).mkdir(parents=True, exist_ok=True)
    (folder / ONNX_SUBDIR / GATE_FILE).write_text(json.dumps({"torch": {"pairs_per_s": 100.0}, "variants": variants}))
    for variant in files:
        (folder / ONNX_SUBDIR / VARIANT_FILES[variant]).write_bytes(b"")
    return folder


# --- backend selection (no model) -----------------------------------------------------------------------------------


@pytest.mark.unit
def test_auto_takes_the_fastest_variant_that_passed(tmp_path: Path) -> None:
    from stance.backends import choose

    folder = write_gate(tmp_path, {"onnx": {"passed": True, "pairs_per_s": 300.0},
                                   "onnx-int8": {"passed": True, "pairs_per_s": 500.0}}, ("onnx", "onnx-int8"))
    assert choose("auto", folder) == ("onnx-int8", [])
    folder = write_gate(tmp_path, {"onnx": {"passed": True, "pairs_per_s": 600.0},
                                   "onnx-int8": {"passed": True, "pairs_per_s": 500.0}})
    assert choose("auto", folder)[0] == "onnx"


@pytest.mark.unit
def test_a_failed_variant_is_never_chosen_and_the_reason_is_given(tmp_path: Path) -> None:
    from stance.backends import choose

    folder = write_gate(tmp_path, {"onnx": {"passed": True, "pairs_per_s": 300.0},
                                   "onnx-int8": {"passed": False, "reason": "stance macro-F1 -3.00 points",
                                                 "pairs_per_s": 900.0}}, ("onnx",))
    chosen, notes = choose("auto", folder)
    assert chosen == "onnx" and any("-3.00 points" in note for note in notes)
    chosen, notes = choose("onnx-int8", folder)
    assert chosen == "torch" and "failed the gate" in notes[0] and "falling back to torch" in notes[0]


@pytest.mark.unit
def test_missing_exports_fall_back_to_torch_with_a_message(tmp_path: Path) -> None:
    from stance.backends import choose

    assert choose("auto", tmp_path)[0] == "torch"
    chosen, notes = choose("onnx", tmp_path)
    assert chosen == "torch" and "stance export" in notes[0]
    with pytest.raises(ValueError, match="backend must be one of"):
        choose("tensorrt", tmp_path)


@pytest.mark.unit
def test_service_setting_names_the_backend() -> None:
    from serving.settings import Settings, SettingsError

    assert Settings.from_env({}).backend == "auto"
    assert Settings.from_env({"STANCE_BACKEND": "onnx"}).backend == "onnx"
    with pytest.raises(SettingsError, match="STANCE_BACKEND"):
        Settings.from_env({"STANCE_BACKEND": "gpu"})


# --- export, gate and parity on the tiny model ----------------------------------------------------------------------


@pytest.mark.model
def test_export_writes_gated_variants(onnx_dir: Path) -> None:
    from stance.backends import GATE_FILE, ONNX_SUBDIR, VARIANT_FILES, read_gate

    gate = read_gate(onnx_dir)
    assert (onnx_dir / ONNX_SUBDIR / GATE_FILE).is_file()
    fp32 = gate["variants"]["onnx"]
    assert fp32["passed"] and min(fp32["agreement"].values()) >= 0.999
    assert (onnx_dir / ONNX_SUBDIR / VARIANT_FILES["onnx"]).is_file()
    assert {c["method"] for c in gate["int8_candidates"]} == {"dynamic", "static"}
    int8 = gate["variants"].get("onnx-int8")
    if int8 is not None:  # what is on disk is what passed
        assert (onnx_dir / ONNX_SUBDIR / VARIANT_FILES["onnx-int8"]).is_file() == bool(int8["passed"])
    assert not list((onnx_dir / ONNX_SUBDIR).glob("model.int8-*.onnx"))  # candidates not kept are deleted


@pytest.mark.model
def test_torch_and_onnx_agree_on_fixtures(onnx_dir: Path) -> None:
    from stance.predictor import Predictor

    records = [r for rs in fixture_sets(20, seed=7).values() for r in rs]
    torch_predictor = Predictor.load(onnx_dir, backend="torch", batch_size=8)
    onnx_predictor = Predictor.load(onnx_dir, backend="onnx", batch_size=8)
    assert (torch_predictor.backend, onnx_predictor.backend) == ("torch", "onnx")
    assert onnx_predictor.model is None  # the PyTorch weights are not even loaded
    want, got = torch_predictor.predict(records), onnx_predictor.predict(records)
    assert [p.id for p in got] == [p.id for p in want]
    assert [p.label for p in got] == [p.label for p in want]
    np.testing.assert_allclose([p.probabilities for p in got], [p.probabilities for p in want], atol=1e-4)
    assert type(got[0]) is type(want[0]) and got[0].to_dict().keys() == want[0].to_dict().keys()


@pytest.mark.model
def test_onnx_takes_any_batch_and_length(onnx_dir: Path) -> None:
    from stance.backends import ONNX_SUBDIR, VARIANT_FILES, OnnxBackend
    from stance.predictor import Predictor

    records = [r for rs in fixture_sets(9, seed=3).values() for r in rs]
    torch_predictor = Predictor.load(onnx_dir, backend="torch")
    for batch_size in (1, 5, 64):
        predictor = Predictor(None, torch_predictor.tokenizer, torch_predictor.card, batch_size=batch_size,
                              backend=OnnxBackend(onnx_dir / ONNX_SUBDIR / VARIANT_FILES["onnx"]))
        assert [p.label for p in predictor.predict(records)] == [p.label for p in torch_predictor.predict(records)]


@pytest.mark.model
def test_auto_picks_a_passing_variant(onnx_dir: Path) -> None:
    from stance.backends import available
    from stance.predictor import Predictor

    predictor = Predictor.load(onnx_dir, backend="auto")
    assert predictor.backend in ("onnx", "onnx-int8")
    assert not available(onnx_dir)[predictor.backend]  # '' means usable: file there and gate passed


@pytest.mark.model
def test_a_damaged_int8_model_is_refused(onnx_dir: Path, tmp_path: Path) -> None:
    import onnx
    from onnx import numpy_helper

    from stance.backends import ONNX_SUBDIR, VARIANT_FILES
    from stance.onnx_export import judge, onnx_predictor, quantize_dynamic_int8, score
    from stance.predictor import Predictor

    damaged = tmp_path / "damaged.int8.onnx"
    quantize_dynamic_int8(onnx_dir / ONNX_SUBDIR / VARIANT_FILES["onnx"], damaged)
    graph = onnx.load(str(damaged))
    rng = np.random.default_rng(0)
    hit = 0
    for init in graph.graph.initializer:
        array = numpy_helper.to_array(init)
        if array.dtype == np.int8 and array.size > 16:  # quantized weights: scramble them
            init.CopyFrom(numpy_helper.from_array(rng.integers(-127, 128, array.shape, dtype=np.int8), init.name))
            hit += 1
    assert hit
    onnx.save(graph, str(damaged))
    sets = fixture_sets()
    reference_predictor = Predictor.load(onnx_dir, backend="torch")
    reference = score(reference_predictor, sets)
    report = judge("onnx-int8", reference, score(onnx_predictor(reference_predictor, damaged, "onnx-int8"), sets), sets)
    assert not report["passed"] and "points" in report["reason"]
    # and a gate report that refuses int8 keeps it out of serving: asking for it falls back, with the reason
    folder = tmp_path / "model"
    shutil.copytree(onnx_dir, folder)
    gate_path = folder / ONNX_SUBDIR / "gate.json"
    gate = json.loads(gate_path.read_text())
    gate["variants"]["onnx-int8"] = {"method": "dynamic", **report}
    gate_path.write_text(json.dumps(gate))
    shutil.copy(damaged, folder / ONNX_SUBDIR / VARIANT_FILES["onnx-int8"])
    fallback = Predictor.load(folder, backend="onnx-int8")
    assert fallback.backend == "torch" and "failed the gate" in fallback.backend_notes[0]
    assert Predictor.load(folder, backend="auto").backend == "onnx"


@pytest.mark.model
def test_gate_figures_flatten_for_mlflow_and_bentoml(onnx_dir: Path) -> None:
    from stance.backends import read_gate
    from stance.onnx_export import gate_metadata, gate_metrics, summary_lines

    gate = read_gate(onnx_dir)
    metrics = gate_metrics(gate)
    assert metrics["onnx_fp32_passed"] == 1.0 and "onnx_fp32_agreement_stance" in metrics
    assert all(isinstance(v, float) for v in metrics.values())
    json.dumps(gate_metadata(gate))
    lines = summary_lines(gate)
    assert lines[0].startswith("torch") and any("PASSED" in line for line in lines)


@pytest.mark.unit
def test_the_default_thread_count_follows_omp_num_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    from stance.backends import _omp_threads

    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert _omp_threads() == 1
    for value in ("", "0", "two"):  # unset or meaningless: every core, as before
        monkeypatch.setenv("OMP_NUM_THREADS", value)
        assert _omp_threads() is None
