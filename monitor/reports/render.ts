import { toJson } from "../../core/mod.ts";
import type { ReportData } from "./build.ts";
import { reportBlocks } from "./document.ts";
import { renderHtml, renderMarkdown } from "./render_text.ts";

export const REPORT_FORMATS = ["pdf", "html", "md", "json"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  pdf: "application/pdf",
  html: "text/html; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  json: "application/json; charset=utf-8",
};

/** A rendered report: its bytes, content type and file extension. */
export interface RenderedReport {
  body: Uint8Array;
  contentType: string;
  extension: ReportFormat;
}

/** Renders report data in a format. JSON is the data itself (byte totals exact, see core/json.ts). */
export async function renderReport(data: ReportData, format: ReportFormat): Promise<RenderedReport> {
  const text = (s: string) => new TextEncoder().encode(s);
  const blocks = reportBlocks(data);
  const body =
    // pdfkit (and its fonts) load only when a PDF is made: every other command starts without them.
    format === "pdf" ? await (await import("./render_pdf.ts")).renderPdf(blocks, { title: data.title, created: new Date(data.generated_at) })
    : format === "html" ? text(renderHtml(blocks))
    : format === "md" ? text(renderMarkdown(blocks))
    : text(`${toJson(data, 2)}\n`);
  return { body, contentType: CONTENT_TYPES[format], extension: format };
}
