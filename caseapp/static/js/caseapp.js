// caseapp – progressive enhancement only; every page works without script.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so keyboard and screen-reader users hear it first.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
  // Ask before irreversible actions (cancel a document, merge duplicates).
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (ev) => {
      if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
    });
  }
});
