import { ruleStyle } from "../optimizers/palette.js";
import { fmt, h } from "../ui/dom.js";
import { swatch } from "../ui/swatch.js";
import type { Racer } from "./race.js";
import type { RaceSession } from "./session.js";

/** What a racer's loss cell says. */
function lossText(r: Racer): string {
  if (r.status === "running") return fmt(r.loss);
  return r.status === "diverged" ? "diverged" : "failed";
}

/**
 * The racers' standings: loss (the position is in the rule's readout), and the evaluations of f and ∇f when a racing rule
 * takes several per step (so a race of L-BFGS against one-gradient rules stays fair to read); also
 * the race's legend (each rule's colour and marker). A click on a row explains that rule. Rows
 * carry their numbers as `data-*`.
 */
export function resultsTable(session: RaceSession): { root: HTMLElement } {
  const body = h("tbody");
  const head = h("tr");
  function render(): void {
    const selected = session.state.race.selected;
    const evals = session.race.racers.some((r) => r.entry.needsClosure === true);
    head.replaceChildren(h("th", {}, "rule"), h("th", {}, "f(x, y)"));
    if (evals) head.append(h("th", { title: "evaluations of f and its gradient" }, "evals"));
    body.replaceChildren(
      ...session.race.racers.map((r) => {
        const row = h(
          "tr",
          {
            "data-testid": `race-row-${r.id}`,
            "data-loss": r.loss,
            "data-start-loss": r.losses[0],
            "data-steps": r.steps,
            "data-evals": r.evaluations,
            "data-x": r.position[0],
            "data-y": r.position[1],
            "data-status": r.status,
            class: r.id === selected ? "selected" : undefined,
            title: r.error ?? `show ${r.entry.name}'s explanation and arrows`,
          },
          h(
            "td",
            { class: "rule-cell", title: r.entry.name },
            swatch(ruleStyle(r.id, session.catalog)),
            r.entry.name,
          ),
          h("td", { class: "num" }, lossText(r)),
          evals ? h("td", { class: "num" }, String(r.evaluations)) : null,
        );
        row.addEventListener("click", () => session.select(r.id));
        return row;
      }),
    );
  }
  session.onUpdate(render);
  render();
  const root = h(
    "div",
    { class: "table-scroll" },
    h("table", { class: "results", "data-testid": "race-table" }, h("thead", {}, head), body),
  );
  return { root };
}
