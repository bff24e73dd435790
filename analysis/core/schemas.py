"""The tables' schemas: where each table's Frictionless Table Schema lives and what it says.

Light on purpose (PyYAML only, no pandas): the build extensions (:mod:`analysis.build.datapackage`)
read the schemas in every book build, and :mod:`analysis.core.tables` turns them into pandera
schemas to check the tables.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import yaml

from .paths import DATA_DIR


def schema_path(name: str, data_dir: Path | str | None = None) -> Path:
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    return base / "schemas" / f"{name}.schema.yaml"


def read_table_schema(name: str, data_dir: Path | str | None = None) -> dict:
    """The Frictionless Table Schema of table ``name`` as a dict.

    Schemas are read from the project's own ``data/schemas`` unless that folder exists in
    ``data_dir``: a user's copy of the data is validated against the published schema.
    """
    path = schema_path(name, data_dir)
    if not path.exists():
        path = schema_path(name)
    return copy.deepcopy(_parsed_yaml(str(path), *file_stamp(path)))


def file_stamp(path: Path) -> tuple[int, int]:
    """(mtime in ns, size): a file's identity for the caches keyed by file (an edited file is read again)."""
    st = path.stat()
    return st.st_mtime_ns, st.st_size


@lru_cache(maxsize=256)
def _parsed_yaml(path: str, mtime_ns: int, size: int) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def discover_tables(schema_dir: Path | None = None) -> dict[str, str]:
    """Table name -> CSV path (relative to the data directory), one per ``*.schema.yaml``.

    A new table needs only its CSV and a schema with a ``path`` key; the referenced tables
    come first so that cross-table checks can rely on them.
    """
    schema_dir = schema_dir or DATA_DIR / "schemas"
    found = {}
    for f in sorted(schema_dir.glob("*.schema.yaml")):
        found[f.name[: -len(".schema.yaml")]] = _parsed_yaml(str(f), *file_stamp(f))["path"]
    first = [n for n in ("sources", "supplementary", "codebook", "facts") if n in found]
    return {n: found[n] for n in first + [n for n in found if n not in first]}


#: Table name -> CSV path relative to the data directory.
TABLES = discover_tables()
