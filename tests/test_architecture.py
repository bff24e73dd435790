"""The package's layers: every import points down, no cycle, no private name across modules.

An AST walk over ``analysis/`` (every import statement, at module level or inside a function)
builds the import graph between the package's own modules and checks it against the layers:

    core  <-  checks  <-  methods  <-  figures  <-  chapters (notebooks)
    core  <-  build

``analysis/__init__`` may import ``checks`` (to register the table rules) and ``__main__`` the
base. Inside ``figures`` a module imports only ``style``, ``links``, ``fmt`` and ``tables`` of its siblings.
The walker itself is tested on a small synthetic package, so a check that cannot fail would show.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "analysis"
#: Layer ranks: a module may import modules of its own or a lower rank (build: core only).
RANK = {"core": 0, "checks": 1, "methods": 2, "figures": 3}
FIGURE_SHARED = {"style", "links", "fmt", "tables"}
MAX_LINES = 620  # "no module over about 600 lines"
#: Third-party packages the base layer may use (numpy comes with pandas).
CORE_ALLOWED = {"pandas", "pandera", "yaml", "numpy"}
HEAVY = ("plotly", "geopandas", "shapely", "pyproj", "statsmodels", "kaleido", "matplotlib", "scipy")


@dataclass
class Graph:
    modules: dict[str, Path] = field(default_factory=dict)
    edges: list[tuple[str, str, int, bool]] = field(default_factory=list)  # (from, to, line, local)
    private: list[tuple[str, str, str]] = field(default_factory=list)       # (from, to, name)
    third_party: dict[str, set[str]] = field(default_factory=dict)


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def resolve(current: str, is_package: bool, level: int, target: str | None) -> str:
    base = current.split(".") if is_package else current.split(".")[:-1]
    if level:
        base = base[: len(base) - (level - 1)]
        return ".".join(base + ([target] if target else []))
    return target or ""


def build_graph(package: Path) -> Graph:
    g = Graph()
    for path in sorted(package.rglob("*.py")):
        g.modules[module_name(path, package)] = path
    top = package.name
    for name, path in g.modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_pkg = path.name == "__init__.py"
        local_nodes = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                       for n in ast.walk(f) if n is not f}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    _add(g, name, alias.name, node, local_nodes, top, None)
            elif isinstance(node, ast.ImportFrom):
                target = resolve(name, is_pkg, node.level, node.module)
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    dest = sub if sub in g.modules else target
                    _add(g, name, dest, node, local_nodes, top, alias.name if dest == target else None)
    return g


def _add(g: Graph, src: str, dest: str, node, local_nodes, top: str, imported: str | None) -> None:
    root = dest.split(".")[0]
    if root != top:
        g.third_party.setdefault(src, set()).add(root)
        return
    g.edges.append((src, dest, node.lineno, id(node) in local_nodes))
    if imported and imported.startswith("_") and not imported.startswith("__"):
        g.private.append((src, dest, imported))


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def violations(g: Graph) -> list[str]:
    """Every broken rule, as readable lines (empty when the package is clean)."""
    out = []
    for src, dest, line, local in g.edges:
        if src == dest:
            continue
        ls, ld = layer(src), layer(dest)
        where = f"{src}:{line} imports {dest}"
        if local:
            out.append(f"{where} inside a function")
        if ls in ("__init__", "__main__"):
            allowed = {"__init__": {"checks"}, "__main__": {"core"}}[ls]
            if ld not in allowed | {"__init__"}:
                out.append(f"{where}: the package face imports only {sorted(allowed)}")
            continue
        if ls == "build":
            if ld not in ("core", "build", "__init__"):
                out.append(f"{where}: build extensions import only the base")
            continue
        if ld == "build" or ld not in RANK and ld != "__init__":
            out.append(f"{where}: nothing imports {ld}")
            continue
        if ld == "__init__":
            continue
        if RANK[ld] > RANK[ls]:
            out.append(f"{where}: upward ({ls} -> {ld})")
        if ls == "figures" and ld == "figures" and dest.split(".")[-1] not in FIGURE_SHARED | {"figures"}:
            out.append(f"{where}: figures modules share only {sorted(FIGURE_SHARED)}")
    for src, dest, name in g.private:
        out.append(f"{src} imports the private name {name} from {dest}")
    for cycle in cycles(g):
        out.append("import cycle: " + " -> ".join(cycle))
    for name, path in g.modules.items():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            out.append(f"{name} has {n} lines (more than {MAX_LINES})")
        lay = layer(name)
        used = g.third_party.get(name, set())
        if lay in ("methods", "core", "checks", "build") and "plotly" in used:
            out.append(f"{name} imports plotly ({lay} has no figures)")
        if lay == "methods" and "html" in used:
            out.append(f"{name} imports html (methods make no HTML)")
        if lay in ("core", "checks"):
            heavy = sorted(used & set(HEAVY))
            if heavy:
                out.append(f"{name} imports {', '.join(heavy)} (the base stays light)")
    return out


def cycles(g: Graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each as a list."""
    adj: dict[str, set[str]] = {m: set() for m in g.modules}
    for src, dest, _, _ in g.edges:
        if dest in adj and src != dest:
            adj[src].add(dest)
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in adj[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in adj:
        if v not in index:
            visit(v)
    return out


# ---------------------------------------------------------------- the package itself

def test_the_package_keeps_its_layers():
    assert violations(build_graph(PACKAGE)) == []


def test_the_layers_exist():
    g = build_graph(PACKAGE)
    present = {layer(m) for m in g.modules}
    assert {"core", "checks", "methods", "figures", "build"} <= present
    # one module of checks per table schema
    tables = {p.name[: -len(".schema.yaml")] for p in (ROOT / "data" / "schemas").glob("*.schema.yaml")}
    checks = {m.split(".")[-1] for m in g.modules if layer(m) == "checks"} - {"checks", "common", "coverage"}
    assert checks <= tables


def test_validate_imports_no_plotting_geometry_or_statsmodels():
    code = ("import sys; from analysis.__main__ import main; rc = main(['validate']); "
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))); sys.exit(rc)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_build_extensions_load_light():
    """The Sphinx extensions, the executor and the PDF step import neither the heavy libraries nor the
    table checks (pandas, pandera): they run in every build, even one that changes nothing."""
    light = HEAVY + ("pandas", "pandera")
    code = ("import sys, analysis.build.datapackage, analysis.build.sphinx_offline, analysis.build.sphinx_search, "
            "analysis.build.sphinx_version, analysis.build.buildcache, analysis.build.execute, analysis.build.pdf; "
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(light)!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_a_table_check_loads_the_cross_checks_itself(tmp_path):
    """Nothing imports analysis.checks beforehand: the first check of a table still runs its
    cross-checks (here, a quote that is not in its report, which only a cross-check finds)."""
    code = f"""
import sys
from analysis.core import tables
assert not tables.CROSS_CHECKS and "analysis.checks" not in sys.modules
data = tables.scratch_copy({str(tmp_path / "data")!r})
facts = data / "facts.csv"
text = facts.read_text(encoding="utf-8")
assert "已排查密接者471人" in text
facts.write_text(text.replace("已排查密接者471人", "已排查密接者999人", 1), encoding="utf-8")
df, problems = tables.check_table("facts", data)
print(df is None, "analysis.checks" in sys.modules, any("quote not found" in p.message for p in problems))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True", "True"]


# ---------------------------------------------------------------- the walker on a synthetic package

def _write(root: Path, files: dict[str, str]) -> Path:
    pkg = root / "analysis"
    for rel, text in files.items():
        p = pkg / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return pkg


CLEAN = {
    "__init__.py": "from . import checks\n",
    "core/__init__.py": "", "core/tables.py": "import pandas\n",
    "checks/__init__.py": "from . import facts\n", "checks/facts.py": "from ..core.tables import pandas\n",
    "methods/__init__.py": "", "methods/curves.py": "from ..core import tables\n",
    "figures/__init__.py": "", "figures/style.py": "import plotly\n",
    "figures/curves.py": "from ..methods.curves import x\nfrom .style import y\n",
    "build/__init__.py": "", "build/ext.py": "from ..core.tables import z\n",
}


def test_walker_passes_a_clean_package(tmp_path):
    assert violations(build_graph(_write(tmp_path, CLEAN))) == []


@pytest.mark.parametrize("rel, text, expected", [
    ("core/tables.py", "from ..methods import curves\n", "upward (core -> methods)"),
    ("methods/curves.py", "def f():\n    from ..figures import style\n", "inside a function"),
    ("methods/curves.py", "import plotly\n", "imports plotly"),
    ("methods/curves.py", "from ..core.tables import _blank\n", "private name _blank"),
    ("figures/curves.py", "from .maps import fig\n", "share only"),
    ("build/ext.py", "from ..methods import curves\n", "import only the base"),
    ("checks/facts.py", "import statsmodels.api\n", "the base stays light"),
    ("core/tables.py", "x = 1\n" * (MAX_LINES + 1), "lines (more than"),
])
def test_walker_catches_each_broken_rule(tmp_path, rel, text, expected):
    files = dict(CLEAN, **{rel: text})
    if rel == "figures/curves.py":
        files["figures/maps.py"] = "fig = 1\n"
    found = violations(build_graph(_write(tmp_path, files)))
    assert any(expected in v for v in found), found


def test_walker_finds_a_cycle(tmp_path):
    files = dict(CLEAN, **{"methods/a.py": "from . import b\n", "methods/b.py": "from . import a\n"})
    found = violations(build_graph(_write(tmp_path, files)))
    assert any(v.startswith("import cycle") and "analysis.methods.a" in v for v in found), found
