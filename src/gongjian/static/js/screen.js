// The meeting-room screen refreshes in place: every data-refresh-seconds it fetches the same
// page, swaps the figures and tables (the .kpis, #top-units and #lagging-units of #screen-body)
// and hands the new #overview-data to the charts, which redraw without being rebuilt, so the
// screen never goes blank or flashes as a page reload would. A failed fetch keeps what is shown.
(function () {
  function swap(fresh) {
    ["section.kpis", "#top-units", "#lagging-units"].forEach(selector => {
      const now = document.querySelector("#screen-body " + selector);
      const next = fresh.querySelector("#screen-body " + selector);
      if (now && next) now.replaceWith(document.importNode(next, true));
    });
    const data = fresh.getElementById("overview-data");
    if (data && window.gongjianOverview) {
      window.gongjianOverview.update(JSON.parse(data.textContent));
      document.getElementById("overview-data").textContent = data.textContent;
    }
  }
  async function refresh() {
    try {
      const response = await fetch(window.location.href, {credentials: "same-origin"});
      if (!response.ok) return;
      swap(new DOMParser().parseFromString(await response.text(), "text/html"));
      document.body.dataset.refreshedAt = new Date().toISOString();
    } catch (error) {
      // Offline for a moment: the figures stay as they were until the next try.
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    const seconds = Number(document.body.dataset.refreshSeconds) || 60;
    window.gongjianScreen = {refresh};
    window.setInterval(refresh, seconds * 1000);
  });
})();
