// The report view's behaviour: open the card of a marked span on click or keyboard focus, keyboard jumps,
// and on the figures page, filtering by topic and sorting. No network access, no libraries.
(function () {
  "use strict";
  var panel = document.getElementById("cards");
  if (panel) { report(panel); }
  var table = document.getElementById("figures-table");
  if (table) { figuresTable(table); }

  function report(panel) {
    var marks = Array.prototype.slice.call(document.querySelectorAll("mark[data-card]:not(.sample)"));
    var figures = marks.filter(function (m) { return m.classList.contains("fig"); });
    var close = panel.querySelector(".close");
    var empty = panel.querySelector(".cards-empty");
    var current = null;

    function open(mark) {
      if (current === mark) { return; }
      shut(false);
      var card = document.getElementById(mark.getAttribute("data-card"));
      if (!card) { return; }
      card.hidden = false;
      close.hidden = false;
      empty.hidden = true;
      mark.setAttribute("aria-expanded", "true");
      mark.classList.add("active");
      panel.classList.add("open");
      current = mark;
      reveal(mark);
    }
    function shut(refocus) {
      if (!current) { return; }
      var card = document.getElementById(current.getAttribute("data-card"));
      if (card) { card.hidden = true; }
      current.setAttribute("aria-expanded", "false");
      current.classList.remove("active");
      close.hidden = true;
      empty.hidden = false;
      panel.classList.remove("open");
      if (refocus) { current.focus(); }
      current = null;
    }
    // On a narrow screen the panel is a bottom sheet: scroll the page so that the span the reader selected sits
    // in the part of the window the sheet leaves free (a beside-the-text panel overlaps nothing, so nothing moves).
    function reveal(mark) {
      var sheet = panel.getBoundingClientRect(), box = mark.getBoundingClientRect();
      var overlaps = sheet.height > 0 && box.bottom > sheet.top && box.top < sheet.bottom && box.right > sheet.left && box.left < sheet.right;
      var free = sheet.left <= box.left && sheet.top > 0 ? sheet.top : window.innerHeight;
      if (overlaps || box.bottom > free - 24 || box.top < 0) {
        window.scrollBy(0, box.top - Math.max(8, (free - box.height) / 3));
      }
    }
    function innermost(event) { return event.target.closest ? event.target.closest("mark[data-card]:not(.sample)") : null; }

    // A click inside a figure opens the figure's card (it lists the readings inside its words); the keyboard
    // reaches a nested reading on its own.
    // A tap or click opens on "click" only: opening on the focus that comes first would scroll the page under the
    // pointer before the click, which then misses. Focus opens a card when it comes from the keyboard.
    var pointing = false;
    document.addEventListener("pointerdown", function () { pointing = true; });
    document.addEventListener("click", function (event) {
      pointing = false;
      var mark = innermost(event);
      var figure = mark && mark.closest("mark.fig");
      if (mark) { open(figure || mark); }
    });
    document.addEventListener("focusin", function (event) {
      var mark = innermost(event);
      if (mark && event.target === mark && !pointing) { open(mark); }
    });
    document.addEventListener("keydown", function (event) {
      pointing = false;
      var mark = innermost(event);
      if (event.key === "Escape") { shut(true); return; }
      if (mark && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); open(mark); return; }
      if (event.target.closest && event.target.closest("input, select, textarea, button")) { return; }
      if (event.key === "n" || event.key === "p") {
        var at = current ? figures.indexOf(current) : -1;
        if (at < 0 && current) {  // from a reading or non-figure: the nearest figure in text order
          at = figures.filter(function (f) { return f.compareDocumentPosition(current) & Node.DOCUMENT_POSITION_FOLLOWING; }).length - 1;
        }
        var next = event.key === "n" ? Math.min(at + 1, figures.length - 1) : Math.max(at - 1, 0);
        if (figures[next]) { figures[next].focus(); reveal(figures[next]); }
      }
    });
    close.addEventListener("click", function () { shut(true); });

    var target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    if (target && target.matches("mark[data-card]")) { target.focus(); target.scrollIntoView({block: "center"}); reveal(target); }
  }

  function figuresTable(table) {
    var select = document.getElementById("topic");
    var shown = document.getElementById("shown");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);

    select.addEventListener("change", function () {
      var n = 0;
      rows.forEach(function (row) {
        row.hidden = select.value !== "" && row.getAttribute("data-topic") !== select.value;
        if (!row.hidden) { n += 1; }
      });
      shown.textContent = n + " shown";
    });

    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    heads.forEach(function (th, column) {
      th.querySelector("button").addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        rows.sort(function (a, b) {
          var x = a.cells[column], y = b.cells[column];
          var kx = x.getAttribute("data-key"), ky = y.getAttribute("data-key");
          var cmp;
          if (x.hasAttribute("data-numeric")) {
            var nx = kx === "" ? -Infinity : Number(kx), ny = ky === "" ? -Infinity : Number(ky);
            cmp = nx === ny ? 0 : (nx < ny ? -1 : 1);
          } else {
            cmp = kx.localeCompare(ky);
          }
          return ascending ? cmp : -cmp;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }
}());
