// The unit view's rank trend and milestone Gantt chart. Rows come from the json_script elements
// #rank-data and #gantt-data; labels and today's date from data- attributes on #gantt. Project,
// milestone and plan names are typed by users and ECharts tooltips are HTML: every one is escaped.
(function () {
  const esc = echarts.format.encodeHTML;
  const shown = v => (v === null || v === undefined ? "-" : String(v));
  const gantt = document.getElementById("gantt");
  const text = gantt.dataset;

  const ranks = JSON.parse(document.getElementById("rank-data").textContent);
  if (ranks.length) {
    const chart = echarts.init(document.getElementById("rank-chart"));
    const plans = [...new Set(ranks.map(r => r.plan))];
    chart.setOption({
      tooltip: {trigger: "axis", formatter: ps => esc(ps[0].name) + ps.map(
        p => "<br>" + p.marker + esc(p.seriesName) + ": " + esc(shown(p.value[1]))).join("")},
      legend: {},
      xAxis: {type: "category", data: [...new Set(ranks.map(r => r.period))]},
      yAxis: {type: "value", inverse: true, minInterval: 1, name: text.rank},
      series: plans.map(p => ({name: p, type: "line", data: ranks.filter(r => r.plan === p).map(r => [r.period, r.rank])}))
    });
  }

  const rows = JSON.parse(document.getElementById("gantt-data").textContent);
  if (rows.length) {
    const today = text.today;
    const chart = echarts.init(gantt);
    const day = s => new Date(s + "T00:00:00").getTime();
    const tip = (r, what) => esc(r.label) + "<br>" + esc(what);
    chart.setOption({
      tooltip: {formatter: p => p.data.tip},
      grid: {left: 10, right: 20, containLabel: true},
      xAxis: {type: "time"},
      yAxis: {type: "category", data: rows.map(r => r.label), inverse: true, axisLabel: {width: 260, overflow: "truncate"}},
      series: [{
        type: "scatter", name: text.planned, symbol: "diamond", symbolSize: 12,
        data: rows.map((r, i) => ({value: [day(r.planned), i], tip: tip(r, text.planned + " " + r.planned), itemStyle: {color: r.overdue ? "#c62828" : "#1565c0"}}))
      }, {
        type: "scatter", name: text.actual, symbol: "circle", symbolSize: 10,
        data: rows.filter(r => r.actual).map(r => ({value: [day(r.actual), rows.indexOf(r)], tip: tip(r, text.actual + " " + r.actual), itemStyle: {color: "#2e7d32"}}))
      }, {
        type: "scatter", name: text.late, symbol: "triangle", symbolSize: 12,
        label: {show: true, position: "right", formatter: p => p.data.late},
        data: rows.filter(r => r.overdue).map(r => ({value: [day(today), rows.indexOf(r)], late: text.late + r.late_days + text.days, tip: tip(r, text.late + " " + r.late_days + " " + text.days), itemStyle: {color: "#c62828"}}))
      }, {
        type: "line", name: text.todayLabel, data: [], markLine: {symbol: "none", label: {formatter: text.todayLabel}, data: [{xAxis: day(today)}]}
      }]
    });
  }
  document.body.dataset.chartsReady = "1";
})();
