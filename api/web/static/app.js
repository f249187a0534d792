// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // "/" focuses the search box (when not typing in a field).
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var q = document.getElementById("q");
    if (q) { e.preventDefault(); q.focus(); q.select(); }
  });
  // On a measure page, bring the measure's node into view inside the scrollable graph.
  var graph = document.querySelector(".graph");
  var focal = graph && graph.querySelector(".focal rect");
  if (graph && focal && graph.scrollWidth > graph.clientWidth) {
    var x = parseFloat(focal.getAttribute("x")) || 0;
    graph.scrollLeft = Math.max(0, x - graph.clientWidth / 3);
  }
})();
