"""How a sentence with one or two marked actors becomes model input.

Each actor span is wrapped in marker tokens ([E] ... [/E]); the model reads the hidden state at each opening marker.
Both spans get the same marker: the direction holder -> target is given by the order in which the stance head reads
the two marker states, so one forward pass yields both directions of a pair.

The text is tokenised piece by piece (before, inside and after each span) and the marker ids are spliced in, so a
literal "[E]" typed in the user's text can never be taken for a marker. A sentence longer than the window is cut to a
window that keeps both spans; when the spans lie further apart than the window, the window is split into one part
around each span. Nothing is dropped silently: a record always yields an input that contains both markers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from stance.records import PairRecord, Span

MARKER_START = "[E]"
MARKER_END = "[/E]"
MARKERS = (MARKER_START, MARKER_END)


# The two records of a pair (H -> T and T -> H) share one model input: the sentence with its two spans, span a being
# the one that starts first. The stance head's "ab" output is a -> b, its "ba" output b -> a. Training and prediction
# both decide the direction here, so a label and a prediction always refer to the same direction.
PairKey = tuple[str, Span, Span | None]  # (text, span a, span b); b is None for a sentiment record


def pair_key(record: PairRecord) -> PairKey:
    """The model input a record belongs to; both directions of a pair (and nothing else) share it."""
    if record.holder is None:
        return (record.text, record.target, None)
    first, second = sorted((record.holder, record.target), key=lambda span: span.start)
    return (record.text, first, second)


def is_forward(record: PairRecord, key: PairKey) -> bool:
    """True when the stance record reads a -> b (its holder is the key's first span), False for b -> a."""
    if record.holder is None:
        raise ValueError(f"record {record.id!r} is a sentiment record: it has no direction")
    return record.holder == key[1]


@dataclass(frozen=True, slots=True)
class PairInput:
    """One sentence with actor a (and optionally actor b) marked, as token ids ready for the model."""

    input_ids: list[int]
    pos_a: int  # index of a's opening marker
    pos_b: int  # index of b's opening marker, -1 when only one actor is marked (sentiment)


def add_markers(tokenizer: Any) -> int:
    """Register the marker tokens; returns how many were new (the model's embeddings must then be resized)."""
    return tokenizer.add_special_tokens({"additional_special_tokens": list(MARKERS)}, replace_extra_special_tokens=False)


def marker_ids(tokenizer: Any) -> tuple[int, int]:
    ids = tokenizer.convert_tokens_to_ids(list(MARKERS))
    unk = tokenizer.unk_token_id
    if any(i is None or i == unk for i in ids):
        raise ValueError(f"the tokenizer has no marker tokens {MARKERS}: call add_markers() before encoding")
    return ids[0], ids[1]


def encode_pairs(
    tokenizer: Any, items: Sequence[tuple[str, Span, Span | None]], max_length: int
) -> list[PairInput]:
    """Encode (text, span_a, span_b or None) triples in one tokenizer call."""
    if max_length < 16:
        raise ValueError(f"max_length must be at least 16 tokens, got {max_length}")
    start_id, end_id = marker_ids(tokenizer)
    pieces: list[str] = []
    layout: list[list[int | str]] = []  # per item: piece indices interleaved with marker names, in text order
    for text, span_a, span_b in items:
        spans = [("a", span_a)] + ([("b", span_b)] if span_b is not None else [])
        spans.sort(key=lambda item: item[1].start)
        plan: list[int | str] = []
        cursor = 0
        for name, span in spans:
            plan.append(len(pieces))
            pieces.append(text[cursor : span.start])
            plan.append(f"<{name}")
            plan.append(len(pieces))
            pieces.append(text[span.start : span.end])
            plan.append(">")
            cursor = span.end
        plan.append(len(pieces))
        pieces.append(text[cursor:])
        layout.append(plan)
    token_ids = tokenizer(pieces, add_special_tokens=False, split_special_tokens=True)["input_ids"] if pieces else []
    budget = max_length - 2  # room for [CLS] and [SEP]
    out = []
    for plan in layout:
        ids: list[int] = []
        entity_tokens: dict[str, tuple[int, int]] = {}  # name -> (index of opening marker, index of closing marker)
        open_name = None
        for step in plan:
            if isinstance(step, int):
                ids.extend(token_ids[step])
            elif step.startswith("<"):
                open_name = step[1:]
                entity_tokens[open_name] = (len(ids), -1)
                ids.append(start_id)
            else:
                assert open_name is not None
                entity_tokens[open_name] = (entity_tokens[open_name][0], len(ids))
                ids.append(end_id)
        window, positions = _window(ids, entity_tokens, budget, tokenizer.sep_token_id)
        full = [tokenizer.cls_token_id] + window + [tokenizer.sep_token_id]
        out.append(PairInput(full, positions["a"] + 1, positions["b"] + 1 if "b" in positions else -1))
    return out


def _window(
    ids: list[int], entities: dict[str, tuple[int, int]], budget: int, sep_id: int
) -> tuple[list[int], dict[str, int]]:
    """Cut `ids` to at most `budget` tokens keeping every entity's markers; return the cut and the new marker indices."""
    if len(ids) <= budget:
        return ids, {name: start for name, (start, _) in entities.items()}
    lo = min(start for start, _ in entities.values())
    hi = max(end for _, end in entities.values())
    if hi - lo + 1 <= budget:
        # centre the window on the span that covers both entities
        slack = budget - (hi - lo + 1)
        left = max(0, lo - slack // 2)
        left = min(left, len(ids) - budget)
        return ids[left : left + budget], {name: start - left for name, (start, _) in entities.items()}
    # the entities lie further apart than the window: keep a part around each, joined by [SEP]
    ordered = sorted(entities.items(), key=lambda item: item[1][0])
    share = (budget - (len(ordered) - 1)) // len(ordered)
    window: list[int] = []
    positions: dict[str, int] = {}
    for index, (name, (start, end)) in enumerate(ordered):
        if index:
            window.append(sep_id)
        if end - start + 1 <= share:
            left = max(0, start - (share - (end - start + 1)) // 2)
            part = ids[left : left + share]
        else:  # an entity longer than its share: keep its opening marker and as much of it as fits
            left = start
            part = ids[start : start + share - 1] + [ids[end]]
        positions[name] = len(window) + (start - left)
        window.extend(part)
    return window, positions
