"""Analysis package behind the Five Reports book.

Layers, each importing only the ones below it (see the README's picture and
``tests/test_architecture.py``):

* :mod:`analysis.core` -- base: report registry, texts, numerals, ids and anchors, tables;
* :mod:`analysis.checks` -- one module of rules per table (imported by the first table check,
  :func:`analysis.core.tables.cross_checks`, not here: the build extensions load light);
* :mod:`analysis.methods` -- one module per question; no plotly, no HTML;
* :mod:`analysis.figures` -- presentation: figure style and export, tables, formatting;
* :mod:`analysis.build` -- Sphinx and build extensions (import the base only).
"""
