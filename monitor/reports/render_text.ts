import type { Block } from "./document.ts";
import { toSvg } from "./charts.ts";

/** Markdown: tables as GFM tables; charts become their data table's caption (Markdown has no drawing). */
export function renderMarkdown(blocks: Block[]): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const out: string[] = [];
  for (const b of blocks) {
    if (b.kind === "title") out.push(`# ${b.text}`, "", `_${b.subtitle}_`, "");
    else if (b.kind === "heading") out.push(`## ${b.text}`, "");
    else if (b.kind === "paragraph") out.push(b.text, "");
    else if (b.kind === "note") out.push(`> Note: ${b.text}`, "");
    else if (b.kind === "chart") out.push(`_Chart: ${b.chart.title} (in the PDF and HTML formats)._`, "");
    else if (b.rows.length > 0) {
      out.push(`| ${b.headers.map(cell).join(" | ")} |`, `|${b.align.map((a) => (a === "right" ? " ---: " : " --- ")).join("|")}|`);
      for (const row of b.rows) out.push(`| ${row.map(cell).join(" | ")} |`);
      out.push("");
    } else out.push("_None._", "");
  }
  return `${out.join("\n").trimEnd()}\n`;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const STYLE = `body{font:14px/1.45 Helvetica,Arial,sans-serif;color:#222;max-width:860px;margin:2em auto;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #dde1e6}
.sub{color:#667;margin-top:0}.note{background:#fff6e0;padding:.5em .8em;border-left:3px solid #e0a82a}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{padding:.25em .5em;border-bottom:1px solid #eef0f3;text-align:left;vertical-align:top}
th{color:#445;font-weight:600}.r{text-align:right;font-variant-numeric:tabular-nums}figure{margin:1em 0}svg{max-width:100%;height:auto}`;

/** A self-contained HTML page: inline CSS and inline SVG charts, nothing fetched (fit for email). */
export function renderHtml(blocks: Block[]): string {
  const title = blocks.find((b) => b.kind === "title");
  const body = blocks.map((b) => {
    if (b.kind === "title") return `<h1>${esc(b.text)}</h1><p class="sub">${esc(b.subtitle)}</p>`;
    if (b.kind === "heading") return `<h2>${esc(b.text)}</h2>`;
    if (b.kind === "paragraph") return `<p>${esc(b.text)}</p>`;
    if (b.kind === "note") return `<p class="note">${esc(b.text)}</p>`;
    if (b.kind === "chart") return `<figure>${toSvg(b.chart)}</figure>`;
    if (b.rows.length === 0) return "<p><em>None.</em></p>";
    const cls = (i: number) => (b.align[i] === "right" ? ' class="r"' : "");
    const head = `<tr>${b.headers.map((h, i) => `<th${cls(i)}>${esc(h)}</th>`).join("")}</tr>`;
    const rows = b.rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${esc(c)}</td>`).join("")}</tr>`).join("");
    return `<table><thead>${head}</thead><tbody>${rows}</tbody></table>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title?.kind === "title" ? title.text : "vpo report")}</title><style>${STYLE}</style></head><body>${body.join("\n")}</body></html>\n`;
}
