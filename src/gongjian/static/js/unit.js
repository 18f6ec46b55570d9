// The unit view's rank trend (the Gantt chart is gantt.js's). Rows come from #rank-data; its label
// from #rank-chart's data-rank. Plan names are typed by users and ECharts tooltips are HTML:
// every one is escaped.
(function () {
  const esc = echarts.format.encodeHTML;
  const shown = v => (v === null || v === undefined ? "-" : String(v));

  const ranks = JSON.parse(document.getElementById("rank-data").textContent);
  if (ranks.length) {
    const el = document.getElementById("rank-chart");
    const chart = echarts.init(el);
    const plans = [...new Set(ranks.map(r => r.plan))];
    chart.setOption({
      tooltip: {trigger: "axis", formatter: ps => esc(ps[0].name) + ps.map(
        p => "<br>" + p.marker + esc(p.seriesName) + ": " + esc(shown(p.value[1]))).join("")},
      legend: {},
      xAxis: {type: "category", data: [...new Set(ranks.map(r => r.period))]},
      yAxis: {type: "value", inverse: true, minInterval: 1, name: el.dataset.rank},
      series: plans.map(p => ({name: p, type: "line", data: ranks.filter(r => r.plan === p).map(r => [r.period, r.rank])}))
    });
  }

  document.body.dataset.chartsReady = "1";
})();
