/** Reads the series paths back out of an SVG: label → list of runs of [x, y] pixel points. */
export function parseSeriesPaths(svg: string): Map<string, [number, number][][]> {
  const out = new Map<string, [number, number][][]>();
  for (const m of svg.matchAll(/<path class="series" data-series="([^"]*)" d="([^"]*)"/g)) {
    const runs: [number, number][][] = [];
    for (const cmd of m[2].matchAll(/([ML])(-?[\d.]+) (-?[\d.]+)/g)) {
      if (cmd[1] === "M") runs.push([]);
      runs[runs.length - 1].push([Number(cmd[2]), Number(cmd[3])]);
    }
    out.set(
      m[1].replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))),
      runs,
    );
  }
  return out;
}
