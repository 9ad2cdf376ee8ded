// The active page-wide filters as chips: each says what it filters and removes itself.
import { el } from "./format.js";
import { FILTER_LABELS, FILTERS } from "./state.js";

/** Redraws the chips in `box` for the store's state; hides the box when no filter is on. */
export function renderFilterChips(box, store) {
  const state = store.get();
  const active = FILTERS.filter((key) => state[key]);
  box.hidden = active.length === 0;
  const chips = active.map((key) => {
    const remove = el("button", { type: "button", class: "chip", "data-remove-filter": key, "aria-label": `Remove filter ${FILTER_LABELS[key]}: ${state[key]}` },
      el("span", {}, `${FILTER_LABELS[key]}: `), el("strong", {}, state[key]), el("span", { "aria-hidden": "true", class: "x" }, " ✕"));
    remove.addEventListener("click", () => store.update({ [key]: undefined }));
    return el("li", {}, remove);
  });
  if (active.length > 1) {
    const clear = el("button", { type: "button", class: "link", "data-clear-filters": "" }, "Clear all");
    clear.addEventListener("click", () => store.update(Object.fromEntries(FILTERS.map((k) => [k, undefined]))));
    chips.push(el("li", {}, clear));
  }
  box.replaceChildren(el("span", { class: "chips-title", id: "filters-title" }, "Showing only"), el("ul", { class: "chips", "aria-labelledby": "filters-title" }, chips));
}
