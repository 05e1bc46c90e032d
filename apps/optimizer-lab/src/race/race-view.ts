import { CATALOG, type Catalog } from "../optimizers/rules.js";
import { defaultRace, type LabState } from "../state/lab-state.js";
import { getSurface, SURFACES } from "../surfaces/surfaces.js";
import { h, selectField } from "../ui/dom.js";
import { playbackControls } from "./playback.js";
import { racerSettings } from "./racer-settings.js";
import { resultsTable } from "./results-table.js";
import { rulePanel } from "./rule-panel.js";
import { RaceSession } from "./session.js";
import { surfaceCanvas } from "./surface-canvas.js";

/**
 * Mounts the surface race into `root`: the surface and playback controls, the choice of racing rules
 * with their hyperparameters, the map, the standings and the selected rule's explanation. Each part
 * is its own component over one {@link RaceSession}. `changed` is called after every change of the
 * shared state.
 */
export function mountRace(
  root: HTMLElement,
  state: LabState,
  changed: () => void,
  catalog: Catalog = CATALOG,
): void {
  const session = new RaceSession(state, catalog, changed);
  const formula = h("p", { class: "formula" });
  const settings = racerSettings(session);
  const playback = playbackControls(session);
  const surfaceSelect = selectField({
    label: "Surface",
    value: state.race.surface,
    options: SURFACES.map((id) => [id, getSurface(id).name] as const),
    testId: "race-surface",
    onChange: (id) => {
      // A new surface: its start point and learning rates, the same racing rules.
      const racing = state.race.racing;
      const selected = state.race.selected;
      state.race = { ...defaultRace(id, catalog), racing, selected };
      settings.refresh();
      session.restart();
    },
  });
  session.onUpdate(() => void (formula.textContent = `f(x, y) = ${session.surface.formula}`));

  const controls = h(
    "div",
    { class: "controls race-top" },
    surfaceSelect.root,
    formula,
    playback.root,
    h(
      "p",
      { class: "hint" },
      "Click the map to set the start point. Choose the racing rules and set their options; the race restarts.",
    ),
  );
  const stage = h(
    "div",
    { class: "stage race-stage" },
    h("div", { class: "canvas-wrap" }, surfaceCanvas(session).root),
    h("div", { class: "side" }, resultsTable(session).root, rulePanel(session).root),
  );
  root.append(controls, h("div", { class: "controls race-racers" }, settings.root), stage);
  session.restart();
}
