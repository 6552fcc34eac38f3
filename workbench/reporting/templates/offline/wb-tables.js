/* wb-tables.js: sort and filter the report tables of workbench.reporting.tables.report_table.
   Vendored, no network, no dependencies. Click a header to sort (numbers and dates by the
   cell's data-sort value, missing values last); a filter box above tables with
   data-wb-filter shows "n of m rows". Words follow the page language (document.documentElement.lang: zh, else English). */
(function () {
  "use strict";
  var zh = /^zh/i.test(document.documentElement.lang || "");
  var words = zh ? { filter: "筛选", count: function (n, m) { return "显示 " + n + " / " + m + " 行"; } }
                 : { filter: "Filter rows", count: function (n, m) { return n + " of " + m + " rows"; } };
  function key(cell, kind) {
    if (!cell) { return null; }
    var raw = cell.getAttribute("data-sort");
    if (kind === "num") { return raw === null || raw === "" ? null : parseFloat(raw); }
    if (kind === "date") { return raw === null || raw === "" ? null : raw; }
    var text = cell.textContent.trim();
    return text === "" || text === "\u2013" ? null : text.toLowerCase();
  }
  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") { return a - b; }
    return String(a).localeCompare(String(b), zh ? "zh" : "en", { numeric: true });
  }
  function sortBy(table, th, col) {
    var body = table.tBodies[0];
    var kind = th.getAttribute("data-kind") || "text";
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
      return { row: row, key: key(row.cells[col], kind), i: i };
    });
    rows.sort(function (x, y) {
      if (x.key === null || y.key === null) {
        return x.key === y.key ? x.i - y.i : (x.key === null ? 1 : -1);
      }
      return dir * compare(x.key, y.key) || x.i - y.i;
    });
    rows.forEach(function (r) { body.appendChild(r.row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) {
      c.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
  }
  function makeSortable(table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "wb-sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, th, col); });
    });
  }
  function makeFilter(table) {
    var wrap = table.closest(".wb-table-wrap") || table;
    var bar = document.createElement("div");
    bar.className = "wb-filter";
    var input = document.createElement("input");
    input.type = "search";
    input.placeholder = words.filter;
    input.setAttribute("aria-label", words.filter);
    var count = document.createElement("span");
    count.className = "wb-count";
    count.setAttribute("aria-live", "polite");
    var rows = table.tBodies[0].rows;
    function update() {
      var q = input.value.trim().toLowerCase(), shown = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var hit = !q || row.textContent.toLowerCase().indexOf(q) >= 0;
        row.hidden = !hit;
        shown += hit ? 1 : 0;
      });
      count.textContent = words.count(shown, rows.length);
    }
    input.addEventListener("input", update);
    bar.appendChild(input);
    bar.appendChild(count);
    wrap.parentNode.insertBefore(bar, wrap);
    update();
  }
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table.wb-table"), function (table) {
      if (table.getAttribute("data-wb-ready") || !table.tHead || !table.tBodies.length) { return; }
      table.setAttribute("data-wb-ready", "1");
      if (table.hasAttribute("data-wb-sort")) { makeSortable(table); }
      if (table.hasAttribute("data-wb-filter")) { makeFilter(table); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
