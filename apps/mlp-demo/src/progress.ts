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
  /** Running mean train loss and accuracy (0..1, or null for regression) of this epoch. */
  loss: number;
  accuracy: number | null;
  label?: string;
}

/**
 * A progress line: epoch, bar, loss, accuracy, samples/s and ETA. On a TTY it redraws in place
 * (at most every `intervalMs`); elsewhere it stays silent until `done()` prints the epoch's summary.
 */
export class Progress {
  private start = 0;
  private samplesDone = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private startSamples = 0;

  constructor(
    private readonly io: Io,
    private readonly enabled: boolean,
    private readonly intervalMs = 100,
  ) {}

  /** Starts the clock; `alreadyDone` samples (a resumed run) do not count toward the speed. */
  begin(alreadyDone = 0): void {
    this.start = this.io.now();
    this.samplesDone = alreadyDone;
    this.startSamples = alreadyDone;
  }

  private rate(): number {
    const secs = (this.io.now() - this.start) / 1000;
    return secs > 0 ? (this.samplesDone - this.startSamples) / secs : 0;
  }

  /** The text of the progress line (without colours or carriage return). */
  line(s: ProgressState): string {
    const total = s.epochs * s.samplesPerEpoch;
    const doneSamples = (s.epoch - 1) * s.samplesPerEpoch + s.seen;
    this.samplesDone = doneSamples;
    const rate = this.rate();
    const eta = rate > 0 ? (total - doneSamples) / rate : Number.NaN;
    const width = String(s.epochs).length;
    const acc = s.accuracy === null ? "" : `  acc ${(100 * s.accuracy).toFixed(1).padStart(5)}%`;
    const label = s.label ? `${s.label.padEnd(8)} ` : "";
    return (
      `${label}epoch ${String(s.epoch).padStart(width)}/${s.epochs} ${bar(s.seen / s.samplesPerEpoch, 20)}` +
      `  loss ${fmtLoss(s.loss)}${acc}  ${Math.round(rate).toLocaleString("en-US")} samples/s  ETA ${formatDuration(eta)}`
    );
  }

  /** Redraws the live bar (TTY only, throttled). */
  update(s: ProgressState): void {
    if (!this.enabled || !this.io.isTTY) return;
    const t = this.io.now();
    if (t - this.lastDraw < this.intervalMs && s.seen < s.samplesPerEpoch) return;
    this.lastDraw = t;
    const text = this.line(s).slice(0, Math.max(20, this.io.columns - 1));
    this.io.err(`\r\x1b[2K${text}`);
  }

  /** Clears the live bar so a normal line can be printed. */
  clear(): void {
    if (this.enabled && this.io.isTTY) this.io.err("\r\x1b[2K");
  }
}

function fmtLoss(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : String(v);
}
