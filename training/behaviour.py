"""Behaviour tests for a trained classifier (CheckList style): load the suite, score a classifier per capability.

The suite (datasets/behaviour/suite.jsonl) is never used for training or model selection. A case is one canonical
pair record with its expected label, a capability and, for `invariance` and `direction`, a group.

Scoring: a case passes when the predicted label equals the expected one. For the grouped capabilities a group
passes only when every member passes, and the capability's score is the share of groups that pass (a model that
is right for one actor name and wrong for its swap has not shown the capability). Every other capability scores
the share of cases that pass. `behave_overall` is the mean of the capability scores, each capability weighing the
same whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stance.records import PairClassifier, PairRecord, RecordError, json_lines

SUITE_PATH = Path(__file__).resolve().parent.parent / "datasets" / "behaviour" / "suite.jsonl"

CAPABILITIES = (
    "negation", "conflict_nouns", "demonym_holder", "accusation_direction", "reported_speech", "hedges",
    "co_mention", "actions", "leaders_capitals", "portrayal_vs_stance", "invariance", "direction",
)
GROUPED = frozenset({"invariance", "direction"})
RECORD_FIELDS = frozenset({"id", "text", "holder", "target", "stance", "sentiment"})
CASE_FIELDS = RECORD_FIELDS | {"capability", "note", "group"}


class SuiteError(ValueError):
    """A suite line that breaks the case format; the message names the file, the line and the case."""


@dataclass(frozen=True, slots=True)
class Case:
    capability: str
    record: PairRecord  # carries the expected label
    note: str | None = None
    group: str | None = None

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def expected(self) -> str:
        assert self.record.label is not None
        return self.record.label

    def query(self) -> PairRecord:
        """The record as a classifier sees it: no label."""
        r = self.record
        return PairRecord(id=r.id, text=r.text, target=r.target, holder=r.holder)


def load_suite(path: str | Path | None = None) -> list[Case]:
    """Every case of the suite, validated: known capability, canonical spans and labels, unique ids, groups set."""
    path = Path(path) if path is not None else SUITE_PATH
    cases: list[Case] = []
    seen: set[str] = set()
    for lineno, obj in _lines(path):
        where = f"{path}:{lineno}"
        if not isinstance(obj, dict):
            raise SuiteError(f"{where}: a case must be a JSON object, got {type(obj).__name__}")
        cid = obj.get("id")
        unknown = sorted(set(obj) - CASE_FIELDS)
        if unknown:
            raise SuiteError(f"{where}: case {cid!r}: unknown field(s) {unknown}; allowed are {sorted(CASE_FIELDS)}")
        capability = obj.get("capability")
        if capability not in CAPABILITIES:
            raise SuiteError(f"{where}: case {cid!r}: capability {capability!r} is not one of {list(CAPABILITIES)}")
        group = obj.get("group")
        if capability in GROUPED and not (isinstance(group, str) and group):
            raise SuiteError(f"{where}: case {cid!r}: a {capability} case needs a non-empty 'group'")
        note = obj.get("note")
        if note is not None and not isinstance(note, str):
            raise SuiteError(f"{where}: case {cid!r}: 'note' must be a string, got {note!r}")
        try:
            record = PairRecord.from_dict({k: v for k, v in obj.items() if k in RECORD_FIELDS}, require_label=True)
        except RecordError as err:
            raise SuiteError(f"{where}: {err}") from None
        if record.id in seen:
            raise SuiteError(f"{where}: case id {record.id!r} appears twice")
        seen.add(record.id)
        cases.append(Case(capability, record, note, group))
    if not cases:
        raise SuiteError(f"{path}: the suite holds no cases")
    return cases


def _lines(path: Path) -> Iterator[tuple[int, Any]]:
    try:
        yield from json_lines(path)
    except RecordError as err:  # bad JSON: json_lines names the file and line already
        raise SuiteError(str(err)) from None


@dataclass(frozen=True, slots=True)
class Failure:
    id: str
    capability: str
    text: str
    holder: str | None  # the span's surface, for reading
    target: str
    expected: str
    got: str
    group: str | None = None


@dataclass(frozen=True, slots=True)
class CapabilityScore:
    capability: str
    cases: int
    passed: int
    groups: int = 0          # grouped capabilities only
    groups_passed: int = 0

    @property
    def case_rate(self) -> float:
        return self.passed / self.cases if self.cases else 0.0

    @property
    def rate(self) -> float:
        """The capability's score: the group pass rate for grouped capabilities, else the case pass rate."""
        if self.capability in GROUPED:
            return self.groups_passed / self.groups if self.groups else 0.0
        return self.case_rate


