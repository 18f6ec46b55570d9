// The milestone Gantt chart (projects.gantt): per milestone a planned bar and an actual bar, a
// today line, overdue in red. Names sit on the category axis (a row each, so they never overlap)
// and the state ("逾期152天") in a right-hand column. Rows come from the json_script element named
// by data-rows; labels from data- attributes. Names are typed by users and ECharts tooltips are
// HTML: every one is escaped.
(function () {
  const esc = echarts.format.encodeHTML;
  // Axis labels are ECharts rich text, where braces are markup: a typed brace shows full-width.
  const plain = s => String(s).replace(/[{}|]/g, c => ({"{": "｛", "}": "｝", "|": "｜"})[c]);
  const day = s => new Date(s + "T00:00:00").getTime();
  const DAY = 86400000;
  const COLOURS = {done: "#2e7d32", done_late: "#ef6c00", overdue: "#c62828", under_way: "#66bb6a"};
  const STATE_TEXT = {done: "#2e7d32", done_late: "#ef6c00", overdue: "#c62828", under_way: "#555", not_started: "#555"};

  function draw(el) {
    const rows = JSON.parse(document.getElementById(el.dataset.rows).textContent);
    if (!rows.length) return;
    const text = el.dataset;
    const withProject = text.withProject === "1";
    el.style.height = (rows.length * (withProject ? 44 : 34) + 70) + "px";
    const chart = echarts.init(el);
    const today = day(text.today);
    const dates = [today];
    rows.forEach(r => ["planned_from", "planned_to", "actual_from", "actual_to"].forEach(k => r[k] && dates.push(day(r[k]))));
    const pad = Math.max((Math.max(...dates) - Math.min(...dates)) * 0.03, 3 * DAY);
    const categories = rows.map((r, i) => String(i));
    const bar = (offset) => function (params, api) {
      const start = api.coord([api.value(1), api.value(0)]);
      const end = api.coord([api.value(2), api.value(0)]);
      const band = api.size([0, 1])[1];
      const height = band * 0.3;
      const shape = echarts.graphic.clipRectByRect(
        {x: start[0], y: start[1] + offset * band - height / 2, width: Math.max(end[0] - start[0], 3), height: height},
        {x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height});
      return shape && {type: "rect", shape: shape, style: api.style()};
    };
    const tip = r => (withProject ? esc(r.project) + "<br>" : "") + "<b>" + esc(r.name) + "</b><br>" +
      esc(text.planned) + " " + esc(r.planned_from) + " → " + esc(r.planned_to) + "<br>" +
      esc(text.actual) + " " + (r.actual_from ? esc(r.actual_from) + " → " + (r.done ? esc(r.actual_to) : esc(text.todayLabel)) : "—") +
      "<br>" + esc(r.status);
    const narrow = el.clientWidth < 600;
    const leftWidth = Math.round(Math.min(280, el.clientWidth * (narrow ? 0.34 : 0.26)));
    const rightWidth = narrow ? 84 : 120;
    chart.setOption({
      animation: false,
      tooltip: {confine: true, formatter: p => tip(rows[p.value[0]])},
      grid: {left: leftWidth + 8, right: rightWidth + 8, top: 34, bottom: 26},
      xAxis: {type: "time", min: Math.min(...dates) - pad, max: Math.max(...dates) + pad, position: "top",
        axisLabel: {hideOverlap: true, formatter: "{yyyy}-{MM}"}, splitLine: {show: true, lineStyle: {color: "#eee"}}},
      yAxis: [{
        type: "category", data: categories, inverse: true, axisTick: {show: false},
        axisLabel: {width: leftWidth, overflow: "truncate", interval: 0, align: "left", margin: leftWidth,
          formatter: v => withProject ? "{p|" + plain(rows[v].project) + "}\n" + plain(rows[v].name) : plain(rows[v].name),
          rich: {p: {color: "#666", fontSize: 11, width: leftWidth, overflow: "truncate"}}},
      }, {
        type: "category", data: categories, inverse: true, position: "right", axisTick: {show: false}, axisLine: {show: false},
        axisLabel: {interval: 0, width: rightWidth, overflow: "truncate", formatter: v => "{" + rows[v].state + "|" + rows[v].status + "}",
          rich: Object.fromEntries(Object.entries(STATE_TEXT).map(([k, c]) => [k, {color: c, fontWeight: k === "overdue" ? "bold" : "normal"}]))},
      }],
      series: [{
        type: "custom", name: text.planned, renderItem: bar(-0.17), encode: {x: [1, 2], y: 0},
        itemStyle: {color: "#90a4ae"},
        data: rows.map((r, i) => [i, day(r.planned_from), day(r.planned_to)]),
        markLine: {symbol: "none", silent: true, lineStyle: {color: "#c62828", type: "dashed", width: 1.5},
          label: {formatter: text.todayLabel, position: "end", color: "#c62828"}, data: [{xAxis: today}]},
      }, {
        type: "custom", name: text.actual, renderItem: bar(0.17), encode: {x: [1, 2], y: 0},
        data: rows.map((r, i) => r.actual_from ? {value: [i, day(r.actual_from), day(r.actual_to)], itemStyle: {color: COLOURS[r.state] || COLOURS.done}} : null)
          .filter(Boolean),
      }],
    });
    window.addEventListener("resize", () => chart.resize());
  }
  document.querySelectorAll("[data-gantt]").forEach(draw);
  document.body.dataset.ganttReady = "1";
})();
