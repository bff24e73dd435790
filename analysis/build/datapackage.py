"""The curated tables as a Frictionless data package, for reuse outside the book.

:func:`build_datapackage` turns ``data/schemas/*.schema.yaml`` into one ``datapackage.json``
descriptor (one tabular resource per table, with its schema, licence, SHA-256 and source
description). :func:`write_datapackage` writes the descriptor and copies of the CSVs into a
folder; the book's build does this into ``_build/html/data/`` so that readers can download the
package, and a test validates it with ``frictionless``.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import shutil
from pathlib import Path

from docutils import nodes

from ..core.paths import DATA_DIR
from ..core.schemas import TABLES, read_table_schema

PACKAGE_NAME = "five-reports-curated-tables"
LICENSES = [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
             "title": "Creative Commons Attribution 4.0"}]
SOURCES = [
    {"title": "Five local COVID-19 response reports (texts in data/sources/, SHA-256 in sources.csv)"},
    {"title": "Outside evidence: reposts of official bulletins, repository data and papers, each cited "
              "row by row in sources/supplementary.csv with URL, verbatim quote and trust grade"},
]
_SCHEMA_KEYS = ("fields", "primaryKey", "missingValues", "foreignKeys")


def _frictionless_field(field: dict) -> dict:
    out = {k: v for k, v in field.items() if k in ("name", "type", "description", "constraints", "title")}
    if field.get("format") == "iso-partial":
        out["description"] = (out.get("description", "") + " (ISO 8601 date or datetime, to the precision "
                              "the text gives: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM)").strip()
    if "constraints" in out and out["constraints"].get("pattern"):
        out["constraints"] = dict(out["constraints"])
    return out


def build_datapackage(data_dir: Path | str | None = None) -> dict:
    """The ``datapackage.json`` descriptor for the tables in ``data_dir``."""
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    resources = []
    for name, rel in TABLES.items():
        schema = read_table_schema(name, base)
        path = base / rel
        data = path.read_bytes()
        resources.append({
            "name": name.replace("_", "-"),
            "path": rel,
            "profile": "tabular-data-resource",
            "title": schema.get("title", name),
            "description": " ".join(str(schema.get("description", "")).split()),
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": len(data),
            "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
            "schema": {
                "fields": [_frictionless_field(f) for f in schema["fields"]],
                **{k: schema[k] for k in _SCHEMA_KEYS if k in schema and k != "fields"},
            },
        })
    return {
        "name": PACKAGE_NAME,
        "title": "Five Reports: curated tables",
        "description": "Every quantity and dated event in five Chinese local COVID-19 response reports, each "
                       "with the verbatim quote behind it; see README.md for provenance.",
        "profile": "tabular-data-package",
        "licenses": LICENSES,
        "sources": SOURCES,
        "resources": resources,
    }


def write_datapackage(out_dir: Path | str, data_dir: Path | str | None = None) -> Path:
    """Write ``datapackage.json``, the CSVs and the data README into ``out_dir``."""
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    out = Path(out_dir)
    descriptor = build_datapackage(base)
    for res in descriptor["resources"]:
        target = out / res["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(base / res["path"], target)
    if (base / "README.md").exists():
        shutil.copyfile(base / "README.md", out / "README.md")
    path = out / "datapackage.json"
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


#: ``{data-package}`label <path>``` or ``{data-package}`path```: a link to a file of the published package.
_ROLE_TEXT = re.compile(r"^(?P<label>.*?)\s*<(?P<path>[^<>]+)>$", re.DOTALL)
PACKAGE_FOLDER = "data"


def data_package_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """A link to a file of the data package that :func:`setup` publishes at ``<html>/data/``.

    Unlike ``{download}``, it notes no Sphinx dependency: a prose edit of ``data/README.md`` then
    re-reads no chapter (every chapter links the README; with ``{download}`` each edit re-read all
    eight notebook pages). The file is still published, by :func:`write_datapackage`, on every build.
    """
    match = _ROLE_TEXT.match(text)
    label, path = (match["label"], match["path"]) if match else (text, text)
    if not (DATA_DIR / path).is_file():
        msg = inliner.reporter.error(f"data-package: data/{path} does not exist", line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    # set in code like the {download} links beside it, and marked internal (it is part of the book)
    text_node = nodes.literal(rawtext, label or path, classes=["xref", "download"])
    node = nodes.reference(rawtext, "", text_node, refuri=f"{PACKAGE_FOLDER}/{path}",
                           internal=True, classes=["fr-data-package"])
    node["fr_package_path"] = path
    return [node], []


def package_uri(target_uri: str, path: str) -> str:
    """The address of ``data/<path>`` relative to a page whose builder address is ``target_uri``
    (``book/curves.html`` in the HTML build, ``#document-book/curves`` in the single page)."""
    folder = posixpath.dirname(target_uri.split("#", 1)[0])
    return posixpath.relpath(f"{PACKAGE_FOLDER}/{path}", folder or ".")


def setup(app):
    """Sphinx extension: publish the data package at ``<html>/data/`` after a successful build,
    and the ``data-package`` role that links its files."""
    def publish(app, exception):
        if exception is None and app.builder.format == "html":
            write_datapackage(Path(app.outdir) / PACKAGE_FOLDER)

    def resolve(app, doctree, docname):
        for node in doctree.findall(nodes.reference):
            if "fr_package_path" in node:
                node["refuri"] = package_uri(app.builder.get_target_uri(docname), node["fr_package_path"])

    app.add_role("data-package", data_package_role)
    app.connect("doctree-resolved", resolve)
    app.connect("build-finished", publish)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
