/* 公示门户: no inline script (pages are cached per published state; this file is allowed by CSP 'self').
   - A page still being computed (the server-side re-verification) reloads itself after data-reload-seconds,
     instead of <meta http-equiv="refresh"> (WCAG 2.2.1); the page says so and offers a link to reload now.
     window.gsStopReload() cancels it (used when a visitor starts the in-browser verification).
   - A table that scrolls sideways on a phone is made focusable, so a keyboard can scroll it (WCAG 2.1.1). */
(function () {
  var waiting = document.querySelector("[data-reload-seconds]");
  if (waiting) {
    var seconds = parseInt(waiting.getAttribute("data-reload-seconds"), 10) || 5;
    var timer = window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
    // The verify page's in-browser check stops the reload, so its result stays on the page.
    window.gsStopReload = function () { window.clearTimeout(timer); };
  }
  function markScrollableTables() {
    document.querySelectorAll("main table").forEach(function (table) {
      var box = table.scrollWidth > table.clientWidth + 1 ? table : null;
      if (!box && table.parentElement && table.parentElement.scrollWidth > table.parentElement.clientWidth + 1) {
        box = table.parentElement;
      }
      if (box) {
        box.setAttribute("tabindex", "0");
        if (!box.hasAttribute("aria-label")) { box.setAttribute("aria-label", "可左右滑动的表格"); }
      }
    });
  }
  markScrollableTables();
  window.addEventListener("resize", markScrollableTables);
})();
