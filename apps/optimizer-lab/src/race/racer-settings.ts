import { ruleStyle } from "../optimizers/palette.js";
import { findRule } from "../optimizers/rules.js";
import { h } from "../ui/dom.js";
import { hyperEditor } from "../ui/hyper-editor.js";
import { ruleChooser } from "../ui/rule-chooser.js";
import { swatch } from "../ui/swatch.js";
import type { RaceSession } from "./session.js";

/**
 * Which rules race, and each racing rule's hyperparameters: a card per racing rule with a radio that
 * picks the rule to explain, and every hyperparameter of its catalog entry. Each change restarts
 * the race.
 */
export function racerSettings(session: RaceSession): { root: HTMLElement; refresh(): void } {
  // The race settings object is replaced when the surface changes: always read it afresh.
  const race = () => session.state.race;
  const chooser = ruleChooser({
    catalog: session.catalog,
    chosen: race().racing,
    legend: "Racing rules",
    testIdPrefix: "race-enable",
    onChange: (ids) => {
      race().racing = ids;
      renderCards();
      session.restart();
    },
  });
  const cards = h("div", { class: "racers" });

  function renderCards(): void {
    cards.replaceChildren(
      ...race().racing.flatMap((id) => {
        const entry = findRule(session.catalog, id);
        if (entry === undefined) return [];
        const style = ruleStyle(id, session.catalog);
        const pick = h("input", {
          type: "radio",
          name: "race-selected",
          checked: race().selected === id,
          "aria-label": `explain ${entry.name} and draw its arrows`,
          "data-testid": `race-select-${id}`,
        });
        pick.addEventListener("change", () => session.select(id));
        const editor = hyperEditor({
          entry,
          values: race().hyper[id],
          testIdPrefix: `race-${id}`,
          onChange: (key, value) => {
            race().hyper[id][key] = value;
            session.restart();
          },
        });
        return [
          h(
            "div",
            { class: "racer", style: `--c:${style.color}`, "data-testid": `race-card-${id}` },
            h(
              "div",
              { class: "racer-head" },
              h("span", { class: "racer-name" }, swatch(style), entry.name),
              h(
                "label",
                { class: "arrows-pick", title: "explain this rule and draw its arrows" },
                pick,
                "explain",
              ),
            ),
            editor,
          ),
        ];
      }),
    );
  }

  /** Re-reads the shared state (e.g. after a surface change reset every setting). */
  function refresh(): void {
    chooser.set(race().racing);
    renderCards();
  }

  session.onUpdate(() => {
    for (const input of cards.querySelectorAll<HTMLInputElement>('input[name="race-selected"]')) {
      input.checked = input.dataset["testid"] === `race-select-${race().selected}`;
    }
  });
  renderCards();
  return { root: h("div", { class: "racer-settings" }, chooser.root, cards), refresh };
}
