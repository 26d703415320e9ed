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


@pytest.mark.unit
def test_analyze_prints_the_summary_first_and_writes_html_and_json(tmp_path, tiny_model_dir, capsys, mlruns):
    article = tmp_path / "article.txt"
    article.write_text("Tehran accused Baku of siding with Israel.\n\nTurkey backed Baku.\n")
    assert main(["analyze", "--model", str(tiny_model_dir), str(article)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("article.txt · 1 document · model ")
    assert out.index("Relations") < out.index("Actors")
    assert "--sentences" in out and "confidence" in out
    report = tmp_path / "r.html"
    assert main(["analyze", "--model", str(tiny_model_dir), str(article), "--format", "html", "-o", str(report)]) == 0
    page = report.read_text()
    assert "cytoscape" in page and "StanceViews.renderReport" in page and "<script src=" not in page
    assert main(["analyze", "--model", str(tiny_model_dir), str(article), "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["model"]["base_model"] == "tiny-random-bert"
    assert payload["documents"][0]["schema"] == "stance.analysis/2"


@pytest.mark.unit
def test_analyze_many_articles_aggregates_relations(tmp_path, tiny_model_dir, capsys, mlruns):
    rows = [{"id": "a1", "text": "Tehran accused Baku of siding with Israel.", "date": "2024-05-01", "source": "X"},
            {"id": "a2", "text": "Tehran accused Baku of siding with Israel. Turkey backed Baku.", "date": "2024-05-02"}]
    source = tmp_path / "week.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["analyze", "--model", str(tiny_model_dir), str(source), "--format", "json"]) == 0
    corpus = json.loads(capsys.readouterr().out)["corpus"]
    assert [d["id"] for d in corpus["documents"]] == ["a1", "a2"]
    top = corpus["relations"][0]
    assert top["document_count"] == 2 and top["by_date"] == {"2024-05-01": 1, "2024-05-02": 1}
    assert main(["analyze", "--model", str(tiny_model_dir), str(source)]) == 0
    assert "Relations across documents" in capsys.readouterr().out
    report = tmp_path / "week.html"
    assert main(["analyze", "--model", str(tiny_model_dir), str(source), "--format", "html", "-o", str(report)]) == 0
    assert '"corpus"' in report.read_text()


def test_behave_prints_a_row_per_capability_and_writes_the_metrics(tmp_path, tiny_model_dir, capsys, mlruns):
    out = tmp_path / "behave.json"
    assert main(["behave", "--model", str(tiny_model_dir), "--failures", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for capability in ("negation", "conflict_nouns", "accusation_direction", "direction", "overall (macro)"):
        assert capability in printed
    metrics = json.loads(out.read_text())["metrics"]
    assert set(metrics) >= {"behave_negation", "behave_direction", "behave_overall"}
    assert all(0.0 <= value <= 1.0 for value in metrics.values())


def test_behave_names_a_bad_suite_line(tmp_path, tiny_model_dir, capsys):
    suite = tmp_path / "suite.jsonl"
    suite.write_text('{"id": "c1", "capability": "negation"}\n')
    assert main(["behave", "--model", str(tiny_model_dir), "--suite", str(suite)]) == 2
    assert "suite.jsonl" in capsys.readouterr().err
