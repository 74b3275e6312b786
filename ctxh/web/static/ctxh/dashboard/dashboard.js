// The dashboard: one trend chart per indicator (values per period, the cumulative over the phase for a
// cumulated count, the target in force as a dashed step line, the projection as a dotted line), the sortable
// table of subdivisions, and the print button.
// Printing: charts are drawn without animation, and every render refreshes an <img> of the chart that only
// the printed page shows (a canvas prints blurred or late); lines differ by dash and point shape, not only
// by colour.
(function () {
  "use strict";

  var lang = document.documentElement.lang || "vi";
  var numberFormat = new Intl.NumberFormat(lang === "en" ? "en-GB" : "vi-VN", {maximumFractionDigits: 1});

  function drawCharts() {
    var source = document.getElementById("dashboard-charts");
    if (!source || typeof Chart === "undefined") {
      return;
    }
    JSON.parse(source.textContent).forEach(function (data) {
      var canvas = document.getElementById("chart-" + data.code);
      var image = document.getElementById("chart-" + data.code + "-print");
      if (!canvas) {
        return;
      }
      var datasets = [{
        type: data.ratio ? "line" : "bar", label: data.names.values, data: data.values, order: 4,
        backgroundColor: "#9ec1e8", borderColor: "#1f4e8c", borderWidth: data.ratio ? 3 : 1,
        pointStyle: data.ratio ? "circle" : "rect", pointRadius: data.ratio ? 4 : 3, spanGaps: false
      }];
      if (data.cumulative) {
        datasets.push({
          type: "line", label: data.names.cumulative, data: data.cumulative, order: 3,
          borderColor: "#a33a0b", backgroundColor: "#a33a0b", borderWidth: 3, pointStyle: "rectRot",
          pointRadius: 5, spanGaps: false
        });
      }
      if (data.target) {
        datasets.push({
          type: "line", label: data.names.target, data: data.target, order: 1, stepped: "middle",
          borderColor: "#000", backgroundColor: "#000", borderDash: [8, 5], borderWidth: 2, pointRadius: 0,
          pointStyle: "line", spanGaps: false
        });
      }
      if (data.projection) {
        datasets.push({
          type: "line", label: data.names.projection, data: data.projection, order: 2,
          borderColor: "#555", backgroundColor: "#fff", borderDash: [2, 4], borderWidth: 2, pointRadius: 5,
          pointStyle: "triangle", spanGaps: true
        });
      }
      var chart = new Chart(canvas, {
        data: {labels: data.labels, datasets: datasets},
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          locale: lang,
          plugins: {
            legend: {position: "bottom", labels: {color: "#000", font: {size: 12}, usePointStyle: true}},
            tooltip: {
              callbacks: {
                label: function (item) {
                  var value = item.parsed.y;
                  return item.dataset.label + ": " + numberFormat.format(value) + (data.ratio && item.dataset.label !== data.names.cumulative ? " %" : "");
                }
              }
            }
          },
          scales: {
            x: {ticks: {color: "#000"}},
            y: {
              beginAtZero: true, suggestedMax: data.ratio ? 100 : undefined,
              ticks: {
                color: "#000", precision: 0,
                callback: function (value) { return numberFormat.format(value) + (data.ratio ? " %" : ""); }
              }
            }
          }
        },
        plugins: [{
          id: "printImage",
          afterRender: function (rendered) {
            if (image) {
              image.src = rendered.toBase64Image("image/png", 1);
            }
          }
        }]
      });
      window.addEventListener("beforeprint", function () { chart.resize(); });
    });
  }

  // Client-side sort of the table: click a column header; numbers as numbers, empty cells last.
  function sortable(table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, index) {
      var button = th.querySelector("button.ctxh-sort");
      if (!button) {
        return;
      }
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = button.hasAttribute("data-numeric");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[index].getAttribute("data-sort") || "";
          var y = b.cells[index].getAttribute("data-sort") || "";
          if (x === "" || y === "") {
            return x === y ? 0 : (x === "" ? 1 : -1);
          }
          var result = numeric || (!isNaN(x) && !isNaN(y)) ? Number(x) - Number(y) : x.localeCompare(y, lang);
          return ascending ? result : -result;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function start() {
    drawCharts();
    document.querySelectorAll("table.ctxh-sortable").forEach(sortable);
    document.querySelectorAll("[data-ctxh-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
