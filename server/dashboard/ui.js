// Building blocks the panels share: a panel's heading, tables, the buttons that filter the page
// and the ones that open a run.
import { el } from "./format.js";
import { FILTER_LABELS } from "./state.js";

/**
 * Fills a panel's section with its heading (h2 with `${id}-title`, named by aria-labelledby)
 * and returns the heading's note, a span for the range or a count.
 */
export function panelHeading(root, title) {
  const note = el("span", { class: "range-label" });
  const heading = el("h2", { id: `${root.dataset.panel}-title` }, title, " ", note);
  root.setAttribute("aria-labelledby", heading.id);
  root.replaceChildren(heading);
  return note;
}

/**
 * A table in a horizontal scroller. `columns`: { label, num?, sort? } (sort: the key a header
 * button sorts by); rows are added with setRows.
 */
export function dataTable({ id, caption, columns }) {
  const head = columns.map((c) =>
    el("th", { scope: "col", class: c.num ? "num" : null, "aria-sort": c.sort ? "none" : null }, c.sort ? el("button", { type: "button", "data-sort": c.sort }, c.label) : c.label),
  );
  const table = el("table", { id }, el("caption", { class: "visually-hidden" }, caption), el("thead", {}, el("tr", {}, head)), el("tbody"));
  return { wrap: el("div", { class: "table-wrap" }, table), table };
}

/** Replaces a table's rows; with none, one row saying `empty`. */
export function setRows(table, rows, empty) {
  const body = table.tBodies[0];
  body.replaceChildren(...rows);
  if (!rows.length) body.append(el("tr", {}, el("td", { colspan: table.tHead.rows[0].cells.length, class: "empty" }, empty)));
}

/** A button that narrows the whole page to one policy, library or node (data-filter-<kind>). */
export function filterButton(page, kind, value, text = value) {
  const button = el("button", { type: "button", class: "link", [`data-filter-${kind}`]: value, title: `Show only ${FILTER_LABELS[kind].toLowerCase()} ${value}` }, text);
  button.addEventListener("click", () => page.store.update({ [kind]: value }));
  return button;
}

/** A numeric cell keeping its raw value in data-value. */
export const numCell = (text, raw) => el("td", { class: "num", "data-value": raw === undefined ? null : String(raw) }, text);

/** A button naming a run's file that opens its details (data-run). */
export function runButton(page, run, text) {
  const button = el("button", { type: "button", class: "link", "data-run": run.stats_id, title: run.file_path }, text);
  button.addEventListener("click", () => page.openRun(run.stats_id, button));
  return button;
}

export const STATUS_TEXT = { success: "✓ success", failed: "✗ failed", interrupted: "■ interrupted" };
