"""Rules of the house that are cheap to check mechanically."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_analysis_is_free_of_django():
    files = list((ROOT / "analysis").rglob("*.py"))
    assert files, "the analysis package exists"
    for path in files:
        banned = imported_modules(path) & {"django", "accounts", "conversations", "blog", "inbox"}
        assert not banned, f"{path.relative_to(ROOT)} imports {sorted(banned)}"


def test_views_do_not_save_models_directly():
    """State changes go through services; views parse, authorise, call and respond."""
    for path in ROOT.glob("*/views.py"):
        source = path.read_text(encoding="utf-8")
        for call in (".save(", ".objects.create(", ".delete(", ".update("):
            assert call not in source, f"{path.relative_to(ROOT)} calls {call}"
