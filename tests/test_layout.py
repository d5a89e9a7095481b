"""The package's architecture as the folders show it: no import cycles, the
domain free of Beam and Kafka, and the light commands free of spaCy."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module of the package that `path` imports, at any depth of
    the file (imports inside functions count: they still run)."""
    this = module_name(path)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            found.add(target)
            # `from . import minhash` names a module too
            found.update(f"{target}.{alias.name}" for alias in node.names)
    modules = {module_name(p) for p in PACKAGE.rglob("*.py")}
    return {name for name in found if name in modules and name != this}


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in PACKAGE.rglob("*.py")}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph as a list of modules, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle_inside_the_package():
    edges = graph()
    assert "pipeline.dedup.judge" in edges and "pipeline.news.quotes" in edges  # the walk found the package
    assert find_cycle(edges) is None


def third_party_imports(path: Path) -> set[str]:
    tops = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            tops.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            tops.add(node.module.split(".")[0])
    return tops


@pytest.mark.parametrize("folder, banned", [
    ("news", {"apache_beam", "kafka", "redis"}),
    ("dedup", {"apache_beam", "kafka", "spacy"}),
    ("kafka", {"apache_beam", "spacy", "redis"}),
])
def test_a_folder_imports_only_what_its_docstring_allows(folder, banned):
    for path in (PACKAGE / folder).rglob("*.py"):
        assert not third_party_imports(path) & banned, path
        inside = {m.split(".")[1] for m in imports_of(path) if m.count(".") >= 1}
        assert not inside & {"transforms", "run", "dev", "options", "__main__"}, path


def test_only_the_cli_and_dev_tools_import_the_dev_tools():
    for name, imported in graph().items():
        if not (name.startswith("pipeline.dev") or name == "pipeline.__main__"):
            assert not any(m.startswith("pipeline.dev") for m in imported), name


@pytest.mark.parametrize("argv", [
    ["broker", "--help"], ["feed", "--help"], ["consume", "--help"], ["run", "--help"], ["enrich", "--help"], ["ingest", "--help"], ["--help"],
])
def test_light_commands_do_not_import_spacy(argv):
    probe = ("import runpy, sys\n"
             f"sys.argv = ['pipeline'] + {argv!r}\n"
             "try:\n    runpy.run_module('pipeline', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "print('SPACY' if 'spacy' in sys.modules else 'NO-SPACY', file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stderr.strip().endswith("NO-SPACY"), done.stderr[-2000:]
