"""CITATION.cff is valid Citation File Format 1.2.0."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "cff-1.2.0.schema.json").read_text(encoding="utf-8"))


def _load():
    # CFF dates are strings in the schema; YAML would turn them into date objects
    return yaml.load((ROOT / "CITATION.cff").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def test_citation_cff_validates():
    jsonschema.validate(_load(), SCHEMA)


def test_a_broken_citation_is_rejected():
    cff = _load()
    del cff["authors"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(cff, SCHEMA)
