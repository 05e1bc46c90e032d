import { markerOutline, type RuleStyle } from "../optimizers/palette.js";

const SVG = "http://www.w3.org/2000/svg";

/** A small SVG of a rule's marker in its colour: the rule's key in lists, tables and legends. */
export function swatch(style: RuleStyle, size = 14): SVGSVGElement {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("viewBox", "-8 -8 16 16");
  svg.setAttribute("class", "swatch");
  svg.setAttribute("aria-hidden", "true");
  const outline = markerOutline(style.marker, 5);
  const shape =
    outline === "circle" ? document.createElementNS(SVG, "circle") : document.createElementNS(SVG, "polygon");
  if (outline === "circle") shape.setAttribute("r", "5.5");
  else shape.setAttribute("points", outline.map(([x, y]) => `${x.toFixed(2)},${y.toFixed(2)}`).join(" "));
  shape.setAttribute("fill", style.color);
  shape.setAttribute("stroke", "#fff");
  shape.setAttribute("stroke-width", "1");
  svg.append(shape);
  return svg;
}
