import { describe, expect, it } from "vitest";
import { fakeIo } from "./fake-io.testutil.js";
import { formatLoss, plural } from "./format.js";
import { bar, formatDuration, messageChannels, Progress } from "./progress.js";
import { Random } from "./random.js";
import { jsonLine, textLine } from "./record.js";
import { textTable } from "./table.js";

describe("progress bar", () => {
  it("formats durations and bars", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(65)).toBe("1:05");
    expect(formatDuration(3723)).toBe("1:02:03");
    expect(formatDuration(Number.NaN)).toBe("--:--");
    expect(bar(0, 4)).toBe("░░░░");
    expect(bar(1, 4)).toBe("████");
    expect(bar(0.5, 4)).toBe("██░░");
    expect(bar(0.125 / 4 + 0.25, 4)).toBe("█▏░░");
  });

  it("shows epoch, loss, accuracy, samples/s and ETA", () => {
    const io = fakeIo(true);
    const p = new Progress(io, { enabled: true });
    p.begin();
    io.t = 2000; // 2 s for 1 000 samples: 500 samples/s; 3 000 left → 6 s
    const line = p.line({
      epoch: 1,
      epochs: 2,
      seen: 1000,
      samplesPerEpoch: 2000,
      step: 16,
      totalSteps: 64,
      loss: 0.5,
      accuracy: 0.875,
    });
    expect(line).toContain("epoch 1/2");
    expect(line).toContain("step 16/64");
    expect(line).toContain("loss 0.5000");
    expect(line).toContain("acc  87.5%");
    expect(line).toContain("500 samples/s");
    expect(line).toContain("ETA 0:06");
  });

  it("redraws only on a TTY, throttled, and not at all when disabled", () => {
    const s = {
      epoch: 1,
      epochs: 1,
      seen: 10,
      samplesPerEpoch: 100,
      step: 1,
      totalSteps: 10,
      loss: 1,
      accuracy: null,
    };
    const tty = fakeIo(true);
    const p = new Progress(tty, { enabled: true, intervalMs: 100 });
    p.begin();
    p.update(s);
    p.update(s); // same instant: throttled
    expect(tty.stderr.match(/\r/g)).toHaveLength(1);
    tty.t = 150;
    p.update(s);
    expect(tty.stderr.match(/\r/g)).toHaveLength(2);
    const pipe = fakeIo(false);
    new Progress(pipe, { enabled: true }).update(s);
    const quiet = fakeIo(true);
    new Progress(quiet, { enabled: false }).update(s);
    expect(pipe.stderr + quiet.stderr).toBe("");
  });
});

describe("message channels", () => {
  it.each([
    // [json, quiet, info goes to, result goes to]
    [false, false, "stdout", "stdout"],
    [false, true, "nowhere", "stdout"],
    [true, false, "stderr", "stderr"],
    [true, true, "nowhere", "nowhere"],
  ] as const)("json %s, quiet %s: info → %s, result → %s", (json, quiet, infoTo, resultTo) => {
    const where = (io: ReturnType<typeof fakeIo>) =>
      io.stdout !== "" ? "stdout" : io.stderr !== "" ? "stderr" : "nowhere";
    const a = fakeIo();
    messageChannels(a, { json, quiet }).info("i");
    expect(where(a)).toBe(infoTo);
    const b = fakeIo();
    messageChannels(b, { json, quiet }).result("r");
    expect(where(b)).toBe(resultTo);
  });
});

describe("epoch records and tables", () => {
  const r = {
    epoch: 2,
    epochs: 10,
    optimizer: "adam",
    lr: 0.001,
    steps: 250,
    trainLoss: 0.25,
    trainAccuracy: 0.9,
    testLoss: 0.3,
    testAccuracy: 0.91,
    seconds: 1.23456,
  };

  it("the JSON line is one line of JSON with the documented keys", () => {
    const line = jsonLine(r);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.trimEnd()).not.toContain("\n");
    const o = JSON.parse(line);
    expect(o).toEqual({ ...r, seconds: 1.2346 });
    expect(JSON.parse(jsonLine({ ...r, trainLoss: Number.NaN })).trainLoss).toBeNull();
  });

  it("the text line shows the epoch's numbers", () => {
    expect(textLine(r, 1250)).toBe(
      "epoch  2/10  train loss 0.2500  test loss 0.3000  test acc 91.00%  lr 0.00100  step  250/1250  1.2s\n",
    );
    expect(textLine(r, 1250, { samplesPerSecond: 812.4, etaSeconds: 65 })).toBe(
      "epoch  2/10  train loss 0.2500  test loss 0.3000  test acc 91.00%  lr 0.00100  step  250/1250  1.2s  812 samples/s  ETA 1:05\n",
    );
  });

  it("tables align text left and numbers right", () => {
    const t = textTable(
      ["optimizer", "loss"],
      [
        ["sgd", "0.5"],
        ["momentum", "0.25"],
      ],
    );
    expect(t).toBe("optimizer  loss\n─────────  ────\nsgd         0.5\nmomentum   0.25\n");
  });
});

