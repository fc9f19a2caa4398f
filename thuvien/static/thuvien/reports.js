// Draws every report chart: a <canvas id="chart-N"> with its data in <script id="chart-N-data">.
(function () {
  "use strict";
  var colors = ["#1f6fb2", "#e07b00", "#2e9a47", "#b8312f", "#7a4eab", "#5b6770"];
  function draw() {
    if (typeof Chart === "undefined") { return; }
    document.querySelectorAll("canvas[id^='chart-']").forEach(function (canvas) {
      var source = document.getElementById(canvas.id + "-data");
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      spec.datasets.forEach(function (d, i) {
        d.backgroundColor = colors[i % colors.length];
        d.borderColor = colors[i % colors.length];
        d.tension = 0.25;
      });
      new Chart(canvas, {
        type: spec.type,
        data: {labels: spec.labels, datasets: spec.datasets},
        options: {responsive: true, maintainAspectRatio: false, animation: false,
                  plugins: {legend: {position: "bottom"}},
                  scales: {y: {beginAtZero: true}}}
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
