"""Sphinx and build extensions: offline plotly.js, Chinese search, the data package, the build cache.

They import only the base layer (:mod:`analysis.core`).
"""
