// The outcomes charts (Chart.js, vendored from npm). Every number comes from a json_script the
// page renders from the same functions as the JSON API; each chart has a table beside it.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  const Chart = window.Chart;
  // Okabe-Ito: told apart with colour blindness too; each series also has its own point style.
  const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
  const POINTS = ["circle", "rect", "triangle", "rectRot", "star", "crossRot", "rectRounded"];
  const reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  Chart.defaults.animation = reduced ? false : { duration: 300 };
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  // Ticks and tooltips in the page's language, with the Latin digits the tables use.
  Chart.defaults.locale = (document.documentElement.lang || "en") + "-u-nu-latn";
  const dayFormat = new Intl.DateTimeFormat(Chart.defaults.locale, { day: "numeric", month: "short", year: "numeric" });
  const writtenDay = (iso) => dayFormat.format(new Date(iso + "T12:00:00"));

  const read = (id) => JSON.parse(document.getElementById(id).textContent);

  // Vertical marks at the visits' days, labelled S1, S2...: the course's sessions on the chart.
  const visitMarks = {
    id: "visitMarks",
    afterDatasetsDraw(chart, _args, options) {
      const marks = options.marks || [];
      const { ctx, chartArea, scales } = chart;
      ctx.save();
      ctx.strokeStyle = "rgba(33,37,41,0.35)";
      ctx.fillStyle = "#495057";
      ctx.setLineDash([2, 3]);
      ctx.font = "11px " + Chart.defaults.font.family;
      ctx.textAlign = "center";
      marks.forEach((mark) => {
        const x = scales.x.getPixelForValue(mark.day);
        if (x < chartArea.left || x > chartArea.right) { return; }
        ctx.beginPath();
        ctx.moveTo(x, chartArea.top + 12);
        ctx.lineTo(x, chartArea.bottom);
        ctx.stroke();
        ctx.fillText(mark.label, x, chartArea.top + 9);
      });
      ctx.restore();
    },
  };

  function patientChart(canvas) {
    const data = read(canvas.dataset.source);
    const labels = data.labels;
    const metric = canvas.dataset.outcomeChart;
    const series = data.series.filter((s) => s.metric === metric);
    const courses = new Set(series.flatMap((s) => s.points.map((p) => p.course)));
    const datasets = [];
    series.forEach((s, n) => {
      const colour = COLOURS[n % COLOURS.length];
      const where = (s.site ? labels.sites[s.site] : labels.whole_scalp) + " · " + labels.methods[s.method];
      [...courses].forEach((course) => {
        const points = s.points.filter((p) => p.course === course);
        if (!points.length) { return; }
        const suffix = courses.size > 1 ? " · " + labels.course + " " + course : "";
        datasets.push({
          label: where + suffix, borderColor: colour, backgroundColor: colour, pointStyle: POINTS[n % POINTS.length],
          pointRadius: 5, pointHoverRadius: 7, tension: 0,
          data: points.map((p) => ({ x: p.day, y: p.value, date: p.date })),
        });
      });
      if (s.baseline !== null) {
        const days = s.points.map((p) => p.day);
        datasets.push({
          label: labels.baseline + " · " + where, isBaseline: true, borderColor: colour, borderDash: [6, 4], borderWidth: 1,
          pointRadius: 0, data: [{ x: Math.min(...days, 0), y: s.baseline }, { x: Math.max(...days), y: s.baseline }],
          pointHitRadius: 0,
        });
      }
    });
    const courseIds = new Set([...courses]);
    const marks = data.sessions.filter((v) => courseIds.has(v.course_id))
      .map((v) => ({ day: v.day, label: "S" + v.number }));
    // The axis runs to the course's last visit, so the visits still to come are marked too.
    const lastDay = Math.max(0, ...marks.map((m) => m.day), ...datasets.flatMap((d) => d.data.map((p) => p.x)));
    new Chart(canvas, {
      type: "line",
      data: { datasets },
      options: {
        parsing: true,
        scales: {
          x: { type: "linear", suggestedMin: Math.min(0, ...marks.map((m) => m.day)), suggestedMax: lastDay + 5,
            title: { display: true, text: labels.day }, ticks: { precision: 0 } },
          // Room above the highest value for the visits' labels.
          y: { grace: "12%", title: { display: true, text: labels.metrics[metric] } },
        },
        plugins: {
          visitMarks: { marks },
          // The baselines are the dashed lines in each series' colour: the legend names the series only.
          legend: { position: "bottom", labels: { usePointStyle: true, boxWidth: 8,
            filter: (item, chartData) => !chartData.datasets[item.datasetIndex].isBaseline } },
          tooltip: { callbacks: { title: (items) => items.length && items[0].raw.date
            ? writtenDay(items[0].raw.date) + " · " + labels.day + " " + items[0].raw.x : "" } },
        },
      },
      plugins: [visitMarks],
    });
  }

  function cohortChart(canvas) {
    const data = read(canvas.dataset.source);
    const labels = data.labels;
    const days = data.days;
    const names = days.map((d) => labels.day_short + " " + d.day + " (n=" + d.patients + ")");
    new Chart(canvas, {
      data: {
        labels: names,
        datasets: [
          { type: "bar", label: labels.ci95, data: days.map((d) => (d.ci95 ? d.ci95 : null)),
            backgroundColor: "rgba(0,114,178,0.25)", borderColor: "#0072B2", borderWidth: 1, barPercentage: 0.35 },
          { type: "line", label: labels.mean, data: days.map((d) => d.mean), borderColor: "#D55E00",
            backgroundColor: "#D55E00", pointStyle: "rectRot", pointRadius: 7, showLine: false },
        ],
      },
      options: {
        scales: { y: { title: { display: true, text: labels.change + (data.unit ? " (" + data.unit + ")" : "") } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  function adherenceChart(canvas) {
    const data = read(canvas.dataset.source);
    const labels = data.labels;
    const config = canvas.dataset.adherenceChart === "protocols" ? {
      labels: data.protocols.map((p) => p.code),
      datasets: [
        { label: labels.in_window, data: data.protocols.map((p) => p.in_window), backgroundColor: "#009E73" },
        { label: labels.no_show, data: data.protocols.map((p) => p.no_show), backgroundColor: "#D55E00" },
        { label: labels.cancelled, data: data.protocols.map((p) => p.cancelled), backgroundColor: "#999999" },
      ],
    } : {
      labels: data.practitioners.map((p) => p.name),
      datasets: [{ label: labels.utilisation, data: data.practitioners.map((p) => p.utilisation),
        backgroundColor: "#0072B2" }],
    };
    new Chart(canvas, {
      type: "bar",
      data: config,
      options: {
        indexAxis: canvas.dataset.adherenceChart === "protocols" ? "x" : "y",
        scales: { [canvas.dataset.adherenceChart === "protocols" ? "y" : "x"]: { min: 0, max: 100 } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  document.querySelectorAll("canvas[data-outcome-chart]").forEach(patientChart);
  document.querySelectorAll("canvas[data-cohort-chart]").forEach(cohortChart);
  document.querySelectorAll("canvas[data-adherence-chart]").forEach(adherenceChart);
})();
