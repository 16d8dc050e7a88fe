"""Layers only point down (README "Architecture"): no module imports from a layer above its own,
and there is no import circle. Reads the source (top-level and function-level imports); runs nothing."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"

#: README's layers, bottom (0) to top; a module's layer is found by its first matching prefix.
FOUNDATION = ("errors", "settings", "settings_checks", "paths", "urls", "types", "text", "tokens", "markers", "safety")
LAYERS = {
    **{name: 0 for name in FOUNDATION},
    "ingest": 1,
    "indexing": 2,
    "retrieval": 3,
    "generation": 4,
    "verification": 5,
    "claims": 5,
    "chain": 6,
    "api": 7,
    "langchain_adapter": 8,
    "rendering": 8,
    "export": 8,
    "facets": 8,
    "evaluation": 9,
}
ENTRY_POINTS = 9  # cli.py, cli_options.py, cli_checks.py and every feature's *cli.py


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _layer(module: str) -> int | None:
    parts = module.split(".")[1:]
    if not parts:
        return None  # the package's __init__ only re-exports, lazily
    if parts[-1] in ("cli", "cli_options", "cli_checks") or parts[-1].endswith("_cli"):
        return ENTRY_POINTS
    return LAYERS[parts[0]]


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        targets |= {name for name in names if name in modules and name != "assistant"}
    return targets


def test_every_module_has_a_layer():
    unknown = [
        m for m in _modules() if m != "assistant" and m.split(".")[1] not in LAYERS and _layer(m) != ENTRY_POINTS
    ]
    assert not unknown, f"place these in README's layers and in LAYERS: {unknown}"


def test_no_module_imports_from_a_layer_above_its_own():
    modules = _modules()
    upward = []
    for module, path in modules.items():
        own = _layer(module)
        for target in _imports(path, modules):
            if own is not None and target != module and _layer(target) is not None and _layer(target) > own:
                upward.append(f"{module} -> {target}")
    assert not upward, upward


def test_there_is_no_import_circle():
    modules = _modules()
    graph = {
        m: {t for t in _imports(p, modules) if t != m and modules[t].name != "__init__.py"} for m, p in modules.items()
    }
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return [*path, module, target]
            if target not in state and (circle := visit(target, [*path, module])):
                return circle
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state:
            circle = visit(module, [])
            assert circle is None, " -> ".join(circle)


def test_generation_reads_passages_not_the_index_and_the_chain_no_ingest():
    modules = _modules()
    for module, path in modules.items():
        targets = _imports(path, modules)
        if module.startswith("assistant.generation"):
            assert not [t for t in targets if t.startswith(("assistant.indexing", "assistant.retrieval"))], module
        if module == "assistant.chain":
            assert not [t for t in targets if t.startswith(("assistant.ingest", "assistant.indexing"))]
