// The by-year chart of an indicator page: person-times per year (bars), the cumulative since the phase began
// (line) and the phase target (dashed line). Data from the json_script "indicator-chart-data".
// Printing: a canvas prints badly (blurred, resized late), so every render also refreshes an <img> of the
// chart that only the printed page shows; colours are dark and the lines differ by shape, not only colour.
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("indicator-chart-data");
    var canvas = document.getElementById("indicator-chart");
    var image = document.getElementById("indicator-chart-print");
    if (!source || !canvas || typeof Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var datasets = [
      {
        type: "bar", label: data.names.count, data: data.counts, order: 3,
        backgroundColor: "#9ec1e8", borderColor: "#1f4e8c", borderWidth: 1, pointStyle: "rect"
      },
      {
        type: "line", label: data.names.cumulative, data: data.cumulative, order: 2,
        borderColor: "#a33a0b", backgroundColor: "#a33a0b", borderWidth: 3, pointStyle: "rectRot", pointRadius: 5
      }
    ];
    if (data.target !== null) {
      datasets.push({
        type: "line", label: data.names.target, data: data.labels.map(function () { return data.target; }),
        order: 1, borderColor: "#000", backgroundColor: "#000", borderDash: [8, 5], borderWidth: 2, pointRadius: 0, pointStyle: "line"
      });
    }
    var chart = new Chart(canvas, {
      data: {labels: data.labels, datasets: datasets},
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        locale: document.documentElement.lang || "vi",
        plugins: {legend: {position: "bottom", labels: {color: "#000", font: {size: 13}, usePointStyle: true}}},
        scales: {
          x: {ticks: {color: "#000"}},
          y: {beginAtZero: true, ticks: {color: "#000", precision: 0}}
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
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
