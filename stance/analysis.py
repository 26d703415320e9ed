"""Raw news text -> per-sentence actor analysis: who is named, who takes which stance toward whom, how each actor
is portrayed, and a per-document summary. The HTTP endpoint and `stance analyze` call `analyze` and nothing else.

Pipeline (each step in its own module):
1. split into sentences with offsets into the original text (`stance.sentences`);
2. link actor mentions in each sentence (`stance.actors.linker`), plus a request's extra actors and explicit spans,
   plus, on request, spaCy NER entities missing from the catalogue as `unlinked:<slug>` actors;
3. pair the distinct actors of each sentence: one stance record per ordered pair (holder span = the holder's first
   mention in the sentence, target likewise) and one sentiment record per actor, all sent to the classifier in ONE
   `predict` call for the whole batch of texts (so the model batches them);
4. aggregate: per actor and sentence the summary stance (its most probable non-neutral stance toward another actor),
   per document the directed relations with the sentences that evidence them.

Pair cap: a sentence with more than `max_actors_per_sentence` distinct actors (default 8, so at most 56 stance
pairs) pairs only the first ones by position; the sentence's `pair_cap` names the actors left out of pairs (they
still get mentions and sentiment; their `stance` is null). Nothing is dropped silently.

The output is typed by the pydantic models of `stance.analysis_schema` (docs/analysis-schema.md is generated from
them). Neutral pairs are left out of `sentences[].pairs` unless `include_neutral_pairs=True`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from stance.actors.catalogue import Actor, ActorType, Catalogue, ExtraActor
from stance.actors.linker import Linker, Mention, get_linker, unlinked_mentions
from stance.analysis_schema import (
    SCHEMA_VERSION,
    ActorKind,
    ActorRef,
    ActorSentiment,
    ActorSummary,
    CorpusAnalysis,
    CorpusDocument,
    CorpusRelation,
    DocSpan,
    DocumentAnalysis,
    DocumentSummary,
    Evidence,
    MentionSource,
    PairCap,
    Relation,
    RelationLabel,
    SentimentLabel,
    SentimentOut,
    StanceCounts,
    StanceLabel,
    StanceProfile,
    StanceSummary,
    Strength,
)
from stance.analysis_schema import (
    Mention as MentionOut,
)
from stance.analysis_schema import (
    Pair as PairAnalysis,
)
from stance.analysis_schema import (
    Sentence as SentenceAnalysis,
)
from stance.analysis_schema import (
    SentenceActor as ActorAnalysis,
)
from stance.labels import Sentiment, Stance
from stance.records import PairClassifier, PairRecord, Prediction, Span
from stance.sentences import Sentence, split_many

DEFAULT_MAX_ACTORS_PER_SENTENCE = 8  # -> at most 8 * 7 = 56 stance pairs per sentence


class AnalysisError(ValueError):
    """Bad input to `analyze`; the message names the text, the item and the offending values."""


# --- request inputs -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExplicitMention:
    """A span the caller marks as an actor mention: offsets into the DOCUMENT text, end exclusive, and an actor id
    from the catalogue or from the request's extra actors. It wins over any automatic mention it overlaps."""

    start: int
    end: int
    actor: str

    @classmethod
    def from_dict(cls, obj: Any, where: str = "explicit mention") -> ExplicitMention:
        if not isinstance(obj, Mapping) or set(obj) != {"start", "end", "actor"}:
            raise AnalysisError(f"{where}: must be an object with exactly 'start', 'end' and 'actor', got {obj!r}")
        return cls(start=obj["start"], end=obj["end"], actor=obj["actor"])


# --- output schema: stance/analysis_schema.py (the one definition; re-exported here) ------------------------------


# --- the function -------------------------------------------------------------------------------------------------


