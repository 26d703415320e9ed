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

    group = Group("default [model.pair_head=joint]", seeds=[13, 7], run_ids=["a", "b"],
                  values={"val_stance5_macro_f1": [0.60, 0.64]})
    single = Group("default", seeds=[13], run_ids=["c"], values={"val_stance5_macro_f1": [0.58]})
    table = format_table([group, single], ["val_stance5_macro_f1", "behave_overall"])
    rows = table.splitlines()
    assert rows[0] == "| variant | runs | seeds | val_stance5_macro_f1 | behave_overall |"
    assert rows[2] == "| default [model.pair_head=joint] | 2 | 7,13 | 0.620 ± 0.028 | - |"
    assert rows[3] == "| default | 1 | 13 | 0.580 | - |"


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
