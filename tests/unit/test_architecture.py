"""The house rules, checked from the code's own imports: rooms import only what their docstring says,
knowledge/ never imports telegram, handlers/ never touch SQLAlchemy, and no module imports one that
imports it back (type-checking imports included)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Each room of knowledge/ and the rooms it may import; errors.py is everyone's.
ALLOWED: dict[str, set[str]] = {
    "matching": set(),
    "understanding": {"matching"},
    "store": {"matching"},
    "records": {"matching", "store"},
    "access": {"matching", "store"},
    "importing": {"matching", "store"},
    "briefings": {"access", "matching", "store"},
    "follows": {"access", "matching", "records", "store"},
    "review": {"follows", "store"},
    "answers": {"understanding", "matching", "records", "access", "store", "follows"},
    "demo": {"importing"},
    "vanishing": {"store"},
}


def _modules() -> Iterator[tuple[str, Path]]:
    for package in ("bot", "handlers", "knowledge"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


MODULES = dict(_modules())


def _imports(name: str, path: Path) -> set[str]:
    """Every module of ours that `name` imports, anywhere in its text (TYPE_CHECKING blocks included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""  # the house imports absolutely: no relative import to resolve
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in found if module in MODULES and module != name}


IMPORTS = {name: _imports(name, path) for name, path in MODULES.items()}


def _room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "knowledge" and len(parts) > 2 else None


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _room(m)))
def test_a_room_imports_only_the_rooms_it_says(module: str) -> None:
    room = _room(module)
    assert room in ALLOWED, f"{room}/ is not a room of the map; add it to docs/design.md and here"
    strays = {_room(other) for other in IMPORTS[module]} - {room, None} - ALLOWED[room]
    assert not strays, f"{module} imports {sorted(strays)}, which {room}/ may not"


def test_knowledge_never_imports_telegram_and_handlers_never_sqlalchemy() -> None:
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        roots = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        roots |= {
            (node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        }
        if name.startswith("knowledge"):
            assert "telegram" not in roots, name
        if name.startswith("handlers"):
            assert "sqlalchemy" not in roots, name


def test_no_module_imports_one_that_imports_it_back() -> None:
    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            current = todo.pop()
            if current == goal:
                return True
            if current not in seen:
                seen.add(current)
                todo.extend(IMPORTS.get(current, ()))
        return False

    # A package's __init__ re-exporting its modules is not a cycle of concepts; every other one is.
    circles = sorted(
        (a, b) for a in IMPORTS for b in IMPORTS[a]
        if a < b and not b.startswith(a + ".") and not a.startswith(b + ".") and reaches(b, a)
    )  # fmt: skip
    assert circles == []