@dataclass(frozen=True)
class BehaviourReport:
    scores: dict[str, CapabilityScore]  # in CAPABILITIES order, only the capabilities the cases cover
    failures: list[Failure] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return sum(s.cases for s in self.scores.values())

    @property
    def passed(self) -> int:
        return sum(s.passed for s in self.scores.values())

    @property
    def overall(self) -> float:
        """Mean of the capability scores (macro)."""
        return sum(s.rate for s in self.scores.values()) / len(self.scores) if self.scores else 0.0

    def metrics(self) -> dict[str, float]:
        """Flat metric names for MLflow: behave_<capability> and behave_overall."""
        out = {f"behave_{name}": score.rate for name, score in self.scores.items()}
        out["behave_overall"] = self.overall
        return out


def run_suite(classifier: PairClassifier, cases: Sequence[Case] | None = None) -> BehaviourReport:
    """Label every case with `classifier` in one call and score it per capability."""
    cases = list(cases) if cases is not None else load_suite()
    predictions = classifier.predict([case.query() for case in cases])
    if len(predictions) != len(cases):
        raise ValueError(f"the classifier returned {len(predictions)} predictions for {len(cases)} cases")
    failures: list[Failure] = []
    tally: dict[str, list[int]] = {}  # capability -> [cases, passed]
    groups: dict[str, dict[str, bool]] = {}  # capability -> group -> every member passed
    for case, prediction in zip(cases, predictions, strict=True):
        if prediction.id != case.id:
            raise ValueError(f"prediction for {prediction.id!r} came back where case {case.id!r} was expected")
        ok = prediction.label == case.expected
        counts = tally.setdefault(case.capability, [0, 0])
        counts[0] += 1
        counts[1] += ok
        if case.group is not None:
            members = groups.setdefault(case.capability, {})
            members[case.group] = members.get(case.group, True) and ok
        if not ok:
            r = case.record
            failures.append(Failure(
                id=case.id, capability=case.capability, text=r.text,
                holder=r.surface("holder") if r.holder is not None else None, target=r.surface("target"),
                expected=case.expected, got=prediction.label, group=case.group,
            ))
    scores: dict[str, CapabilityScore] = {}
    for name in CAPABILITIES:
        if name not in tally:
            continue
        grouped = groups.get(name, {}) if name in GROUPED else {}
        scores[name] = CapabilityScore(name, tally[name][0], tally[name][1],
                                       len(grouped), sum(grouped.values()))
    return BehaviourReport(scores, failures)


def format_table(report: BehaviourReport) -> str:
    """A plain-text table: one row per capability, then the overall score."""
    head = f"{'capability':<22} {'cases':>5} {'passed':>6} {'case %':>7} {'groups':>9} {'score':>6}"
    lines = [head, "-" * len(head)]
    for s in report.scores.values():
        groups = f"{s.groups_passed}/{s.groups}" if s.capability in GROUPED else "-"
        lines.append(f"{s.capability:<22} {s.cases:>5} {s.passed:>6} {100 * s.case_rate:>6.1f}% {groups:>9} "
                     f"{100 * s.rate:>5.1f}%")
    lines.append("-" * len(head))
    case_rate = 100 * report.passed / report.cases if report.cases else 0.0
    lines.append(f"{'overall (macro)':<22} {report.cases:>5} {report.passed:>6} {case_rate:>6.1f}% {'':>9} "
                 f"{100 * report.overall:>5.1f}%")
    return "\n".join(lines)
