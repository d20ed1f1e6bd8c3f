// The reader: bring the passage named by ?p= into view (a #p-… fragment the browser scrolls
// to itself), and say so when the named passage is not in this version of the document.
(function () {
  "use strict";
  var id = location.hash.slice(1);
  try { id = decodeURIComponent(id); } catch (e) { /* a malformed fragment: used as it is */ }
  var marked = document.querySelector(".hl");
  if (id && !document.getElementById(id)) {
    var stale = document.getElementById("stale");
    if (stale) stale.hidden = false;
  } else if (!id && marked) {
    marked.scrollIntoView({ block: "center" });
  }
})();
