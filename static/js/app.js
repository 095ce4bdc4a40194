// Site-wide behaviour. No inline scripts anywhere (CSP): pages hook in through data attributes.
document.addEventListener("click", function (event) {
  var el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
document.addEventListener("click", function (event) {
  var el = event.target.closest("[data-print]");
  if (el) { event.preventDefault(); window.print(); }
});
if (window.htmx) { window.htmx.config.allowEval = false; }

// List pages: paging and sorting links reload only the results block (the server returns the
// `results` partial to htmx requests); every other link in a table navigates normally.
document.addEventListener("click", function (event) {
  var link = event.target.closest("#results .pagination a, #results thead a");
  if (!link || !window.htmx || event.ctrlKey || event.metaKey) { return; }
  event.preventDefault();
  window.htmx.ajax("GET", link.href, { target: "#results", swap: "outerHTML" }).then(function () {
    window.history.pushState({}, "", link.href);
  });
});
// A header checkbox with data-select-all="<name>" ticks or clears every checkbox of that name in its form.
document.addEventListener("change", function (event) {
  var box = event.target.closest("[data-select-all]");
  if (!box) { return; }
  var scope = box.form || document;
  var name = box.getAttribute("data-select-all");
  scope.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (el) {
    el.checked = box.checked;
  });
});
// A table that scrolls sideways (phones) must be reachable by keyboard (WCAG 2.1.1): make it focusable.
function markScrollableTables(root) {
  (root || document).querySelectorAll("main table").forEach(function (table) {
    if (table.scrollWidth > table.clientWidth + 1) {
      table.setAttribute("tabindex", "0");
      if (!table.hasAttribute("aria-label") && !table.querySelector("caption")) {
        table.setAttribute("aria-label", "可左右滑动的表格");
      }
    } else if (table.getAttribute("tabindex") === "0") {
      table.removeAttribute("tabindex");
    }
  });
}
document.addEventListener("DOMContentLoaded", function () { markScrollableTables(); });
window.addEventListener("resize", function () { markScrollableTables(); });
document.addEventListener("htmx:afterSwap", function (event) { markScrollableTables(event.target); });
