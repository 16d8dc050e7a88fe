"""Layers only point down (README "Architecture"): no module imports from a layer above its own,
and there is no import circle. Reads the source (top-level and function-level imports); runs nothing."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"

#: README's layers, bottom (0) to top; a module's layer is found by its first matching prefix.
FOUNDATION = (
    *("errors", "settings", "settings_checks", "paths", "urls", "types", "text", "tokens", "markers", "safety"),
    "filters",  # the typed `Filters`, validated once
    "models",  # the trained models shipped as package data (issue 20): data only, imports nothing
)
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
    "guide": 8,
    "evaluation": 9,
    "cli": 10,  # every entry point (`rsa-assistant` and its groups), on top of everything
}


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
    unknown = [m for m in _modules() if m != "assistant" and m.split(".")[1] not in LAYERS]
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


def test_the_cli_package_is_the_top_layer_and_nothing_imports_it():
    """Issue 21 item 6: every entry point is in `assistant/cli/`, and no arrow runs back up to it
    (`ingest/cli.py` used to import `cli_options`, which imports `indexing/build`)."""
    modules = _modules()
    assert max(LAYERS.values()) == LAYERS["cli"] and list(LAYERS.values()).count(LAYERS["cli"]) == 1
    outside = [m for m in modules if m.rsplit(".", 1)[-1].endswith("cli") and not m.startswith("assistant.cli")]
    assert not outside, f"entry points belong in assistant/cli/: {outside}"
    upward = [
        f"{module} -> {target}"
        for module, path in modules.items()
        if not module.startswith("assistant.cli")
        for target in _imports(path, modules)
        if target == "assistant.cli" or target.startswith("assistant.cli.")
    ]
    assert not upward, upward


def test_the_ingest_layer_imports_nothing_from_indexing_or_above():
    modules = _modules()
    above = [
        f"{module} -> {target}"
        for module, path in modules.items()
        if module.startswith("assistant.ingest")
        for target in _imports(path, modules)
        if _layer(target) is not None and _layer(target) >= LAYERS["indexing"]
    ]
    assert not above, above


def _calls(path: Path, name: str) -> int:
    """How many times a module's source calls `name(...)` (a plain or attribute call)."""
    count = 0
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            count += called == name
    return count


def test_the_gate_decides_in_one_module():
    """Issue 21 item 2: every refusal is made by `assistant/generation/gate.py`: no other module builds
    a `Refusal`, and no generator marks its own draft refused (a declining chat model is not a refusal)."""
    makers = {module for module, path in _modules().items() if _calls(path, "Refusal")}
    assert makers == {"assistant.generation.gate"}, makers
    for module, path in _modules().items():
        if module.startswith("assistant.generation") and module != "assistant.generation.extractive":
            source = path.read_text(encoding="utf-8")
            assert "refused=True" not in source and "refused=not" not in source, module


def test_the_question_is_frozen():
    import dataclasses

    from assistant.types import Filters, Population, Question, Turn

    for shape in (Question, Filters, Population, Turn):
        assert dataclasses.is_dataclass(shape) and shape.__dataclass_params__.frozen, shape  # type: ignore[attr-defined]
