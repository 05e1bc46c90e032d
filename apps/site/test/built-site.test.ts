import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { OPTIMIZER_CATALOG } from "@descent/optim";
import { beforeAll, describe, expect, it } from "vitest";

// Checks of the built site in `.vitepress/dist`: every page is there, every internal link and
// anchor resolves, the math was rendered to KaTeX HTML at build time, no page asks another origin
// for anything, and the figures rendered numbers from the real optimizers.

const site = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(site, ".vitepress", "dist");

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const decode = (s: string) =>
  s
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");

let files: string[] = [];
let pages: Map<string, string>;
const page = (path: string): string => {
  const html = pages.get(path);
  if (html === undefined) throw new Error(`page ${path} is not in the built site`);
  return html;
};

beforeAll(() => {
  if (!existsSync(join(dist, "index.html"))) {
    throw new Error(`no built site in ${dist}: run \`pnpm --filter @descent/site build\` first`);
  }
  files = walk(dist);
  pages = new Map(
    files.filter((f) => f.endsWith(".html")).map((f) => [`/${relative(dist, f)}`, readFileSync(f, "utf8")]),
  );
});

describe("pages", () => {
  it("has the home page, the guides, the performance page, the lab page and the API reference", () => {
    for (const path of [
      "/index.html",
      "/guide/getting-started.html",
      "/guide/sgd-to-adam.html",
      "/guide/catalog.html",
      "/performance.html",
      "/lab.html",
      "/api/index.html",
      "/api/@descent/optim.html",
      "/api/@descent/tensor.html",
      "/api/@descent/nn/index.html",
    ]) {
      expect(pages.has(path), path).toBe(true);
    }
  });

  it("renders docs/performance.md", () => {
    const first = readFileSync(join(site, "..", "..", "docs", "performance.md"), "utf8").match(
      /^# (.+)$/m,
    )?.[1];
    expect(first).toBeTruthy();
    expect(page("/performance.html")).toContain(`>${first}`);
  });

  it("documents every export page of the API reference, with Adam's class in it", () => {
    expect(page("/api/@descent/optim.html")).toMatch(/id="adam"/i);
    expect(page("/api/@descent/tensor.html")).toMatch(/id="tensor"/i);
  });
});

