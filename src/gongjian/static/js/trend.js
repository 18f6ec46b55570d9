// A unit's score and rank history (assessment trend page). The series come from the json_script
// #trend-data (a JSON string of {plan: [[period, rank], ...]}); plan names are escaped in the tooltip.
(function () {
  const holder = document.getElementById("trend-chart");
  const data = JSON.parse(JSON.parse(document.getElementById("trend-data").textContent));
  const esc = echarts.format.encodeHTML;
  const shown = v => (v === null || v === undefined ? "-" : String(v));
  const chart = echarts.init(holder);
  chart.setOption({
    tooltip: {trigger: "axis", formatter: ps => esc(ps[0].name) + ps.map(
      p => "<br>" + p.marker + esc(p.seriesName) + ": " + esc(shown(p.value[1]))).join("")},
    legend: {},
    xAxis: {type: "category"}, yAxis: {type: "value", inverse: true, minInterval: 1, name: holder.dataset.rank},
    series: Object.entries(data).map(([name, points]) => ({name, type: "line", data: points})),
  });
})();