def analyze(
    texts: Sequence[str],
    classifier: PairClassifier,
    *,
    extra_actors: Sequence[ExtraActor | Mapping[str, Any]] | None = None,
    explicit_mentions: Sequence[Sequence[ExplicitMention | Mapping[str, Any]]] | None = None,
    link: bool = True,
    ner: bool = False,
    max_actors_per_sentence: int = DEFAULT_MAX_ACTORS_PER_SENTENCE,
    ids: Sequence[str] | None = None,
    catalogue_path: str | Path | None = None,
    include_neutral_pairs: bool = False,
) -> list[DocumentAnalysis]:
    """Analyse each text: sentences, actors, directed stance pairs, sentiment, per-actor and per-document summaries.

    - `classifier`: any `PairClassifier`; it is called once (or not at all when no sentence names an actor).
    - `extra_actors`: actors this request adds to the catalogue (an id of the caller's choosing, a name, aliases).
    - `explicit_mentions`: per text, spans the caller marks as mentions (offsets into that text); `link=False`
      turns automatic linking off so only these count.
    - `ner`: also report ORG/NORP/GPE entities that the catalogue misses, as `unlinked:<slug>` actors.
    - `ids`: a caller's id per text (default "0", "1", ...).
    - `include_neutral_pairs`: also list the pairs predicted neutral in `sentences[].pairs` (default: only the
      supportive and hostile ones; the summaries use every pair either way).
    """
    texts = _check_texts(texts)
    if not isinstance(max_actors_per_sentence, int) or max_actors_per_sentence < 1:
        raise AnalysisError(f"max_actors_per_sentence must be a positive integer, got {max_actors_per_sentence!r}")
    if ids is not None and (len(ids) != len(texts) or not all(isinstance(i, str) and i for i in ids)):
        raise AnalysisError(f"ids must be {len(texts)} non-empty strings, one per text, got {ids!r}")
    if explicit_mentions is not None and len(explicit_mentions) != len(texts):
        raise AnalysisError(f"explicit_mentions must have one list per text ({len(texts)}), "
                            f"got {len(explicit_mentions)}")

    linker = get_linker(catalogue_path).with_extra(list(extra_actors or []))
    sentences = split_many(texts)
    mentions = _mentions_per_sentence(texts, sentences, linker, explicit_mentions, link=link)
    unlinked: dict[str, str] = {}
    if ner:
        _add_unlinked(sentences, mentions, linker.catalogue, unlinked)

    plans = [[_plan_sentence(d, k, s, ms, linker.catalogue, unlinked, max_actors_per_sentence)
              for k, (s, ms) in enumerate(zip(doc_sents, doc_mentions))]
             for d, (doc_sents, doc_mentions) in enumerate(zip(sentences, mentions))]
    records = [r for doc in plans for plan in doc for r in plan.records]
    predictions = _predict(classifier, records)

    out = []
    for d, doc in enumerate(plans):
        built = [plan.build(predictions) for plan in doc]
        summary = _summarise(built)
        analysed = [sentence if include_neutral_pairs else sentence.model_copy(
                        update={"pairs": [p for p in sentence.pairs if p.label != Stance.NEUTRAL.value]})
                    for sentence, _ in built]
        out.append(DocumentAnalysis(index=d, id=ids[d] if ids is not None else str(d), length=len(texts[d]),
                                    sentences=analysed, summary=summary))
    return out


def _check_texts(texts: Any) -> list[str]:
    if isinstance(texts, str):
        raise AnalysisError("texts must be a list of strings; got a single string (wrap it: [text])")
    try:
        items = list(texts)
    except TypeError:
        raise AnalysisError(f"texts must be a list of strings, got {type(texts).__name__}") from None
    for i, text in enumerate(items):
        if not isinstance(text, str):
            raise AnalysisError(f"text #{i} must be a string, got {type(text).__name__}")
    return items


# --- mentions -------------------------------------------------------------------------------------------------------


