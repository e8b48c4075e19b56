// The workbench's only script besides the vendored libraries: no inline scripts (CSP).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function linesChanged() { document.body.dispatchEvent(new Event("lines-changed")); }

  ready(function () {
    // Language switch: submit on change (the button is there without JavaScript).
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });

    // Search boxes: Enter or ArrowDown moves to the first hit instead of submitting the form.
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (target.matches && target.matches("input[type=search]") && (event.key === "Enter" || event.key === "ArrowDown")) {
        event.preventDefault();
        var hits = document.getElementById(target.id === "customer-search" ? "customer-hits" : "sku-hits");
        var first = hits && hits.querySelector("button");
        if (first) { first.focus(); }
      }
      if (target.matches && target.matches(".list-group-item") && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        event.preventDefault();
        var next = event.key === "ArrowDown" ? target.nextElementSibling : target.previousElementSibling;
        if (next) { next.focus(); }
      }
    });

    // Removing a line re-prices the order; a print button prints the page.
    document.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
      var button = event.target.closest && event.target.closest("[data-remove-row]");
      if (button) {
        button.closest("tr").remove();
        linesChanged();
      }
    });

    document.body.addEventListener("htmx:afterRequest", function (event) {
      var source = event.detail.elt;
      var clear = source && source.getAttribute && source.getAttribute("data-clear");
      if (!clear || !event.detail.successful) { return; }
      var list = document.querySelector(clear);
      if (list) { list.innerHTML = ""; }
      if (source.hasAttribute("data-sku")) {
        var search = document.getElementById("sku-search");
        search.value = "";
        var rows = document.querySelectorAll("#lines .line-row");
        var last = rows[rows.length - 1];
        if (last) { last.querySelector(".line-quantity").focus(); last.querySelector(".line-quantity").select(); }
        linesChanged();
      }
      if (source.hasAttribute("data-customer")) {
        document.getElementById("customer-search").value = "";
        document.getElementById("sku-search").focus();
        linesChanged();
      }
    });

    // Charts: data from a JSON script element (json_script), never from inline code.
    var chartData = document.getElementById("chart-data");
    var chartBox = document.getElementById("chart-30-days");
    if (chartData && chartBox && window.echarts) {
      var data = JSON.parse(chartData.textContent);
      var chart = window.echarts.init(chartBox);
      chart.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        legend: {},
        xAxis: { type: "category", data: data.days.map(function (d) { return d.slice(5); }) },
        yAxis: [{ type: "value", name: chartBox.dataset.ordersLabel }, { type: "value", name: chartBox.dataset.revenueLabel }],
        series: [
          { name: chartBox.dataset.ordersLabel, type: "bar", data: data.orders },
          { name: chartBox.dataset.revenueLabel, type: "line", yAxisIndex: 1, data: data.revenue.map(Number) }
        ]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    }
  });
})();
