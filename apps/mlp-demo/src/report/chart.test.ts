import { describe, expect, it } from "vitest";
import {
  type ChartSpec,
  formatTick,
  layout,
  legendPosition,
  logTicks,
  niceTicks,
  pixelRuns,
  snapLog,
} from "./chart.js";
import { chartPng, renderChart } from "./png-chart.js";
import { Canvas, hexToRgb } from "./raster.js";
import { terminalChart } from "./terminal-chart.js";

const spec: ChartSpec = {
  title: "Loss",
  xLabel: "epoch",
  yLabel: "loss",
  logY: true,
  series: [
    {
      label: "sgd",
      color: "#0072b2",
      points: [
        [1, 2],
        [2, 1],
        [3, 0.5],
      ],
    },
    {
      label: "adam",
      color: "#d55e00",
      points: [
        [1, 1],
        [2, Number.NaN],
        [3, 0.05],
      ],
    },
  ],
};

describe("chart geometry", () => {
  it("nice ticks are 1/2/5 × 10^k steps covering the range", () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.13, 0.87, 4)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(1, 30, 6)).toEqual([5, 10, 15, 20, 25, 30]);
    expect(logTicks(0.05, 2)).toEqual([0.05, 0.1, 0.2, 0.5, 1, 2]);
    expect(logTicks(0.001, 10)).toEqual([0.001, 0.01, 0.1, 1, 10]);
    expect(logTicks(0.02, 5)).toEqual([0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5]);
    expect(snapLog(0.0113, Math.floor)).toBe(0.01);
    expect(snapLog(0.3, Math.ceil)).toBe(0.5);
    expect(snapLog(2, Math.ceil)).toBe(2);
    expect(formatTick(0.001)).toBe("0.001");
    expect(formatTick(1e-5)).toBe("1e-5");
  });

  it("maps data to pixels: log axis, NaN breaks a line", () => {
    const l = layout(spec, 640, 380);
    // y range snaps to [0.05, 2]: the top of the plot is 2, the bottom 0.05.
    const Y_TOL = 1e-9;
    expect(Math.abs(l.y(2) - l.top)).toBeLessThan(Y_TOL);
    expect(Math.abs(l.y(0.05) - l.bottom)).toBeLessThan(Y_TOL);
    const mid = Math.sqrt(2 * 0.05); // geometric mean: the middle on a log axis
    expect(Math.abs(l.y(mid) - (l.top + l.bottom) / 2)).toBeLessThan(Y_TOL);
    expect(l.x(1)).toBe(l.left);
    expect(l.x(3)).toBe(l.right);
    expect(pixelRuns(spec, spec.series[1], l).map((r) => r.length)).toEqual([1, 1]);
  });
});