def _mentions_per_sentence(texts: Sequence[str], sentences: Sequence[Sequence[Sentence]], linker: Linker,
                           explicit: Sequence[Sequence[Any]] | None, *, link: bool) -> list[list[list[Mention]]]:
    out: list[list[list[Mention]]] = []
    for d, (text, doc_sents) in enumerate(zip(texts, sentences)):
        per_sentence = [linker.link(s.text, offset=s.start) if link else [] for s in doc_sents]
        for m in _explicit_for(d, text, doc_sents, explicit[d] if explicit is not None else (), linker.catalogue):
            k = next(i for i, s in enumerate(doc_sents) if s.start <= m.start and m.end <= s.end)
            kept = [auto for auto in per_sentence[k] if not auto.overlaps(m)]
            per_sentence[k] = sorted([*kept, m], key=lambda x: x.start)
        out.append(per_sentence)
    return out


def _explicit_for(d: int, text: str, sentences: Sequence[Sentence], items: Sequence[Any],
                  catalogue: Catalogue) -> list[Mention]:
    """Validate a text's explicit mentions; errors name the text, the item and the offending values."""
    out: list[Mention] = []
    for j, item in enumerate(items):
        where = f"text #{d}, explicit mention #{j}"
        m = item if isinstance(item, ExplicitMention) else ExplicitMention.from_dict(item, where)
        if type(m.start) is not int or type(m.end) is not int:
            raise AnalysisError(f"{where}: offsets must be integers, got start={m.start!r}, end={m.end!r}")
        if not 0 <= m.start < m.end <= len(text):
            raise AnalysisError(f"{where}: span [{m.start}, {m.end}) must be non-empty and inside the text of "
                                f"length {len(text)}")
        if not text[m.start:m.end].strip():
            raise AnalysisError(f"{where}: span [{m.start}, {m.end}) covers only whitespace")
        if not isinstance(m.actor, str) or m.actor not in catalogue:
            raise AnalysisError(f"{where}: unknown actor id {m.actor!r}; use a catalogue id or add it to extra_actors")
        if not any(s.start <= m.start and m.end <= s.end for s in sentences):
            raise AnalysisError(f"{where}: span [{m.start}, {m.end}) {text[m.start:m.end]!r} is not inside one "
                                f"sentence (sentences: {[(s.start, s.end) for s in sentences]})")
        for other in out:
            if other.start < m.end and m.start < other.end:
                raise AnalysisError(f"{where}: span [{m.start}, {m.end}) overlaps explicit mention "
                                    f"[{other.start}, {other.end})")
        actor = catalogue.resolve(m.actor)
        out.append(Mention(start=m.start, end=m.end, text=text[m.start:m.end], entity_id=m.actor,
                           actor_id=actor.id, kind="explicit", source="explicit"))
    return out


def _add_unlinked(sentences: Sequence[Sequence[Sentence]], mentions: list[list[list[Mention]]],
                  catalogue: Catalogue, unlinked: dict[str, str]) -> None:
    """NER fallback over all sentences of all texts in one spaCy pass."""
    flat = [(d, k, s) for d, doc in enumerate(sentences) for k, s in enumerate(doc)]
    found = unlinked_mentions([s.text for _, _, s in flat], [mentions[d][k] for d, k, _ in flat], catalogue,
                              offsets=[s.start for _, _, s in flat])
    for (d, k, _), extra in zip(flat, found):
        for m in extra:
            unlinked.setdefault(m.actor_id, m.text)
        if extra:
            mentions[d][k] = sorted([*mentions[d][k], *extra], key=lambda x: x.start)


# --- pairing --------------------------------------------------------------------------------------------------------


