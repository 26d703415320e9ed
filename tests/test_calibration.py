import pytest

from training.calibration import apply_bias, fit_stance_bias

pytestmark = pytest.mark.unit


def test_apply_bias_shifts_log_odds_and_renormalises():
    shifted = apply_bias([0.5, 0.25, 0.25], [0.0, 0.0, 0.0])
    assert shifted == pytest.approx([0.5, 0.25, 0.25])
    shifted = apply_bias([0.5, 0.25, 0.25], [0.0, 0.6931, 0.0])  # log 2: supportive doubles its odds
    assert shifted == pytest.approx([0.4, 0.4, 0.2], abs=1e-4)
    with pytest.raises(ValueError, match="3 labels"):
        apply_bias([0.5, 0.25, 0.25], [0.0])


def test_a_model_too_shy_of_the_polar_labels_gets_them_back():
    # every hostile item scores hostile at 0.4 against neutral 0.5: argmax says neutral, a shift fixes it
    rows = [[0.5, 0.1, 0.4]] * 20 + [[0.8, 0.1, 0.1]] * 60 + [[0.2, 0.7, 0.1]] * 20
    gold = ["hostile"] * 20 + ["neutral"] * 60 + ["supportive"] * 20
    bias, before, after = fit_stance_bias(rows, gold)
    assert after == pytest.approx(1.0) and before < after
    assert bias[0] == 0.0 and bias[2] > 0.0


def test_no_evidence_means_no_shift():
    rows = [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]]
    bias, before, after = fit_stance_bias(rows, ["neutral", "supportive", "hostile"])
    assert bias == [0.0, 0.0, 0.0] and before == after == 1.0


def test_calibration_pairs_are_carved_whole_seeded_and_out_of_training():
    from stance.records import PairRecord, Span
    from training.inputs import carve_calibration

    records = []
    for i in range(40):
        text = f"State{i} condemned Rival{i}."
        a, b = Span(0, len(f"State{i}")), Span(text.index("Rival"), len(text) - 1)
        records += [PairRecord(f"{i}-ab", text, holder=a, target=b, label="hostile"),
                    PairRecord(f"{i}-ba", text, holder=b, target=a, label="neutral"),
                    PairRecord(f"{i}-s", text, target=b, label="negative")]
    kept, held = carve_calibration({"toy": records}, 0.25, seed=13)
    assert len(held) == 20 and {r.id.split("-")[0] for r in held} == {r.id.split("-")[0] for r in held[::2]}
    assert not {r.id for r in held} & {r.id for r in kept["toy"]}
    assert sum(r.holder is None for r in kept["toy"]) == 40  # sentiment records all stay in training
    assert carve_calibration({"toy": records}, 0.25, seed=13)[1] == held
    assert carve_calibration({"toy": records}, 0.0, seed=13) == ({"toy": records}, [])
    # naming the sources: the unnamed one keeps every pair, the named one holds out the same pairs as before
    kept, held_named = carve_calibration({"toy": records, "other": records}, 0.25, seed=13, sources=["toy"])
    assert held_named == held and kept["other"] == records


def test_calibration_sources_must_be_training_sources():
    from training.config import ConfigError, load_config

    assert load_config("default", {"data.calibration_sources": ["directed:train"]}).data.calibration_sources
    # `--set data.calibration_sources=directed:train` arrives as a string: one source, not its characters
    assert load_config("default", {"data.calibration_sources": "ir:train"}).data.calibration_sources == ["ir:train"]
    with pytest.raises(ConfigError, match=r"data.calibration_sources \['directed:valid'\] are not among data.train"):
        load_config("default", {"data.calibration_sources": ["directed:valid"]})


@pytest.mark.data  # reads the corpus
def test_the_sources_digest_names_the_data_not_the_seeds_carve(tmp_path):
    """Two seeds of one config train on different carves of the same sources: the ablation needs one name for both."""
    from training.config import load_config
    from training.inputs import load_run_data

    overrides = {"data.train": ["ir:train"], "data.max_records_per_source": 400, "data.calibration_fraction": 0.1,
                 "data.validation": {"stance": "ir:dev"}, "data.reports": {}}
    first = load_run_data(load_config("quick", {**overrides, "training.seed": 13}))
    second = load_run_data(load_config("quick", {**overrides, "training.seed": 7}))
    assert {r.id for r in first.calibration} != {r.id for r in second.calibration}
    assert first.sources_digest == second.sources_digest and len(first.sources_digest) == 16
    other = load_run_data(load_config("quick", {**overrides, "data.max_records_per_source": 300}))
    assert other.sources_digest != first.sources_digest
