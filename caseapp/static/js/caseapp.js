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

// A searchable field (data-lookup): its <datalist> offers what the server finds for what
// has been typed. Without script the field is a plain text input the server resolves.
function attachLookup(input) {
  const list = document.getElementById(input.getAttribute("list"));
  let timer = null;
  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < 2 || !list) return;
    timer = window.setTimeout(() => {
      const url = `${input.dataset.lookup}?q=${encodeURIComponent(text)}`;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : []))
        .then((items) => {
          list.replaceChildren(
            ...items.map((item) => {
              const option = document.createElement("option");
              option.value = item.value;
              return option;
            }),
          );
        })
        .catch(() => {});
    }, 200);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[data-lookup]")) attachLookup(input);
});
