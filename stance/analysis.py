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

The JSON schema (`DocumentAnalysis.to_dict`) is described in docs/analysis-schema.md.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from stance.actors.catalogue import Actor, ActorType, Catalogue, ExtraActor
from stance.actors.linker import Linker, Mention, get_linker, unlinked_mentions
from stance.labels import Sentiment, Stance
from stance.records import PairClassifier, Prediction
from stance.records import PairRecord, Span
from stance.sentences import Sentence, split_many

SCHEMA_VERSION = "stance.analysis/1"
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
    def from_dict(cls, obj: Any, where: str = "explicit mention") -> "ExplicitMention":
        if not isinstance(obj, Mapping) or set(obj) != {"start", "end", "actor"}:
            raise AnalysisError(f"{where}: must be an object with exactly 'start', 'end' and 'actor', got {obj!r}")
        return cls(start=obj["start"], end=obj["end"], actor=obj["actor"])


# --- output schema --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActorRef:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class MentionOut:
    start: int  # offsets into the document text, end exclusive
    end: int
    text: str
    via: ActorRef | None = None  # the person who stands for the actor in this mention ("Aliyev" -> Azerbaijan)
    source: str = "catalogue"  # catalogue | extra | explicit | ner


@dataclass(frozen=True, slots=True)
class StanceSummary:
    label: str  # supportive | hostile | neutral
    toward: ActorRef | None  # the other actor of the chosen pair; None when neutral
    # non-neutral: the probability of that label for that pair; neutral: the lowest P(neutral) over the actor's pairs
    # (how sure it is that the actor holds no stance toward anyone); None when the actor has no pair
    probability: float | None


@dataclass(frozen=True, slots=True)
class SentimentOut:
    label: str  # negative | neutral | positive
    probabilities: dict[str, float]


@dataclass(frozen=True, slots=True)
class ActorAnalysis:
    id: str
    name: str
    type: str  # state | organisation | group | person | unlinked
    mentions: list[MentionOut]
    stance: StanceSummary | None  # None only for an actor the pair cap left out
    sentiment: SentimentOut


@dataclass(frozen=True, slots=True)
class PairAnalysis:
    holder: str
    target: str
    label: str
    probabilities: dict[str, float]


@dataclass(frozen=True, slots=True)
class PairCap:
    limit: int
    actors: int  # distinct actors in the sentence
    excluded: list[str]  # actor ids left out of the pairs


@dataclass(frozen=True, slots=True)
class SentenceAnalysis:
    index: int
    start: int
    end: int
    text: str
    actors: list[ActorAnalysis]
    pairs: list[PairAnalysis]
    pair_cap: PairCap | None = None  # set when the cap cut the pairs of this sentence


@dataclass(frozen=True, slots=True)
class Relation:
    holder: ActorRef
    target: ActorRef
    stance: str  # supportive | hostile
    count: int
    sentences: list[int]  # evidence: sentence indices


@dataclass(frozen=True, slots=True)
class ActorSummary:
    id: str
    name: str
    type: str
    mentions: int
    sentences: list[int]
    holds: dict[str, int]  # non-neutral stance pairs as holder, by label
    receives: dict[str, int]  # non-neutral stance pairs as target, by label
    sentiment: dict[str, int]  # sentences by sentiment label


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    relations: list[Relation]
    actors: list[ActorSummary]


