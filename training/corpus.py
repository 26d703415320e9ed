"""The project's corpus (datasets/ir-corpus): articles, their fixed split by article, and `stance data check`.

Splits are assigned per article, stratified by region: inside each region the articles are ordered by the SHA-1 of
their id and the first 15% go to test, the next 15% to dev, the rest to train. The assignment is written once to
`splits.json` and never recomputed silently: a new article has no split until `stance data split` is run, and the
checker says so.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stance.labels import Sentiment, Stance
from stance.settings import CORPUS_DIR

SPLITS = ("train", "dev", "test")
REGIONS = ("Middle East and North Africa", "Europe", "Russia and Eurasia", "Sub-Saharan Africa",
           "East Asia and Pacific", "South and Central Asia", "Americas", "Global")
TOPICS = ("diplomacy", "security", "sanctions", "aid", "trade", "energy", "elections", "protests", "migration",
          "climate")
ID_PATTERN = re.compile(r"^(?:[A-Z]{3}|(?:org|group|person):[a-z0-9]+(?:-[a-z0-9]+)*)$")


def article_files(root: Path = CORPUS_DIR) -> list[Path]:
    return sorted((root / "articles").glob("*.jsonl"))


def held_back_files(root: Path = CORPUS_DIR) -> list[Path]:
    """Written and checked articles kept out of `ir:*` (see held-back/README.md); a config may train on them by path."""
    return sorted((root / "held-back").glob("*.jsonl"))


def iter_articles(root: Path = CORPUS_DIR) -> Iterator[tuple[Path, int, dict[str, Any]]]:
    from stance.records import json_lines

    for path in article_files(root):
        for lineno, article in json_lines(path):
            yield path, lineno, article


def assign_splits(articles: Iterable[dict[str, Any]], dev: float = 0.15, test: float = 0.15) -> dict[str, list[str]]:
    by_region: dict[str, list[str]] = defaultdict(list)
    for article in articles:
        by_region[article["region"]].append(article["id"])
    out: dict[str, list[str]] = {split: [] for split in SPLITS}
    for region in sorted(by_region):
        ids = sorted(by_region[region], key=lambda i: hashlib.sha1(i.encode()).hexdigest())
        n_test, n_dev = round(len(ids) * test), round(len(ids) * dev)
        out["test"] += ids[:n_test]
        out["dev"] += ids[n_test : n_test + n_dev]
        out["train"] += ids[n_test + n_dev :]
    return {split: sorted(ids) for split, ids in out.items()}


def read_splits(root: Path = CORPUS_DIR) -> dict[str, list[str]]:
    path = root / "splits.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `stance data split` to assign articles to splits")
    return json.loads(path.read_text(encoding="utf-8"))


def write_splits(root: Path = CORPUS_DIR, reassign: bool = False) -> dict[str, list[str]]:
    """Assign the articles that have no split yet by the same rule, among themselves; assigned articles never move
    (a dev or test article moved into train would leak into every model trained after). `reassign` starts over."""
    articles = [article for _, _, article in iter_articles(root)]
    existing = {split: [] for split in SPLITS} if reassign or not (root / "splits.json").is_file() else read_splits(root)
    known = {i for ids in existing.values() for i in ids}
    fresh = assign_splits(a for a in articles if a["id"] not in known)
    present = {a["id"] for a in articles}
    splits = {split: sorted({*(i for i in existing.get(split, []) if i in present), *fresh[split]}) for split in SPLITS}
    (root / "splits.json").write_text(json.dumps(splits, indent=1) + "\n", encoding="utf-8")
    return splits


def split_articles(split: str, root: Path = CORPUS_DIR) -> list[dict[str, Any]]:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; use one of {SPLITS}")
    wanted = set(read_splits(root)[split])
    return [article for _, _, article in iter_articles(root) if article["id"] in wanted]


# --- the checker --------------------------------------------------------------------------------------------------

@dataclass
class CheckReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_corpus(root: Path = CORPUS_DIR, known_ids: set[str] | None = None, near_duplicate: float = 0.9) -> CheckReport:
    """Schema, spans, ids (against the catalogue when `known_ids` is given), pairs, duplicates and split leaks."""
    report = CheckReport()
    files = article_files(root)
    if not files:
        report.errors.append(f"{root / 'articles'}: no *.jsonl files")
        return report
    seen_articles: dict[str, str] = {}
    sentences: list[tuple[str, str, str]] = []  # (normalised text, article id, where)
    stance_counts: Counter[str] = Counter()
    sentiment_counts: Counter[str] = Counter()
    actors: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    types: Counter[str] = Counter()
    n_sentences = 0
    for path in files:
        with path.open(encoding="utf-8") as handle:
            for lineno, line in enumerate(handle, start=1):
                where = f"{path.name}:{lineno}"
                if not line.strip():
                    continue
                try:
                    article = json.loads(line)
                except json.JSONDecodeError as err:
                    report.errors.append(f"{where}: not valid JSON ({err.msg})")
                    continue
                problems = _check_article(article, known_ids)
                report.errors.extend(f"{where}: {p}" for p in problems)
                if problems:
                    continue
                if article["id"] in seen_articles:
                    report.errors.append(f"{where}: article id {article['id']!r} also at {seen_articles[article['id']]}")
                seen_articles[article["id"]] = where
                regions[article["region"]] += 1
                topics[article["topic"]] += 1
                for index, sentence in enumerate(article["sentences"]):
                    n_sentences += 1
                    sentences.append((_masked(sentence), article["id"], f"{where} sentence {index}"))
                    for mention in sentence["mentions"]:
                        sentiment_counts[mention["sentiment"]] += 1
                        actors[mention["actor"]] += 1
                    for pair in sentence["stances"]:
                        stance_counts[pair["stance"]] += 1
    _check_duplicates(sentences, report, near_duplicate)
    split_of = _check_splits(root, set(seen_articles), report)
    if split_of:
        by_text: dict[str, set[str]] = defaultdict(set)
        for text, article_id, _ in sentences:
            by_text[text].add(split_of.get(article_id, "?"))
        leaks = sum(1 for splits in by_text.values() if len(splits) > 1)
        if leaks:
            report.errors.append(f"{leaks} sentence text(s) occur in more than one split")
    for actor in actors:
        types[_actor_type(actor)] += 1
    total_pairs = sum(stance_counts.values())
    report.counts = {
        "articles": len(seen_articles), "sentences": n_sentences, "stance_pairs": total_pairs,
        "mentions": sum(sentiment_counts.values()), "distinct_actors": len(actors),
        "stance": dict(stance_counts), "stance_share": {k: round(v / max(1, total_pairs), 3) for k, v in stance_counts.items()},
        "sentiment": dict(sentiment_counts), "regions": dict(regions), "topics": dict(topics),
        "actor_types": dict(types), "splits": {s: len(ids) for s, ids in _splits_or_empty(root).items()},
    }
    return report


def _check_article(article: Any, known_ids: set[str] | None) -> list[str]:
    if not isinstance(article, dict):
        return ["an article must be a JSON object"]
    problems = []
    for key in ("id", "region", "topic", "headline", "sentences"):
        if key not in article:
            problems.append(f"missing field {key!r}")
    if problems:
        return problems
    aid = article["id"]
    if article["region"] not in REGIONS:
        problems.append(f"article {aid}: region {article['region']!r} is not one of {list(REGIONS)}")
    if article["topic"] not in TOPICS:
        problems.append(f"article {aid}: topic {article['topic']!r} is not one of {list(TOPICS)}")
    if not 3 <= len(article["sentences"]) <= 8:
        problems.append(f"article {aid}: {len(article['sentences'])} sentences, expected 3 to 8")
    for index, sentence in enumerate(article["sentences"]):
        problems.extend(f"article {aid} sentence {index}: {p}" for p in _check_sentence(sentence, known_ids))
    return problems


def _check_sentence(sentence: dict[str, Any], known_ids: set[str] | None) -> list[str]:
    problems = []
    text = sentence.get("text")
    if not isinstance(text, str) or not text.strip():
        return ["'text' must be a non-empty string"]
    spans = []
    for number, mention in enumerate(sentence.get("mentions", [])):
        start, end, actor = mention.get("start"), mention.get("end"), mention.get("actor")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            problems.append(f"mention {number} span ({start}, {end}) is empty or outside the text (length {len(text)})")
            continue
        surface = text[start:end]
        if surface != surface.strip():
            problems.append(f"mention {number} span {surface!r} has surrounding whitespace")
        if not isinstance(actor, str) or not ID_PATTERN.match(actor):
            problems.append(f"mention {number} ({surface!r}): actor id {actor!r} does not follow the id scheme")
        elif known_ids is not None and actor not in known_ids:
            problems.append(f"mention {number} ({surface!r}): actor id {actor!r} is not in the catalogue")
        if mention.get("sentiment") not in {s.value for s in Sentiment}:
            problems.append(f"mention {number} ({surface!r}): sentiment {mention.get('sentiment')!r} is not a label")
        spans.append((start, end, number))
    spans.sort()
    for (_, e1, n1), (s2, _, n2) in zip(spans, spans[1:]):
        if s2 < e1:
            problems.append(f"mentions {n1} and {n2} overlap")
    ids = {m.get("actor") for m in sentence.get("mentions", [])}
    expected = {(h, t) for h in ids for t in ids if h != t}
    given = Counter((p.get("holder"), p.get("target")) for p in sentence.get("stances", []))
    for pair, count in given.items():
        if count > 1:
            problems.append(f"pair {pair[0]} -> {pair[1]} labelled {count} times")
        if pair not in expected:
            problems.append(f"pair {pair[0]} -> {pair[1]} is not a pair of distinct actors mentioned in the sentence")
    for pair in sorted(expected - set(given)):
        problems.append(f"pair {pair[0]} -> {pair[1]} has no stance label")
    for p in sentence.get("stances", []):
        if p.get("stance") not in {s.value for s in Stance}:
            problems.append(f"pair {p.get('holder')} -> {p.get('target')}: stance {p.get('stance')!r} is not a label")
    return problems


def _masked(sentence: dict[str, Any]) -> str:
    """Lower-cased words with every actor mention replaced by X: a sentence re-used with names swapped is a
    duplicate, not a new example."""
    return masked_text(sentence["text"], [(m["start"], m["end"]) for m in sentence["mentions"]])


def masked_text(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` lower-cased to its words, each (start, end) span replaced by X."""
    for start, end in sorted(set(spans), reverse=True):
        text = text[:start] + " X " + text[end:]
    return re.sub(r"\W+", " ", text.lower()).strip()


