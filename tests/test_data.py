import collections
import json

import pytest
from conftest import needs_shared

from training.data import DataError, from_dataset, load_records, read_directed, read_newsmtsc, read_records, to_dataset

pytestmark = pytest.mark.data


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_directed_rows_give_two_directed_pairs(tmp_path):
    path = write(tmp_path / "d.txt",
                 "[Iran] accused [Israel] of sabotage.\tIran\tIsrael\t3\n"
                 "A [Los Angele]s anchor praised [the United State]s.\tLos Angele\tthe United State\t2\n"
                 "[ Juror]s in [Colorado] declined.\tJuror\tColorado\t0\n"
                 '"[Bank.""Mr Turnbull] says [Mr Rudd] left."\t"Bank.""Mr Turnbull"\tMr Rudd\t1\n')
    records = list(read_directed(path))
    assert len(records) == 8
    first, back = records[0], records[1]
    assert first.text == "Iran accused Israel of sabotage."
    assert (first.surface("holder"), first.surface("target"), first.label) == ("Iran", "Israel", "hostile")
    assert (back.surface("holder"), back.surface("target"), back.label) == ("Israel", "Iran", "neutral")
    assert records[2].surface("holder") == "Los Angele" and records[3].label == "supportive"  # label 2: q->p
    assert records[4].surface("holder") == "Juror"  # padded bracket: span is the name only
    assert records[6].surface("holder") == 'Bank."Mr Turnbull' and records[6].label == "supportive"


@pytest.mark.parametrize("line, message", [
    ("no tabs here\n", r"d.txt:1: expected 4 tab-separated fields, found 1"),
    ("[Iran] and [Israel]\tIran\tIsrael\t7\n", r"d.txt:1: label '7' is not one of"),
    ("[Iran] and Israel\tIran\tIsrael\t0\n", r"d.txt:1: the entities 'Iran' and 'Israel' are not both marked"),
])
def test_malformed_directed_lines_name_file_and_line(tmp_path, line, message):
    with pytest.raises(DataError, match=message):
        list(read_directed(write(tmp_path / "d.txt", line)))


def test_newsmtsc_polarity_mapping_and_errors(tmp_path):
    row = {"sentence_normalized": "Iran praised Oman.", "targets": [
        {"from": 0, "to": 4, "polarity": 4.0}, {"from": 13, "to": 17, "polarity": 6.0}]}
    records = list(read_newsmtsc(write(tmp_path / "n.jsonl", json.dumps(row) + "\n")))
    assert [(r.surface("target"), r.label) for r in records] == [("Iran", "neutral"), ("Oman", "positive")]
    with pytest.raises(DataError, match=r"n.jsonl:1: target 0: KeyError"):
        list(read_newsmtsc(write(tmp_path / "n.jsonl", json.dumps({"sentence_normalized": "x", "targets": [{}]}))))
    with pytest.raises(DataError, match=r"n.jsonl:2: not a NewsMTSC sentence"):
        list(read_newsmtsc(write(tmp_path / "n.jsonl", json.dumps(row) + "\n{}\n")))
    bad = {"sentence_normalized": "Iran.", "targets": [{"from": 0, "to": 40, "polarity": 2.0}]}
    with pytest.raises(DataError, match=r"n.jsonl:1: target 0: RecordError.*inside the text"):
        list(read_newsmtsc(write(tmp_path / "n.jsonl", json.dumps(bad))))


def test_canonical_jsonl_requires_labels(tmp_path):
    rec = {"id": "a", "text": "Iran.", "holder": None, "target": {"start": 0, "end": 4}}
    with pytest.raises(DataError, match=r"r.jsonl:1: record 'a': the sentiment label is missing"):
        list(read_records(write(tmp_path / "r.jsonl", json.dumps(rec))))


def test_missing_files_and_unknown_sources(tmp_path):
    with pytest.raises(DataError, match="data file not found"):
        list(read_newsmtsc(tmp_path / "absent.jsonl"))
    with pytest.raises(DataError, match="unknown data source 'directed:tset'"):
        load_records("directed:tset")


def test_dataset_round_trip(tmp_path):
    path = write(tmp_path / "d.txt", "[Iran] accused [Israel] of sabotage.\tIran\tIsrael\t3\n")
    records = list(read_directed(path))
    dataset = to_dataset(records)
    assert dataset.num_rows == 2 and dataset.features["holder_start"].dtype == "int32"
    assert from_dataset(dataset) == records


def test_project_corpus_splits_give_both_tasks():
    for split in ("train", "dev", "test"):
        tasks = collections.Counter(r.task.value for r in load_records(f"ir:{split}"))
        assert tasks["stance"] > 100 and tasks["sentiment"] > 100


@needs_shared
def test_shared_files_counts_and_label_mappings():
    expected = {  # rows x 2 directed pairs for directed-sentiment; targets for NewsMTSC
        "directed:train": (26288, {"neutral": 21733, "supportive": 1606, "hostile": 2949}),
        "directed:valid": (2922, {"neutral": 2416, "supportive": 178, "hostile": 328}),
        "newsmtsc:train": (8739, {"negative": 3316, "neutral": 3028, "positive": 2395}),
        "newsmtsc:dev-rw": (343, {"negative": 134, "neutral": 136, "positive": 73}),
        "newsmtsc:dev-mt": (442, {"negative": 136, "neutral": 217, "positive": 89}),
    }
    for source, (count, labels) in expected.items():
        records = load_records(source)
        assert len(records) == count, source
        assert dict(collections.Counter(r.label for r in records)) == labels, source


def test_a_record_limit_samples_the_whole_file(tmp_path):
    rows = "".join(f"[A{i}] met [B{i}].\tA{i}\tB{i}\t0\n" for i in range(40))
    rows += "".join(f"[A{i}] hit [B{i}].\tA{i}\tB{i}\t3\n" for i in range(40))  # sorted by label, as the real file
    path = write(tmp_path / "sorted.jsonl.txt", rows)
    records = list(read_directed(path))
    from training.data import seeded_sample

    sample = seeded_sample(records, 40)
    assert len(sample) == 40 and sample == seeded_sample(records, 40)  # seeded
    labels = collections.Counter(r.label for r in sample)
    assert 4 <= labels["hostile"] <= 16  # about a quarter, as in the file, not zero as the file's head would give
    directions = collections.Counter(r.id.rsplit("-", 1)[1] for r in sample)
    assert directions["pq"] and directions["qp"]
