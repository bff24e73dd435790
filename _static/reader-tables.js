/* Long tables of the book (analysis/figures/tables.py, reader_table): a table box with
 * data-fr-page-size="N" gets a filter box and page buttons.  Without JavaScript, and in print,
 * every row stays visible.  Nothing here loads anything from the network. */
(function () {
  "use strict";
  function setUp(box) {
    var size = parseInt(box.getAttribute("data-fr-page-size"), 10) || 15;
    var rows = Array.prototype.slice.call(box.querySelectorAll("table.fr-reader-table > tbody > tr"));
    if (rows.length <= size) return;
    var tools = document.createElement("div");
    tools.className = "fr-table-tools";
    var filter = document.createElement("input");
    filter.type = "search";
    filter.placeholder = "Filter rows";
    filter.setAttribute("aria-label", "Filter the rows of this table");
    var prev = document.createElement("button"), next = document.createElement("button");
    prev.type = next.type = "button";
    prev.textContent = "‹ previous"; next.textContent = "next ›";
    var status = document.createElement("span");
    status.className = "fr-table-status";
    tools.appendChild(filter); tools.appendChild(prev); tools.appendChild(next); tools.appendChild(status);
    box.insertBefore(tools, box.firstChild);
    var page = 0;
    function matching() {
      var q = filter.value.trim().toLowerCase();
      return rows.filter(function (r) { return !q || r.textContent.toLowerCase().indexOf(q) >= 0; });
    }
    function show() {
      var shown = matching(), pages = Math.max(1, Math.ceil(shown.length / size));
      page = Math.min(Math.max(page, 0), pages - 1);
      rows.forEach(function (r) { r.hidden = true; });
      shown.slice(page * size, (page + 1) * size).forEach(function (r) { r.hidden = false; });
      prev.disabled = page === 0; next.disabled = page >= pages - 1;
      status.textContent = shown.length ? ("rows " + (page * size + 1) + "–" + Math.min(shown.length, (page + 1) * size)
        + " of " + shown.length + (shown.length < rows.length ? " (filtered from " + rows.length + ")" : ""))
        : "no row matches";
    }
    filter.addEventListener("input", function () { page = 0; show(); });
    prev.addEventListener("click", function () { page -= 1; show(); });
    next.addEventListener("click", function () { page += 1; show(); });
    show();
  }
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".fr-table-box[data-fr-page-size]"), setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".fr-table-box tr[hidden]"), function (r) { r.hidden = false; });
  });
})();
