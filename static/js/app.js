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

// Task form: list only the 抽查事项 that apply to the 专业类别 ticked above (each item's checkbox carries its
// applicable lines in data-lines); an item hidden this way is unticked, so nothing unseen is submitted.
function filterTaskItems(form) {
  var chosen = Array.prototype.map.call(
    form.querySelectorAll("input[name=business_lines]:checked"), function (el) { return el.value; });
  form.querySelectorAll("input[name=items][data-lines]").forEach(function (box) {
    var lines = box.getAttribute("data-lines").split(" ");
    var show = chosen.length === 0 || lines.some(function (l) { return chosen.indexOf(l) >= 0; });
    var row = box.closest("label") ? box.closest("label").parentElement : box.parentElement;
    row.hidden = !show;
    if (!show) { box.checked = false; }
  });
}
document.addEventListener("change", function (event) {
  if (event.target.name === "business_lines" && event.target.form) { filterTaskItems(event.target.form); }
});
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("task-form");
  if (form) { filterTaskItems(form); }
  // A page that comes back with errors shows the summary at the top and moves to the first wrong field.
  var invalid = document.querySelector("[data-error-summary]");
  if (invalid) {
    var field = document.querySelector(".is-invalid, [aria-invalid=true]");
    (field || invalid).scrollIntoView({ block: "center" });
    if (field && field.focus) { field.focus({ preventScroll: true }); }
  }
});
