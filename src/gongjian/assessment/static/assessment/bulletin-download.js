// The bulletin's downloads say they are being made: the link (or the combine form's button) is
// marked busy (pico.css draws a spinner for aria-busy) until the file has arrived, then the file
// is saved under the name the server gives it. Without script the links download as before.
(function () {
  "use strict";
  function filename(response, fallback) {
    const header = response.headers.get("Content-Disposition") || "";
    const star = /filename\*=utf-8''([^;]+)/i.exec(header);
    if (star) return decodeURIComponent(star[1]);
    const plain = /filename="([^"]+)"/.exec(header);
    return plain ? plain[1] : fallback;
  }
  async function fetchFile(url, busy) {
    const label = busy.textContent;
    busy.setAttribute("aria-busy", "true");
    busy.textContent = busy.dataset.busyText || "正在生成…";
    try {
      const response = await fetch(url, {credentials: "same-origin"});
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new Error(body.message || response.statusText);
      }
      const blob = await response.blob();
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = filename(response, "bulletin");
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    } catch (error) {
      window.alert(error.message);
    } finally {
      busy.removeAttribute("aria-busy");
      busy.textContent = label;
    }
  }
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-bulletin-download]");
    if (!link) return;
    event.preventDefault();
    if (link.getAttribute("aria-busy") !== "true") fetchFile(link.href, link);
  });
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-bulletin-download]");
    if (!form) return;
    event.preventDefault();
    const query = new URLSearchParams(new FormData(form));
    const button = form.querySelector("button");
    if (button.getAttribute("aria-busy") !== "true") fetchFile(form.action + "?" + query, button);
  });
})();