@dataclass
class _SentencePlan:
    """One sentence's actors and the records it sends to the classifier; `build` turns predictions into output."""

    doc: int
    index: int
    sentence: Sentence
    actors: list[tuple[ActorRef, ActorKind, list[Mention]]]  # (actor, type, mentions) by first mention
    paired: list[str]
    cap: PairCap | None
    records: list[PairRecord] = field(default_factory=list)
    names: dict[str, ActorRef] = field(default_factory=dict)
    person_names: dict[str, str] = field(default_factory=dict)

    def stance_id(self, holder: str, target: str) -> str:
        return f"d{self.doc}s{self.index}:{holder}->{target}"

    def sentiment_id(self, actor: str) -> str:
        return f"d{self.doc}s{self.index}:{actor}"

    def build(self, predictions: Mapping[str, Prediction]) -> tuple[SentenceAnalysis, _SentencePlan]:
        pairs = [PairAnalysis(holder=self.names[h], target=self.names[t], label=cast(StanceLabel, p.label),
                              probabilities=_rounded(p.distribution()))
                 for h in self.paired for t in self.paired if h != t
                 for p in (predictions[self.stance_id(h, t)],)]
        actors = []
        for ref, kind, mentions in self.actors:
            sentiment = predictions[self.sentiment_id(ref.id)]
            stance = _stance_summary(ref.id, pairs, self.names) if ref.id in self.paired else None
            actors.append(ActorAnalysis(
                id=ref.id, name=ref.name, type=kind,
                mentions=[MentionOut(start=m.start, end=m.end, text=m.text, source=cast(MentionSource, m.source),
                                     via=ActorRef(id=m.via, name=self.person_names[m.via]) if m.via else None)
                          for m in mentions],
                stance=stance,
                sentiment=SentimentOut(label=cast(SentimentLabel, sentiment.label),
                                       probabilities=_rounded(sentiment.distribution())),
            ))
        s = self.sentence
        return SentenceAnalysis(index=self.index, start=s.start, end=s.end, text=s.text, actors=actors, pairs=pairs,
                                pair_cap=self.cap), self

    def first_span(self, actor_id: str) -> DocSpan:
        m = next(ms[0] for ref, _, ms in self.actors if ref.id == actor_id)
        return DocSpan(start=m.start, end=m.end)


def _plan_sentence(doc: int, index: int, sentence: Sentence, mentions: Sequence[Mention], catalogue: Catalogue,
                   unlinked: Mapping[str, str], limit: int) -> _SentencePlan:
    by_actor: dict[str, list[Mention]] = {}
    for m in mentions:
        by_actor.setdefault(m.actor_id, []).append(m)
    actors: list[tuple[ActorRef, ActorKind, list[Mention]]] = []
    person_names: dict[str, str] = {}
    for actor_id, ms in by_actor.items():
        if actor_id in unlinked:  # NER fallback: named by its first surface form in the document
            actor = Actor(id=actor_id, name=unlinked[actor_id], type=ActorType.UNLINKED)
        else:
            actor = catalogue.get(actor_id)
        actors.append((ActorRef(id=actor.id, name=actor.name), cast(ActorKind, actor.type.value), ms))
        for m in ms:
            if m.via:
                person_names[m.via] = catalogue.get(m.via).name
    ids = [ref.id for ref, _, _ in actors]
    paired = ids[:limit]
    refs = {ref.id: ref for ref, _, _ in actors}
    cap = (PairCap(limit=limit, actors=len(ids), excluded=[refs[i] for i in ids[limit:]])
           if len(ids) > limit else None)
    plan = _SentencePlan(doc=doc, index=index, sentence=sentence, actors=actors, paired=paired, cap=cap,
                         names={ref.id: ref for ref, _, _ in actors}, person_names=person_names)
    first = {ref.id: ms[0] for ref, _, ms in actors}

    def span(m: Mention) -> Span:  # sentence-relative, as the canonical record wants
        return Span(m.start - sentence.start, m.end - sentence.start)

    for h in paired:
        for t in paired:
            if h != t:
                plan.records.append(PairRecord(id=plan.stance_id(h, t), text=sentence.text,
                                               holder=span(first[h]), target=span(first[t])))
    for a in ids:
        plan.records.append(PairRecord(id=plan.sentiment_id(a), text=sentence.text, target=span(first[a])))
    return plan


