/** Attributes of {@link h}: `class`, `data-*`, `aria-*` and ordinary attributes, or event handlers. */
type Attrs = Record<string, string | number | boolean | ((e: Event) => void) | undefined>;

/**
 * Creates an element. Text children become text nodes (never HTML), so untrusted strings cannot
 * inject markup. `on*` attributes with function values become event listeners.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") e.addEventListener(k.slice(2).toLowerCase(), v);
    else if (v === true) e.setAttribute(k, "");
    else e.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

/**
 * Returns a function that asks for `render` at the next animation frame; calls before that frame
 * are merged into one render (a worker can report many epochs per frame).
 */
export function onNextFrame(render: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      render();
    });
  };
}

/** Formats a number for a readout: 4 significant digits, exponent form when tiny or huge. */
export function fmt(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(digits - 1);
  return Number(v.toPrecision(digits)).toString();
}

/**
 * A labelled number input bounded to [min, max]. `onChange` gets valid values only; an invalid entry
 * is marked (aria-invalid) and ignored until corrected.
 */
export function numberField(opts: {
  label: string;
  value: number;
  min: number;
  max: number;
  step?: number | "any";
  testId?: string;
  onChange: (v: number) => void;
}): { root: HTMLLabelElement; input: HTMLInputElement; set(v: number): void } {
  const input = h("input", {
    type: "number",
    min: opts.min,
    max: opts.max,
    step: opts.step ?? "any",
    value: String(opts.value),
    "data-testid": opts.testId,
    inputmode: "decimal",
  });
  input.addEventListener("change", () => {
    const v = input.valueAsNumber;
    const ok =
      Number.isFinite(v) && v >= opts.min && v <= opts.max && (opts.step !== 1 || Number.isInteger(v));
    input.setAttribute("aria-invalid", String(!ok));
    if (ok) opts.onChange(v);
  });
  const root = h("label", { class: "field" }, h("span", {}, opts.label), input);
  return { root, input, set: (v) => void (input.value = String(v)) };
}

/** A labelled select of fixed options. */
export function selectField<T extends string>(opts: {
  label: string;
  value: T;
  options: readonly (readonly [T, string])[];
  testId?: string;
  onChange: (v: T) => void;
}): { root: HTMLLabelElement; select: HTMLSelectElement } {
  const select = h(
    "select",
    { "data-testid": opts.testId },
    ...opts.options.map(([v, text]) => h("option", { value: v, selected: v === opts.value }, text)),
  );
  select.addEventListener("change", () => opts.onChange(select.value as T));
  return { root: h("label", { class: "field" }, h("span", {}, opts.label), select), select };
}
