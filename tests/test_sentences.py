"""Sentence splitting: offsets into the original text, abbreviations, initials, quotes, headlines."""

from __future__ import annotations

import pytest

from stance.sentences import Sentence, load_senter, split_many, split_sentences

pytestmark = pytest.mark.unit


@pytest.fixture(scope="session")
def senter():
    # loaded once per session (and cached inside the module, so every other test reuses it)
    return load_senter()


def texts_of(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def assert_offsets(text: str, sentences: list[Sentence]) -> None:
    for s in sentences:
        assert text[s.start:s.end] == s.text
        assert s.text == s.text.strip() and s.text


def test_only_the_senter_runs(senter):
    assert senter.pipe_names == ["senter"]


def test_us_abbreviation_does_not_end_a_sentence(senter):
    text = "The U.S. State Department said on Monday that talks would resume. Iran denied the claim."
    assert texts_of(text) == ["The U.S. State Department said on Monday that talks would resume.",
                              "Iran denied the claim."]


def test_initials_and_titles_stay_in_one_sentence(senter):
    text = ("Former President George W. Bush met Mr. Putin in St. Petersburg in 2001. "
            "Dr. J. R. R. Tolkien was not there.")
    assert texts_of(text) == ["Former President George W. Bush met Mr. Putin in St. Petersburg in 2001.",
                              "Dr. J. R. R. Tolkien was not there."]


def test_title_abbreviation_taken_for_an_end_is_joined(senter):
    assert texts_of("Pres. Biden spoke with Sen. Rubio about Iran.") == [
        "Pres. Biden spoke with Sen. Rubio about Iran."]


def test_quotes_stay_with_their_sentence(senter):
    text = '"We will respond," Aliyev said. “Baku is not afraid.” The Kremlin declined to comment.'
    assert texts_of(text) == ['"We will respond," Aliyev said.', "“Baku is not afraid.”",
                              "The Kremlin declined to comment."]


def test_headline_line_is_its_own_sentence(senter):
    text = "Iran warns Azerbaijan over Israel ties\nTehran on Monday accused Baku of hosting Israeli drones."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["Iran warns Azerbaijan over Israel ties",
                                           "Tehran on Monday accused Baku of hosting Israeli drones."]
    assert_offsets(text, sentences)


def test_blank_lines_separate_paragraphs(senter):
    text = "IRAN WARNS AZERBAIJAN\n\n  Tehran accused Baku.\n\nBaku rejected it.  "
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["IRAN WARNS AZERBAIJAN", "Tehran accused Baku.", "Baku rejected it."]
    assert_offsets(text, sentences)


def test_hard_wrapped_line_is_not_a_boundary(senter):
    text = "Turkey said it would hold talks with\nRussia on Monday and that Ankara\nwanted calm."
    sentences = split_sentences(text)
    assert len(sentences) == 1
    assert sentences[0].text == text  # the line breaks are kept: offsets refer to the original text


def test_offsets_refer_to_the_original_untouched_text(senter):
    text = "  \r\nIran’s envoy left.\r\n\r\nThe U.N. said so.\t"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["Iran’s envoy left.", "The U.N. said so."]
    assert_offsets(text, sentences)
    assert sentences[0].start == 4


def test_empty_and_blank_texts_have_no_sentences(senter):
    assert split_many(["", "   \n\t "]) == [[], []]


def test_split_many_keeps_each_texts_offsets(senter):
    texts = ["Iran protested. Baku did not.", "NATO met."]
    out = split_many(texts)
    assert [[s.text for s in doc] for doc in out] == [["Iran protested.", "Baku did not."], ["NATO met."]]
    for text, doc in zip(texts, out):
        assert_offsets(text, doc)


def test_non_string_text_is_named():
    with pytest.raises(TypeError, match=r"text #1 must be a string, got int"):
        split_many(["fine", 3])  # type: ignore[list-item]


def test_sentence_to_dict():
    assert Sentence(0, 4, "Iran").to_dict() == {"start": 0, "end": 4, "text": "Iran"}
