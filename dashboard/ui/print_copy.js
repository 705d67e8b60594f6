// The print copy of a table (dashboard/ui/layout.py): a plain table built from its cells' text when
// the browser is next idle, or at once when the page is printed. Built with textContent only, so a
// cell is never read as markup; the copy is hidden on screen (the page's styles), so building it
// later costs the first view nothing, where a sanitised HTML copy of thousands of rows did.
export default function (component) {
  const { data, parentElement } = component;
  let built = false;
  const build = () => {
    if (built) return;
    built = true;
    const { columns, rows } = JSON.parse(new TextDecoder().decode(data));
    const table = document.createElement("table");
    table.className = "print-table";
    const heading = table.createTHead().insertRow();
    for (const column of columns) {
      const cell = document.createElement("th");
      cell.textContent = column;
      heading.appendChild(cell);
    }
    const body = table.createTBody();
    for (const row of rows) {
      const line = body.insertRow();
      for (const text of row) {
        const cell = line.insertCell();
        // A list (safeguard ids) may break after each ';', never inside a word.
        text.split(";").forEach((part, index) => {
          if (index) cell.append(";", document.createElement("wbr"));
          cell.append(part);
        });
      }
    }
    parentElement.replaceChildren(table);
  };
  const printing = window.matchMedia("print");
  const onMedia = (event) => { if (event.matches) build(); };
  if (printing.matches) build();
  printing.addEventListener("change", onMedia);
  window.addEventListener("beforeprint", build);
  const idle = window.requestIdleCallback ? window.requestIdleCallback(build, { timeout: 3000 }) : window.setTimeout(build, 500);
  return () => {
    printing.removeEventListener("change", onMedia);
    window.removeEventListener("beforeprint", build);
    if (window.cancelIdleCallback) window.cancelIdleCallback(idle); else window.clearTimeout(idle);
  };
}
