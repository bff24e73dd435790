"""Presentation layer: figure style and export (style), links to sentences (links), number formatting (fmt),
and the figures and display tables of each question."""
