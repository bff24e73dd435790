"""Methods layer: one module per question; numpy/scipy/statsmodels/geopandas; no plotly, no HTML."""
