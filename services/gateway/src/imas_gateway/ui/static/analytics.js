// Draws the analytics charts from the JSON the page embeds (no inline script: CSP friendly).
(function () {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const css = getComputedStyle(document.documentElement);
  const color = (name) => css.getPropertyValue(name).trim();
  Chart.defaults.color = color("--fg");
  Chart.defaults.borderColor = color("--line");
  const minutes = (s) => (s == null ? null : Math.round(s / 6) / 10);
  const day = (iso) => iso.slice(0, 10);

  new Chart(document.getElementById("chart-trend"), {
    type: "line",
    data: {
      labels: data.trend.points.map((p) => day(p.bucket_start)),
      datasets: [
        { label: "MTTA", data: data.trend.points.map((p) => minutes(p.figures.mtta.mean)), borderColor: color("--accent") },
        { label: "MTTR", data: data.trend.points.map((p) => minutes(p.figures.mttr.mean)), borderColor: color("--sev2") },
      ],
    },
  });
  const sevColors = { SEV1_CRITICAL: "--sev1", SEV2_HIGH: "--sev2", SEV3_MEDIUM: "--sev3", SEV4_LOW: "--sev4" };
  new Chart(document.getElementById("chart-severity"), {
    type: "bar",
    data: {
      labels: data.severity.groups.map((g) => g.key),
      datasets: [{ label: "Incidents", data: data.severity.groups.map((g) => g.figures.count),
        backgroundColor: data.severity.groups.map((g) => color(sevColors[g.key] || "--accent")) }],
    },
    options: { plugins: { legend: { display: false } } },
  });
  new Chart(document.getElementById("chart-offenders"), {
    type: "bar",
    data: {
      labels: data.offenders.services.map((o) => o.service),
      datasets: [
        { label: "SEV1", data: data.offenders.services.map((o) => o.sev1), backgroundColor: color("--sev1") },
        { label: "SEV2", data: data.offenders.services.map((o) => o.sev2), backgroundColor: color("--sev2") },
      ],
    },
    options: { indexAxis: "y", scales: { x: { stacked: true }, y: { stacked: true } } },
  });
  const days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  const max = Math.max(1, ...data.heatmap.cells.map((c) => c.count));
  new Chart(document.getElementById("chart-heatmap"), {
    type: "bubble",
    data: {
      datasets: [{ label: "Incidents", backgroundColor: color("--sev1"),
        data: data.heatmap.cells.map((c) => ({ x: c.hour, y: c.weekday, r: 3 + (12 * c.count) / max, count: c.count })) }],
    },
    options: {
      plugins: { legend: { display: false },
        tooltip: { callbacks: { label: (ctx) => `${days[ctx.raw.y - 1]} ${ctx.raw.x}:00 — ${ctx.raw.count}` } } },
      scales: { x: { min: -0.5, max: 23.5, title: { display: true, text: "hour (UTC)" } },
        y: { min: 0.5, max: 7.5, reverse: true, ticks: { stepSize: 1, callback: (v) => days[v - 1] || "" } } },
    },
  });
})();
