"""A plain-text rendering of `analyze` results for a terminal (no dependency beyond the standard library)."""

from __future__ import annotations

import textwrap
from typing import Sequence

from stance.analysis import ActorAnalysis, DocumentAnalysis, SentenceAnalysis


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: indent + "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return [line(headers), indent + "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def _prob(value: float | None) -> str:
    return "" if value is None else f" ({value:.2f})"


def _actor_row(actor: ActorAnalysis) -> list[str]:
    mentions = ", ".join(m.text + ("" if not m.via else " [person]" if m.via.name == m.text else f" [{m.via.name}]")
                         for m in actor.mentions)
    if actor.stance is None:
        stance = "not paired (cap)"
    elif actor.stance.toward is not None:
        stance = f"{actor.stance.label} -> {actor.stance.toward.name}{_prob(actor.stance.probability)}"
    else:
        stance = actor.stance.label + _prob(actor.stance.probability)
    sentiment = actor.sentiment.label + _prob(actor.sentiment.probabilities.get(actor.sentiment.label))
    return [f"{actor.name} ({actor.id})", mentions, stance, sentiment]


def render_sentence(sentence: SentenceAnalysis, width: int = 100) -> list[str]:
    head = f"[{sentence.index}] {sentence.start}-{sentence.end}  "
    lines = textwrap.wrap(sentence.text, width=max(20, width - len(head)), initial_indent=head,
                          subsequent_indent=" " * len(head)) or [head]
    if sentence.actors:
        lines += _table(["actor", "mentions", "stance", "sentiment"], [_actor_row(a) for a in sentence.actors],
                        indent="    ")
    else:
        lines.append("    (no actors)")
    if sentence.pair_cap is not None:
        cap = sentence.pair_cap
        lines.append(f"    pair cap: {cap.limit} of {cap.actors} actors paired; not paired: {', '.join(cap.excluded)}")
    return lines


def render_document(doc: DocumentAnalysis, width: int = 100) -> str:
    n_actors = len(doc.summary.actors)
    lines = [f"Document {doc.id}: {len(doc.sentences)} sentences, {n_actors} actors", "=" * min(width, 60)]
    for sentence in doc.sentences:
        lines += render_sentence(sentence, width)
        lines.append("")
    lines.append("Relations (non-neutral stances, with the sentences that show them)")
    if doc.summary.relations:
        lines += _table(["holder", "stance", "target", "count", "sentences"],
                        [[r.holder.name, r.stance, r.target.name, str(r.count), ", ".join(map(str, r.sentences))]
                         for r in doc.summary.relations])
    else:
        lines.append("  (none)")
    lines.append("")
    lines.append("Actors")
    if doc.summary.actors:
        lines += _table(
            ["actor", "type", "mentions", "sentences", "holds supp/host", "receives supp/host", "sentiment +/0/-"],
            [[f"{a.name} ({a.id})", a.type, str(a.mentions), str(len(a.sentences)),
              f"{a.holds.get('supportive', 0)}/{a.holds.get('hostile', 0)}",
              f"{a.receives.get('supportive', 0)}/{a.receives.get('hostile', 0)}",
              f"{a.sentiment.get('positive', 0)}/{a.sentiment.get('neutral', 0)}/{a.sentiment.get('negative', 0)}"]
             for a in doc.summary.actors])
    else:
        lines.append("  (none)")
    return "\n".join(lines)


def render(docs: Sequence[DocumentAnalysis], width: int = 100) -> str:
    """All documents as readable plain text."""
    return "\n\n".join(render_document(doc, width) for doc in docs)
