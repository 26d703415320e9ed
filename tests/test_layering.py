"""Imports go one way: stance (the core) <- training, serving <- stance_cli. Function-level imports count too."""

import ast
from pathlib import Path

import pytest

from stance.settings import REPO_ROOT

pytestmark = pytest.mark.unit

# what each package may import of the project's own packages
ALLOWED = {
    "stance": {"stance"},
    "training": {"stance", "training"},
    "serving": {"stance", "serving"},
    "stance_cli": {"stance", "training", "serving", "stance_cli"},
}


def project_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(ALLOWED)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_upward_or_sideways_import(package):
    wrong = {str(path.relative_to(REPO_ROOT)): sorted(project_imports(path) - ALLOWED[package])
             for path in (REPO_ROOT / package).rglob("*.py")}
    assert {k: v for k, v in wrong.items() if v} == {}
