// Draws every <canvas data-chart="series[,series]"> from the JSON in #chart-data (monthly figures).
(function () {
  const source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const names = {
    new_members: "新发展会员", aid_requests: "帮扶申请", wage_claims: "欠薪求助",
    sla_rate: "按时受理率", wages_recovered: "追回欠薪",
  };
  const colours = ["#1565c0", "#e65100", "#2e7d32", "#6a1b9a"];
  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    const series = canvas.dataset.chart.split(",");
    new Chart(canvas, {
      type: canvas.dataset.type || "bar",
      data: {
        labels: data.months,
        datasets: series.map((name, i) => ({
          label: names[name] || name,
          data: name === "sla_rate" ? data[name].map((v) => (v === null ? null : v * 100)) : data[name],
          borderColor: colours[i % colours.length],
          backgroundColor: colours[i % colours.length] + "99",
          spanGaps: true,
        })),
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        scales: { y: { min: 0, suggestedMax: 1 } },  // counts, money and rates are never negative
        plugins: { legend: { display: series.length > 1 } },
      },
    });
    canvas.dataset.drawn = "true";
  }
})();
