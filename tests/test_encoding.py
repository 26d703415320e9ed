import pytest

from stance.encoding import MARKER_END, MARKER_START, add_markers, encode_pairs
from stance.records import Span
from stance.tiny import tiny_tokenizer

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def tokenizer():
    tok = tiny_tokenizer()
    add_markers(tok)
    return tok


def tokens(tokenizer, encoded):
    return tokenizer.convert_ids_to_tokens(encoded.input_ids)


def test_markers_wrap_both_spans_and_positions_point_at_them(tokenizer):
    text = "Tehran accused Baku of siding with Israel."
    [enc] = encode_pairs(tokenizer, [(text, Span(15, 19), Span(0, 6))], 64)
    toks = tokens(tokenizer, enc)
    assert toks[0] == "[CLS]" and toks[-1] == "[SEP]"
    assert toks.count(MARKER_START) == 2 and toks.count(MARKER_END) == 2
    # span a is Baku even though it comes second in the text
    assert toks[enc.pos_a] == MARKER_START and toks[enc.pos_a + 1] == "baku"
    assert toks[enc.pos_b] == MARKER_START and toks[enc.pos_b + 1] == "tehran"


def test_single_span_for_sentiment(tokenizer):
    [enc] = encode_pairs(tokenizer, [("Iran said so.", Span(0, 4), None)], 32)
    assert enc.pos_b == -1 and tokens(tokenizer, enc)[enc.pos_a] == MARKER_START


def test_literal_marker_text_is_never_a_marker(tokenizer):
    text = "Iran wrote [E] and [/E] in a note to Israel."
    [enc] = encode_pairs(tokenizer, [(text, Span(0, 4), Span(37, 43))], 64)
    assert tokens(tokenizer, enc).count(MARKER_START) == 2


@pytest.mark.parametrize("gap", [20, 200])
def test_long_sentence_keeps_both_spans(tokenizer, gap):
    filler = " ".join(["the"] * gap)
    text = f"{filler} iran {filler} israel {filler}"
    a = text.index("iran")
    b = text.index("israel")
    [enc] = encode_pairs(tokenizer, [(text, Span(a, a + 4), Span(b, b + 6))], 32)
    toks = tokens(tokenizer, enc)
    assert len(toks) <= 32
    assert toks[enc.pos_a : enc.pos_a + 3] == [MARKER_START, "iran", MARKER_END]
    assert toks[enc.pos_b : enc.pos_b + 3] == [MARKER_START, "israel", MARKER_END]


def test_a_window_too_small_is_refused(tokenizer):
    with pytest.raises(ValueError, match="max_length must be at least 16"):
        encode_pairs(tokenizer, [("Iran.", Span(0, 4), None)], 8)
