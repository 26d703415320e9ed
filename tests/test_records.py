import json

import pytest

from stance.labels import Sentiment, Stance, Task, label_index, label_names
from stance.records import PairRecord, RecordError, Span, read_jsonl

pytestmark = pytest.mark.unit

TEXT = "Tehran accused Baku of siding with Israel."


def test_label_sets_are_ordered_and_declared_once():
    assert label_names(Task.STANCE) == ["neutral", "supportive", "hostile"] == [s.value for s in Stance]
    assert label_names("sentiment") == ["negative", "neutral", "positive"] == [s.value for s in Sentiment]
    assert label_index("stance", "hostile") == 2
    with pytest.raises(ValueError, match="unknown stance label 'angry'"):
        label_index("stance", "angry")


def test_stance_and_sentiment_records_round_trip():
    stance = PairRecord.from_dict({"id": "a", "text": TEXT, "holder": {"start": 0, "end": 6},
                                   "target": {"start": 15, "end": 19}, "stance": "hostile"})
    assert stance.task is Task.STANCE and stance.surface("holder") == "Tehran" and stance.surface("target") == "Baku"
    sentiment = PairRecord.from_dict({"id": "b", "text": TEXT, "holder": None, "target": {"start": 35, "end": 41}})
    assert sentiment.task is Task.SENTIMENT and sentiment.label is None
    assert PairRecord.from_dict(stance.to_dict()) == stance


@pytest.mark.parametrize("obj, message", [
    ({"id": "r1", "text": TEXT, "holder": {"start": 0, "end": 6}, "target": {"start": 30, "end": 99}},
     r"record 'r1': target span \[30, 99\) must be non-empty and inside the text of length 42"),
    ({"id": "r2", "text": TEXT, "holder": {"start": 0, "end": 6}, "target": {"start": 3, "end": 10}},
     r"record 'r2': holder \[0, 6\) and target \[3, 10\) overlap"),
    ({"id": "r3", "text": TEXT, "holder": None, "target": {"start": 5, "end": 5}},
     r"record 'r3': target span \[5, 5\) must be non-empty"),
    ({"id": "r4", "text": TEXT, "holder": None, "target": {"start": 0, "end": 6}, "stance": "hostile"},
     r"record 'r4': it has no holder, so it is a sentiment record and cannot carry 'stance'"),
    ({"id": "r5", "text": TEXT, "holder": {"start": 0, "end": 6}, "target": {"start": 15, "end": 19},
      "stance": "angry"}, r"record 'r5': stance label 'angry' is not one of"),
    ({"id": "r6", "text": TEXT, "target": {"start": "0", "end": 6}}, r"record 'r6': target offsets must be integers"),
    ({"id": "r7", "text": TEXT, "target": {"start": 0, "end": 6}, "taget": 1}, r"record 'r7': unknown field\(s\) \['taget'\]"),
    ({"id": "", "text": TEXT, "target": {"start": 0, "end": 6}}, r"'id' must be a non-empty string"),
    ({"id": "r9", "text": "   ", "target": {"start": 0, "end": 2}}, r"record 'r9': 'text' must be a non-empty string"),
])
def test_bad_records_name_the_record_and_the_values(obj, message):
    with pytest.raises(RecordError, match=message):
        PairRecord.from_dict(obj)


def test_read_jsonl_names_file_and_line(tmp_path):
    path = tmp_path / "in.jsonl"
    good = {"id": "a", "text": TEXT, "holder": None, "target": {"start": 0, "end": 6}}
    path.write_text(json.dumps(good) + "\n\n" + "{not json\n", encoding="utf-8")
    with pytest.raises(RecordError, match=r"in.jsonl:3: not valid JSON"):
        read_jsonl(path)
    path.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n", encoding="utf-8")
    with pytest.raises(RecordError, match=r"in.jsonl:2: record id 'a' appears twice"):
        read_jsonl(path)
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_jsonl(tmp_path / "missing.jsonl")
    with pytest.raises(RecordError, match="the sentiment label is missing"):
        path.write_text(json.dumps(good) + "\n", encoding="utf-8")
        read_jsonl(path, require_label=True)


def test_span_overlap_is_end_exclusive():
    assert not Span(0, 5).overlaps(Span(5, 9))
    assert Span(0, 6).overlaps(Span(5, 9))
