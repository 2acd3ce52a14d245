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

  /* --- layout: cells that must not break --- */
  /* A table fits its page by wrapping its cells, but an id, a date or an amount broken at its hyphen or
     comma reads wrong ("2026-09-" / "25"), and so does a word of up to four characters (企业, 逾期):
     those cells are marked to stay on one line; names and free text wrap. */
  var UNBREAKABLE = /^[\x21-\x7e\u00a3\u00a5\u20ac]{1,24}$/;
  function keepWhole(td) {
    var text = td.textContent.trim();
    if (text && (UNBREAKABLE.test(text) || text.length <= 4)) td.classList.add("crm-keep");
  }

  /* --- layout: tables as cards on a phone --- */
  /* Each cell carries its column's name (data-label), so crm.css can show a row as a card on a narrow
     screen: the first cell as the card's title, the others as label and value. The Help pages' tables
     are prose and stay tables. */
  function labelCells(table) {
    if (table.closest(".crm-help") || !table.tHead) return;
    var names = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) { return th.textContent.trim(); });
    table.setAttribute("data-crm-cards", "");
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        Array.prototype.forEach.call(row.cells, function (td, index) {
          if (names[index]) td.setAttribute("data-label", names[index]);
          keepWhole(td);
        });
      });
    });
  }

  /* --- layout: the customer index --- */
  /* Data from JSON, filtered by the controls, sorted by meaning, one page shown. The filters and the sort
     live in the query string (?q= stage= owner= status= segment= value= tier= sort=[-]column), so a
     reload, a bookmark or a shared link opens the same rows. Columns named in the data's `order` (stage,
     value, tier, type, freshness) sort by the rank of their key in that order, not by their words; dates
     are ISO text and sort as dates; blanks come last either way. */
  function makeIndex(table) {
    var box = document.querySelector("[data-crm-filter]");
    var pager = document.querySelector(".crm-pager");
    var empty = document.querySelector(".crm-index__empty");
    var offline = document.querySelector(".crm-index__offline");
    var controls = box.querySelectorAll("[data-key]");
    var count = box.querySelector(".crm-filter__count");
    var headers = table.tHead.rows[0].cells;
    var body = table.tBodies[0];
    var params = new URLSearchParams(window.location.search);
    var state = { rows: [], shown: [], page: 0, at: {}, order: {}, sort: params.get("sort") || "" };

    Array.prototype.forEach.call(controls, function (control) {
      var preset = params.get(control.getAttribute("data-key"));
      if (preset) control.value = preset;
    });

    /* material's search also reads ?q= and opens itself over the page: here q is the index's filter, so
       the search stays closed (unchecked without an event, so material leaves the URL alone). */
    function keepSearchClosed() {
      var toggle = document.getElementById("__search");
      if (!params.has("q") || !toggle || !toggle.checked) return;
      toggle.checked = false;
      if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    }
    keepSearchClosed();

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

    /* What a row sorts by in column `name`: its key's rank, or its text; null for a blank. */
    function sortValue(row, name) {
      var ranks = state.order[name];
      if (ranks) {
        var rank = ranks.indexOf(cell(row, name + "_key"));
        return rank === -1 ? null : rank;
      }
      var text = cell(row, name);
      return text === "" || text === "—" || text === undefined ? null : text;
    }

    function sortRows() {
      var descending = state.sort.charAt(0) === "-";
      var name = descending ? state.sort.slice(1) : state.sort;
      Array.prototype.forEach.call(headers, function (header) {
        var mine = header.getAttribute("data-key") === name;
        header.setAttribute("data-crm-sort", mine ? (descending ? "desc" : "asc") : "");
        if (mine) header.setAttribute("aria-sort", descending ? "descending" : "ascending");
        else header.removeAttribute("aria-sort");
      });
      if (!name || !(name in state.at)) return;
      state.shown.sort(function (x, y) {
        var a = sortValue(x, name), b = sortValue(y, name);
        if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
        var order = typeof a === "number" ? a - b : compare(a, b);
        return descending ? -order : order;
      });
    }

    /* The view into the address bar, without a new history entry per keystroke. */
    function remember() {
      var query = new URLSearchParams();
      Array.prototype.forEach.call(controls, function (control) {
        var value = control.value.trim();
        if (value) query.set(control.getAttribute("data-key"), value);
      });
      if (state.sort) query.set("sort", state.sort);
      var search = query.toString();
      window.history.replaceState(window.history.state, "",
        window.location.pathname + (search ? "?" + search : "") + window.location.hash);
    }

    function render() {
      var pages = Math.max(1, Math.ceil(state.shown.length / PAGE_ROWS));
      state.page = Math.min(Math.max(state.page, 0), pages - 1);
      var first = state.page * PAGE_ROWS;
      var rows = state.shown.slice(first, first + PAGE_ROWS);
      var names = Array.prototype.map.call(headers, function (th) { return th.textContent.trim(); });
      body.textContent = "";
      rows.forEach(function (row) {
        var tr = document.createElement("tr");
        for (var i = 0; i < 12; i++) {
          var td = document.createElement("td");
          td.setAttribute("data-label", names[i]);
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
          keepWhole(td);
          tr.appendChild(td);
        }
        body.appendChild(tr);
      });
      count.textContent = state.shown.length + " / " + state.rows.length;
      empty.classList.toggle("crm-shown", state.shown.length === 0 && state.rows.length > 0);
      pager.querySelector(".crm-pager__where").textContent = (state.page + 1) + " / " + pages;
      pager.hidden = pages < 2;
    }

    function apply() {
      state.shown = state.rows.filter(matches);
      sortRows();
      state.page = 0;
      remember();
      render();
    }

    table.setAttribute("data-crm-cards", "");
    Array.prototype.forEach.call(headers, function (header) {
      var name = header.getAttribute("data-key");
      header.setAttribute("data-crm-sort", "");
      header.setAttribute("tabindex", "0");
      function activate() {
        state.sort = state.sort === name ? "-" + name : name;
        apply();
      }
      header.addEventListener("click", activate);
      header.addEventListener("keydown", function (event) { if (event.key === "Enter") activate(); });
    });
    Array.prototype.forEach.call(controls, function (control) {
      control.addEventListener(control.tagName === "SELECT" ? "change" : "input", apply);
    });
    empty.querySelector("button").addEventListener("click", function () {
      Array.prototype.forEach.call(controls, function (control) { control.value = ""; });
      apply();
    });
    pager.querySelectorAll("[data-crm-page]").forEach(function (button) {
      button.addEventListener("click", function () {
        state.page += Number(button.getAttribute("data-crm-page"));
        render();
      });
    });
    /* Opened from the file system (file://) a browser refuses the fetch: say how to open the site. */
    fetch(new URL(table.getAttribute("data-crm-source"), window.location.href))
      .then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + response.url);
        return response.json();
      })
      .then(function (data) {
        data.columns.forEach(function (name, index) { state.at[name] = index; });
        state.order = data.order || {};
        state.rows = data.rows;
        keepSearchClosed();
        apply();
      }, function () {
        offline.classList.add("crm-shown");
        pager.hidden = true;
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
      else { makeSortable(table); labelCells(table); }
    });
  }

  if (typeof document$ !== "undefined") document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();

