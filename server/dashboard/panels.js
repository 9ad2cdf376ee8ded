// The panel registry: every panel on the page, each in its own module under panels/.
//
// A panel is an object (its methods are called on it, so `this` is the panel):
//   id                    its <section data-panel="id"> in index.html, where it renders
//   mount(root, page)     once, before the first load: build the panel's markup into root
//   load(view)            fetch its data: view.get(path, extra, { without, filters }) adds the
//                         page's range and filters and shares identical requests between panels;
//                         view.state is the shared state, view.changed the keys that just changed
//   render(root, data, view)   draw it (after every load that was not superseded)
//   watches               optional: state keys besides range/policy/library/node that reload it
// `page` gives every panel the shared store (page.store.get(), .update({ policy: "x" })),
// page.openRun(id, opener), page.reload(panel, { quiet }), page.fresh (ids of runs that arrived live) and
// page.events, an EventTarget re-dispatching the server's live events (CustomEvent "file.progress", "alert",
// "run.recorded", … with the event's data as `detail`) for panels that update in place.
// A failed load shows its error in that panel only.
import alerts from "./panels/alerts.js";
import codecs from "./panels/codecs.js";
import cumulative from "./panels/cumulative.js";
import failed from "./panels/failed.js";
import jobs from "./panels/jobs.js";
import logs from "./panels/logs.js";
import library from "./panels/library.js";
import reports from "./panels/reports.js";
import { librariesPanel } from "./panels/breakdown.js";
import nodes from "./panels/nodes.js";
import now from "./panels/now.js";
import policies from "./panels/policies.js";
import runs from "./panels/runs.js";
import summary from "./panels/summary.js";
import trend from "./panels/trend.js";

export const PANELS = [now, summary, alerts, trend, cumulative, policies, librariesPanel, nodes, codecs, jobs, failed, library, reports, runs, logs];
