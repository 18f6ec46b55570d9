// The overview's two charts. Figures come from the json_script #overview-data, labels and the
// projects URL from data- attributes on .charts, so nothing user-written is ever parsed as code.
document.addEventListener("DOMContentLoaded", function () {
  const holder = document.querySelector(".charts[data-projects-url]");
  if (!holder) return;
  const labels = holder.dataset;
  const data = JSON.parse(document.getElementById("overview-data").textContent);
  let current = data;
  const base = labels.projectsUrl + "?campaign=" + encodeURIComponent(data.campaign.id)
    + "&on=" + encodeURIComponent(data.on);
  const esc = echarts.format.encodeHTML;
  const shown = v => (v === null || v === undefined ? "-" : String(v));
  // The meeting-room screen has its own dark theme (ECharts' built-in "dark", on a clear ground).
  const theme = document.body.classList.contains("big-screen") ? "dark" : undefined;
  const pie = echarts.init(document.getElementById("chart-colours"), theme);
  const names = {red: labels.red, yellow: labels.yellow, green: labels.green};
  const colours = {red: "#c62828", yellow: "#f9a825", green: "#2e7d32"};
  // Read from across a room: larger type on the screen.
  const big = n => (theme ? {fontSize: n} : {});
  const clear = theme ? {backgroundColor: "transparent", textStyle: {fontSize: 18}} : {};
  function drawPie(data) {
    // A colour with no project has no slice: its label would sit on its neighbour's (红灯0 over
    // 绿灯0), so it shows no label there; the legend below gives every colour with its count.
    const counts = {};
    ["red", "yellow", "green"].forEach(k => { counts[names[k]] = shown(data.colours[k]); });
    pie.setOption({...clear,
      tooltip: {trigger: "item", formatter: p => esc(p.name) + ": " + esc(shown(p.value))},
      legend: {bottom: 0, formatter: name => name + " " + counts[name], textStyle: big(20)},
      series: [{type: "pie", radius: ["35%", "62%"], center: ["50%", "45%"],
        avoidLabelOverlap: true, labelLayout: {hideOverlap: true},
        label: {formatter: "{b}\n{c}", ...big(20)},
        data: ["red", "yellow", "green"].map(k => ({
          name: names[k], value: data.colours[k], key: k, itemStyle: {color: colours[k]},
          label: {show: Number(data.colours[k]) > 0}, labelLine: {show: Number(data.colours[k]) > 0}
        }))}]
    });
  }
  drawPie(data);
  pie.on("click", p => { window.location = base + "&colour=" + encodeURIComponent(p.data.key); });
  const bar = echarts.init(document.getElementById("chart-lines"), theme);
  function drawBar(data) {
    bar.setOption({...clear,
      // Line names are typed by users: the tooltip is HTML, so each part is escaped.
      tooltip: {trigger: "axis", formatter: ps => esc(ps[0].name) + ps.map(
        p => "<br>" + p.marker + esc(p.seriesName) + ": " + esc(shown(p.value))).join("")},
      legend: {textStyle: big(18)},
      grid: {left: 10, right: 10, containLabel: true},
      xAxis: {type: "category", data: data.by_line.map(l => l.line), axisLabel: {interval: 0, rotate: 30, ...big(15)}},
      yAxis: {type: "value", axisLabel: big(16)},
      series: [
        {name: labels.annualPlanned, type: "bar", data: data.by_line.map(l => l.annual_planned_wan)},
        {name: labels.completed, type: "bar", data: data.by_line.map(l => l.completed_wan)}
      ]
    });
  }
  drawBar(data);
  bar.on("click", p => {
    const l = current.by_line[p.dataIndex];
    if (l.line_id) window.location = base + "&line=" + encodeURIComponent(l.line_id);
  });
  window.addEventListener("resize", () => { pie.resize(); bar.resize(); });
  // The screen refreshes in place (js/screen.js): new figures, same charts, no flicker.
  window.gongjianOverview = {update(next) { current = next; drawPie(next); drawBar(next); }};
  document.body.dataset.chartsReady = "1";
});
