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
