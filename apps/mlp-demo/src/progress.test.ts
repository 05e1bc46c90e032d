import { describe, expect, it } from "vitest";
import { fakeIo } from "./fake-io.testutil.js";
import { bar, formatDuration, messageChannels, Progress } from "./progress.js";
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