describe("progress when the output is not a terminal", () => {
  const s = {
    epoch: 2,
    epochs: 4,
    seen: 1000,
    samplesPerEpoch: 1000,
    step: 32,
    totalSteps: 64,
    loss: 0.123456,
    accuracy: 0.5,
    label: "adam",
  };

  it("one line per epoch with step, loss, samples/s and ETA; none on a TTY or when off", () => {
    const pipe = fakeIo(false);
    const p = new Progress(pipe, { enabled: true, epochLines: true });
    p.begin();
    pipe.t = 4000; // 2 000 samples in 4 s: 500/s; 2 000 left: 4 s
    p.update(s);
    expect(pipe.stderr).toBe("");
    p.endEpoch(s);
    expect(pipe.stderr).toBe(
      "adam     epoch 2/4  step 32/64  loss 0.1235  acc  50.0%  500 samples/s  ETA 0:04\n",
    );
    const tty = fakeIo(true);
    new Progress(tty, { enabled: true, epochLines: true }).endEpoch(s);
    const off = fakeIo(false);
    new Progress(off, { enabled: true }).endEpoch(s);
    new Progress(off, { enabled: false, epochLines: true }).endEpoch(s);
    expect(tty.stderr + off.stderr).toBe("");
  });

  it("the live bar shows the step count, running loss and ETA too", () => {
    const tty = fakeIo(true);
    const p = new Progress(tty, { enabled: true });
    p.begin();
    tty.t = 1000;
    p.update({ ...s, epoch: 1, seen: 500 });
    expect(tty.stderr).toBe(
      "\r\x1b[2Kadam     epoch 1/4 █████████░░░░░░░░░  step 32/64  loss 0.1235  acc  50.0%  500 samples/s  ETA 0:07",
    );
    expect(p.line({ ...s, epoch: 1, seen: 500 })).toContain("██████████░░░░░░░░░░  step 32/64");
  });
});

describe("number formats", () => {
  it("formatLoss: 4 significant digits, plain from 1e-4 to 1e4, scientific elsewhere", () => {
    const cases: [number, string][] = [
      [0.25, "0.2500"],
      [0.0056, "0.005600"],
      [1.5, "1.500"],
      [12.345678, "12.35"],
      [1234.4, "1234"],
      [9999.7, "1.000e+4"],
      [305216266.24, "3.052e+8"],
      [2.47e28, "2.470e+28"],
      [1e-4, "0.0001000"],
      [9.99e-5, "9.990e-5"],
      [1.234e-6, "1.234e-6"],
      [0, "0"],
      [Number.NaN, "NaN"],
      [Number.POSITIVE_INFINITY, "Infinity"],
    ];
    for (const [v, text] of cases) expect(formatLoss(v)).toBe(text);
  });

  it("formatLoss over 1e-6..1e30: short, in one of two notations, and within 4 significant digits", () => {
    const rng = new Random(11);
    const REL_TOL = 5e-4; // half a unit in the 4th significant digit
    for (let i = 0; i < 2000; i++) {
      const v = 10 ** (-6 + 36 * rng.uniform());
      const text = formatLoss(v);
      expect(text).toMatch(/^(\d+\.?\d*|\d\.\d{3}e[+-]\d+)$/);
      expect(text.length).toBeLessThanOrEqual(9);
      expect(Math.abs(Number(text) - v) / v).toBeLessThanOrEqual(REL_TOL);
    }
  });

  it("plural", () => {
    expect([plural(0, "epoch"), plural(1, "epoch"), plural(2, "step")]).toEqual([
      "0 epochs",
      "1 epoch",
      "2 steps",
    ]);
  });
});