describe("raster", () => {
  it("draws a horizontal 2-px line fully covered along its axis and leaves far pixels alone", () => {
    const c = new Canvas(20, 10);
    c.line(2, 5, 18, 5, [0, 0, 0], 2);
    expect(c.pixel(10, 4)).toEqual([0, 0, 0]); // centre 4.5: distance 0.5 ≤ 1 → covered
    expect(c.pixel(10, 5)).toEqual([0, 0, 0]);
    expect(c.pixel(10, 2)).toEqual([255, 255, 255]);
    expect(c.pixel(10, 7)).toEqual([255, 255, 255]);
  });

  it("renders text glyphs and parses colours", () => {
    const c = new Canvas(10, 10);
    c.text("1", 0, 0, [0, 0, 0]);
    // Glyph "1" column 2 is 0x7f: the full 7-pixel stem.
    for (let y = 0; y < 7; y++) expect(c.pixel(2, y)).toEqual([0, 0, 0]);
    expect(c.pixel(0, 0)).toEqual([255, 255, 255]);
    expect(hexToRgb("#d55e00")).toEqual([213, 94, 0]);
    expect(() => hexToRgb("red")).toThrow(/#rrggbb/);
  });

  it("the chart raster contains each series' colour along its line", () => {
    const c = renderChart(spec, 640, 380);
    const l = layout(spec, 640, 380);
    // Midway between the first two sgd points (log-linear segment), the pixel is sgd's blue.
    const x = Math.floor((l.x(1) + l.x(2)) / 2);
    const y = Math.floor((l.y(2) + l.y(1)) / 2);
    expect(c.pixel(x, y)).toEqual(hexToRgb("#0072b2"));
    expect(chartPng(spec).length).toBeGreaterThan(1000);
  });
});

describe("terminal chart", () => {
  it("draws braille dots with axis labels and a legend", () => {
    const t = terminalChart(spec, 30, 6);
    const lines = t.trimEnd().split("\n");
    expect(lines[0]).toBe("Loss (log scale)");
    expect(lines).toHaveLength(1 + 6 + 2 + 1);
    expect(t).toMatch(/[\u2801-\u28ff]/);
    expect(lines[1]).toMatch(/^ {2}2\.000 ┤/);
    expect(lines[6]).toMatch(/^0\.05000 ┤/);
    expect(lines.at(-1)).toContain("[1] sgd");
    // The first point (x = 1, y = 2, the maximum) lights the top-left dot of the first cell.
    const first = lines[1].slice(lines[1].indexOf("┤") + 1).codePointAt(0)! - 0x2800;
    expect(first & 0x01).toBe(0x01);
    expect(terminalChart({ ...spec, series: [] })).toMatch(/no data/);
  });

  it("skips a point with a non-finite x, as the SVG and PNG charts do, instead of losing the chart", () => {
    const withNaN = {
      ...spec,
      series: spec.series.map((s, i) =>
        i === 0 ? { ...s, points: [...s.points, [Number.NaN, 1] as [number, number]] } : s,
      ),
    };
    expect(terminalChart(withNaN, 30, 6)).toBe(terminalChart(spec, 30, 6));
  });

  it("colours series with ANSI codes when asked", () => {
    expect(terminalChart(spec, 30, 6, true)).toContain("\x1b[34m");
  });
});

describe("legend placement", () => {
  it("avoids the corner the lines run through", () => {
    const rising: ChartSpec = {
      title: "acc",
      xLabel: "epoch",
      yLabel: "accuracy",
      yRange: [0, 1],
      series: [
        {
          label: "a",
          color: "#000000",
          points: [
            [0, 0.5],
            [1, 0.9],
            [10, 0.95],
          ],
        },
      ],
    };
    const l = layout(rising, 640, 380);
    const [x, y] = legendPosition(rising, l, 100, 40);
    // The line runs along the top, so the legend goes to the bottom right.
    expect(x).toBe(l.right - 100 - 8);
    expect(y).toBe(l.bottom - 40 - 8);
    const falling: ChartSpec = {
      ...rising,
      series: [
        {
          label: "a",
          color: "#000000",
          points: [
            [0, 0.5],
            [1, 0.1],
            [10, 0.05],
          ],
        },
      ],
    };
    expect(legendPosition(falling, layout(falling, 640, 380), 100, 40)).toEqual([l.right - 108, l.top + 8]);
  });
});

describe("linear axis range", () => {
  it("widens to whole tick steps so both ends are labelled", () => {
    const spec2: ChartSpec = {
      title: "acc",
      xLabel: "epoch",
      yLabel: "accuracy",
      series: [
        {
          label: "a",
          color: "#000000",
          points: [
            [1, 0.44],
            [8, 0.9595],
          ],
        },
      ],
    };
    const l = layout(spec2, 640, 380);
    // niceTicks(0.44, 0.9595) steps by 0.1 → range [0.4, 1]; then ticks every 0.2 over [0.4, 1].
    expect(l.yTicks.map((t) => t.value)).toEqual([0.4, 0.6, 0.8, 1]);
    expect(l.y(0.4)).toBe(l.bottom);
    expect(Math.abs(l.y(1) - l.top)).toBeLessThan(1e-9);
  });
});
