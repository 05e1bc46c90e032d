import { fmt, h } from "../ui/dom.js";
import { ruleCard } from "../ui/rule-card.js";
import { ARROW_COLORS } from "./arrows.js";
import type { StateValue } from "./insight.js";
import type { Racer } from "./race.js";
import type { RaceSession } from "./session.js";

const pair = (v: readonly [number, number] | null) =>
  v === null ? "—" : `(${fmt(v[0], 3)}, ${fmt(v[1], 3)})`;
const stateText = (v: StateValue) => (typeof v === "number" ? fmt(v, 3) : pair(v));
const ratioText = (r: readonly [number | null, number | null]) =>
  `(${r.map((v) => (v === null ? "—" : fmt(v, 3))).join(", ")})`;

/** One line of the readout: an arrow key (or none), a name, a value and a note. */
function line(color: string | null, name: string, value: string, note: string): HTMLElement {
  return h(
    "li",
    {},
    color === null
      ? h("span", { class: "arrow-key none" })
      : h("span", { class: "arrow-key", style: `--c:${color}` }),
    h("b", {}, name),
    ` ${value}`,
    note === "" ? null : h("span", { class: "muted" }, ` ${note}`),
  );
}

/** What the selected racer did at its last step: the arrows' quantities and the rule's state. */
function readout(r: Racer | undefined, name: string): HTMLElement[] {
  if (r === undefined)
    return [h("p", { class: "muted" }, `${name} is not racing: tick it to see its arrows.`)];
  if (r.status === "failed") return [h("p", { class: "error" }, `${name} stopped: ${r.error}`)];
  const ins = r.insight;
  if (ins === null) return [h("p", { class: "muted" }, `${name}: press Step to see its arrows.`)];
  const items = [
    line(ARROW_COLORS.grad, "−∇f", pair([-ins.grad[0], -ins.grad[1]]), "steepest descent"),
    ins.moment === null
      ? line(null, "momentum", "—", "(this rule keeps none, so no arrow)")
      : line(
          ARROW_COLORS.moment,
          `−${ins.moment.label}`,
          pair([-ins.moment.value[0], -ins.moment.value[1]]),
          `(state ${ins.moment.key})`,
        ),
    line(ARROW_COLORS.step, "step Δp", pair(ins.step), "the move the rule made"),
    line(
      null,
      "Δp ÷ (−lr·∇f)",
      ratioText(ins.ratio),
      "per axis: 1 for plain SGD; unequal axes mean the rule turned the step away from −∇f",
    ),
    ...ins.state.map((s) => line(null, s.key, stateText(s.value), "(state)")),
  ];
  return [
    h(
      "p",
      {},
      h("b", {}, name),
      ` after step ${r.steps}${r.status === "diverged" ? " (diverged)" : ""}, at ${pair(r.position)}:`,
    ),
    h("ul", {}, ...items),
    h(
      "p",
      { class: "muted small" },
      "Arrows show directions only (fixed length); the numbers are (x, y) components.",
    ),
  ];
}

/**
 * The selected rule explained (its catalog entry and current hyperparameters) and, below, what it
 * did at its last step: the arrows' quantities, read generically from the rule's state.
 */
export function rulePanel(session: RaceSession): { root: HTMLElement } {
  const card = h("div", { "data-testid": "race-rule" });
  const insight = h("div", { class: "insight", "data-testid": "race-insight" });
  function render(): void {
    const entry = session.selected;
    if (entry === undefined) {
      card.replaceChildren();
      insight.replaceChildren();
      return;
    }
    card.replaceChildren(ruleCard(entry, session.state.race.hyper[entry.id] ?? {}));
    insight.replaceChildren(...readout(session.race.racer(entry.id), entry.name));
  }
  session.onUpdate(render);
  render();
  return { root: h("div", { class: "rule-panel" }, insight, card) };
}
