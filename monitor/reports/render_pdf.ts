import PDFDocument from "pdfkit";
import type { Chart } from "./charts.ts";
import type { Block } from "./document.ts";

/**
 * PDF with pdfkit (pure JavaScript, no browser): text in the standard Helvetica fonts, tables laid
 * out here, charts drawn as vectors from the same shapes the HTML's SVG is made of.
 */

type Doc = InstanceType<typeof PDFDocument>;
const MARGIN = 48;
const INK = "#222";

/** The standard PDF fonts carry WinAnsi only: spell the few other characters reports use. */
const pdfText = (s: string) =>
  s.replace(/→/g, "->").replace(/−/g, "-").replace(/…/g, "...").replace(/×/g, "x").replace(/[^\x20-\x7e\u00a0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u20ac]/g, "?");

function drawChart(doc: Doc, chart: Chart, x: number, y: number, width: number): number {
  const k = width / chart.width;
  doc.save();
  doc.translate(x, y).scale(k);
  for (const s of chart.shapes) {
    if (s.kind === "rect") doc.rect(s.x, s.y, s.w, s.h).fill(s.fill);
    else if (s.kind === "path") {
      const p = doc.path(s.d);
      if (s.fill && s.stroke === "none") {
        const [color, alpha] = s.fill.length === 9 ? [s.fill.slice(0, 7), parseInt(s.fill.slice(7), 16) / 255] : [s.fill, 1];
        p.fillOpacity(alpha).fill(color).fillOpacity(1);
      } else p.lineWidth(s.width).stroke(s.stroke);
    } else {
      doc.font(s.bold ? "Helvetica-Bold" : "Helvetica").fontSize(s.size).fillColor(s.fill);
      const text = pdfText(s.text);
      const w = doc.widthOfString(text);
      const left = s.anchor === "end" ? s.x - w : s.anchor === "middle" ? s.x - w / 2 : s.x;
      doc.text(text, left, s.y - s.size * 0.78, { lineBreak: false });
    }
  }
  doc.restore();
  return chart.height * k;
}

function drawTable(doc: Doc, b: Extract<Block, { kind: "table" }>, width: number): void {
  if (b.rows.length === 0) {
    doc.font("Helvetica-Oblique").fontSize(9).fillColor(INK).text("None.", MARGIN, doc.y);
    return;
  }
  const size = 8.5;
  doc.fontSize(size);
  const cells = [b.headers, ...b.rows].map((r) => r.map(pdfText));
  // Columns as wide as their widest cell, the first (names, paths) taking what is left.
  const natural = b.headers.map((_, i) => Math.max(...cells.map((r) => doc.font(r === cells[0] ? "Helvetica-Bold" : "Helvetica").widthOfString(r[i] ?? ""))) + 10);
  const rest = natural.slice(1).reduce((a, c) => a + c, 0);
  const widths = [Math.max(60, width - rest), ...natural.slice(1)];
  if (widths[0]! + rest > width) {
    const scale = width / (widths[0]! + rest);
    for (let i = 0; i < widths.length; i++) widths[i]! *= scale;
  }
  cells.forEach((row, r) => {
    const heights = row.map((c, i) => doc.font(r === 0 ? "Helvetica-Bold" : "Helvetica").heightOfString(c, { width: widths[i]! - 6 }));
    const h = Math.max(...heights) + 4;
    if (doc.y + h > doc.page.height - MARGIN) doc.addPage();
    const y = doc.y;
    let x = MARGIN;
    row.forEach((c, i) => {
      doc.font(r === 0 ? "Helvetica-Bold" : "Helvetica").fontSize(size).fillColor(r === 0 ? "#445" : INK);
      doc.text(c, x + 3, y + 2, { width: widths[i]! - 6, align: b.align[i] === "right" ? "right" : "left" });
      x += widths[i]!;
    });
    doc.moveTo(MARGIN, y + h).lineTo(MARGIN + width, y + h).lineWidth(0.4).stroke("#dde1e6");
    doc.x = MARGIN;
    doc.y = y + h;
  });
}

/** The report as a PDF document. */
export async function renderPdf(blocks: Block[], info: { title: string; created: Date }): Promise<Uint8Array> {
  const doc = new PDFDocument({ size: "A4", margin: MARGIN, info: { Title: pdfText(info.title), Creator: "vpo", CreationDate: info.created }, compress: true });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on("end", resolve);
    doc.on("error", reject);
  });
  const width = doc.page.width - 2 * MARGIN;
  for (const b of blocks) {
    if (b.kind === "title") {
      doc.font("Helvetica-Bold").fontSize(18).fillColor(INK).text(pdfText(b.text), MARGIN, doc.y);
      doc.font("Helvetica").fontSize(9).fillColor("#667").text(pdfText(b.subtitle)).moveDown(0.6);
    } else if (b.kind === "heading") {
      if (doc.y > doc.page.height - MARGIN - 80) doc.addPage();
      doc.moveDown(0.6).font("Helvetica-Bold").fontSize(12).fillColor(INK).text(pdfText(b.text), MARGIN, doc.y).moveDown(0.3);
    } else if (b.kind === "paragraph" || b.kind === "note") {
      doc.font(b.kind === "note" ? "Helvetica-Oblique" : "Helvetica").fontSize(10).fillColor(b.kind === "note" ? "#8a5a00" : INK).text(pdfText(b.text), MARGIN, doc.y, { width }).moveDown(0.4);
    } else if (b.kind === "table") {
      drawTable(doc, b, width);
      doc.moveDown(0.4);
    } else {
      const height = b.chart.height * (width / b.chart.width);
      if (doc.y + height > doc.page.height - MARGIN) doc.addPage();
      const y = doc.y;
      drawChart(doc, b.chart, MARGIN, y, width);
      doc.x = MARGIN;
      doc.y = y + height + 8;
    }
  }
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}
