import type { OptimizerEntry } from "@descent/optim";
import { type Catalog, findRule } from "../optimizers/rules.js";
import type { LabState } from "../state/lab-state.js";
import { getSurface, type Surface } from "../surfaces/surfaces.js";
import { Race, racerSpecs } from "./race.js";

/** The race stops by itself after this many steps. */
export const MAX_STEPS = 5000;

/**
 * The surface race as the page runs it: the shared state's race settings, the {@link Race} built
 * from them, and the components that redraw when it changes. Any settings change restarts the race.
 */
export class RaceSession {
  race: Race;
  private readonly listeners: (() => void)[] = [];

  constructor(
    readonly state: LabState,
    readonly catalog: Catalog,
    /** Called after every change of the shared state (the page writes the URL). */
    private readonly changed: () => void,
  ) {
    this.race = this.build();
  }

  get surface(): Surface {
    return getSurface(this.state.race.surface);
  }

  /** The entry of the rule whose explanation and arrows are shown. */
  get selected(): OptimizerEntry | undefined {
    return findRule(this.catalog, this.state.race.selected);
  }

  private build(): Race {
    const r = this.state.race;
    return new Race(this.surface, r.start, racerSpecs(r, this.catalog));
  }

  /** Calls `listener` after every change (a restart, steps, a new selection). */
  onUpdate(listener: () => void): void {
    this.listeners.push(listener);
  }

  private update(): void {
    for (const l of this.listeners) l();
  }

  /** A new race from the current settings (the URL is updated). */
  restart(): void {
    this.race = this.build();
    this.changed();
    this.update();
  }

  /** `n` more steps (at most up to {@link MAX_STEPS}). */
  step(n: number): void {
    const left = MAX_STEPS - this.race.steps;
    if (left <= 0) return;
    this.race.step(Math.min(n, left));
    this.update();
  }

  /** True when stepping can change nothing any more. */
  get over(): boolean {
    return this.race.steps >= MAX_STEPS || this.race.finished;
  }

  /** Shows the explanation and arrows of rule `id`. */
  select(id: string): void {
    this.state.race.selected = id;
    this.changed();
    this.update();
  }
}
