// Mail import: files dropped on the zone go into the normal, labelled <input type=file multiple>.
// Without script the input works as it is; this only adds drag and drop and a file list.
document.addEventListener("DOMContentLoaded", () => {
  const zone = document.querySelector("[data-dropzone]");
  if (!zone) return;
  const input = zone.querySelector("input[type=file]");
  const list = zone.querySelector("[data-dropzone-list]");
  if (!input) return;

  const show = () => {
    if (!list) return;
    list.replaceChildren();
    for (const file of input.files) {
      const li = document.createElement("li");
      li.textContent = `${file.name} (${Math.ceil(file.size / 1024)} kB)`;
      list.append(li);
    }
  };

  for (const name of ["dragenter", "dragover"]) {
    zone.addEventListener(name, (ev) => {
      ev.preventDefault();
      zone.classList.add("dragging");
    });
  }
  for (const name of ["dragleave", "dragend"]) {
    zone.addEventListener(name, () => zone.classList.remove("dragging"));
  }
  zone.addEventListener("drop", (ev) => {
    ev.preventDefault();
    zone.classList.remove("dragging");
    if (!ev.dataTransfer || !ev.dataTransfer.files.length) return;
    // Keep what was chosen before and add the dropped files.
    const all = new DataTransfer();
    for (const f of input.files) all.items.add(f);
    for (const f of ev.dataTransfer.files) all.items.add(f);
    input.files = all.files;
    show();
    input.focus();
  });
  input.addEventListener("change", show);
});
