import { describe, expect, it } from "vitest";
import { type ChartSpec, dashRuns, LEGEND_INSIDE_MAX, layout, legendCorners, placeLegend } from "./chart.js";
import { renderChart } from "./png-chart.js";
import { textWidth } from "./raster.js";
import { lineChartSvg } from "./svg.js";
import { parseSeriesPaths } from "./svg-parse.testutil.js";

/** `n` falling loss curves, each a little lower than the last, over 10 epochs. */
function curves(n: number, label = (i: number) => `Rule number ${i}`): ChartSpec {
  return {
    title: "Train loss",
    xLabel: "epoch",
    yLabel: "loss",
    logY: true,
    series: Array.from({ length: n }, (_, i) => ({
      label: label(i),
      color: "#000000",
      points: Array.from({ length: 10 }, (_, k) => [k + 1, (1 + i / n) / (k + 1)] as [number, number]),
    })),
  };
}

const width = (s: string) => s.length * 7;

describe("legend placement", () => {
  it("a few entries go in a corner of the plot that no line crosses", () => {
    const spec = curves(3);
    const l = layout(spec, 640, 380);
    const p = placeLegend(spec, l, width, 15);
    expect(p.kind).toBe("inside");
    if (p.kind !== "inside") return;
    const corner = legendCorners(spec, l, p.width, 3 * 15).find((c) => c.at[0] === p.x && c.at[1] === p.y);
    expect(corner?.hits).toBe(0);
  });

  it("when every corner is crossed, or there are many entries, the legend is a list below the plot", () => {
    // Lines through all four corners: an X and a frame.
    const crossed: ChartSpec = {
      title: "t",
      xLabel: "x",
      yLabel: "y",
      series: [
        {
          label: "a",
          color: "#000000",
          points: [
            [0, 0],
            [1, 1],
          ],
        },
        {
          label: "b",
          color: "#000000",
          points: [
            [0, 1],
            [1, 0],
          ],
        },
        {
          label: "c",
          color: "#000000",
          points: [
            [0, 0.98],
            [1, 0.98],
          ],
        },
        {
          label: "d",
          color: "#000000",
          points: [
            [0, 0.02],
            [1, 0.02],
          ],
        },
      ],
    };
    expect(placeLegend(crossed, layout(crossed, 640, 380), width, 15).kind).toBe("below");
    const many = curves(LEGEND_INSIDE_MAX + 1);
    expect(placeLegend(many, layout(many, 640, 380), width, 15).kind).toBe("below");
  });

  it("below the plot, entries fill rows of columns that fit the chart's width and never overlap", () => {
    for (const n of [7, 13, 25]) {
      const spec = curves(n, (i) => (i % 3 === 0 ? `Schedule-Free AdamW ${i} (diverged)` : `R${i}`));
      const l = layout(spec, 640, 380);
      const p = placeLegend(spec, l, width, 15);
      if (p.kind !== "below") throw new Error("expected below");
      const cols = p.columns.length;
      expect(p.rows).toBe(Math.ceil(n / cols));
      expect(p.height).toBe(p.rows * 15 + 10);
      spec.series.forEach((s, i) => {
        const c = i % cols;
        const right = p.columns[c] + 24 + width(s.label);
        if (c + 1 < cols) expect(right).toBeLessThan(p.columns[c + 1]);
        else expect(right).toBeLessThanOrEqual(640);
      });
    }
  });

  it("SVG and PNG charts grow by the legend's height and keep the plot where the layout puts it", () => {
    const spec = curves(13);
    const svg = lineChartSvg(spec, 640, 380);
    const height = Number(/height="(\d+)"/.exec(svg)?.[1]);
    expect(height).toBeGreaterThan(380);
    const legend = svg.slice(svg.indexOf('<g class="legend">'));
    const ys = [...legend.matchAll(/<text x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(ys).toHaveLength(13);
    expect(Math.min(...ys)).toBeGreaterThan(380);
    expect(Math.max(...ys)).toBeLessThan(height);
    // Curves are where they would be without a legend.
    const l = layout(spec, 640, 380);
    const first = parseSeriesPaths(svg).get("Rule number 0")?.[0][0];
    expect(first?.[0]).toBeCloseTo(l.x(1), 1);
    const png = renderChart(spec, 720, 420);
    expect(png.height).toBeGreaterThan(420);
    expect(textWidth("SGD")).toBeGreaterThan(0);
  });
});

describe("dashed lines", () => {
  it("cut a polyline by arc length, continuing the pattern across vertices", () => {
    const close = (runs: number[][][]) =>
      runs.map((r) => r.map(([x, y]) => [Number(x.toFixed(9)), Number(y.toFixed(9))]));
    expect(
      close(
        dashRuns(
          [
            [0, 0],
            [20, 0],
          ],
          [7, 4],
        ),
      ),
    ).toEqual([
      [
        [0, 0],
        [7, 0],
      ],
      [
        [11, 0],
        [18, 0],
      ],
    ]);
    expect(
      close(
        dashRuns(
          [
            [0, 0],
            [5, 0],
            [5, 5],
          ],
          [3, 2],
        ),
      ),
    ).toEqual([
      [
        [0, 0],
        [3, 0],
      ],
      [
        [5, 0],
        [5, 3],
      ],
    ]);
    expect(
      dashRuns(
        [
          [0, 0],
          [5, 0],
        ],
        [],
      ),
    ).toEqual([
      [
        [0, 0],
        [5, 0],
      ],
    ]);
  });
});
