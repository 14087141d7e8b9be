// gitarchive site: the playlist viewer, the sortable table and the index and changes filter.
// Data comes from the JSON script tag (never evaluated as code); every name is
// written with textContent, never as HTML.
"use strict";
(function () {
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // ------------------------------------------------------------ index filter
  var filter = document.getElementById("filter");
  if (filter) {
    // the index's playlists, or the changes page's entries (each names its playlist)
    var items = Array.prototype.slice.call(
      document.querySelectorAll("#playlists > li, #changes li[data-name]"));
    var days = Array.prototype.slice.call(document.querySelectorAll("#changes section.day"));
    var count = document.getElementById("shown");
    var apply = function () {
      var words = filter.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item) {
        var name = item.getAttribute("data-name").toLocaleLowerCase();
        var match = words.every(function (w) { return name.indexOf(w) >= 0; });
        item.hidden = !match;
        if (match) shown++;
      });
      days.forEach(function (day) {
        day.hidden = !day.querySelector("li[data-name]:not([hidden])");
      });
      if (count) count.textContent = shown + " of " + items.length;
    };
    filter.addEventListener("input", apply);
    apply();
  }

  // ------------------------------------------------------------ sortable tables
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var body = table.tBodies[0];
    Array.prototype.forEach.call(table.querySelectorAll("th button"), function (button, column) {
      button.addEventListener("click", function () {
        var th = button.parentNode;
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.querySelectorAll("th"), function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        var keyed = rows.map(function (row, index) {
          var cell = row.cells[column];
          return [cell.getAttribute("data-sort") || cell.textContent.toLocaleLowerCase(), index, row];
        });
        keyed.sort(function (a, b) {
          // empty values (never removed) last either way
          if (a[0] === "" && b[0] !== "") return 1;
          if (b[0] === "" && a[0] !== "") return -1;
          var c = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1];
          return ascending ? c : -c;
        });
        keyed.forEach(function (k) { body.appendChild(k[2]); });
      });
    });
  });

  // ------------------------------------------------------------ playlist viewer
  var dataNode = document.getElementById("data");
  if (!dataNode) {
    document.body.setAttribute("data-ready", "1");
    return;
  }
  var data = JSON.parse(dataNode.textContent);
  var steps = data.versions;
  var tracks = data.tracks;
  var lists = [], names = [], descriptions = [];
  (function replay() {
    var current = [], name = "", description = "";
    steps.forEach(function (step) {
      var previous = step.p || current;
      var next;
      if (step.f) {
        next = step.f.slice();
      } else {
        var removed = {};
        (step.r || []).forEach(function (p) { removed[p] = true; });
        next = previous.filter(function (_, p) { return !removed[p]; });
        (step.a || []).forEach(function (pair) { next.splice(pair[0], 0, pair[1]); });
        (step.k || []).forEach(function (pair) { next[pair[0]] = pair[1]; });
      }
      if ("n" in step) name = step.n;
      if ("s" in step) description = step.s;
      lists.push(next);
      names.push(name);
      descriptions.push(description);
      current = next;
    });
  })();

  function cumulativeRows() {
    var body = document.querySelector("#cumulative tbody");
    if (body.rows.length) return;
    var fragment = document.createDocumentFragment();
    data.cumulative.forEach(function (entry) {
      var track = tracks[entry[0]];
      var row = el("tr", entry[3] ? "gone" : "");
      var title = el("td");
      var name = track[3] ? el("a", "", track[0]) : el("bdi", "", track[0]);
      if (track[3]) { name.href = track[3]; name.rel = "noopener noreferrer"; }
      title.appendChild(name);
      if (entry[4]) {  // the track's page: it was in other playlists too
        var also = el("a", "also", "other playlists");
        also.href = entry[4];
        title.appendChild(document.createTextNode(" "));
        title.appendChild(also);
      }
      row.appendChild(title);
      row.appendChild(el("td", "", track[1].join(", ")));
      row.appendChild(el("td", "", track[2]));
      var added = el("td", "", entry[1] + (entry[2] ? "*" : ""));
      added.setAttribute("data-sort", entry[1]);
      row.appendChild(added);
      var removed = el("td", "", entry[3] || "");
      removed.setAttribute("data-sort", entry[3] || "");
      row.appendChild(removed);
      fragment.appendChild(row);
    });
    body.appendChild(fragment);
  }
  var everything = document.getElementById("everything");
  if (everything.open) cumulativeRows();
  everything.addEventListener("toggle", function () { if (everything.open) cumulativeRows(); });

  var slider = document.getElementById("slider");
  var prev = document.getElementById("prev");
  var next = document.getElementById("next");
  var list = document.getElementById("tracks");
  var index = steps.length - 1;
  slider.max = String(Math.max(steps.length - 1, 0));

  function trackNode(kind, number, track, before, from) {
    var li = el("li", "track " + kind);
    li.appendChild(el("span", "no", number ? String(number) : ""));
    var body = el("span", "body");
    if (before) {
      var old = el("span", "before");
      fill(old, before);
      body.appendChild(old);
      body.appendChild(el("span", "arrow", " → "));
    }
    var now = el("span", "now");
    fill(now, track);
    body.appendChild(now);
    li.appendChild(body);
    if (kind === "moved") li.appendChild(el("span", "tag", "moved " + (from + 1) + " → " + number));
    else if (kind !== "kept") li.appendChild(el("span", "tag", kind));
    return li;
  }

  function fill(node, track) {
    var title = track[3] ? el("a", "t", track[0]) : el("bdi", "t", track[0]);
    if (track[3]) { title.href = track[3]; title.rel = "noopener noreferrer"; }
    node.appendChild(title);
    node.appendChild(document.createTextNode(" — "));
    node.appendChild(el("bdi", "ar", track[1].join(", ")));
    node.appendChild(document.createTextNode(" — "));
    node.appendChild(el("bdi", "al", track[2]));
  }

  function rows(i) {
    var step = steps[i];
    var now = lists[i];
    var before = step.p || (i > 0 ? lists[i - 1] : []);
    var added = {}, removed = {}, updated = {};
    (step.a || []).forEach(function (pair) { added[pair[0]] = true; });
    (step.r || []).forEach(function (p) { removed[p] = true; });
    (step.u || []).forEach(function (pair) { updated[pair[0]] = pair[1]; });
    var moved = {};
    (step.m || []).forEach(function (pair) { moved[pair[0]] = pair[1]; });
    var out = [];
    var pi = 0;
    function flushRemoved() {
      while (pi < before.length && removed[pi]) { out.push(["removed", before[pi]]); pi++; }
    }
    for (var j = 0; j < now.length; j++) {
      if (added[j]) { out.push(["added", now[j], j]); continue; }
      flushRemoved();
      pi++;  // the kept track's place in the previous list
      if (j in updated) out.push(["updated", now[j], j, updated[j]]);
      else if (j in moved) out.push(["moved", now[j], j, moved[j]]);
      else out.push(["kept", now[j], j]);
    }
    flushRemoved();
    while (pi < before.length) { if (removed[pi]) out.push(["removed", before[pi]]); pi++; }
    return out;
  }

  function show(i, push) {
    if (!steps.length) return;
    index = Math.max(0, Math.min(steps.length - 1, i));
    var step = steps[index];
    slider.value = String(index);
    prev.disabled = index === 0;
    next.disabled = index === steps.length - 1;
    document.getElementById("position").textContent =
      "Version " + (index + 1) + " of " + steps.length;
    document.getElementById("vdate").textContent = step.d.replace("T", " ").replace("Z", " UTC");
    var commit = document.getElementById("vcommit");
    commit.textContent = step.c.slice(0, 12);
    if (data.github) commit.href = "https://github.com/" + data.github + "/commit/" + step.c;
    document.getElementById("vlikes").textContent =
      step.l === null || step.l === undefined ? "likes unknown" : step.l.toLocaleString("en-US") + " likes";
    document.getElementById("vname").textContent = names[index];
    document.getElementById("vdesc").textContent = descriptions[index];
    var counts = { added: 0, removed: 0, updated: 0, moved: 0 };
    var fragment = document.createDocumentFragment();
    rows(index).forEach(function (row) {
      var kind = row[0];
      if (kind in counts) counts[kind]++;
      var number = kind === "removed" ? 0 : row[2] + 1;
      var before = kind === "updated" ? tracks[row[3]] : null;
      fragment.appendChild(trackNode(kind, number, tracks[row[1]], before, row[3]));
    });
    list.textContent = "";
    list.appendChild(fragment);
    document.getElementById("vsummary").textContent =
      lists[index].length + " tracks · +" + counts.added + " −" + counts.removed +
      (counts.updated ? " ~" + counts.updated : "") + (counts.moved ? " ↕" + counts.moved : "");
    var hash = "#" + step.c.slice(0, 12);
    if (push && location.hash !== hash) {
      try { history.replaceState(null, "", hash); } catch (e) { location.hash = hash; }
    }
  }

  function fromHash() {
    var wanted = location.hash.replace(/^#/, "");
    if (!wanted) return steps.length - 1;
    for (var i = 0; i < steps.length; i++) {
      if (steps[i].c.slice(0, wanted.length) === wanted && wanted.length >= 7) return i;
    }
    return steps.length - 1;
  }

  slider.addEventListener("input", function () { show(Number(slider.value), true); });
  prev.addEventListener("click", function () { show(index - 1, true); });
  next.addEventListener("click", function () { show(index + 1, true); });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    // the slider steps by itself; text fields keep their arrow keys
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowLeft") { show(index - 1, true); event.preventDefault(); }
    if (event.key === "ArrowRight") { show(index + 1, true); event.preventDefault(); }
  });
  window.addEventListener("hashchange", function () { show(fromHash(), false); });
  show(fromHash(), false);
  document.body.setAttribute("data-ready", "1");
})();
