"""Base layer: report texts, numerals, the report registry, ids and anchors, tables and their schemas.

Imports only the standard library, pandas, pandera and yaml (never plotting, geometry or
statsmodels), so that ``python -m analysis validate`` and the build extensions start fast.
"""