@dataclass(frozen=True, slots=True)
class DocumentAnalysis:
    index: int
    id: str
    length: int  # characters in the document text
    sentences: list[SentenceAnalysis]
    summary: DocumentSummary
    schema: str = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form (docs/analysis-schema.md)."""
        out = asdict(self)
        return {"schema": out.pop("schema"), **out}


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
) -> list[DocumentAnalysis]:
    """Analyse each text: sentences, actors, directed stance pairs, sentiment, per-actor and per-document summaries.

    - `classifier`: any `PairClassifier`; it is called once (or not at all when no sentence names an actor).
    - `extra_actors`: actors this request adds to the catalogue (an id of the caller's choosing, a name, aliases).
    - `explicit_mentions`: per text, spans the caller marks as mentions (offsets into that text); `link=False`
      turns automatic linking off so only these count.
    - `ner`: also report ORG/NORP/GPE entities that the catalogue misses, as `unlinked:<slug>` actors.
    - `ids`: a caller's id per text (default "0", "1", ...).
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
        analysed = [plan.build(predictions) for plan in doc]
        out.append(DocumentAnalysis(index=d, id=ids[d] if ids is not None else str(d), length=len(texts[d]),
                                    sentences=analysed, summary=_summarise(analysed)))
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
    actors: list[tuple[ActorRef, str, list[Mention]]]  # (actor, type, mentions) by first mention
    paired: list[str]
    cap: PairCap | None
    records: list[PairRecord] = field(default_factory=list)
    names: dict[str, ActorRef] = field(default_factory=dict)
    person_names: dict[str, str] = field(default_factory=dict)

    def stance_id(self, holder: str, target: str) -> str:
        return f"d{self.doc}s{self.index}:{holder}->{target}"

    def sentiment_id(self, actor: str) -> str:
        return f"d{self.doc}s{self.index}:{actor}"

    def build(self, predictions: Mapping[str, Prediction]) -> SentenceAnalysis:
        pairs = [PairAnalysis(holder=h, target=t, label=p.label, probabilities=_rounded(p.distribution()))
                 for h in self.paired for t in self.paired if h != t
                 for p in (predictions[self.stance_id(h, t)],)]
        actors = []
        for ref, kind, mentions in self.actors:
            sentiment = predictions[self.sentiment_id(ref.id)]
            stance = _stance_summary(ref.id, pairs, self.names) if ref.id in self.paired else None
            actors.append(ActorAnalysis(
                id=ref.id, name=ref.name, type=kind,
                mentions=[MentionOut(start=m.start, end=m.end, text=m.text, source=m.source,
                                     via=ActorRef(m.via, self.person_names[m.via]) if m.via else None)
                          for m in mentions],
                stance=stance,
                sentiment=SentimentOut(label=sentiment.label, probabilities=_rounded(sentiment.distribution())),
            ))
        s = self.sentence
        return SentenceAnalysis(index=self.index, start=s.start, end=s.end, text=s.text, actors=actors, pairs=pairs,
                                pair_cap=self.cap)


def _plan_sentence(doc: int, index: int, sentence: Sentence, mentions: Sequence[Mention], catalogue: Catalogue,
                   unlinked: Mapping[str, str], limit: int) -> _SentencePlan:
    by_actor: dict[str, list[Mention]] = {}
    for m in mentions:
        by_actor.setdefault(m.actor_id, []).append(m)
    actors: list[tuple[ActorRef, str, list[Mention]]] = []
    person_names: dict[str, str] = {}
    for actor_id, ms in by_actor.items():
        if actor_id in unlinked:  # NER fallback: named by its first surface form in the document
            actor = Actor(id=actor_id, name=unlinked[actor_id], type=ActorType.UNLINKED)
        else:
            actor = catalogue.get(actor_id)
        actors.append((ActorRef(actor.id, actor.name), actor.type.value, ms))
        for m in ms:
            if m.via:
                person_names[m.via] = catalogue.get(m.via).name
    ids = [ref.id for ref, _, _ in actors]
    paired = ids[:limit]
    cap = PairCap(limit=limit, actors=len(ids), excluded=ids[limit:]) if len(ids) > limit else None
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
    own = [p for p in pairs if p.holder == actor_id]
    if not own:
        return StanceSummary(label=Stance.NEUTRAL.value, toward=None, probability=None)
    held = [p for p in own if p.label != Stance.NEUTRAL.value]
    if held:  # max() keeps the first of equals: ties go to the earliest-mentioned target
        best = max(held, key=lambda p: p.probabilities[p.label])
        return StanceSummary(label=best.label, toward=names[best.target], probability=best.probabilities[best.label])
    return StanceSummary(label=Stance.NEUTRAL.value, toward=None,
                         probability=min(p.probabilities[Stance.NEUTRAL.value] for p in own))


# --- document summary -----------------------------------------------------------------------------------------------


def _summarise(sentences: Sequence[SentenceAnalysis]) -> DocumentSummary:
    refs: dict[str, tuple[ActorRef, str]] = {}
    mentions: Counter[str] = Counter()
    where: dict[str, list[int]] = defaultdict(list)
    sentiment: dict[str, Counter[str]] = defaultdict(Counter)
    holds: dict[str, Counter[str]] = defaultdict(Counter)
    receives: dict[str, Counter[str]] = defaultdict(Counter)
    evidence: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for s in sentences:
        for a in s.actors:
            refs.setdefault(a.id, (ActorRef(a.id, a.name), a.type))
            mentions[a.id] += len(a.mentions)
            where[a.id].append(s.index)
            sentiment[a.id][a.sentiment.label] += 1
        for p in s.pairs:
            if p.label == Stance.NEUTRAL.value:
                continue
            holds[p.holder][p.label] += 1
            receives[p.target][p.label] += 1
            evidence[(p.holder, p.target, p.label)].append(s.index)
    relations = [Relation(holder=refs[h][0], target=refs[t][0], stance=label, count=len(idx), sentences=idx)
                 for (h, t, label), idx in evidence.items()]
    relations.sort(key=lambda r: (-r.count, r.sentences[0], r.holder.id, r.target.id, r.stance))
    non_neutral = [name for name in (s.value for s in Stance) if name != Stance.NEUTRAL.value]
    actors = [ActorSummary(id=ref.id, name=ref.name, type=kind, mentions=mentions[ref.id], sentences=where[ref.id],
                           holds={k: holds[ref.id][k] for k in non_neutral},
                           receives={k: receives[ref.id][k] for k in non_neutral},
                           sentiment={k.value: sentiment[ref.id][k.value] for k in Sentiment})
              for ref, kind in refs.values()]
    return DocumentSummary(relations=relations, actors=actors)


__all__ = [
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
