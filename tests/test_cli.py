import json
import subprocess
import sys

import pytest

from stance_cli.main import main

pytestmark = pytest.mark.model


def test_help_does_not_import_torch():
    code = ("import sys\nfrom stance_cli.main import build_parser\n"
            "try:\n    build_parser().parse_args(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('torch', 'transformers', 'mlflow', 'bentoml', 'sklearn') if m in sys.modules]\n"
            "print(heavy)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]"), out.stdout


def test_predict_writes_one_line_per_record(tmp_path, tiny_model_dir, capsys, mlruns):
    text = "Tehran accused Baku of siding with Israel."
    rows = [{"id": "p", "text": text, "holder": {"start": 0, "end": 6}, "target": {"start": 15, "end": 19}},
            {"id": "s", "text": text, "holder": None, "target": {"start": 35, "end": 41}, "sentiment": "negative"}]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["predict", "--model", str(tiny_model_dir), str(source), str(tmp_path / "out.jsonl")]) == 0
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [o["id"] for o in out] == ["p", "s"]
    assert out[0]["task"] == "stance" and set(out[0]["probabilities"]) == {"neutral", "supportive", "hostile"}
    assert out[1]["task"] == "sentiment" and out[1]["label"] in {"negative", "neutral", "positive"}


def test_predict_reports_a_bad_record_with_its_line(tmp_path, tiny_model_dir, capsys, mlruns):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "x", "text": "Iran.", "holder": None, "target": {"start": 2, "end": 9}}) + "\n")
    assert main(["predict", "--model", str(tiny_model_dir), str(source), str(tmp_path / "o.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "in.jsonl:1: record 'x': target span [2, 9) must be non-empty and inside the text of length 5" in err
    assert not (tmp_path / "o.jsonl").exists()


def test_evaluate_prints_metrics_json(tmp_path, tiny_model_dir, capsys, mlruns):
    text = "Tehran accused Baku of siding with Israel."
    rows = [{"id": "p", "text": text, "holder": {"start": 0, "end": 6}, "target": {"start": 15, "end": 19},
             "stance": "hostile"},
            {"id": "s", "text": text, "holder": None, "target": {"start": 35, "end": 41}, "sentiment": "negative"}]
    data = tmp_path / "gold.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["evaluate", "--model", str(tiny_model_dir), "--data", str(data), "--figures", str(tmp_path / "fig")]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {"gold_stance_macro_f1", "gold_sentiment_macro_f1", "gold_score"} <= set(result["metrics"])
    assert (tmp_path / "fig" / "confusion_gold_stance.png").is_file()


def test_data_check_passes_on_the_shipped_corpus(capsys):
    assert main(["data", "check"]) == 0
    assert "OK: 0 error(s)" in capsys.readouterr().out
