import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ChartSpec, layout } from "./chart.js";
import { boundarySvg, esc, lineChartSvg } from "./svg.js";
import { parseSeriesPaths } from "./svg-parse.testutil.js";
import { slug, writeReport } from "./write.js";

const spec: ChartSpec = {
  title: "Test accuracy",
  xLabel: "epoch",
  yLabel: "accuracy",
  yRange: [0, 1],
  series: [
    {
      label: "sgd",
      color: "#0072b2",
      points: [
        [1, 0.5],
        [2, 0.7],
        [3, 0.8],
      ],
    },
    {
      label: "a<b",
      color: "#d55e00",
      points: [
        [1, 0.6],
        [2, 0.9],
        [3, 0.95],
      ],
    },
  ],
};

describe("SVG and HTML report", () => {
  it("each series is a path whose points are the data mapped through the layout", () => {
    const svg = lineChartSvg(spec, 640, 380);
    const l = layout(spec, 640, 380);
    const paths = parseSeriesPaths(svg);
    expect([...paths.keys()]).toEqual(["sgd", "a<b"]);
    expect(svg).toContain(`data-series="${esc("a<b")}"`);
    const PX_TOL = 0.006; // coordinates are written with 2 decimals
    spec.series.forEach((s, i) => {
      const runs = [...paths.values()][i];
      expect(runs).toHaveLength(1);
      runs[0].forEach(([x, y], k) => {
        expect(Math.abs(x - l.x(s.points[k][0]))).toBeLessThan(PX_TOL);
        expect(Math.abs(y - l.y(s.points[k][1]))).toBeLessThan(PX_TOL);
      });
    });
    // With yRange [0, 1]: accuracy 1 at the top of the plot, 0 at the bottom.
    expect(l.y(1)).toBe(l.top);
    expect(l.y(0)).toBe(l.bottom);
  });

  it("the decision boundary merges equal cells and places points in the square", () => {
    const classes = Int32Array.from([0, 0, 1, 1, 1, 0]);
    const svg = boundarySvg(
      { title: "adam", x0: -1, x1: 1, y0: -1, y1: 1, nx: 3, ny: 2, classes, points: [[0, 0, 1]] },
      300,
    );
    expect(svg.match(/class="cell" data-class="0"/g)).toHaveLength(2);
    expect(svg.match(/class="cell" data-class="1"/g)).toHaveLength(2);
    expect(svg).toContain('<circle cx="150" cy="150"');
  });

  it("writeReport writes report.html with the curves and a PNG per chart", () => {
    const dir = mkdtempSync(join(tmpdir(), "mlp-demo-report-"));
    const files = writeReport(dir, {
      title: "compare on xor",
      settings: ["data set: xor"],
      threshold: 0.3,
      rows: [
        {
          optimizer: "sgd",
          lr: 0.1,
          finalTrainLoss: 0.2,
          testLoss: 0.25,
          testAccuracy: 0.9,
          seconds: 1.5,
          stepsToThreshold: 40,
          diverged: null,
        },
      ],
      charts: [spec],
      boundaries: [],
    });
    expect(readdirSync(dir).sort()).toEqual(["report.html", `${slug(spec.title)}.png`]);
    expect(files.at(-1)).toBe(join(dir, "report.html"));
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(parseSeriesPaths(html).get("sgd")?.[0]).toHaveLength(3);
    expect(html).toContain("90.00%");
    const png = readFileSync(join(dir, "test-accuracy.png"));
    expect(Array.from(png.subarray(1, 4))).toEqual([80, 78, 71]);
  });
});
