import { h, selectField } from "../ui/dom.js";
import type { RaceSession } from "./session.js";

/** Play / pause, one step, reset, the speed, and the step count; owns the animation loop. */
export function playbackControls(session: RaceSession): { root: HTMLElement; stop(): void } {
  let playing = false;
  let speed = 2;
  const playBtn = h("button", { type: "button", class: "primary", "data-testid": "race-play" }, "Play");
  const stepBtn = h("button", { type: "button", "data-testid": "race-step" }, "Step");
  const resetBtn = h("button", { type: "button", "data-testid": "race-reset" }, "Reset");
  const count = h("span", { class: "muted", "data-testid": "race-steps" }, "step 0");

  function setPlaying(p: boolean): void {
    playing = p;
    playBtn.textContent = p ? "Pause" : "Play";
    if (p) requestAnimationFrame(frame);
  }

  function frame(): void {
    if (!playing) return;
    session.step(speed);
    if (session.over) setPlaying(false);
    else requestAnimationFrame(frame);
  }

  playBtn.addEventListener("click", () => setPlaying(!playing));
  stepBtn.addEventListener("click", () => {
    setPlaying(false);
    session.step(1);
  });
  resetBtn.addEventListener("click", () => {
    setPlaying(false);
    session.restart();
  });
  session.onUpdate(() => void (count.textContent = `step ${session.race.steps}`));
  const speedSelect = selectField({
    label: "Speed",
    value: "2",
    options: [
      ["1", "1 step / frame"],
      ["2", "2 steps / frame"],
      ["10", "10 steps / frame"],
    ],
    testId: "race-speed",
    onChange: (v) => void (speed = Number(v)),
  });
  const root = h(
    "div",
    { class: "playback" },
    h("div", { class: "buttons" }, playBtn, stepBtn, resetBtn, count),
    speedSelect.root,
  );
  return { root, stop: () => setPlaying(false) };
}
