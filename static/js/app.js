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
