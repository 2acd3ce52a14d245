/* crm-as-code: sortable tables and the customer filter. Reads and writes text only (textContent),
   never HTML, so record text stays data in the browser too. Runs on every page load, including
   material's instant navigation (document$). */
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.cells[index];
    return cell ? cell.textContent.trim() : "";
  }

  function compare(a, b) {
    var numberA = parseFloat(a), numberB = parseFloat(b);
    var numeric = /^-?\d+(\.\d+)?%?$/;
    if (numeric.test(a) && numeric.test(b)) return numberA - numberB;
    if (a === "" || a === "—") return 1;
    if (b === "" || b === "—") return -1;
    return a.localeCompare(b, document.documentElement.lang || undefined);
  }

  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (header, index) {
      header.setAttribute("data-crm-sort", "");
      header.setAttribute("tabindex", "0");
      function sort() {
        var ascending = header.getAttribute("data-crm-sort") !== "asc";
        Array.prototype.forEach.call(headers, function (other) { other.setAttribute("data-crm-sort", ""); });
        header.setAttribute("data-crm-sort", ascending ? "asc" : "desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (x, y) {
          var order = compare(cellValue(x, index), cellValue(y, index));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      header.addEventListener("click", sort);
      header.addEventListener("keydown", function (event) { if (event.key === "Enter") sort(); });
    });
  }

  function nextTable(element) {
    var tables = document.querySelectorAll(".md-content table");
    for (var i = 0; i < tables.length; i++) {
      if (element.compareDocumentPosition(tables[i]) & Node.DOCUMENT_POSITION_FOLLOWING) return tables[i];
    }
    return null;
  }

  function makeFilter(box) {
    var table = nextTable(box);
    if (!table) return;
    var text = box.querySelector(".crm-filter__text");
    var selects = box.querySelectorAll(".crm-filter__select");
    var count = box.querySelector(".crm-filter__count");
    function apply() {
      var wanted = text.value.trim().toLowerCase();
      var shown = 0, rows = table.tBodies[0].rows;
      Array.prototype.forEach.call(rows, function (row) {
        var visible = !wanted || row.textContent.toLowerCase().indexOf(wanted) !== -1;
        Array.prototype.forEach.call(selects, function (select) {
          if (select.value && cellValue(row, Number(select.getAttribute("data-column"))) !== select.value) visible = false;
        });
        row.hidden = !visible;
        if (visible) shown++;
      });
      count.textContent = shown + " / " + rows.length;
    }
    text.addEventListener("input", apply);
    Array.prototype.forEach.call(selects, function (select) { select.addEventListener("change", apply); });
    apply();
  }

  function init() {
    document.querySelectorAll(".md-content table").forEach(makeSortable);
    document.querySelectorAll("[data-crm-filter]").forEach(makeFilter);
  }

  if (typeof document$ !== "undefined") document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();
