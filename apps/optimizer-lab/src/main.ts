import "./style.css";
import { mountCompare } from "./compare/compare-view.js";
import { CATALOG } from "./optimizers/rules.js";
import { mountRace } from "./race/race-view.js";
import { type LabState, TABS, type TabId } from "./state/lab-state.js";
import { parseState, serializeState } from "./state/url-state.js";
import { mountTrain } from "./train/train-view.js";
import { h } from "./ui/dom.js";

/**
 * The page: reads the state from the URL (untrusted: validated, bad settings replaced by defaults
 * and listed in a notice), mounts the three tabs, and writes every change back to the URL so the
 * address bar is always a link that reproduces the run.
 */
const { state, problems } = parseState(location.search);
const app = document.getElementById("app")!;

function syncUrl(s: LabState): void {
  history.replaceState(null, "", `${location.pathname}?${serializeState(s)}`);
}

const TAB_NAMES: Record<TabId, string> = {
  race: "Surface race",
  train: "Network training",
  compare: "Compare",
};
const panels = {} as Record<TabId, HTMLElement>;
const tabButtons = {} as Record<TabId, HTMLButtonElement>;
for (const id of TABS) {
  panels[id] = h("section", {
    class: `panel panel-${id}`,
    id: `panel-${id}`,
    role: "tabpanel",
    "aria-labelledby": `tab-${id}`,
    "data-testid": `panel-${id}`,
  });
  tabButtons[id] = h(
    "button",
    {
      type: "button",
      role: "tab",
      id: `tab-${id}`,
      "aria-controls": `panel-${id}`,
      "data-testid": `tab-${id}`,
    },
    TAB_NAMES[id],
  );
  tabButtons[id].addEventListener("click", () => showTab(id));
}

let compare: { refresh(): void } | null = null;
function showTab(id: TabId): void {
  state.tab = id;
  for (const t of TABS) {
    panels[t].hidden = t !== id;
    tabButtons[t].setAttribute("aria-selected", String(t === id));
  }
  if (id === "compare") compare?.refresh();
  window.dispatchEvent(new Event("resize")); // charts size themselves to the now visible panel
  syncUrl(state);
}

const notice = h(
  "div",
  { class: "notice", role: "alert", "data-testid": "url-notice", hidden: problems.length === 0 },
  h("strong", {}, "This link had settings the lab could not use, so it uses the defaults for them:"),
  h("ul", {}, ...problems.map((p) => h("li", {}, p))),
);
const dismiss = h("button", { type: "button", class: "dismiss", "aria-label": "dismiss" }, "×");
dismiss.addEventListener("click", () => void (notice.hidden = true));
notice.prepend(dismiss);

const copyBtn = h("button", { type: "button", class: "copy", "data-testid": "copy-link" }, "Copy link");
copyBtn.addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(location.href);
    copyBtn.textContent = "Copied";
  } catch {
    copyBtn.textContent = "Copy the address bar";
  }
  setTimeout(() => void (copyBtn.textContent = "Copy link"), 1500);
});

app.append(
  h(
    "header",
    {},
    h(
      "div",
      { class: "title" },
      h("h1", {}, "Descent optimizer lab"),
      h(
        "p",
        { class: "muted" },
        `The ${CATALOG.length} optimizers of @descent/optim, gradients from @descent/tensor, live in your browser.`,
      ),
    ),
    copyBtn,
  ),
  notice,
  h("nav", { role: "tablist", class: "tabs" }, ...TABS.map((id) => tabButtons[id])),
  ...TABS.map((id) => panels[id]),
);

const changed = () => syncUrl(state);
mountRace(panels.race, state, changed);
mountTrain(panels.train, state, () => {
  changed();
  compare?.refresh();
});
compare = mountCompare(panels.compare, state, changed);
showTab(state.tab);
document.body.dataset["ready"] = "true";
