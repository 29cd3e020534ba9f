/**
 * Results leave the page as files the buyer saves: a CSV of the numbers (one row per statistic,
 * one per histogram bucket) and charts as PNG images. Made in the browser; nothing is uploaded.
 */
import { formatFigure, type StatisticResult } from "../lib/recipes";
import type { MaybeNoisy } from "./noisy-display";

const cell = (value: string | number | boolean) => {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The results as CSV: `statistic,label,value,unit,detail`, with a header row. */
export function resultsCsv(results: readonly StatisticResult[]): string {
  const rows: (string | number | boolean)[][] = [["statistic", "label", "value", "unit", "detail"]];
  for (const r of results) {
    const first = rows.length;
    switch (r.type) {
      case "value":
        rows.push([r.source, r.label, r.value?.text ?? "", r.unit ?? "", r.value ? "" : (r.note ?? "no value")]);
        break;
      case "squared":
        rows.push([r.source, r.label, r.value.text, r.unit ?? "", ""]);
        break;
      case "count":
        rows.push([r.source, r.label, r.count, "readings", ""]);
        break;
      case "share":
        rows.push([r.source, r.label, r.share.text, "share", `${r.matching} of ${r.total} readings`]);
        break;
      case "boolean":
        rows.push([r.source, r.label, r.value ? "yes" : "no", "", ""]);
        break;
      case "histogram":
        for (const b of r.buckets) rows.push([r.source, r.label, b.count, "readings", b.label]);
        break;
    }
    // A private dataset's result is an estimate: its detail says so, with the ± (95 %) in the value's unit.
    const width = (r as MaybeNoisy).noise?.halfWidth;
    if (width !== undefined) {
      const noisy = width === null ? "noisy estimate" : `noisy estimate ± ${formatFigure(width)} (95 %)`;
      for (const row of rows.slice(first)) row[4] = row[4] ? `${row[4]}; ${noisy}` : noisy;
    }
  }
  return `${rows.map((row) => row.map(cell).join(",")).join("\r\n")}\r\n`;
}

/** A file name from a label: `greenhouse-analysis-cell-2.csv`. */
export function exportFileName(base: string, extension: "csv" | "png"): string {
  const name = base.normalize("NFKD").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-+|-+$/g, "").toLowerCase().slice(0, 80);
  return `${name || "results"}.${extension}`;
}

/** Saves `data` (a Blob or a data: URL) as a download named `name`. */
export function download(name: string, data: Blob | string): void {
  const url = typeof data === "string" ? data : URL.createObjectURL(data);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  if (typeof data !== "string") setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/** A chart's canvas as a PNG data URL on a white background (Chart.js draws on transparency). */
export function canvasPng(canvas: HTMLCanvasElement): string {
  const copy = document.createElement("canvas");
  copy.width = canvas.width;
  copy.height = canvas.height;
  const context = copy.getContext("2d");
  if (!context) return canvas.toDataURL("image/png");
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, copy.width, copy.height);
  context.drawImage(canvas, 0, 0);
  return copy.toDataURL("image/png");
}