def _check_duplicates(sentences: list[tuple[str, str, str]], report: CheckReport, threshold: float) -> None:
    """Exact duplicates (after masking the actors) and near duplicates (word-sequence similarity >= threshold)
    are errors: they would leak between splits, or make the corpus look bigger than it is."""
    first: dict[str, str] = {}
    index = _NearIndex(threshold)
    for text, _, where in sentences:
        if text in first:
            report.errors.append(f"{where}: duplicate of {first[text]} (actors masked)")
            continue
        first[text] = where
        other_where = index.match(text)
        if other_where is not None:
            report.errors.append(f"{where}: near duplicate of {other_where}")
        index.add(text, where)


def near_duplicates(texts: Iterable[tuple[str, str]], references: Iterable[tuple[str, str]],
                    threshold: float = 0.8) -> list[tuple[str, str]]:
    """(where, reference where) for each normalised text that is a near duplicate of a reference: how the behaviour
    suite is kept out of the training corpus, by similarity and not only by identity."""
    index = _NearIndex(threshold)
    for text, where in references:
        index.add(text, where)
    return [(where, found) for text, where in texts if (found := index.match(text)) is not None]


class _NearIndex:
    """Word-sequence similarity against every text added, with a word-trigram index so that only texts sharing
    trigrams are compared (the corpus has thousands of sentences)."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.kept: list[tuple[list[str], str]] = []
        self.index: dict[tuple[str, ...], list[int]] = defaultdict(list)

    @staticmethod
    def _grams(words: list[str]) -> set[tuple[str, ...]]:
        return {tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2))}

    def match(self, text: str) -> str | None:
        from difflib import SequenceMatcher

        words = text.split()
        candidates = Counter(j for g in self._grams(words) for j in self.index[g])
        for j, shared in candidates.most_common():
            other, other_where = self.kept[j]
            # one shared trigram is weak evidence in a long sentence; in a short one a single changed word leaves
            # only one, so short sentences are compared on it
            if shared < 2 and len(words) > 7:
                break
            if SequenceMatcher(None, words, other, autojunk=False).ratio() >= self.threshold:
                return other_where
        return None

    def add(self, text: str, where: str) -> None:
        words = text.split()
        for g in self._grams(words):
            self.index[g].append(len(self.kept))
        self.kept.append((words, where))


def _splits_or_empty(root: Path) -> dict[str, list[str]]:
    try:
        return read_splits(root)
    except FileNotFoundError:
        return {}


def _check_splits(root: Path, article_ids: set[str], report: CheckReport) -> dict[str, str]:
    splits = _splits_or_empty(root)
    if not splits:
        report.errors.append(f"{root / 'splits.json'} is missing: run `stance data split`")
        return {}
    split_of: dict[str, str] = {}
    for split, ids in splits.items():
        if split not in SPLITS:
            report.errors.append(f"splits.json: unknown split {split!r}")
        for article_id in ids:
            if article_id in split_of:
                report.errors.append(f"splits.json: article {article_id} is in {split_of[article_id]} and {split}")
            split_of[article_id] = split
    missing = sorted(article_ids - set(split_of))
    if missing:
        report.errors.append(f"splits.json: {len(missing)} article(s) have no split, e.g. {missing[:3]}; run `stance data split`")
    stale = sorted(set(split_of) - article_ids)
    if stale:
        report.errors.append(f"splits.json: {len(stale)} listed article(s) do not exist, e.g. {stale[:3]}")
    return split_of


def _actor_type(actor_id: str) -> str:
    prefix = actor_id.split(":", 1)[0] if ":" in actor_id else "state"
    return {"org": "organisation"}.get(prefix, prefix)


def stats_markdown(root: Path = CORPUS_DIR) -> str:
    """The data card's tables: counts per split, label, region, topic and actor type, generated from the files."""
    splits = read_splits(root)
    split_of = {i: s for s, ids in splits.items() for i in ids}
    table: dict[str, Counter] = defaultdict(Counter)
    actors_by_type: dict[str, set[str]] = defaultdict(set)
    for _, _, article in iter_articles(root):
        split = split_of.get(article["id"], "unassigned")
        table["articles"][split] += 1
        table["region"][(article["region"], split)] += 1
        table["topic"][(article["topic"], split)] += 1
        for sentence in article["sentences"]:
            table["sentences"][split] += 1
            for mention in sentence["mentions"]:
                table["sentiment"][(mention["sentiment"], split)] += 1
                actors_by_type[_actor_type(mention["actor"])].add(mention["actor"])
                table["mention_type"][(_actor_type(mention["actor"]), split)] += 1
            for pair in sentence["stances"]:
                table["stance"][(pair["stance"], split)] += 1
    columns = [*SPLITS, "all"]

    def rows(name: str, keys: Iterable[str]) -> list[str]:
        out = [f"| {name} | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
        for key in keys:
            values = [table[name][(key, s)] for s in SPLITS]
            out.append(f"| {key} | " + " | ".join(str(v) for v in values) + f" | {sum(values)} |")
        return out

    lines = ["| | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name in ("articles", "sentences"):
        values = [table[name][s] for s in SPLITS]
        lines.append(f"| {name} | " + " | ".join(str(v) for v in values) + f" | {sum(values)} |")
    parts = ["\n".join(lines)]
    for name, keys in (("stance", [s.value for s in Stance]), ("sentiment", [s.value for s in Sentiment]),
                       ("region", REGIONS), ("topic", TOPICS),
                       ("mention_type", ("state", "organisation", "group", "person"))):
        parts.append("\n".join(rows(name, keys)))
    distinct = ", ".join(f"{kind} {len(ids)}" for kind, ids in sorted(actors_by_type.items()))
    parts.append(f"Distinct actors: {sum(len(v) for v in actors_by_type.values())} ({distinct}).")
    return "\n\n".join(parts) + "\n"