def _predict(classifier: PairClassifier, records: Sequence[PairRecord]) -> dict[str, Prediction]:
    """One call for the whole batch; every record must come back exactly once, with the right task."""
    if not records:
        return {}
    predictions = classifier.predict(records)
    by_id = {p.id: p for p in predictions}
    missing = [r.id for r in records if r.id not in by_id]
    if missing or len(predictions) != len(records):
        raise AnalysisError(f"the classifier returned {len(predictions)} predictions for {len(records)} records; "
                            f"missing ids: {missing[:5]}")
    for r in records:
        if by_id[r.id].task is not r.task:
            raise AnalysisError(f"the classifier labelled record {r.id!r} as {by_id[r.id].task.value}, "
                                f"expected {r.task.value}")
    return by_id


def _rounded(dist: Mapping[str, float]) -> dict[str, float]:
    return {k: round(float(v), 4) for k, v in dist.items()}


def _stance_summary(actor_id: str, pairs: Sequence[PairAnalysis], names: Mapping[str, ActorRef]) -> StanceSummary:
    """The actor's most probable non-neutral stance toward another actor; neutral when it holds none."""
    own = [p for p in pairs if p.holder.id == actor_id]
    if not own:
        return StanceSummary(label=Stance.NEUTRAL.value, toward=None, probability=None)
    held = [p for p in own if p.label != Stance.NEUTRAL.value]
    if held:  # max() keeps the first of equals: ties go to the earliest-mentioned target
        best = max(held, key=lambda p: p.probabilities[p.label])
        return StanceSummary(label=best.label, toward=best.target, probability=best.probabilities[best.label])
    return StanceSummary(label=Stance.NEUTRAL.value, toward=None,
                         probability=min(p.probabilities[Stance.NEUTRAL.value] for p in own))


# --- document summary -----------------------------------------------------------------------------------------------


def _summarise(built: Sequence[tuple[SentenceAnalysis, _SentencePlan]]) -> DocumentSummary:
    refs: dict[str, tuple[ActorRef, ActorKind]] = {}
    mentions: Counter[str] = Counter()
    where: dict[str, list[int]] = defaultdict(list)
    sentiment_labels: dict[str, Counter[str]] = defaultdict(Counter)
    sentiment_sums: dict[str, Counter[str]] = defaultdict(Counter)
    # (holder, target, label) -> {sentence text: evidence}: a text repeated (a caption) is one piece of evidence
    evidence: dict[tuple[str, str, str], dict[str, Evidence]] = defaultdict(dict)
    for s, plan in built:
        for a in s.actors:
            refs.setdefault(a.id, (ActorRef(id=a.id, name=a.name), a.type))
            mentions[a.id] += len(a.mentions)
            where[a.id].append(s.index)
            sentiment_labels[a.id][a.sentiment.label] += 1
            sentiment_sums[a.id].update(a.sentiment.probabilities)
        for p in s.pairs:
            if p.label == Stance.NEUTRAL.value:
                continue
            item = Evidence(sentence=s.index, text=s.text, holder=plan.first_span(p.holder.id),
                            target=plan.first_span(p.target.id), probability=p.probabilities[p.label])
            seen = evidence[(p.holder.id, p.target.id, p.label)]
            if s.text not in seen or seen[s.text].probability < item.probability:
                seen[s.text] = item
    relations = []
    for (h, t, label), by_text in evidence.items():
        items = sorted(by_text.values(), key=lambda e: (-e.probability, e.sentence))
        probs = [e.probability for e in items]
        relations.append(Relation(holder=refs[h][0], target=refs[t][0], stance=cast(RelationLabel, label),
                                  evidence_count=len(items),
                                  strength=Strength(max=max(probs), mean=round(sum(probs) / len(probs), 4)),
                                  evidence=items))
    relations.sort(key=lambda r: (-r.strength.max, -r.strength.mean, -r.evidence_count,
                                  min(e.sentence for e in r.evidence), r.holder.id, r.target.id, r.stance))
    actors = []
    for ref, kind in refs.values():
        n = len(where[ref.id])
        mean = {k.value: round(sentiment_sums[ref.id][k.value] / n, 4) for k in Sentiment}
        counts = {"holds": Counter[str](), "receives": Counter[str]()}
        toward: list[ActorRef] = []
        for r in relations:
            if r.holder.id == ref.id:
                counts["holds"][r.stance] += r.evidence_count
                if r.target not in toward:
                    toward.append(r.target)
            if r.target.id == ref.id:
                counts["receives"][r.stance] += r.evidence_count
        profile = StanceProfile(**{role: StanceCounts(supportive=c["supportive"], hostile=c["hostile"])
                                   for role, c in counts.items()}, toward=toward)
        actors.append(ActorSummary(
            id=ref.id, name=ref.name, type=kind, mentions=mentions[ref.id], sentences=where[ref.id],
            sentiment=ActorSentiment(label=cast(SentimentLabel, max(mean, key=lambda k: mean[k])),
                                     probabilities=mean,
                                     sentences={k.value: sentiment_labels[ref.id][k.value] for k in Sentiment}),
            stance=profile))
    return DocumentSummary(relations=relations, actors=actors)


