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

/* --- search (issue 15) ---
   The search box in the header asks Pagefind's index (site_builder/search.py says why not material's):
   pagefind/pagefind.js is loaded when the box gets focus and fetches only the chunks a query needs. The
   box's words come from <html data-crm-search> (the site's language). An excerpt is Pagefind's text with
   <mark> around the words found; it is parsed inertly and only its text and marks are kept. */
(function () {
  "use strict";

  function excerpt(source) {
    var parsed = new DOMParser().parseFromString("<p>" + source + "</p>", "text/html").body.firstChild;
    var out = document.createElement("span");
    out.className = "crm-search__excerpt";
    (parsed ? parsed.childNodes : []).forEach(function (node) {
      if (node.nodeType === 1 && node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function addSearch() {
    var words, config, header = document.querySelector(".md-header__inner");
    try {
      words = JSON.parse(document.documentElement.getAttribute("data-crm-search") || "null");
      config = JSON.parse(document.getElementById("__config").textContent);
    } catch (error) {
      return;
    }
    if (!words || !header || header.querySelector(".crm-search")) return;
    var base = new URL(String(config.base || ".").replace(/\/?$/, "/"), window.location.href);
    var box = document.createElement("div");
    box.className = "crm-search";
    box.setAttribute("role", "search");
    var input = document.createElement("input");
    input.type = "search";
    input.className = "crm-search__input";
    input.placeholder = words.label;
    input.setAttribute("aria-label", words.label);
    input.autocomplete = "off";
    var panel = document.createElement("div");
    panel.className = "crm-search__results";
    panel.hidden = true;
    panel.setAttribute("aria-live", "polite");
    box.appendChild(input);
    box.appendChild(panel);
    var title = header.querySelector(".md-header__title");
    if (title) title.insertAdjacentElement("afterend", box);
    else header.appendChild(box);

    var engine = null, asked = 0;
    function load() {
      if (!engine) {
        engine = import(new URL("pagefind/pagefind.js", base).href).then(function (pagefind) {
          return pagefind.options({ baseUrl: base.pathname }).then(function () { return pagefind; });
        });
      }
      return engine;
    }
    function show(count, items) {
      panel.textContent = "";
      var meta = document.createElement("p");
      meta.className = "crm-search__meta";
      meta.textContent = count ? words.found.replace("{count}", String(count)) : words.none;
      panel.appendChild(meta);
      var list = document.createElement("ol");
      items.forEach(function (item) {
        var entry = document.createElement("li"), link = document.createElement("a"), name = document.createElement("strong");
        link.href = item.url;
        link.className = "crm-search__hit";
        name.textContent = (item.meta && item.meta.title) || item.url;
        link.appendChild(name);
        link.appendChild(excerpt(item.excerpt || ""));
        entry.appendChild(link);
        list.appendChild(entry);
      });
      panel.appendChild(list);
      panel.hidden = false;
    }
    input.addEventListener("focus", load);
    input.addEventListener("input", function () {
      var query = input.value.trim(), mine = ++asked;
      if (!query) {
        panel.hidden = true;
        panel.textContent = "";
        return;
      }
      load()
        .then(function (pagefind) { return pagefind.search(query); })
        .then(function (search) {
          if (mine !== asked || !search) return null;
          return Promise.all(search.results.slice(0, 10).map(function (result) { return result.data(); }))
            .then(function (items) { if (mine === asked) show(search.results.length, items); });
        });
    });
    input.addEventListener("keydown", function (event) {
      var first = panel.querySelector("a.crm-search__hit");
      if (event.key === "Escape") panel.hidden = true;
      else if (event.key === "Enter" && first) window.location.href = first.href;
    });
    document.addEventListener("click", function (event) {
      if (!box.contains(event.target)) panel.hidden = true;
    });
  }

  if (typeof document$ !== "undefined") document$.subscribe(addSearch);
  else document.addEventListener("DOMContentLoaded", addSearch);
})();
