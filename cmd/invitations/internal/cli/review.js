// The access-review page's filters: by vendor (a column each) and by text.
// They show and hide what the page already holds; nothing is fetched and
// no markup is built from the data (textContent only).
(function () {
  "use strict";
  var text = document.getElementById("filter-text");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-vendor-filter]"));
  var rows = Array.prototype.slice.call(document.querySelectorAll("tbody tr[data-person]"));
  var shown = document.getElementById("shown");

  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.getAttribute("data-vendor-filter")] = b.checked; });
    document.querySelectorAll("[data-vendor]").forEach(function (el) {
      el.hidden = !on[el.getAttribute("data-vendor")];
    });
    var q = text.value.trim().toLowerCase();
    var people = 0, grants = 0;
    rows.forEach(function (row) {
      var n = 0, hay = row.querySelector("th").textContent;
      row.querySelectorAll("td[data-vendor]").forEach(function (td) {
        if (on[td.getAttribute("data-vendor")]) {
          n += Number(td.getAttribute("data-grants"));
          hay += "\n" + td.textContent;
        }
      });
      var visible = n > 0 && (q === "" || hay.toLowerCase().indexOf(q) >= 0);
      row.hidden = !visible;
      if (visible) { people++; grants += n; }
    });
    shown.textContent = "Showing " + people + " of " + rows.length + " people, " + grants + " grants.";
  }

  text.addEventListener("input", apply);
  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  apply();
})();
