"""The package's shape: layers import only downwards, and no module imports itself in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import vidcolor

ROOT = Path(vidcolor.__file__).parent
# Lowest first. A module may import from its own layer and the ones before it, never after.
LAYERS = ["errors", "runtime", "media", "models", "pipeline", "batch", "eval", "training", "cli"]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every vidcolor module a file imports (relative imports resolved), at any depth of the file."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("vidcolor"):
                found.add(target)
                found.update(f"{target}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("vidcolor"))
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in ROOT.rglob("*.py")}
    return {name: {m for m in imports_of(path) if m in modules and m != name} for name, path in modules.items()}


def layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_layers_only_import_downwards():
    wrong = []
    for module, targets in graph().items():
        own = layer(module)
        if own is None:
            continue  # the package's front door (vidcolor/__init__, __main__) may use any layer
        wrong += [f"{module} -> {t}" for t in targets if layer(t) is not None and layer(t) > own]
    assert wrong == []


def test_no_import_cycles():
    edges = graph()
    # the package's own __init__ is the API's front door; a package __init__ is imported by its children
    edges = {m: {t for t in ts if not (m.startswith(t + ".") or t == "vidcolor")} for m, ts in edges.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*path[path.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_every_subpackage_is_listed_for_the_wheel():
    import tomllib

    listed = set(tomllib.loads((ROOT.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {module_name(p) for p in ROOT.rglob("__init__.py")}
    assert found | {"vidcolor.weights"} == listed
