// The page's shared state — time range, page-wide filters, the run search — kept in the URL hash,
// so a reload or a shared link shows the same page. Panels read it and change it through here.

/** Filters that narrow every panel, in the order they show and sit in the hash. */
export const FILTERS = ["policy", "library", "node"];
export const FILTER_LABELS = { policy: "Policy", library: "Library", node: "Node" };
/** Outcomes the run search can ask for. */
export const STATUSES = ["success", "failed", "interrupted"];
const PRESETS = ["24h", "7d", "30d", "90d", "all", "custom"];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * @typedef {{ preset: string, since?: string, until?: string }} Range
 * @typedef {{ range: Range, policy?: string, library?: string, node?: string, q?: string, status?: string, compare?: string }} State
 */

/** Reads the state from a hash (#range=7d&policy=strip&q=s01); anything unknown or malformed is left out. */
export function stateFromHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const preset = params.get("range");
  /** @type {State} */
  const state = { range: { preset: PRESETS.includes(preset ?? "") ? preset : "30d" } };
  if (state.range.preset === "custom") {
    for (const side of ["since", "until"]) {
      const value = params.get(side) ?? "";
      state.range[side] = DATE.test(value) ? value : "";
    }
  }
  for (const key of [...FILTERS, "q"]) {
    const value = params.get(key);
    if (value) state[key] = value;
  }
  if (STATUSES.includes(params.get("status") ?? "")) state.status = params.get("status");
  if (params.get("compare") === "1") state.compare = "1";
  return state;
}

/** The hash that restores a state. */
export function stateToHash(state) {
  const params = new URLSearchParams({ range: state.range.preset });
  if (state.range.preset === "custom") {
    if (state.range.since) params.set("since", state.range.since);
    if (state.range.until) params.set("until", state.range.until);
  }
  for (const key of [...FILTERS, "q", "status", "compare"]) if (state[key]) params.set(key, state[key]);
  return `#${params}`;
}

/** Which top-level keys differ between two states ("range" for any change of the range). */
function changedKeys(before, after) {
  const keys = new Set();
  if (JSON.stringify(before.range) !== JSON.stringify(after.range)) keys.add("range");
  for (const key of [...FILTERS, "q", "status", "compare"]) if ((before[key] ?? "") !== (after[key] ?? "")) keys.add(key);
  return keys;
}

/**
 * The one store of the page's state. `update(patch)` merges (a key set to undefined or "" is
 * removed), writes the hash and tells every listener which keys changed; a hash edited by hand
 * or a link followed does the same.
 */
export function createStore(location, history) {
  let state = stateFromHash(location.hash);
  const listeners = new Set();
  const emit = (before) => {
    const keys = changedKeys(before, state);
    if (keys.size) for (const listener of listeners) listener(state, keys);
  };
  window.addEventListener("hashchange", () => {
    const before = state;
    state = stateFromHash(location.hash);
    emit(before);
  });
  return {
    get: () => state,
    update(patch) {
      const before = state;
      const next = { ...state, ...patch };
      for (const [key, value] of Object.entries(next)) if (value === undefined || value === "") delete next[key];
      state = next;
      history.replaceState(null, "", stateToHash(state));
      emit(before);
    },
    /** Calls `listener(state, changedKeys)` after every change; returns the unsubscribe. */
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
