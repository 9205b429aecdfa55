/* Draws the figure pages' charts with ECharts from the JSON the page carries (json_script).
   Each chart: {kind: "bar"|"line", categories, series: [{name, data}], stacked?, horizontal?, unit?,
   integer? (counts: whole steps), colours? (one per series)}.
   The same numbers are always in a table on the page: the charts are a picture of it. */
(function () {
  "use strict";
  var PALETTE = ["#0b5d4b", "#1c5fa8", "#b5651d", "#6a3d9a", "#2e7d32", "#8d6e63", "#a4161a", "#00838f", "#546e7a"];

  function option(spec) {
    var valueAxis = {type: "value", name: spec.unit || "", minInterval: spec.integer ? 1 : 0, axisLabel: {color: "#1b2426"}};
    var categoryAxis = {
      type: "category",
      data: spec.categories,
      inverse: !!spec.horizontal,
      axisLabel: {color: "#1b2426", interval: 0, rotate: spec.horizontal ? 0 : (spec.categories.length > 4 ? 30 : 0)},
    };
    return {
      color: spec.colours || PALETTE,
      animation: false,
      textStyle: {fontFamily: "inherit"},
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      // A plain legend wraps onto a second line rather than hiding entries behind paging arrows.
      legend: {top: 0, type: "plain", textStyle: {color: "#1b2426"}},
      grid: {left: 28, right: 24, top: spec.series.length > 3 ? 88 : 48, bottom: 8, containLabel: true},
      xAxis: spec.horizontal ? valueAxis : categoryAxis,
      yAxis: spec.horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (s) {
        return {
          name: s.name,
          type: s.kind || spec.kind || "bar",
          stack: spec.stacked ? "total" : undefined,
          data: s.data,
          connectNulls: true,
          emphasis: {focus: "series"},
        };
      }),
    };
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || !window.echarts) return;
    var spec = JSON.parse(source.textContent);
    if (!spec.categories || !spec.categories.length) {
      element.classList.add("chart--empty");
      element.textContent = element.getAttribute("data-empty") || "";
      return;
    }
    var chart = window.echarts.init(element, null, {renderer: "svg"});
    chart.setOption(option(spec));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
