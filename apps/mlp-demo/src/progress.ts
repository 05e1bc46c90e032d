import { formatLoss } from "./format.js";

/** Where the CLI writes, and what it knows about the terminal; tests pass a fake. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is an interactive terminal: redraw a live bar, use colours. */
  readonly isTTY: boolean;
  readonly columns: number;
  /** Milliseconds, monotonic. */
  now(): number;
}

/** A command's two kinds of messages, routed by `--json` and `--quiet`; see {@link messageChannels}. */
export interface MessageChannels {
  /** Headers and notes: stdout; stderr with `--json` (stdout holds the JSON lines); dropped with `--quiet`. */
  info(text: string): void;
  /** Results (final line, table, report paths): stdout, even with `--quiet`; stderr with `--json`, unless `--quiet`. */
  result(text: string): void;
}

/** The {@link MessageChannels} of a run with these `--json` / `--quiet` settings. */
export function messageChannels(
  io: Io,
  mode: { readonly json: boolean; readonly quiet: boolean },
): MessageChannels {
  const write = (text: string) => (mode.json ? io.err(text) : io.out(text));
  return {
    info(text) {
      if (!mode.quiet) write(text);
    },
    result(text) {
      if (!mode.quiet || !mode.json) write(text);
    },
  };
}

/** "1:05", "12:00", "1:02:03". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** The bar text for a fraction done, `width` cells wide: `██████▌░░░`. */
export function bar(fraction: number, width: number): string {
  const f = Math.max(0, Math.min(1, fraction));
  const eighths = Math.round(f * width * 8);
  const full = Math.floor(eighths / 8);
  const part = eighths % 8;
  const partial = part ? String.fromCharCode(0x2590 - part) : "";
  return "█".repeat(full) + partial + "░".repeat(width - full - (part ? 1 : 0));
}

export interface ProgressState {
  epoch: number;
  epochs: number;
  /** Samples seen in this epoch so far. */
  seen: number;
  samplesPerEpoch: number;
  /** Optimizer steps taken so far (over all epochs) and in the whole run. */
  step: number;
  totalSteps: number;
  /** Running mean train loss and accuracy (0..1, or null for regression) of this epoch. */
  loss: number;
  accuracy: number | null;
  label?: string;
}

/** Speed and time left of a run. */
export interface Timing {
  /** Samples per second since `begin()` (0 before any time has passed). */
  readonly samplesPerSecond: number;
  /** Seconds left at that speed (NaN when unknown). */
  readonly etaSeconds: number;
}

export interface ProgressOptions {
  /** False: print nothing at all (`--quiet`). */
  readonly enabled: boolean;
  /**
   * When the output is not a terminal: print one line per epoch (step, loss, accuracy, samples/s,
   * ETA) at `endEpoch()`. Off where the command prints its own epoch line.
   */
  readonly epochLines?: boolean;
  /** Least time between two redraws of the live bar. */
  readonly intervalMs?: number;
}

/**
 * Progress of a run. On a TTY a live line (epoch, bar, step, running loss, accuracy, samples/s,
 * ETA) redrawn in place at most every `intervalMs`; elsewhere one line per epoch (with
 * `epochLines`), since carriage returns make a mess of logs.
 */
export class Progress {
  private start = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private startSamples = 0;
  private readonly enabled: boolean;
  private readonly epochLines: boolean;
  private readonly intervalMs: number;

  constructor(
    private readonly io: Io,
    options: ProgressOptions,
  ) {
    this.enabled = options.enabled;
    this.epochLines = options.epochLines ?? false;
    this.intervalMs = options.intervalMs ?? 100;
  }

  /** Starts the clock; `alreadyDone` samples (a resumed run) do not count toward the speed. */
  begin(alreadyDone = 0): void {
    this.start = this.io.now();
    this.startSamples = alreadyDone;
  }

  /** Speed since `begin()` and the time left, at the point `s` describes. */
  timing(s: ProgressState): Timing {
    const total = s.epochs * s.samplesPerEpoch;
    const done = (s.epoch - 1) * s.samplesPerEpoch + s.seen;
    const secs = (this.io.now() - this.start) / 1000;
    const rate = secs > 0 ? (done - this.startSamples) / secs : 0;
    return { samplesPerSecond: rate, etaSeconds: rate > 0 ? (total - done) / rate : Number.NaN };
  }

  /**
   * The text of the live line (without colours or carriage return). The bar takes up to 20
   * cells, fewer (down to 6) so that the line fits in `columns`.
   */
  line(s: ProgressState, columns = Number.POSITIVE_INFINITY): string {
    const rest = this.describe(s, " ").length;
    const width = Math.max(6, Math.min(20, columns - 1 - rest));
    return this.describe(s, ` ${bar(s.seen / s.samplesPerEpoch, width)}`);
  }

  private describe(s: ProgressState, barText: string): string {
    const { samplesPerSecond, etaSeconds } = this.timing(s);
    const width = String(s.epochs).length;
    const stepWidth = String(s.totalSteps).length;
    const acc = s.accuracy === null ? "" : `  acc ${(100 * s.accuracy).toFixed(1).padStart(5)}%`;
    const label = s.label ? `${s.label.padEnd(8)} ` : "";
    return (
      `${label}epoch ${String(s.epoch).padStart(width)}/${s.epochs}${barText}` +
      `  step ${String(s.step).padStart(stepWidth)}/${s.totalSteps}  loss ${formatLoss(s.loss)}${acc}` +
      `  ${formatRate(samplesPerSecond)} samples/s  ETA ${formatDuration(etaSeconds)}`
    );
  }

  /** Redraws the live bar (TTY only, throttled). */
  update(s: ProgressState): void {
    if (!this.enabled || !this.io.isTTY) return;
    const t = this.io.now();
    if (t - this.lastDraw < this.intervalMs && s.seen < s.samplesPerEpoch) return;
    this.lastDraw = t;
    const text = this.line(s, this.io.columns).slice(0, Math.max(20, this.io.columns - 1));
    this.io.err(`\r\x1b[2K${text}`);
  }

  /** At the end of an epoch: one line with the epoch's numbers when the output is not a TTY. */
  endEpoch(s: ProgressState): void {
    if (this.enabled && this.epochLines && !this.io.isTTY) this.io.err(`${this.describe(s, "")}\n`);
  }

  /** Clears the live bar so a normal line can be printed. */
  clear(): void {
    if (this.enabled && this.io.isTTY) this.io.err("\r\x1b[2K");
  }
}

/** Samples per second, grouped by thousands: `12,345`. */
export function formatRate(v: number): string {
  return Math.round(v).toLocaleString("en-US");
}
