"""The offline plotly renderer and the figure style."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from analysis.core import registry
from analysis.figures import links, style


def _fig(y):
    return go.Figure(go.Bar(x=["a", "b"], y=y))


def test_configure_sets_the_book_renderer_and_template():
    style.configure()
    assert pio.renderers.default == style.RENDERER
    assert style.TEMPLATE in pio.templates.default


def test_figure_html_has_no_plotlyjs_and_a_stable_id():
    html = style.figure_html(_fig([1, 2]))
    assert "Plotly.newPlot" in html
    assert len(html) < 20_000, "plotly.js must not be inlined"
    assert "cdn.plot.ly" not in html and "require" not in html
    assert style.figure_html(_fig([1, 2])) == html  # byte-identical on re-execution
    assert style.figure_id(_fig([1, 3])) != style.figure_id(_fig([1, 2]))
    assert f'id="{style.figure_id(_fig([1, 2]))}"' in html


def test_renderer_emits_html_only():
    style.configure()
    bundle = pio.renderers[style.RENDERER].to_mimebundle(_fig([1, 2]).to_dict())
    assert set(bundle) == {"text/html"}


def test_bilingual_label():
    assert registry.bilingual("Changchun", "长春") == "Changchun 长春"


def test_save_static_is_byte_stable(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    style.configure()
    paths = []
    for run in range(2):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        ax.set_title("Changchun 长春")
        paths.append(style.save_static(fig, "fig-test", directory=str(tmp_path / str(run))))
        plt.close(fig)
    for a, b in zip(*paths):
        assert open(a, "rb").read() == open(b, "rb").read()
    assert [p.rsplit(".", 1)[1] for p in paths[0]] == ["png", "svg"]


def test_publish_exports_png_svg_csv_stably(tmp_path):
    import pandas as pd

    style.configure()
    data = pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})
    outs = []
    for run in ("1", "2"):
        pub = style.publish(_fig([1, 2]), "fig-test-publish", data=data, out_dir=tmp_path / run)
        outs.append({ext: (tmp_path / run / f"fig-test-publish.{ext}").read_bytes() for ext in ("png", "svg", "csv")})
    assert outs[0] == outs[1]
    assert outs[0]["png"][:8] == b"\x89PNG\r\n\x1a\n" and b"<svg" in outs[0]["svg"]
    html = pub._repr_html_()
    assert html.count("plotly-graph-div") == 1
    assert "../_static/figures/fig-test-publish.svg" in html and "fig-test-publish.csv" in html


def test_stable_svg_replaces_the_random_uid():
    svg = '<defs id="defs-ab12cd"/><clipPath id="clipab12cdxyplot"/>'
    out = style.stable_svg(svg, "seed")
    assert "ab12cd" not in out and out == style.stable_svg(svg.replace("ab12cd", "ffffff"), "seed")


def test_figure_table_lists_every_plotted_point():
    fig = go.Figure([go.Bar(x=["a", "b"], y=[1, 2], name="bars"),
                     go.Scatter(x=[1, 2, 3], y=[4, 5, 6], name="line",
                                error_y=dict(array=[0.1, 0.2, 0.3]))])
    table = style.figure_table(fig)
    assert len(table) == 5
    assert list(table[table.trace == "line"]["y"]) == [4, 5, 6]
    assert list(table[table.trace == "line"]["error_y_plus"]) == [0.1, 0.2, 0.3]


def test_static_export_keeps_the_figure_size(tmp_path):
    """The PNG is the figure's layout size at scale 2 (kaleido's batch writer otherwise uses 700 x 500)."""
    import struct

    style.configure()
    fig = _fig([1, 2])
    fig.update_layout(width=1000, height=784)
    png, svg = style.export_static(fig, "fig-test-size", tmp_path)
    width, height = struct.unpack(">II", png.read_bytes()[16:24])
    assert (width, height) == (2000, 1568)
    assert 'width="1000"' in svg.read_text()


def test_city_names_match_the_sources_table():
    from analysis.core.loaders import load_sources

    sources = load_sources().set_index("report")
    assert registry.city_names() == {r: (sources.at[r, "city_en"], sources.at[r, "city_zh"]) for r in sources.index}


def test_points_link_to_their_sentences_on_click():
    style.configure()
    fig = _fig([1, 2, 3])
    links.link_points(fig.data[0], ["yushu-012", None, "dongxing-e03"], "book/yields")
    assert fig.data[0].meta["fr_links"] == ["annotated.html#fact-yushu-012", None, "annotated.html#event-dongxing-e03"]
    html = style.figure_html(fig)
    assert "plotly_click" in html and style.figure_id(fig) in html
    assert "fr_links" in html


def test_one_status_palette_for_every_figure():
    """The provenance and synthesis figures colour the four statuses with the same palette."""
    from analysis.core.loaders import load_events, load_facts, load_screening, load_sources, load_supplementary
    from analysis.core.tables import load_table
    from analysis.figures.provenance import status_figure
    from analysis.figures.synthesis import summary_figure
    from analysis.methods.speed import all_milestone_intervals
    from analysis.methods.yields import programme_yields

    facts, sources, events = load_facts(), load_sources(), load_events()
    prov = {t.name: t.marker.color for t in status_figure(facts, sources).data}
    labels = {r.key: r.label for r in registry.reports()}
    summary = summary_figure(labels, programme_yields(load_screening(), load_supplementary()), all_milestone_intervals(events),
                             facts, load_table("comparison"))
    synth = {t.name: t.marker.color for t in summary.data if t.legendgroup == "status"}
    assert prov == synth == style.STATUS_COLOURS
    # and no status shares a colour with a report city
    assert not set(style.STATUS_COLOURS.values()) & set(registry.report_colours().values())


def test_the_page_script_switches_figures_with_the_theme_offline():
    """_static/book-figures.js: picked up by Jupyter Book (a top-level _static/*.js), watches
    html[data-theme] and relays figures out; it loads nothing from the network."""
    from analysis.core.paths import ROOT

    js = (ROOT / "_static" / "book-figures.js").read_text(encoding="utf-8")
    assert "MutationObserver" in js and 'attributeFilter: ["data-theme"]' in js
    assert "Plotly.update" in js or "Plotly.relayout" in js
    assert ".plotly-graph-div" in js and "fr-fignum" in js and ".caption-number" in js
    code = "\n".join(line for line in js.splitlines() if not line.lstrip().startswith(("*", "/*", "//")))
    assert "http://" not in code and "https://" not in code and "fetch(" not in code
    assert "XMLHttpRequest" not in code and "import(" not in code


def test_static_exports_stay_light():
    """The kaleido exports use the light template: the dark look exists only in the page."""
    style.configure()
    t = pio.templates[style.TEMPLATE].layout
    assert t.paper_bgcolor == "white" and t.plot_bgcolor == "white"
