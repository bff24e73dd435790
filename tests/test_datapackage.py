"""The published data package validates with Frictionless and matches the shipped CSVs."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
from frictionless import Package

from analysis.core.tables import TABLES
from analysis.build.datapackage import build_datapackage, write_datapackage


def test_descriptor_lists_every_table_with_its_hash(data_dir):
    desc = build_datapackage(data_dir)
    assert {r["path"] for r in desc["resources"]} == set(TABLES.values())
    for r in desc["resources"]:
        assert r["hash"] == "sha256:" + hashlib.sha256((data_dir / r["path"]).read_bytes()).hexdigest()


def test_package_validates_with_frictionless(tmp_path, data_dir):
    path = write_datapackage(tmp_path / "pkg", data_dir)
    report = Package(str(path)).validate()
    errors = [e.message for task in report.tasks for e in task.errors] + [e.message for e in report.errors]
    assert report.valid, errors[:10]
    assert json.loads(path.read_text(encoding="utf-8"))["licenses"][0]["name"] == "CC-BY-4.0"


def test_package_validation_catches_a_bad_row(tmp_path, data_dir):
    path = write_datapackage(tmp_path / "pkg", data_dir)
    csv = tmp_path / "pkg" / "screening.csv"
    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    df.loc[0, "tested_unit"] = "buckets"
    df.to_csv(csv, index=False)
    desc = json.loads(path.read_text(encoding="utf-8"))
    for r in desc["resources"]:
        r.pop("hash", None), r.pop("bytes", None)
    path.write_text(json.dumps(desc, ensure_ascii=False), encoding="utf-8")
    report = Package(str(path)).validate()
    assert not report.valid
    assert any(e.type == "constraint-error" and "tested_unit" in e.message for t in report.tasks for e in t.errors)


def test_package_links_are_relative_to_the_page_that_holds_them():
    from analysis.build.datapackage import package_uri

    assert package_uri("book/curves.html", "README.md") == "../data/README.md"
    assert package_uri("index.html", "README.md") == "data/README.md"
    # the single-page build addresses every chapter as a fragment of index.html
    assert package_uri("#document-book/curves", "README.md") == "data/README.md"
    assert package_uri("book/curves.html#fig-curves-daily", "sources/supplementary.csv") == "../data/sources/supplementary.csv"


def _parse_with_role(text: str):
    from docutils.core import publish_doctree
    from docutils.parsers.rst import roles

    from analysis.build.datapackage import data_package_role

    roles.register_local_role("data-package", data_package_role)
    return publish_doctree(text, settings_overrides={"report_level": 5, "halt_level": 5})


def test_data_package_role_links_an_existing_file_and_refuses_a_missing_one():
    from docutils import nodes

    tree = _parse_with_role("See :data-package:`the provenance <README.md>`.")
    (ref,) = tree.findall(nodes.reference)
    assert ref["refuri"] == "data/README.md" and ref["fr_package_path"] == "README.md"
    assert ref.astext() == "the provenance"
    missing = _parse_with_role("See :data-package:`gone <no-such-file.md>`.")
    assert list(missing.findall(nodes.reference)) == []
    messages = [m.astext() for m in missing.findall(nodes.system_message)]
    assert any("data/no-such-file.md does not exist" in m for m in messages)
