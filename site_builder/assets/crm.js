/* crm-as-code: sortable tables, and the customer index rendered from customers/index.json with filters,
   sorting and pages. Record text is only ever set with textContent, never as HTML, so it stays data in
   the browser too. In an encrypted site the fetch of the JSON is opened by assets/unlock.js, which wraps
   fetch for the page. Runs on every page load, including material's instant navigation (document$). */
(function () {
  "use strict";

  var PAGE_ROWS = 100;

  function compare(a, b) {
    var numeric = /^-?\d+(\.\d+)?%?$/;
    if (numeric.test(a) && numeric.test(b)) return parseFloat(a) - parseFloat(b);
    if (a === "" || a === "—") return b === "" || b === "—" ? 0 : 1;
    if (b === "" || b === "—") return -1;
    return a.localeCompare(b, document.documentElement.lang || undefined);
  }

  function onHeaderClick(table, sort) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (header, index) {
      header.setAttribute("data-crm-sort", "");
      header.setAttribute("tabindex", "0");
      function activate() {
        var ascending = header.getAttribute("data-crm-sort") !== "asc";
        Array.prototype.forEach.call(headers, function (other) { other.setAttribute("data-crm-sort", ""); });
        header.setAttribute("data-crm-sort", ascending ? "asc" : "desc");
        sort(index, ascending);
      }
      header.addEventListener("click", activate);
      header.addEventListener("keydown", function (event) { if (event.key === "Enter") activate(); });
    });
  }

  /* An ordinary table of the page: sorted in place, row by row. */
  function makeSortable(table) {
    onHeaderClick(table, function (index, ascending) {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      function text(row) { return row.cells[index] ? row.cells[index].textContent.trim() : ""; }
      rows.sort(function (x, y) { var order = compare(text(x), text(y)); return ascending ? order : -order; });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  }

  /* The customer index: data from JSON, filtered by the controls (preset from the URL), one page shown. */
  function makeIndex(table) {
    var box = document.querySelector("[data-crm-filter]");
    var pager = document.querySelector(".crm-pager");
    var controls = box.querySelectorAll("[data-key]");
    var count = box.querySelector(".crm-filter__count");
    var body = table.tBodies[0];
    var params = new URLSearchParams(window.location.search);
    var state = { rows: [], shown: [], page: 0, at: {} };

    Array.prototype.forEach.call(controls, function (control) {
      var preset = params.get(control.getAttribute("data-key"));
      if (preset) control.value = preset;
    });

    function cell(row, name) { return row[state.at[name]]; }

    function matches(row) {
      for (var i = 0; i < controls.length; i++) {
        var key = controls[i].getAttribute("data-key"), wanted = controls[i].value.trim();
        if (!wanted) continue;
        if (key === "q") {
          if (row.slice(0, 12).join(" ").toLowerCase().indexOf(wanted.toLowerCase()) === -1) return false;
        } else if (key === "segment") {
          if (cell(row, "segments").indexOf(wanted) === -1) return false;
        } else if (cell(row, key + "_key") !== wanted) {
          return false;
        }
      }
      return true;
    }

    function render() {
      var pages = Math.max(1, Math.ceil(state.shown.length / PAGE_ROWS));
      state.page = Math.min(Math.max(state.page, 0), pages - 1);
      var first = state.page * PAGE_ROWS;
      var rows = state.shown.slice(first, first + PAGE_ROWS);
      body.textContent = "";
      rows.forEach(function (row) {
        var tr = document.createElement("tr");
        for (var i = 0; i < 12; i++) {
          var td = document.createElement("td");
          if (i === 1) {
            var link = document.createElement("a");
            link.setAttribute("href", cell(row, "url"));
            link.textContent = row[i];
            td.appendChild(link);
          } else if (i === 11 && row[i]) {
            var badge = document.createElement("span");
            badge.className = "crm-fresh crm-fresh--" + cell(row, "freshness_key");
            badge.textContent = row[i];
            td.appendChild(badge);
          } else {
            td.textContent = row[i];
          }
          tr.appendChild(td);
        }
        body.appendChild(tr);
      });
      count.textContent = state.shown.length + " / " + state.rows.length;
      pager.querySelector(".crm-pager__where").textContent = (state.page + 1) + " / " + pages;
      pager.hidden = pages < 2;
    }

    function apply() {
      state.shown = state.rows.filter(matches);
      state.page = 0;
      render();
    }

    onHeaderClick(table, function (index, ascending) {
      state.shown.sort(function (x, y) { var order = compare(x[index], y[index]); return ascending ? order : -order; });
      state.page = 0;
      render();
    });
    Array.prototype.forEach.call(controls, function (control) {
      control.addEventListener(control.tagName === "SELECT" ? "change" : "input", apply);
    });
    pager.querySelectorAll("[data-crm-page]").forEach(function (button) {
      button.addEventListener("click", function () {
        state.page += Number(button.getAttribute("data-crm-page"));
        render();
      });
    });
    fetch(new URL(table.getAttribute("data-crm-source"), window.location.href))
      .then(function (response) { return response.json(); })
      .then(function (data) {
        data.columns.forEach(function (name, index) { state.at[name] = index; });
        state.rows = data.rows;
        apply();
      });
  }

  /* An encrypted site, opened (assets/unlock.js): a lock button in the header forgets the key. */
  function addLock() {
    var site = window.crmSite, header = document.querySelector(".md-header__inner");
    if (!site || !header || header.querySelector(".crm-lock")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-header__button crm-lock";
    button.textContent = site.words.lock;
    button.title = site.words.lock_hint;
    button.setAttribute("aria-label", site.words.lock_hint);
    button.addEventListener("click", function () { site.lock(); });
    header.appendChild(button);
  }

  function init() {
    addLock();
    document.querySelectorAll(".md-content table").forEach(function (table) {
      if (table.hasAttribute("data-crm-source")) makeIndex(table);
      else makeSortable(table);
    });
  }

  if (typeof document$ !== "undefined") document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();
