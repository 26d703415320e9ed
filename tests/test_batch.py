"""`stance batch`: input checks, the tables, resume after SIGKILL, and the Spark engine against the local one."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stance.batch import TABLES, Article, BadRow, Deduplicator, parse_line, parse_record, run_local
from training.articles import write_archive

REPO = Path(__file__).resolve().parents[1]
KEYS = {"documents": ["id"], "sentences": ["id", "sentence"], "pairs": ["id", "sentence", "holder", "target"],
        "sentence_actors": ["id", "sentence", "actor"], "actors": ["id", "actor"],
        "relations": ["id", "holder", "target", "stance"], "errors": ["row"]}


def read_tables(folder: Path) -> dict[str, list[dict]]:
    """Every table as plain rows in key order (lists as lists, NaN as None): comparable across engines."""
    import pandas as pd

    def plain(v):
        if hasattr(v, "tolist"):
            v = v.tolist()
        return None if isinstance(v, float) and v != v else v

    out = {}
    for table in TABLES:
        frame = pd.read_parquet(folder / table)
        rows = [{k: plain(v) for k, v in r.items()} for r in frame.to_dict(orient="records")]
        out[table] = sorted(rows, key=lambda r: tuple(r[k] for k in KEYS[table]))
    return out


def assert_same(a: dict[str, list[dict]], b: dict[str, list[dict]], tol: float = 2e-3) -> None:
    for table in TABLES:
        assert len(a[table]) == len(b[table]), table
        for x, y in zip(a[table], b[table]):
            assert x.keys() == y.keys(), table
            for k in x:
                if isinstance(x[k], float) and isinstance(y[k], float):
                    assert abs(x[k] - y[k]) <= tol, (table, k, x, y)  # batch composition moves the 4th decimal
                else:
                    assert x[k] == y[k], (table, k, x, y)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("archive") / "articles.jsonl"
    write_archive(path, copies=1, bad_rows=True, limit=24)
    return path


# --- unit -----------------------------------------------------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize("line, reason", [
    ('{"id": "a", "text": "  "}', "empty_text"),
    ('{"text": "no id"}', "missing_id"),
    ('{"id": "", "text": "x"}', "missing_id"),
    ('{"id": "a", "text": 5}', "bad_text"),
    ('{"id": "a", "text": "x' , "bad_json"),
    ('[1, 2]', "bad_json"),
    ('{"id": "a", "text": "bad \ufffd bytes"}', "bad_encoding"),
    ('{"id": "a", "text": "lone \\ud800 surrogate"}', "bad_encoding"),
    ('{"id": "a", "text": "' + "x" * 51 + '"}', "too_long"),
])
def test_bad_rows_name_their_reason(line: str, reason: str) -> None:
    item = parse_line(7, line, max_chars=50)
    assert isinstance(item, BadRow) and item.reason == reason and item.row == 7


@pytest.mark.unit
def test_good_row_keeps_date_source_and_extra_fields() -> None:
    item = parse_record(3, {"id": 12, "text": "Iran accused Azerbaijan.", "date": "2025-01-02", "source": "wire",
                            "region": "mena", "tags": ["a"]})
    assert item == Article(row=3, id="12", text="Iran accused Azerbaijan.", date="2025-01-02", source="wire",
                           extra='{"region": "mena", "tags": ["a"]}')
    assert parse_line(0, "   \n") is None  # blank lines are not rows


@pytest.mark.unit
def test_the_first_row_keeps_an_id() -> None:
    dedup = Deduplicator()
    first = dedup.check(BadRow(0, "x", "empty_text", ""))
    second = dedup.check(Article(1, "x", "text"))
    assert first.reason == "empty_text" and isinstance(second, BadRow) and second.reason == "duplicate_id"
    assert isinstance(dedup.check(Article(2, "y", "text")), Article)


# --- the local engine -------------------------------------------------------------------------------------------


@pytest.mark.model
def test_local_engine_writes_every_table_and_the_error_file(archive: Path, tiny_predictor, tmp_path: Path) -> None:
    summary = run_local(archive, tmp_path, tiny_predictor, "tiny/1", chunk_size=5, progress=False)
    assert (summary.articles, summary.errors, summary.skipped) == (24, 6, 0)
    tables = read_tables(tmp_path)
    assert len({r["id"] for r in tables["documents"]}) == 24
    assert all(r["model_version"] == "tiny/1" for t in TABLES for r in tables[t])
    assert tables["pairs"] and tables["relations"] and tables["sentence_actors"] and tables["actors"]
    reasons = [json.loads(line)["reason"] for line in (tmp_path / "errors.jsonl").read_text().splitlines()]
    assert sorted(reasons) == sorted(["empty_text", "missing_id", "duplicate_id", "too_long", "bad_json",
                                      "bad_encoding"])
    again = run_local(archive, tmp_path, tiny_predictor, "tiny/1", chunk_size=5, progress=False)
    assert (again.articles, again.errors, again.skipped) == (0, 0, 30)  # a finished run only skips
    with pytest.raises(ValueError, match="holds results of model"):
        run_local(archive, tmp_path, tiny_predictor, "tiny/2", progress=False)


@pytest.mark.model
def test_parquet_input_gives_the_same_tables(archive: Path, tiny_predictor, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [json.loads(line) for line in archive.read_text(errors="replace").splitlines()[:24]]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    run_local(tmp_path / "in.parquet", tmp_path / "a", tiny_predictor, "v", chunk_size=8, progress=False)
    good = tmp_path / "good.jsonl"
    good.write_text("".join(json.dumps(r) + "\n" for r in rows))
    run_local(good, tmp_path / "b", tiny_predictor, "v", chunk_size=8, progress=False)
    assert_same(read_tables(tmp_path / "a"), read_tables(tmp_path / "b"))


def _batch_cmd(archive: Path, out: Path, model: Path) -> list[str]:
    return [sys.executable, "-m", "stance_cli", "batch", str(archive), str(out), "--model", str(model),
            "--chunk-size", "4", "--no-progress"]


@pytest.mark.model
@pytest.mark.slow
def test_sigkill_then_resume_equals_an_uninterrupted_run(tmp_path: Path, tiny_model_dir: Path) -> None:
    archive = tmp_path / "archive.jsonl"
    write_archive(archive, copies=2, bad_rows=True, limit=60)
    env = {**os.environ, "PYTHONPATH": str(REPO), "STANCE_MLRUNS_DIR": str(tmp_path / "mlruns")}
    killed = tmp_path / "killed"
    proc = subprocess.Popen(_batch_cmd(archive, killed, tiny_model_dir), cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifest = killed / "manifest.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:  # kill once a few chunks are committed
        if manifest.is_file() and len(manifest.read_text().splitlines()) >= 4:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    committed = len(manifest.read_text().splitlines()) - 1
    assert 3 <= committed < 15
    resumed = subprocess.run(_batch_cmd(archive, killed, tiny_model_dir), cwd=REPO, env=env, capture_output=True,
                             text=True, check=True)
    summary = json.loads(resumed.stdout.strip().splitlines()[-1])
    whole = tmp_path / "whole"
    subprocess.run(_batch_cmd(archive, whole, tiny_model_dir), cwd=REPO, env=env, capture_output=True, check=True)
    a, b = read_tables(killed), read_tables(whole)
    assert_same(a, b, tol=0.0 + 2e-3)
    ids = [r["id"] for r in a["documents"]]
    assert len(ids) == len(set(ids)) == 60  # no duplicates, no losses
    assert summary["skipped"] + summary["articles"] + summary["errors"] == 66
    print(f"resume: killed after {committed} chunks; resumed run skipped {summary['skipped']}, analysed "
          f"{summary['articles']}, rejected {summary['errors']}; documents {len(ids)}, pairs {len(a['pairs'])}")


# --- the Spark engine -------------------------------------------------------------------------------------------


def _spark_ready() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install -e '.[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (make java, or apt-get install default-jre-headless)"
    return None


@pytest.mark.model
@pytest.mark.slow
def test_spark_engine_equals_the_local_engine(archive: Path, tiny_model_dir: Path, tiny_predictor,
                                              tmp_path: Path) -> None:
    why = _spark_ready()
    if why:
        if os.environ.get("STANCE_REQUIRE_SPARK"):
            pytest.fail(why)
        pytest.skip(why)
    from stance.batch_spark import run_spark

    run_local(archive, tmp_path / "local", tiny_predictor, "tiny/1", chunk_size=6, progress=False)
    summary = run_spark(str(archive), str(tmp_path / "spark"), str(tiny_model_dir), "tiny/1", master="local[2]",
                        chunk_size=6, batch_size=4)
    assert (summary.articles, summary.errors) == (24, 6)
    assert_same(read_tables(tmp_path / "local"), read_tables(tmp_path / "spark"))
    errors = [json.loads(line) for line in (tmp_path / "spark" / "errors.jsonl").read_text().splitlines()]
    assert [e["row"] for e in errors] == sorted(e["row"] for e in errors) and len(errors) == 6


# --- the MLflow pyfunc: raw text as well as pair records ---------------------------------------------------------


@pytest.mark.model
def test_pyfunc_answers_raw_text_and_pair_records(mlruns: Path, tiny_model_dir: Path, tiny_predictor) -> None:
    import mlflow
    import pandas as pd

    from stance.analysis import analyze
    from stance.mlflow_model import OUTPUT_COLUMNS, input_example, log_stance_model
    from training.tracking import configure

    configure()
    with mlflow.start_run():
        info = log_stance_model(tiny_model_dir)
    model = mlflow.pyfunc.load_model(info.model_uri)
    text = "Tehran accused Baku of siding with Israel. Turkey backed Azerbaijan."
    out = model.predict(pd.DataFrame({"id": ["doc-1"], "text": [text]}))
    assert list(out.columns) == OUTPUT_COLUMNS and list(out["task"]) == ["analysis"]
    [want] = analyze([text], tiny_predictor, ids=["doc-1"])
    assert json.loads(out["analysis"][0])["summary"] == json.loads(json.dumps(want.to_dict()))["summary"]
    pairs = model.predict(input_example())
    assert list(pairs["task"]) == ["stance", "sentiment"] and pairs["analysis"].isna().all()