# --- many documents -------------------------------------------------------------------------------------------------


def aggregate(documents: Sequence[DocumentAnalysis], dates: Sequence[str | None] | None = None,
              sources: Sequence[str | None] | None = None) -> CorpusAnalysis:
    """Relations across documents: per (holder, target, stance) the documents that show it, documents per date,
    the distinct evidence sentences and the strength over all of them; most documents first, then strongest."""
    dates = list(dates) if dates is not None else [None] * len(documents)
    sources = list(sources) if sources is not None else [None] * len(documents)
    grouped: dict[tuple[str, str, str], list[tuple[DocumentAnalysis, Relation]]] = defaultdict(list)
    for doc in documents:
        for r in doc.summary.relations:
            grouped[(r.holder.id, r.target.id, r.stance)].append((doc, r))
    date_of = {doc.id: date for doc, date in zip(documents, dates)}
    relations = []
    for found in grouped.values():
        texts = {e.text: e.probability for _, r in found for e in r.evidence}
        probs = [e.probability for _, r in found for e in r.evidence]
        best_doc, best = max(((d, e) for d, r in found for e in r.evidence), key=lambda x: x[1].probability)
        by_date = Counter(date for d, _ in found if (date := date_of[d.id]))
        first = found[0][1]
        relations.append(CorpusRelation(
            holder=first.holder, target=first.target, stance=first.stance, document_count=len(found),
            evidence_count=len(texts), strength=Strength(max=max(probs), mean=round(sum(probs) / len(probs), 4)),
            documents=[d.id for d, _ in found], by_date=dict(sorted(by_date.items())), example=best,
            example_document=best_doc.id))
    relations.sort(key=lambda r: (-r.document_count, -r.strength.max, -r.evidence_count, r.holder.id, r.target.id))
    docs = [CorpusDocument(id=d.id, date=date, source=source, sentences=len(d.sentences),
                           relations=len(d.summary.relations))
            for d, date, source in zip(documents, dates, sources)]
    return CorpusAnalysis(documents=docs, relations=relations)


__all__ = [
    "aggregate",
    "CorpusAnalysis",
    "SCHEMA_VERSION",
    "DEFAULT_MAX_ACTORS_PER_SENTENCE",
    "AnalysisError",
    "ExplicitMention",
    "ExtraActor",
    "ActorRef",
    "MentionOut",
    "StanceSummary",
    "SentimentOut",
    "ActorAnalysis",
    "PairAnalysis",
    "PairCap",
    "SentenceAnalysis",
    "Relation",
    "ActorSummary",
    "DocumentSummary",
    "DocumentAnalysis",
    "analyze",
]