/* --- search (issue 15) ---
   The search box in the header asks Pagefind's index (site_builder/search.py says why not material's):
   pagefind/pagefind.js is loaded when the box gets focus and fetches only the chunks a query needs. The
   box's words come from <html data-crm-search> (the site's language).
   The index holds Chinese as overlapping pairs (开户资料准备 → 开户 户资 资料 料准 准备, search.grams): a query
   is cut the same way before Pagefind sees it, so the browser's segmenter and the indexer never disagree.
   The indexed text is never shown: a result's snippet is cut here out of its visible text (the `text`
   metadata) around the words typed, with <mark> around them, built as text nodes (never parsed as HTML).
   On an encrypted site (window.crmSite, set by unlock.js) Pagefind runs without its web worker, so its
   fetches go through unlock.js's fetch, which opens the sealed index chunks. */
(function () {
  "use strict";

  var HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  var TOKEN = new RegExp("[" + HAN + "]+|[^\\s" + HAN + "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+", "g");
  var HAN_RUN = new RegExp("^[" + HAN + "]+$");
  var SNIPPET = 90;

  /* A run of Chinese characters as the index holds it (site_builder/search.py _code): "h" and each
     character's code point in five digits, a word Pagefind's search takes whole. */
  function code(characters) {
    var out = "h";
    for (var i = 0; i < characters.length; i++) out += ("0000" + characters.charCodeAt(i)).slice(-5);
    return out;
  }

  /* The query as the index holds text (site_builder/search.py grams): Chinese runs as their pairs, a single
     character as itself (Pagefind matches it as the start of pairs), coded; other words as typed. */
  function grams(query) {
    var out = [];
    (query.match(TOKEN) || []).forEach(function (token) {
      if (!HAN_RUN.test(token)) {
        token = token.replace(/^[()[\]{}<>,;:!?"']+|[()[\]{}<>,;:!?"']+$/g, "");
        if (token) out.push(token);
        return;
      }
      if (token.length === 1) out.push(code(token));
      for (var i = 0; i + 1 < token.length; i++) out.push(code(token.slice(i, i + 2)));
    });
    return out.filter(function (word, i) { return out.indexOf(word) === i; }).join(" ");
  }

  /* What to mark in a result's text, longest first: the query as typed, its words, and the pairs of its
     Chinese runs (a page holding 开户 and 资料 apart is found by the pairs, and shows them). */
  function needles(query) {
    var found = [query];
    (query.match(TOKEN) || []).forEach(function (token) {
      found.push(token);
      if (HAN_RUN.test(token)) for (var i = 0; i + 1 < token.length; i++) found.push(token.slice(i, i + 2));
    });
    return found
      .filter(function (word, i) { return word && found.indexOf(word) === i; })
      .sort(function (a, b) { return b.length - a.length; });
  }

  function snippet(text, query, title) {
    var clean = String(text || "").replace(/_{3}[A-Z_]+_{3}/g, " ").replace(/\u00b6/g, "").replace(/\s+/g, " ").trim();
    var words = needles(query.toLowerCase());
    function first(within) {
      var at = -1;
      for (var i = 0; i < words.length && at < 0; i++) at = within.indexOf(words[i]);
      return at;
    }
    if (title && clean.indexOf(title) === 0) { /* the heading is shown above: the text after it, if it has the words */
      var after = clean.slice(title.length).replace(/^[\s.]+/, "");
      if (first(after.toLowerCase()) >= 0) clean = after;
    }
    var lower = clean.toLowerCase(), at = first(lower);
    var start = Math.max(0, at - Math.floor(SNIPPET / 3)), end = Math.min(clean.length, start + SNIPPET);
    var out = document.createElement("span"), position = start;
    out.className = "crm-search__excerpt";
    if (start > 0) out.appendChild(document.createTextNode("…"));
    while (position < end) {
      var next = -1, length = 0;
      words.forEach(function (word) {
        var found = lower.indexOf(word, position);
        if (found >= 0 && found < end && (next < 0 || found < next || (found === next && word.length > length))) {
          next = found;
          length = word.length;
        }
      });
      if (next < 0) { out.appendChild(document.createTextNode(clean.slice(position, end))); break; }
      if (next > position) out.appendChild(document.createTextNode(clean.slice(position, next)));
      var mark = document.createElement("mark");
      mark.textContent = clean.slice(next, Math.min(next + length, clean.length));
      out.appendChild(mark);
      position = next + length;
    }
    if (end < clean.length) out.appendChild(document.createTextNode("…"));
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
          /* the page's visible text is metadata for the snippet only: it never ranks a page */
          var options = { baseUrl: base.pathname, ranking: { metaWeights: { text: 0 } } };
          if (window.crmSite) options.noWorker = true; /* encrypted: fetch through unlock.js (see above) */
          /* the customer pages of a big CRM are indexed in parts (site_builder/search.py SHARD_CUSTOMERS):
             merged here into one search, each part loading only the chunks a query needs */
          var parts = (words.shards || "").split(",").filter(Boolean);
          var merged = { baseUrl: options.baseUrl, ranking: options.ranking };
          return pagefind.options(options)
            .then(function () {
              return Promise.all(parts.map(function (part) {
                return pagefind.mergeIndex(new URL("pagefind/" + part + "/", base).pathname, merged);
              }));
            })
            .then(function () { return pagefind; });
        });
      }
      return engine;
    }
    function show(count, items, query) {
      panel.textContent = "";
      panel.setAttribute("data-query", query); /* which query the list answers (typing asks one per key) */
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
        link.appendChild(snippet(item.meta && item.meta.text, query, item.meta && item.meta.title));
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
        .then(function (pagefind) { return pagefind.search(grams(query)); })
        .then(function (search) {
          if (mine !== asked || !search) return null;
          return Promise.all(search.results.slice(0, 10).map(function (result) { return result.data(); }))
            .then(function (items) { if (mine === asked) show(search.results.length, items, query); });
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
