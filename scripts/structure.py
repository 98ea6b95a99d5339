"""Structural figures of the backend, read from its source (nothing is imported or run).

    .venv/bin/python scripts/structure.py [--list]

Prints the import cycles between backend modules (counting the imports at module level, and again
counting those inside functions too), the imports written inside functions, the places that call
``commit()`` and the ``audit.record`` call sites. ``--list`` names every place behind the counts.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "backend"


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    top_imports: set[str] = field(default_factory=set)
    inner_imports: list[tuple[int, str]] = field(default_factory=list)  # (line, target)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(node: ast.Import | ast.ImportFrom, module: Module, known: set[str]) -> Iterator[str]:
    """The modules an import statement loads: ``from a import b`` loads ``a.b`` when that is a module,
    else ``a`` (the package a module lives in is not counted: every module shares that edge)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    package = module.name if module.path.name == "__init__.py" else module.name.rpartition(".")[0]
    base = node.module or ""
    if node.level:
        parts = package.split(".")
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join([*parts, base] if base else parts)
    for alias in node.names:
        yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base


def load() -> dict[str, Module]:
    modules = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        module = Module(module_name(path), path, ast.parse(path.read_text(encoding="utf-8")))
        modules[module.name] = module
    for module in modules.values():
        inner = {
            id(node)
            for function in ast.walk(module.tree)
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            for node in ast.walk(function)
            if isinstance(node, ast.Import | ast.ImportFrom)
        }
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Import | ast.ImportFrom) or _type_checking_only(node, module.tree):
                continue
            targets = [t for t in imported(node, module, set(modules)) if t in modules and t != module.name]
            if id(node) in inner:
                module.inner_imports.extend((node.lineno, t) for t in targets[:1] or ["(outside backend)"])
            else:
                module.top_imports.update(targets)
    return modules


def _type_checking_only(node: ast.AST, tree: ast.Module) -> bool:
    for block in ast.walk(tree):
        if (
            isinstance(block, ast.If)
            and "TYPE_CHECKING" in ast.unparse(block.test)
            and any(node is inner for stmt in block.body for inner in ast.walk(stmt))
        ):
            return True
    return False


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def calls(modules: dict[str, Module], attribute: str, owner: str | None = None) -> list[str]:
    places = []
    for module in modules.values():
        for node in ast.walk(module.tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr != attribute:
                continue
            if owner is not None and ast.unparse(node.func.value).rpartition(".")[2] != owner:
                continue
            places.append(f"{module.path.relative_to(ROOT)}:{node.lineno}")
    return places


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="name every place behind the counts")
    args = parser.parse_args(argv)
    modules = load()
    top = {name: m.top_imports for name, m in modules.items()}
    every = {
        name: m.top_imports | {t for _, t in m.inner_imports if t in modules} for name, m in modules.items()
    }
    figures = {
        "import cycles (module level)": [" ↔ ".join(c) for c in cycles(top)],
        "import cycles (with imports inside functions)": [" ↔ ".join(c) for c in cycles(every)],
        "imports inside functions": [
            f"{m.path.relative_to(ROOT)}:{line} {target}"
            for m in modules.values()
            for line, target in m.inner_imports
        ],
        "places that call commit()": calls(modules, "commit"),
        "audit.record call sites": calls(modules, "record", owner="audit"),
    }
    for label, places in figures.items():
        print(f"{len(places):5d}  {label}")
        if args.list:
            for place in places:
                print(f"         {place}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
