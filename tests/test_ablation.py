"""The ablation table: runs grouped by what their config changed, seeds as repeats."""

from __future__ import annotations

import pytest


@pytest.mark.unit
def test_a_variant_is_the_config_name_plus_what_changed_seed_aside():
    from training.ablation import variant_of
    from training.config import load_config

    same = load_config("quick", {"training.seed": 7}).to_dict()
    assert variant_of(same) == ("quick", 7)
    changed = load_config("quick", {"model.pair_head": "joint", "data.calibration_fraction": 0.0,
                                    "training.seed": 5}).to_dict()
    assert variant_of(changed) == ("quick [model.pair_head=joint]", 5)  # 0.0 is quick's own calibration share
    changed = load_config("default", {"model.pair_head": "joint", "data.calibration_fraction": 0.0}).to_dict()
    assert variant_of(changed) == ("default [data.calibration_fraction=0.0, model.pair_head=joint]", 13)


@pytest.mark.unit
def test_the_table_gives_mean_and_spread_over_seeds():
    from training.ablation import Group, format_table

    group = Group("default [model.pair_head=joint]", "f6c5e074f75a9167", "stance=directed:valid@a9cd", seeds=[13, 7],
                  run_ids=["a", "b"], values={"val_stance5_macro_f1": [0.60, 0.64]})
    single = Group("default", "0123456789abcdef", "stance=directed:valid@a9cd", seeds=[13], run_ids=["c"],
                   values={"val_stance5_macro_f1": [0.58]})
    other = Group("default", "0123456789abcdef", "stance=directed:valid@ffff", seeds=[13], run_ids=["d"])
    table = format_table([group, single, other], ["val_stance5_macro_f1", "behave_overall"])
    rows = table.splitlines()
    assert rows[0] == "| variant | train data | validation | runs | seeds | val_stance5_macro_f1 | behave_overall |"
    assert rows[2] == "| default [model.pair_head=joint] | f6c5e074 | A | 2 | 7,13 | 0.620 ± 0.028 | - |"
    assert rows[3] == "| default | 01234567 | A | 1 | 13 | 0.580 | - |"
    assert rows[4] == "| default | 01234567 | B | 1 | 13 | - | - |"
    assert rows[-2:] == ["validation A: stance=directed:valid@a9cd", "validation B: stance=directed:valid@ffff"]
    older = Group("default", "*fedcba9876543210", "stance=directed:valid@a9cd", seeds=[7], run_ids=["e"])
    rows = format_table([older], ["behave_overall"]).splitlines()
    assert rows[2].startswith("| default | *fedcba98 | A |") and rows[-1].startswith("*: a run from before")


@pytest.mark.unit
def test_configs_without_a_file_are_told_apart_by_their_whole_content():
    """A YAML given by path has no file to diff against: two such runs share a row only if all but the seed match."""
    from training.ablation import variant_of
    from training.config import load_config

    base = load_config("quick").to_dict() | {"name": "my-own"}
    other = load_config("quick", {"model.pair_head": "joint"}).to_dict() | {"name": "my-own"}
    reseeded = load_config("quick", {"training.seed": 99}).to_dict() | {"name": "my-own"}
    assert variant_of(base)[0] == variant_of(reseeded)[0] != variant_of(other)[0]
    assert variant_of(base)[0].startswith("my-own [config ")


@pytest.mark.model  # an MLflow store in tmp, no model
def test_the_same_config_over_other_training_data_is_another_row(mlruns):
    import mlflow

    from training.ablation import collect
    from training.config import load_config
    from training.tracking import configure

    configure()
    for seed, digest, score in ((13, "aaaa", 0.70), (7, "aaaa", 0.72), (13, "bbbb", 0.80)):
        with mlflow.start_run():
            mlflow.set_tags({"stance.kind": "finetune", "config": "quick", "stance.train_sources": digest,
                             "stance.train_dataset": f"{digest}-{seed}",  # the carve differs by seed
                             "validation": "stance=directed:valid@v1"})
            mlflow.log_dict(load_config("quick", {"training.seed": seed}).to_dict(), "config.json")
            mlflow.log_metric("val_score", score)
    found = collect(metrics=["val_score"])
    assert not found.skipped
    rows = {(g.variant, g.train_data): (sorted(g.seeds), g.summary("val_score")) for g in found.groups}
    assert rows[("quick", "aaaa")][0] == [7, 13] and rows[("quick", "aaaa")][1][0] == pytest.approx(0.71)
    assert rows[("quick", "bbbb")][0] == [13]
