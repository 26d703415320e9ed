"""Renderings of `analyze` results: plain text for a terminal (the summary first: relations with confidence and an
evidence snippet, then actors; sentences on request) and one self-contained HTML report with the relation graph (the
same script and graph library as the service's /ui page, inlined: it opens offline and can be mailed)."""

from __future__ import annotations

import html
import json
import textwrap
from collections.abc import Sequence
from importlib import resources
from typing import Any

from stance.analysis_schema import CorpusAnalysis, DocumentAnalysis, Evidence, Sentence, SentenceActor

SNIPPET_CHARS = 90


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: indent + "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return [line(headers), indent + "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def _prob(value: float | None) -> str:
    return "" if value is None else f" ({value:.2f})"


def snippet(evidence: Evidence, sentence_start: int | None, limit: int = SNIPPET_CHARS) -> str:
    """The evidence sentence cut to `limit` characters around the holder and target mentions. The mentions' offsets
    are the document's, so the sentence's own start in the document is needed (None: cut from the sentence start)."""
    text = " ".join(evidence.text.split())
    if len(text) <= limit:
        return f'"{text}"'
    first = min(evidence.holder.start, evidence.target.start)
    offset = 0 if sentence_start is None else min(max(0, first - sentence_start - 20), len(evidence.text) - 1)
    cut = evidence.text[offset:]
    cut = " ".join(cut.split())[:limit - 1].rsplit(" ", 1)[0]
    return '"' + ("…" if offset else "") + cut + '…"'


def _actor_row(actor: SentenceActor) -> list[str]:
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


def render_sentence(sentence: Sentence, width: int = 100) -> list[str]:
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
        excluded = ", ".join(a.id for a in cap.excluded)
        lines.append(f"    pair cap: {cap.limit} of {cap.actors} actors paired; not paired: {excluded}")
    return lines


def render_document(doc: DocumentAnalysis, width: int = 100, *, title: str | None = None,
                    sentences: bool = False) -> str:
    n_actors = len(doc.summary.actors)
    head = f"{title or 'Document ' + doc.id}: {len(doc.sentences)} sentences, {n_actors} actors"
    lines = [head, "=" * min(width, max(len(head), 20))]
    lines.append("Relations (who is supportive or hostile toward whom; confidence = max / mean probability)")
    if doc.summary.relations:
        starts = {s.index: s.start for s in doc.sentences}
        for r in doc.summary.relations:
            where = ", ".join(str(e.sentence) for e in r.evidence)
            lines.append(f"  {r.holder.name} --{r.stance}--> {r.target.name}   confidence {r.strength.max:.2f} / "
                         f"{r.strength.mean:.2f}, {r.evidence_count} sentence{'s' * (r.evidence_count != 1)} "
                         f"[{where}]")
            lines.append(f"      {snippet(r.evidence[0], starts.get(r.evidence[0].sentence))}")
    else:
        lines.append("  (none)")
    lines.append("")
    lines.append("Actors")
    if doc.summary.actors:
        lines += _table(
            ["actor", "type", "mentions", "sentiment", "holds supp/host", "receives supp/host", "toward"],
            [[f"{a.name} ({a.id})", a.type, str(a.mentions),
              a.sentiment.label + _prob(a.sentiment.probabilities[a.sentiment.label]),
              f"{a.stance.holds.supportive}/{a.stance.holds.hostile}",
              f"{a.stance.receives.supportive}/{a.stance.receives.hostile}",
              ", ".join(t.name for t in a.stance.toward)]
             for a in doc.summary.actors])
    else:
        lines.append("  (none)")
    if sentences:
        lines += ["", "Sentences"]
        for sentence in doc.sentences:
            lines += render_sentence(sentence, width)
            lines.append("")
    else:
        lines += ["", f"({len(doc.sentences)} sentences: add --sentences for each sentence's actors and stances)"]
    return "\n".join(lines).rstrip()


def render(docs: Sequence[DocumentAnalysis], width: int = 100, *, titles: Sequence[str] | None = None,
           sentences: bool = True) -> str:
    """All documents as readable plain text."""
    return "\n\n".join(render_document(doc, width, title=titles[i] if titles else None, sentences=sentences)
                       for i, doc in enumerate(docs))


def render_corpus(corpus: CorpusAnalysis, width: int = 100, documents: Sequence[DocumentAnalysis] = ()) -> str:
    """The relations across documents; `documents` (the analyses) place each evidence snippet in its sentence."""
    dated = any(d.date for d in corpus.documents)
    starts = {(d.id, s.index): s.start for d in documents for s in d.sentences}
    lines = [f"{len(corpus.documents)} documents, {len(corpus.relations)} relations", "=" * 40,
             "Relations across documents (most documents first)"]
    if corpus.relations:
        headers = ["holder", "stance", "target", "docs", "sentences", "max/mean"] + (["by date"] if dated else [])
        rows = [[r.holder.name, r.stance, r.target.name, str(r.document_count), str(r.evidence_count),
                 f"{r.strength.max:.2f}/{r.strength.mean:.2f}"]
                + ([", ".join(f"{d}: {n}" for d, n in r.by_date.items())] if dated else [])
                for r in corpus.relations]
        lines += _table(headers, rows)
        lines += ["", "Strongest evidence per relation"]
        for r in corpus.relations:
            if r.example is not None:
                lines.append(f"  {r.holder.name} --{r.stance}--> {r.target.name} [{r.example_document}]: "
                             f"{snippet(r.example, starts.get((r.example_document or '', r.example.sentence)))}")
    else:
        lines.append("  (none)")
    lines += ["", "Documents"]
    lines += _table(["id", "date", "source", "sentences", "relations"],
                    [[d.id, d.date or "", d.source or "", str(d.sentences), str(d.relations)]
                     for d in corpus.documents])
    return "\n".join(lines)


# --- HTML ---------------------------------------------------------------------------------------------------------


def ui_asset(name: str) -> str:
    """A file of the page's assets (stance/ui/static), shared by the service's /ui page and the HTML report."""
    return resources.files("stance.ui").joinpath("static", name).read_text(encoding="utf-8")


def _script(source: str) -> str:
    return "<script>" + source.replace("</script", "<\\/script") + "</script>"


def render_html(payload: dict[str, Any], title: str) -> str:
    """One self-contained HTML file: the graph library, the page script and styles inlined, the analysis embedded
    as JSON (`payload`: {"model": ..., "documents": [...], "titles": [...]} or {"model": ..., "corpus": ...})."""
    data = json.dumps(payload, ensure_ascii=False).replace("</", "<\\/")
    return "\n".join([
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        "<style>" + ui_asset("stance.css") + "</style>",
        "</head><body>",
        f'<header><h1>{html.escape(title)}</h1><p class="model" id="model-line"></p></header>',
        '<main id="report"></main>',
        f'<script type="application/json" id="analysis-data">{data}</script>',
        _script(ui_asset("cytoscape.min.js")),
        _script(ui_asset("stance.js")),
        _script("StanceViews.renderReport(document.getElementById('report'), "
                "JSON.parse(document.getElementById('analysis-data').textContent));"),
        "</body></html>",
    ])