describe("links", () => {
  it("every internal link and anchor of every page resolves", () => {
    const ids = new Map<string, Set<string>>();
    const idsOf = (path: string) => {
      let set = ids.get(path);
      if (!set) {
        set = new Set([...page(path).matchAll(/\sid="([^"]+)"/g)].map((m) => decode(m[1] ?? "")));
        ids.set(path, set);
      }
      return set;
    };
    const broken: string[] = [];
    let checked = 0;
    for (const [from, html] of pages) {
      for (const m of html.matchAll(/<a\s[^>]*href="([^"]*)"/g)) {
        const href = decode(m[1] ?? "");
        if (/^[a-z]+:/i.test(href) || href.startsWith("//")) continue; // other origins, mailto:
        const [pathPart = "", hash] = href.split("#");
        let target: string;
        if (pathPart === "") target = from;
        else {
          target = pathPart.startsWith("/") ? pathPart : resolve(dirname(from), pathPart);
          target = decodeURIComponent(target);
          if (pathPart.endsWith("/")) target = `${target.replace(/\/$/, "")}/index.html`;
          else if (!target.endsWith(".html") && pages.has(`${target}.html`)) target += ".html";
        }
        checked++;
        if (!pages.has(target)) {
          if (!files.includes(join(dist, target))) broken.push(`${from}: ${href} (no such file)`);
          continue;
        }
        if (hash && !idsOf(target).has(decodeURIComponent(hash)))
          broken.push(`${from}: ${href} (no such anchor)`);
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(broken).toEqual([]);
  });
});

describe("math", () => {
  it("is KaTeX HTML in the built pages, with no TeX left for the browser", () => {
    const guide = page("/guide/sgd-to-adam.html");
    const displays = guide.match(/class="katex-display"/g) ?? [];
    expect(displays.length).toBeGreaterThanOrEqual(9);
    // Adam's bias correction, rendered: KaTeX keeps the source in a MathML annotation.
    expect(guide).toMatch(
      /<annotation encoding="application\/x-tex">[^<]*\\hat m_t = \\frac\{m_t\}\{1 - \\beta_1\^t\}/,
    );
    expect(guide).toContain('<span class="katex-html" aria-hidden="true">');
    // No delimiter of unrendered math survives outside the annotations.
    const text = guide
      .replace(/<annotation[^>]*>[\s\S]*?<\/annotation>/g, "")
      .replace(/<script[\s\S]*?<\/script>/g, "");
    expect(text).not.toMatch(/\$\$|\\frac|\\beta/);
    expect(page("/guide/getting-started.html")).toContain('class="katex"');
  });

  it("loads no math script in the browser", () => {
    for (const [path, html] of pages) {
      expect(html, path).not.toMatch(/mathjax|katex(\.min)?\.js|auto-render/i);
    }
  });
});

describe("offline", () => {
  it("no page or stylesheet requests anything from another origin", () => {
    const external: string[] = [];
    for (const [path, html] of pages) {
      for (const m of html.matchAll(
        /<(script|link|img|iframe|source|video|audio)\s[^>]*?(?:src|href)="([^"]+)"/g,
      )) {
        const url = m[2] ?? "";
        if (/^(https?:)?\/\//i.test(url)) external.push(`${path}: <${m[1]}> ${url}`);
      }
    }
    for (const file of files.filter((f) => f.endsWith(".css"))) {
      for (const m of readFileSync(file, "utf8").matchAll(/url\(\s*["']?((?:https?:)?\/\/[^"')]+)/gi)) {
        external.push(`${relative(dist, file)}: url(${m[1]})`);
      }
      expect(readFileSync(file, "utf8")).not.toMatch(/@import\s+(url\()?["']?(https?:)?\/\//i);
    }
    expect(external).toEqual([]);
  });

  it("bundles the KaTeX and text fonts", () => {
    const fonts = files.filter((f) => /\.(woff2?|ttf)$/.test(f)).map((f) => f.split("/").pop() ?? "");
    expect(fonts.some((f) => f.startsWith("KaTeX_Main-Regular"))).toBe(true);
    expect(fonts.some((f) => f.startsWith("inter-"))).toBe(true);
  });
});

describe("search", () => {
  it("has a local search index that covers the guide and the API reference", () => {
    const index = files.find((f) => /@localSearchIndexroot\.[^/]+\.js$/.test(f));
    expect(index).toBeDefined();
    const text = readFileSync(index ?? "", "utf8");
    expect(text).toContain("Bias correction");
    expect(text).toContain("AdamW");
    expect(text).toMatch(/api\/@descent\/optim/);
  });
});

describe("catalog", () => {
  it("lists every rule of OPTIMIZER_CATALOG with its summary and reference", () => {
    const html = page("/guide/catalog.html");
    for (const e of OPTIMIZER_CATALOG) {
      expect(html, e.id).toContain(`data-rule="${e.id}"`);
      expect(decode(html), e.id).toContain(e.summary);
      expect(html, e.id).toContain(`href="${e.reference.url}"`);
    }
  });
});

describe("figures", () => {
  const guide = () => page("/guide/sgd-to-adam.html");
  const readout = (name: string) => {
    const m = guide().match(new RegExp(`data-readout="${name}"[^>]*>([^<]*)<`));
    if (!m) throw new Error(`readout ${name} not in the page`);
    return m[1] ?? "";
  };

  it("renders the momentum, Adagrad and Adam figures", () => {
    for (const id of ["momentum", "adagrad", "adam-bias"]) expect(guide()).toContain(`data-figure="${id}"`);
  });

  it("momentum figure: its starting readout is heavy-ball momentum's, computed independently", () => {
    // lr 0.05, momentum 0.6, 60 steps on ½(x² + 20y²) from (−4, 1.2): PyTorch's recurrence
    // b ← μb + g (b₁ = g₁), θ ← θ − ηb, in float64.
    const lr = 0.05;
    const mu = 0.6;
    let [x, y] = [-4, 1.2];
    let [bx, by] = [0, 0];
    for (let t = 1; t <= 60; t++) {
      const [gx, gy] = [x, 20 * y];
      [bx, by] = t === 1 ? [gx, gy] : [mu * bx + gx, mu * by + gy];
      [x, y] = [x - lr * bx, y - lr * by];
    }
    expect(readout("loss")).toBe((0.5 * (x * x + 20 * y * y)).toExponential(2));
  });

  it("Adam figure: the first step is lr, the uncorrected one √1000·0.1·lr", () => {
    // m₁ = 0.1, v₁ = 0.001 for g = 1; corrected step lr·1/(1 + 1e-8); uncorrected lr·0.1/(√0.001 + 1e-8).
    expect(readout("step1")).toBe((0.001 / (1 + 1e-8)).toPrecision(4));
    expect(readout("raw1")).toBe(((0.001 * 0.1) / (Math.sqrt(0.001) + 1e-8)).toPrecision(4));
  });
});
