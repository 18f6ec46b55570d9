// The overview's two charts. Figures come from the json_script #overview-data, labels and the
// projects URL from data- attributes on .charts, so nothing user-written is ever parsed as code.
document.addEventListener("DOMContentLoaded", function () {
  const holder = document.querySelector(".charts[data-projects-url]");
  if (!holder) return;
  const labels = holder.dataset;
  const data = JSON.parse(document.getElementById("overview-data").textContent);
  const base = labels.projectsUrl + "?campaign=" + encodeURIComponent(data.campaign.id)
    + "&on=" + encodeURIComponent(data.on);
  const esc = echarts.format.encodeHTML;
  const shown = v => (v === null || v === undefined ? "-" : String(v));
  const pie = echarts.init(document.getElementById("chart-colours"));
  const names = {red: labels.red, yellow: labels.yellow, green: labels.green};
  const colours = {red: "#c62828", yellow: "#f9a825", green: "#2e7d32"};
  pie.setOption({
    tooltip: {trigger: "item", formatter: p => esc(p.name) + ": " + esc(shown(p.value))},
    series: [{type: "pie", radius: ["40%", "70%"], label: {formatter: "{b}\n{c}"},
      data: ["red", "yellow", "green"].map(k => ({name: names[k], value: data.colours[k], key: k, itemStyle: {color: colours[k]}}))}]
  });
  pie.on("click", p => { window.location = base + "&colour=" + encodeURIComponent(p.data.key); });
  const bar = echarts.init(document.getElementById("chart-lines"));
  bar.setOption({
    // Line names are typed by users: the tooltip is HTML, so each part is escaped.
    tooltip: {trigger: "axis", formatter: ps => esc(ps[0].name) + ps.map(
      p => "<br>" + p.marker + esc(p.seriesName) + ": " + esc(shown(p.value))).join("")},
    legend: {},
    grid: {left: 10, right: 10, containLabel: true},
    xAxis: {type: "category", data: data.by_line.map(l => l.line), axisLabel: {interval: 0, rotate: 30}},
    yAxis: {type: "value"},
    series: [
      {name: labels.annualPlanned, type: "bar", data: data.by_line.map(l => l.annual_planned_wan)},
      {name: labels.completed, type: "bar", data: data.by_line.map(l => l.completed_wan)}
    ]
  });
  bar.on("click", p => {
    const l = data.by_line[p.dataIndex];
    if (l.line_id) window.location = base + "&line=" + encodeURIComponent(l.line_id);
  });
  window.addEventListener("resize", () => { pie.resize(); bar.resize(); });
  document.body.dataset.chartsReady = "1";
});
