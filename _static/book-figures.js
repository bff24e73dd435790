/* Figures of the book, in the page (Jupyter Book adds every _static/*.js to every page).
 *
 * 1. Dark mode: the plotly figures follow pydata-sphinx-theme's light/dark switch.  When
 *    html[data-theme] is "dark" (at load and on every change of the attribute, watched by a
 *    MutationObserver) every .plotly-graph-div is relaid out with a dark look: paper and plot
 *    background = the theme's dark background, light font, grid and axis lines, and every
 *    trace, shape or annotation colour too dark to read on it lightened until it is readable;
 *    light area fills (land on the maps) become dark tints of their hue.
 *    The figure's own (light) values are kept and restored when the theme goes back to light.
 *    Static PNG/SVG exports are not touched: they are made light by kaleido at build time.
 * 2. Citations: a figure's citation (analysis/figures/style.py, figure_citation) leaves its
 *    number, title and address to the page: span.fr-fignum / .fr-figtitle / .fr-figurl with
 *    data-figure="NAME" are filled from the numbered caption of the figure whose id is NAME
 *    ("Fig. 4.1") and from the page's address (its canonical link when the book has a base URL).
 * Nothing here loads anything from the network.
 */
(function () {
  "use strict";

  var DARK_BG = "#14181e";   // pydata-sphinx-theme's --pst-color-background in dark mode
  var DARK = { font: "#ced6dd", grid: "#364150", line: "#9ca4af" };
  var MIN_CONTRAST = 4.5;    // WCAG AA for text; marks and lines get the same

  // ---------------------------------------------------------------- colours
  function parse(c) {
    if (typeof c !== "string") return null;
    var s = c.trim().toLowerCase(), m;
    if (s === "white") return [255, 255, 255, 1];
    if (s === "black") return [0, 0, 0, 1];
    if ((m = /^#([0-9a-f]{3,8})$/.exec(s))) {
      var h = m[1];
      if (h.length === 3 || h.length === 4) h = h.split("").map(function (x) { return x + x; }).join("");
      if (h.length !== 6 && h.length !== 8) return null;
      return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16),
              h.length === 8 ? parseInt(h.slice(6, 8), 16) / 255 : 1];
    }
    if ((m = /^rgba?\(([^)]+)\)$/.exec(s))) {
      var p = m[1].split(",").map(function (x) { return parseFloat(x); });
      if (p.length < 3 || p.slice(0, 3).some(isNaN)) return null;
      return [p[0], p[1], p[2], p.length > 3 && !isNaN(p[3]) ? p[3] : 1];
    }
    return null;
  }
  function css(rgba) {
    var r = rgba.slice(0, 3).map(function (x) { return Math.round(Math.max(0, Math.min(255, x))); });
    return rgba[3] < 1 ? "rgba(" + r.join(",") + "," + rgba[3] + ")" : "rgb(" + r.join(",") + ")";
  }
  function luminance(rgba) {
    var v = rgba.slice(0, 3).map(function (x) {
      x /= 255;
      return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  /* A colour (or array of colours) readable on the dark background: mixed towards white until
   * its contrast reaches MIN_CONTRAST; null when it is readable already or not a colour. */
  function readable(c, bg) {
    if (Array.isArray(c)) {
      var changed = false, out = c.map(function (x) { var y = readable(x, bg); if (y) changed = true; return y || x; });
      return changed ? out : null;
    }
    var rgba = parse(c);
    if (!rgba || rgba[3] === 0 || contrast(rgba, bg) >= MIN_CONTRAST) return null;
    for (var t = 0.05; t <= 1.0001; t += 0.05) {
      var mixed = [0, 1, 2].map(function (i) { return rgba[i] + (255 - rgba[i]) * t; }).concat([rgba[3]]);
      if (contrast(mixed, bg) >= MIN_CONTRAST) return css(mixed);
    }
    return css([255, 255, 255, rgba[3]]);
  }
  /* A light box background (legend, annotation) becomes the dark background, alpha kept. */
  function darkBox(c, bg) {
    var rgba = parse(c);
    if (!rgba || rgba[3] === 0 || luminance(rgba) < 0.4) return null;
    return css([bg[0], bg[1], bg[2], rgba[3]]);
  }
  /* A light area fill (land on a map, a band) becomes a dark tint of its hue, alpha kept, so
   * that light labels stay readable on it. */
  function darkFill(c, bg) {
    var rgba = parse(c);
    if (!rgba || rgba[3] === 0 || luminance(rgba) < 0.5) return null;
    return css([0, 1, 2].map(function (i) { return bg[i] + (rgba[i] - bg[i]) * 0.22; }).concat([rgba[3]]));
  }
  function themeBackground() {
    var v = getComputedStyle(document.documentElement).getPropertyValue("--pst-color-background").trim();
    return parse(v) && luminance(parse(v)) < 0.2 ? v : DARK_BG;
  }

  // ---------------------------------------------------------------- dark layout of one figure
  function get(obj, path) {
    return path.split(".").reduce(function (o, k) { return o == null ? undefined : o[k]; }, obj);
  }

  /* {layout: {attr: value}, traces: [{attr: value}, ...]} to make figure gd dark. */
  function darkUpdate(gd) {
    var full = gd._fullLayout, bgCss = themeBackground(), bg = parse(bgCss);
    var layout = { paper_bgcolor: bgCss, plot_bgcolor: bgCss, "font.color": DARK.font,
                   "legend.bgcolor": "rgba(0,0,0,0)", "hoverlabel.bordercolor": DARK.font };
    Object.keys(full).forEach(function (key) {
      if (!/^[xy]axis\d*$/.test(key)) return;
      layout[key + ".gridcolor"] = DARK.grid;
      layout[key + ".linecolor"] = DARK.line;
      layout[key + ".zerolinecolor"] = DARK.line;
      layout[key + ".tickcolor"] = DARK.line;
      ["tickfont.color", "title.font.color"].forEach(function (a) {
        var c = readable(get(full[key], a), bg); if (c) layout[key + "." + a] = c;
      });
    });
    ["title.font.color", "legend.font.color", "legend.title.font.color"].forEach(function (a) {
      var c = readable(get(full, a), bg); if (c) layout[a] = c;
    });
    (full.annotations || []).forEach(function (ann, i) {
      var p = "annotations[" + i + "].", c;
      if ((c = readable(get(ann, "font.color"), bg))) layout[p + "font.color"] = c;
      if ((c = readable(ann.arrowcolor, bg))) layout[p + "arrowcolor"] = c;
      if ((c = readable(ann.bordercolor, bg))) layout[p + "bordercolor"] = c;
      if ((c = darkBox(ann.bgcolor, bg))) layout[p + "bgcolor"] = c;
    });
    (full.shapes || []).forEach(function (shape, i) {
      var c = readable(get(shape, "line.color"), bg);
      if (c) layout["shapes[" + i + "].line.color"] = c;
      if ((c = darkFill(shape.fillcolor, bg))) layout["shapes[" + i + "].fillcolor"] = c;
    });
    var traces = (gd._fullData || []).map(function (tr) {
      var upd = {};
      ["marker.color", "marker.line.color", "line.color", "textfont.color", "error_x.color",
       "error_y.color", "fillpattern.fgcolor"].forEach(function (a) {
        var c = readable(get(tr, a), bg); if (c) upd[a] = c;
      });
      var fill = tr.fill && tr.fill !== "none" ? darkFill(tr.fillcolor, bg) : null;
      if (fill) upd.fillcolor = fill;
      return upd;
    });
    return { layout: layout, traces: traces };
  }

  /* The figure's own values of the attributes an update sets (null = unset: the template's). */
  function saved(obj, upd) {
    var keep = {};
    Object.keys(upd).forEach(function (a) {
      var v = get(obj, a.replace(/\[(\d+)\]/g, ".$1"));
      keep[a] = v === undefined ? null : JSON.parse(JSON.stringify(v));
    });
    return keep;
  }

  function apply(gd, layout, traces) {
    var idx = [], attrs = {};
    traces.forEach(function (upd, i) {
      if (!Object.keys(upd).length) return;
      idx.push(i);
    });
    idx.forEach(function (i, k) {
      Object.keys(traces[i]).forEach(function (a) {
        if (!attrs[a]) attrs[a] = idx.map(function () { return undefined; });  // undefined: left as is
        attrs[a][k] = traces[i][a];
      });
    });
    if (idx.length) return window.Plotly.update(gd, attrs, layout, idx);
    return window.Plotly.relayout(gd, layout);
  }

  function setDark(gd, dark) {
    if (!gd._fullLayout || !window.Plotly) return;
    var state = gd.getAttribute("data-fr-theme") || "light";
    if ((dark ? "dark" : "light") === state) return;
    if (dark) {
      var u = darkUpdate(gd);
      gd._frLight = { layout: saved(gd.layout, u.layout),
                      traces: u.traces.map(function (t, i) { return saved(gd.data[i], t); }) };
      gd.setAttribute("data-fr-theme", "dark");
      apply(gd, u.layout, u.traces);
    } else if (gd._frLight) {
      gd.setAttribute("data-fr-theme", "light");
      apply(gd, gd._frLight.layout, gd._frLight.traces);
      gd._frLight = null;
    }
  }

  function isDark() { return document.documentElement.getAttribute("data-theme") === "dark"; }

  function follow(gd) {
    if (gd._fullLayout) { setDark(gd, isDark()); return; }
    if (gd.on && !gd._frWaiting) {   // not drawn yet: switch once it is
      gd._frWaiting = true;
      gd.on("plotly_afterplot", function () { setDark(gd, isDark()); });
    }
  }

  function followAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".plotly-graph-div"), follow);
  }

  // ---------------------------------------------------------------- citations
  function bibtexEscape(text) {
    return text.replace(/[{}\\]/g, "").replace(/([&%$#_])/g, "\\$1");
  }
  function captionTitle(text) {
    var t = text.replace(/\s+/g, " ").trim();
    var m = /^(.+?[.?!])(\s|$)/.exec(t);
    if (m) t = m[1].replace(/[.]$/, "");
    var colon = t.indexOf(": ");
    return colon > 20 ? t.slice(0, colon) : t;
  }
  function pageAddress() {
    var canonical = document.querySelector("link[rel=canonical]");
    var href = canonical && canonical.href ? canonical.href : window.location.href;
    return href.split("#")[0];
  }

  function fillCitations() {
    Array.prototype.forEach.call(document.querySelectorAll(".fr-figure-cite[data-figure]"), function (box) {
      var name = box.getAttribute("data-figure"), fig = document.getElementById(name);
      var numEl = fig && fig.querySelector(".caption-number");
      var textEl = fig && fig.querySelector(".caption-text");
      var number = numEl ? numEl.textContent.replace(/^\D+/, "").trim() : "";
      var title = textEl ? captionTitle(textEl.textContent) : "";
      var url = pageAddress() + "#" + name;
      box.querySelectorAll("[data-figure]").forEach(function (el) {
        var bib = el.hasAttribute("data-bibtex");
        if (el.classList.contains("fr-fignum") && number) el.textContent = number;
        if (el.classList.contains("fr-figtitle") && title && !el.textContent.trim()) {
          el.textContent = bib ? bibtexEscape(title) : title;
        }
        if (el.classList.contains("fr-figurl")) el.textContent = url;
      });
      var anchor = box.querySelector("a.fr-figure-anchor");
      if (anchor) anchor.setAttribute("href", "#" + name);
      if (number) box.setAttribute("data-fignum", number);
    });
  }

  // ---------------------------------------------------------------- start
  function start() {
    fillCitations();
    followAll();
    new MutationObserver(followAll).observe(document.documentElement,
                                            { attributes: true, attributeFilter: ["data-theme"] });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
