// caseapp – progressive enhancement only; every page works without script.

// A link with data-fragment leads to a page of its own; with script, the part of that page
// it names is put in place of the link's paragraph, and focus moves to it. If loading
// fails, the link is followed as without script.
function loadFragment(link) {
  const holder = link.closest("p") || link;
  link.setAttribute("aria-busy", "true");
  fetch(link.dataset.fragment, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then((response) => {
      if (!response.ok) throw new Error(String(response.status));
      return response.text();
    })
    .then((html) => {
      const part = document.createElement("div");
      part.className = "fragment";
      part.tabIndex = -1;
      part.innerHTML = html;
      holder.replaceWith(part);
      part.focus();
    })
    .catch(() => {
      window.location.href = link.href;
    });
}

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
  for (const link of document.querySelectorAll("a[data-fragment]")) {
    link.addEventListener("click", (ev) => {
      ev.preventDefault();
      loadFragment(link);
    });
  }
});
