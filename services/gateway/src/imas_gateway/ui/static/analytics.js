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
  // SEV1 first, every severity shown (the page orders them).
  new Chart(document.getElementById("chart-severity"), {
    type: "bar",
    data: {
      labels: data.severity.map((g) => g.label),
      datasets: [{ label: "Incidents", data: data.severity.map((g) => g.count),
        backgroundColor: data.severity.map((g) => color(sevColors[g.key] || "--accent")) }],
    },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
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
    options: { indexAxis: "y", scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } } },
  });
})();
