"""The behaviour suite and its runner: the suite is valid and regenerable, the runner scores stubs exactly."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

import pytest

from stance.labels import Task, label_names
from stance.records import PairRecord, Prediction
from stance.settings import CORPUS_DIR
from training.behaviour import (
    CAPABILITIES,
    GROUPED,
    SUITE_PATH,
    BehaviourReport,
    Case,
    SuiteError,
    format_table,
    load_suite,
    run_suite,
)


class Oracle:
    """Returns the expected label of every case (or `wrong` for the ids in `wrong`)."""

    def __init__(self, cases: Sequence[Case], wrong: set[str] | None = None) -> None:
        self.expected = {case.id: case.expected for case in cases}
        self.wrong = wrong or set()

    def predict(self, records: Sequence[PairRecord]) -> list[Prediction]:
        out = []
        for record in records:
            assert record.label is None, "the runner must not show the classifier the expected label"
            names = label_names(record.task)
            label = self.expected[record.id]
            if record.id in self.wrong:
                label = next(name for name in names if name != label)
            out.append(_prediction(record, label))
        return out


class AlwaysNeutral:
    def predict(self, records: Sequence[PairRecord]) -> list[Prediction]:
        return [_prediction(record, "neutral") for record in records]


def _prediction(record: PairRecord, label: str) -> Prediction:
    names = label_names(record.task)
    return Prediction(record.id, record.task, label, tuple(1.0 if n == label else 0.0 for n in names))


@pytest.fixture(scope="module")
def suite() -> list[Case]:
    return load_suite()


# --- the suite ------------------------------------------------------------------------------------------------------

@pytest.mark.unit
def test_suite_loads_and_is_big_enough(suite: list[Case]) -> None:
    assert len(suite) >= 420
    assert len({case.id for case in suite}) == len(suite)


@pytest.mark.unit
def test_every_capability_has_30_cases_and_non_neutral_labels(suite: list[Case]) -> None:
    by_cap: dict[str, list[Case]] = defaultdict(list)
    for case in suite:
        by_cap[case.capability].append(case)
    assert set(by_cap) == set(CAPABILITIES)
    for name, cases in by_cap.items():
        labels = {case.expected for case in cases}
        assert len(cases) >= 30, name
        assert len(labels) >= 2, name
        assert labels - {"neutral"}, f"{name}: an always-neutral model would pass it"
        stances = {case.expected for case in cases if case.record.task is Task.STANCE}
        assert stances == set(label_names(Task.STANCE)), f"{name} lacks a stance label: {stances}"


@pytest.mark.unit
def test_both_tasks_and_all_labels_present(suite: list[Case]) -> None:
    for task in Task:
        present = {case.expected for case in suite if case.record.task is task}
        assert present == set(label_names(task)), task


@pytest.mark.unit
def test_groups_are_well_formed(suite: list[Case]) -> None:
    groups: dict[str, list[Case]] = defaultdict(list)
    for case in suite:
        assert (case.group is not None) == (case.capability in GROUPED), case.id
        if case.group is not None:
            groups[case.group].append(case)
    for group, members in groups.items():
        assert len(members) >= 2, group
        assert len({m.capability for m in members}) == 1, group
        if members[0].capability == "invariance":  # same label, different sentences (names swapped)
            assert len({m.expected for m in members}) == 1, group
            assert len({m.record.text for m in members}) == len(members), group
        else:  # direction: a base sentence and its role swap, the labels mirrored
            assert len({m.record.text for m in members}) == 2, group
            assert len({m.expected for m in members}) >= 2, group


@pytest.mark.unit
def test_suite_file_is_what_the_builder_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("build_suite", SUITE_PATH.parent / "build_suite.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "build_suite", module)  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    assert module.render(module.build()) == SUITE_PATH.read_text(encoding="utf-8"), \
        "suite.jsonl is stale: run python datasets/behaviour/build_suite.py"
    assert tuple(module.CAPABILITIES) == CAPABILITIES


@pytest.mark.data  # reads the IR corpus
def test_suite_sentences_are_not_in_the_training_corpus(suite: list[Case]) -> None:
    """Not the same sentences, and not the same sentences with other names or a word changed: the corpus's own
    near-duplicate check, run with the suite as the reference (actors masked on both sides)."""
    from stance.records import json_lines
    from training.corpus import held_back_files, iter_articles, masked_text, near_duplicates

    spans: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for case in suite:
        for span in (case.record.holder, case.record.target):
            if span is not None:
                spans[case.record.text].add((span.start, span.end))
    references = [(masked_text(text, found), f"suite: {text}") for text, found in spans.items()]
    articles = [(path, a) for path, _, a in iter_articles(CORPUS_DIR)]
    # not trained on by default, but a config may name them
    articles += [(path, a) for path in held_back_files() for _, a in json_lines(path)]
    sentences = [(path, a, s) for path, a in articles for s in a["sentences"]]
    corpus = [(masked_text(s["text"], [(m["start"], m["end"]) for m in s["mentions"]]), f"{path.name} {a['id']}: {s['text']}")
              for path, a, s in sentences]
    assert len(corpus) > 1000, "the corpus was not found"
    exact = sorted({case.record.text for case in suite} & {s["text"] for _, _, s in sentences})
    assert not exact, exact[:3]
    close = near_duplicates(corpus, references, threshold=0.8)
    assert not close, close[:3]


# --- validation -----------------------------------------------------------------------------------------------------

GOOD = {"id": "c1", "capability": "negation", "text": "Iran did not condemn Israel.",
        "holder": {"start": 0, "end": 4}, "target": {"start": 21, "end": 27}, "stance": "neutral"}


def _write(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "suite.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.mark.unit
@pytest.mark.parametrize(("change", "message"), [
    ({"target": {"start": 21, "end": 99}}, "inside the text"),
    ({"stance": "friendly"}, "'friendly' is not one of"),
    ({"capability": "sarcasm"}, "capability 'sarcasm'"),
    ({"capability": "invariance"}, "needs a non-empty 'group'"),
    ({"labels": "x"}, "unknown field"),
    ({"stance": None}, "label is missing"),
])
@pytest.mark.unit
def test_a_bad_line_is_named(tmp_path: Path, change: dict, message: str) -> None:
    path = _write(tmp_path, [GOOD, {**GOOD, "id": "c2", **change}])
    with pytest.raises(SuiteError, match=message) as err:
        load_suite(path)
    assert f"{path}:2:" in str(err.value)


@pytest.mark.unit
def test_duplicate_ids_and_bad_json_are_named(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match=r":2: case id 'c1' appears twice"):
        load_suite(_write(tmp_path, [GOOD, GOOD]))
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(GOOD) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(SuiteError, match=r"broken.jsonl:2: not valid JSON"):
        load_suite(path)


# --- the runner -----------------------------------------------------------------------------------------------------

@pytest.mark.unit
def test_oracle_passes_everything(suite: list[Case]) -> None:
    report = run_suite(Oracle(suite), suite)
    assert report.failures == []
    assert report.passed == report.cases == len(suite)
    metrics = report.metrics()
    assert set(metrics) == {f"behave_{name}" for name in CAPABILITIES} | {"behave_overall"}
    assert all(value == 1.0 for value in metrics.values())


@pytest.mark.unit
def test_always_neutral_fails_some_case_in_every_capability(suite: list[Case]) -> None:
    report = run_suite(AlwaysNeutral(), suite)
    for name in CAPABILITIES:
        assert report.metrics()[f"behave_{name}"] < 1.0, name
    expected_passes = sum(case.expected == "neutral" for case in suite)
    assert report.passed == expected_passes
    assert len(report.failures) == len(suite) - expected_passes
    failure = report.failures[0]
    assert failure.got == "neutral" and failure.expected != "neutral"
    assert failure.target in failure.text


@pytest.mark.unit
def test_per_capability_rates_and_group_scoring(tmp_path: Path) -> None:
    def row(cid: str, capability: str, label: str, group: str | None = None) -> dict:
        out = {**GOOD, "id": cid, "capability": capability, "stance": label}
        return {**out, "group": group} if group else out

    rows = [
        row("n1", "negation", "neutral"), row("n2", "negation", "hostile"),
        row("n3", "negation", "supportive"), row("n4", "negation", "neutral"),
        row("h1", "hedges", "neutral"),
        row("i1", "invariance", "hostile", "g1"), row("i2", "invariance", "hostile", "g1"),
        row("i3", "invariance", "neutral", "g2"), row("i4", "invariance", "neutral", "g2"),
        row("i5", "invariance", "supportive", "g3"), row("i6", "invariance", "supportive", "g3"),
    ]
    cases = load_suite(_write(tmp_path, rows))
    report = run_suite(Oracle(cases, wrong={"n2", "i1"}), cases)
    negation, invariance = report.scores["negation"], report.scores["invariance"]
    assert (negation.cases, negation.passed, negation.rate) == (4, 3, 0.75)
    assert (invariance.cases, invariance.passed) == (6, 5)
    assert (invariance.groups, invariance.groups_passed) == (3, 2)
    assert invariance.rate == pytest.approx(2 / 3)  # a group with one wrong member fails
    assert report.scores["hedges"].rate == 1.0
    assert list(report.scores) == ["negation", "hedges", "invariance"]  # only what the cases cover, in order
    metrics = report.metrics()
    assert metrics["behave_overall"] == pytest.approx((0.75 + 1.0 + 2 / 3) / 3)
    assert "behave_direction" not in metrics
    assert sorted(f.id for f in report.failures) == ["i1", "n2"]
    table = format_table(report)
    assert "negation" in table and "2/3" in table and "overall" in table


@pytest.mark.unit
def test_runner_rejects_a_misaligned_classifier(suite: list[Case]) -> None:
    class Short:
        def predict(self, records: Sequence[PairRecord]) -> list[Prediction]:
            return AlwaysNeutral().predict(records[:-1])

    with pytest.raises(ValueError, match="predictions for"):
        run_suite(Short(), suite[:5])


@pytest.mark.unit
def test_report_type(suite: list[Case]) -> None:
    report = run_suite(AlwaysNeutral(), suite[:3])
    assert isinstance(report, BehaviourReport)
    assert Counter(f.capability for f in report.failures) <= Counter(c.capability for c in suite[:3])


@pytest.mark.model
def test_runner_scores_the_real_predictor(tiny_predictor, suite: list[Case]) -> None:
    """The randomly initialised tiny model through the real Predictor: every case scored, rates are rates."""
    sample = [case for case in suite if case.capability in {"direction", "portrayal_vs_stance"}]
    report = run_suite(tiny_predictor, sample)
    assert report.cases == len(sample)
    assert set(report.scores) == {"portrayal_vs_stance", "direction"}
    assert all(0.0 <= value <= 1.0 for value in report.metrics().values())
    assert report.passed + len(report.failures) == report.cases
