import json
import re

import pytest

from training.catalogue_ids import known_actor_ids
from training.corpus import CORPUS_DIR, assign_splits, check_corpus, write_splits

pytestmark = pytest.mark.data


def test_the_shipped_corpus_passes_the_checker_and_meets_its_targets():
    report = check_corpus(known_ids=known_actor_ids())
    assert report.errors == []
    counts = report.counts
    assert counts["articles"] >= 150 and counts["sentences"] >= 800 and counts["stance_pairs"] >= 2500
    # the hard-case files are mostly negative examples (avoided, hedged, co-mentioned: neutral), so the polar share
    # of the whole corpus sits lower than the first 190 articles' 23%; below 15% it would stop teaching the polar labels
    assert counts["stance_share"]["supportive"] >= 0.15 and counts["stance_share"]["hostile"] >= 0.15
    assert counts["distinct_actors"] >= 80
    assert set(counts["topics"]) == {"diplomacy", "security", "sanctions", "aid", "trade", "energy", "elections",
                                     "protests", "migration", "climate"}


def test_the_held_back_hard_cases_pass_the_checker_beside_the_corpus(tmp_path):
    """held-back/ is opt-in training data (a path in data.train): checked as if it were part of the corpus, so that
    ids, spans, labels, duplicates and split leaks against the shipped articles are caught all the same."""
    import shutil

    from stance.records import json_lines
    from training.corpus import held_back_files

    held = held_back_files()
    assert [p.name for p in held] == ["hardcases-cd-dev.jsonl", "hardcases-cd-test.jsonl", "hardcases-cd-train.jsonl"]
    shutil.copytree(CORPUS_DIR / "articles", tmp_path / "articles")
    splits = json.loads((CORPUS_DIR / "splits.json").read_text())
    for path in held:
        shutil.copy(path, tmp_path / "articles" / path.name)
        split = path.stem.rsplit("-", 1)[1]
        splits[split] += [article["id"] for _, article in json_lines(path)]
    (tmp_path / "splits.json").write_text(json.dumps(splits))
    report = check_corpus(tmp_path, known_ids=known_actor_ids())
    assert report.errors == []
    assert report.counts["articles"] == check_corpus().counts["articles"] + 36


def test_splits_are_by_article_and_stable():
    splits = json.loads((CORPUS_DIR / "splits.json").read_text())
    ids = [i for split in splits.values() for i in split]
    assert len(ids) == len(set(ids))
    articles = [{"id": f"x-{i}", "region": "Europe" if i % 2 else "Americas"} for i in range(40)]
    assert assign_splits(articles) == assign_splits(list(reversed(articles)))


@pytest.fixture()
def corpus_copy(tmp_path):
    root = tmp_path / "corpus"
    (root / "articles").mkdir(parents=True)
    article = {"id": "t-1", "region": "Europe", "topic": "trade", "headline": "h", "sentences": [
        {"text": "France backed Germany on Monday.", "mentions": [
            {"start": 0, "end": 6, "actor": "FRA", "sentiment": "neutral"},
            {"start": 14, "end": 21, "actor": "DEU", "sentiment": "positive"}],
         "stances": [{"holder": "FRA", "target": "DEU", "stance": "supportive"},
                     {"holder": "DEU", "target": "FRA", "stance": "neutral"}]},
        {"text": "Trade rose sharply in the spring.", "mentions": [], "stances": []},
        {"text": "Officials expect more talks soon.", "mentions": [], "stances": []},
    ]}
    return root, article


def write_corpus(root, articles):
    with (root / "articles" / "a.jsonl").open("w") as handle:
        for article in articles:
            handle.write(json.dumps(article) + "\n")


def test_checker_accepts_a_clean_corpus(corpus_copy):
    root, article = corpus_copy
    write_corpus(root, [article])
    write_splits(root)
    assert check_corpus(root).errors == []


@pytest.mark.parametrize("mutate, message", [
    (lambda a: a["sentences"][0]["mentions"][0].update(end=60), r"mention 0 span \(0, 60\) is empty or outside"),
    (lambda a: a["sentences"][0]["stances"].pop(), r"pair DEU -> FRA has no stance label"),
    (lambda a: a["sentences"][0]["stances"].append({"holder": "FRA", "target": "ITA", "stance": "hostile"}),
     r"pair FRA -> ITA is not a pair of distinct actors"),
    (lambda a: a["sentences"][0]["mentions"][1].update(actor="germany"), r"actor id 'germany' does not follow"),
    (lambda a: a["sentences"][0]["mentions"][1].update(sentiment="happy"), r"sentiment 'happy' is not a label"),
    (lambda a: a["sentences"][0]["mentions"][1].update(start=3), r"mentions 0 and 1 overlap"),
    (lambda a: a.update(region="Mars"), r"region 'Mars' is not one of"),
    (lambda a: a["sentences"][2].update(text="Trade rose sharply in the spring!"), r"sentence 2: duplicate of"),
    (lambda a: a["sentences"][2].update(text="Trade rose very sharply in the spring."), r"near duplicate"),
    (lambda a: a["sentences"][2].update(text="Italy backed Spain on Monday.", mentions=[
        {"start": 0, "end": 5, "actor": "ITA", "sentiment": "neutral"},
        {"start": 13, "end": 18, "actor": "ESP", "sentiment": "neutral"}], stances=[
        {"holder": "ITA", "target": "ESP", "stance": "supportive"},
        {"holder": "ESP", "target": "ITA", "stance": "neutral"}]), r"sentence 2: duplicate of .* \(actors masked\)"),
])
def test_checker_names_each_problem(corpus_copy, mutate, message):
    root, article = corpus_copy
    mutate(article)
    write_corpus(root, [article])
    write_splits(root)
    errors = "\n".join(check_corpus(root).errors)
    assert re.search(message, errors), errors


def test_checker_finds_split_problems(corpus_copy):
    root, article = corpus_copy
    write_corpus(root, [article])
    assert any("splits.json is missing" in e for e in check_corpus(root).errors)
    (root / "splits.json").write_text(json.dumps({"train": ["t-1"], "test": ["t-1", "t-9"], "dev": []}))
    errors = check_corpus(root).errors
    assert any("article t-1 is in train and test" in e for e in errors)
    assert any("do not exist" in e for e in errors)


def test_unknown_catalogue_ids_are_reported(corpus_copy):
    root, article = corpus_copy
    write_corpus(root, [article])
    write_splits(root)
    errors = check_corpus(root, known_ids={"FRA"}).errors
    assert any("actor id 'DEU' is not in the catalogue" in e for e in errors)


def test_new_articles_get_splits_and_assigned_ones_never_move(corpus_copy):
    root, article = corpus_copy
    write_corpus(root, [{**article, "id": f"t-{i}"} for i in range(20)])
    first = write_splits(root)
    write_corpus(root, [{**article, "id": f"t-{i}"} for i in range(40)])
    second = write_splits(root)
    for split, ids in first.items():
        assert set(ids) <= set(second[split])  # nothing moved
    assert sum(map(len, second.values())) == 40 and second["test"] != first["test"]  # the new ones spread too
