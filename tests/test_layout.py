"""The package's stages import only downward: ground floor → scenario → model → experiments → report → web → cli."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sim"
GROUND = {"sim.errors", "sim.formatting", "sim.files", "sim.version"}
STAGES = ("ground", "scenario", "model", "experiments", "api", "report", "web", "cli")


def stage_of(module: str) -> str:
    """The stage a dotted module name belongs to (`sim` itself is the public API over experiments)."""
    if module in GROUND:
        return "ground"
    if module == "sim":
        return "api"
    parts = module.split(".")
    if parts[1] in ("scenario", "model", "experiments", "report", "web"):
        return parts[1]
    if parts[1] in ("cli", "__main__", "__init__"):
        return "cli"
    raise AssertionError(f"{module}: belongs to no stage; add it to one")


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        yield name, path


def imports_of(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "sim" or alias.name.startswith("sim."):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "sim":
                for alias in node.names:  # `from sim import x`: x may be a module or a name of the API
                    yield node.lineno, f"sim.{alias.name}" if (PACKAGE / alias.name).exists() else "sim"
            elif node.module.startswith("sim."):
                yield node.lineno, node.module


@pytest.mark.parametrize(("name", "path"), list(modules()), ids=lambda x: str(x))
def test_imports_go_only_down(name, path):
    if name == "sim":
        return  # the package's API re-exports experiments by design
    own = STAGES.index(stage_of(name))
    for line, target in imports_of(path):
        assert STAGES.index(stage_of(target)) <= own, (
            f"{path.relative_to(PACKAGE.parent)}:{line} imports {target} ({stage_of(target)}) "
            f"from the {stage_of(name)} stage")


def test_every_stage_says_what_it_owns_and_may_import():
    for stage in ("scenario", "model", "experiments", "report", "web"):
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text()))
        assert doc and "May import" in doc, stage


def test_every_module_opens_with_its_purpose():
    for name, path in modules():
        assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), f"{name} has no docstring"
