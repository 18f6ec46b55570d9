// What the templates once did in on* attributes, done here so the CSP can forbid inline script:
// <select data-autosubmit> sends its form on change; <a data-action="print|fullscreen"> acts on click.
// Listening on the document covers elements htmx swaps in later.
document.addEventListener("change", function (event) {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});
document.addEventListener("click", function (event) {
  const link = event.target.closest("[data-action]");
  if (!link) return;
  const action = link.dataset.action;
  if (action === "print") {
    event.preventDefault();
    window.print();
  } else if (action === "fullscreen") {
    event.preventDefault();
    document.documentElement.requestFullscreen();
  }
});

// Long work shows progress. <form data-busy="正在导入…"> (imports, compute): on submit its button
// is disabled and marked busy (pico.css draws a spinner for aria-busy) until the next page says
// how it went. <a data-download> (Word, PDF, Excel made on request): the file is fetched with the
// link marked busy, then saved under the server's name; a status line beside the link says it is
// done, or why it failed (the error page's or the API's own message). The words come from the
// data-busy/-done/-fail attributes, so they are translated with the page.
document.addEventListener("submit", function (event) {
  const form = event.target.closest("form[data-busy]");
  if (!form || event.defaultPrevented) return;
  const button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
  if (!button) return;
  if (button.getAttribute("aria-busy") === "true") {
    event.preventDefault(); // a second click does not send the file twice
    return;
  }
  // Disabled after this event, so that the browser still sends the button's own name/value.
  setTimeout(function () {
    button.setAttribute("aria-busy", "true");
    button.disabled = true;
    button.textContent = form.dataset.busy;
  }, 0);
});

function statusBeside(element) {
  let status = element.nextElementSibling;
  if (!status || !status.classList.contains("busy-status")) {
    status = document.createElement("small");
    status.className = "busy-status";
    status.setAttribute("role", "status");
    element.insertAdjacentElement("afterend", status);
  }
  return status;
}

function savedName(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const star = /filename\*=utf-8''([^;]+)/i.exec(header);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="([^"]+)"/.exec(header);
  return plain ? plain[1] : fallback;
}

async function refusal(response) {
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json")) {
    const body = await response.json().catch(function () { return {}; });
    return body.message || response.statusText;
  }
  const html = await response.text();
  const page = new DOMParser().parseFromString(html, "text/html");
  const message = page.querySelector(".error-page p, [role=alert]");
  return message ? message.textContent.trim() : response.statusText;
}

async function download(link) {
  const status = statusBeside(link);
  link.setAttribute("aria-busy", "true");
  status.textContent = link.dataset.busyText || "";
  try {
    const response = await fetch(link.href, {credentials: "same-origin"});
    if (!response.ok) throw new Error(await refusal(response));
    const blob = await response.blob();
    const name = savedName(response, "download");
    const save = document.createElement("a");
    save.href = URL.createObjectURL(blob);
    save.download = name;
    document.body.appendChild(save);
    save.click();
    save.remove();
    setTimeout(function () { URL.revokeObjectURL(save.href); }, 1000);
    status.textContent = (link.dataset.doneText || "") + name;
    status.classList.remove("failed");
  } catch (error) {
    status.textContent = (link.dataset.failText || "") + error.message;
    status.classList.add("failed");
  } finally {
    link.removeAttribute("aria-busy");
  }
}

document.addEventListener("click", function (event) {
  const link = event.target.closest("a[data-download]");
  if (!link) return;
  event.preventDefault();
  if (link.getAttribute("aria-busy") !== "true") download(link);
});
