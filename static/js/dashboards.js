/* 统计监督 charts: every element with data-chart="<name>" gets the ECharts option of that name from the
 * json_script block #dashboard-charts (options are built server-side in dashboards/kpis.py). No inline JS (CSP). */
(function () {
  "use strict";

  function init() {
    var source = document.getElementById("dashboard-charts");
    if (!source || typeof window.echarts === "undefined") {
      return;
    }
    var options = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var option = options[el.getAttribute("data-chart")];
      if (!option) {
        return;
      }
      var chart = window.echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
      chart.setOption(option);
      el.setAttribute("data-chart-ready", "1");
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
