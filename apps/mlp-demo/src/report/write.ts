import { join } from "node:path";
import { writeFileAtomic } from "../atomic.js";
import { type ReportData, reportHtml } from "./html.js";
import { chartPng } from "./png-chart.js";

/** Lower-case, dash-separated file stem of a chart title: "Test accuracy" → "test-accuracy". */
export function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/**
 * Writes `report.html` and one PNG per chart into `dir`, each file atomically. Returns the paths
 * written, the HTML last.
 */
export function writeReport(dir: string, data: Omit<ReportData, "pngs">): string[] {
  const written: string[] = [];
  const pngs: string[] = [];
  for (const chart of data.charts) {
    const name = `${slug(chart.title)}.png`;
    const path = join(dir, name);
    writeFileAtomic(path, chartPng(chart));
    pngs.push(name);
    written.push(path);
  }
  const html = join(dir, "report.html");
  writeFileAtomic(html, reportHtml({ ...data, pngs }));
  written.push(html);
  return written;
}
