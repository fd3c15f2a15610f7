// Where one overview refresh spends main-thread time: a Chromium trace around 40 refreshes, each
// applied at the start of a frame, with renderer events per refresh summed by name (total and
// self). Not a bench group: it prints breakdowns, not targets. For a readable JS profile, build
// without minifying first (`npx vite build --minify false`).
//   npx tsx scripts/profile-ui.ts [top | heatmap | /pack/3]
//   PACKS=1        apply only the first pack of each refresh (the fixed cost of any update)
//   JS_PROFILE=1   also sample JS (inclusive and self time per function, inside the windows)
//   SHOW_ARGS=1    print one refresh's layout roots, paints and invalidations
//   SHOW_TASKS=1   print the events of the three windows that cost the most CPU
//   CSS='…'        add a style sheet to the page first, to try a CSS idea without a build
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../playwright.config';
import { syntheticRefresh } from '../tests/fixtures/synthetic-bank';
import { ensureBuild, openBenchPage, startPreview, traceDuring, type TraceEvent } from './bench/_ui-harness';

const where = process.argv[2] ?? 'top';
ensureBuild();
const preview = await startPreview();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
const page = await openBenchPage(browser, preview.url);
if (process.env.CSS) await page.addStyleTag({ content: process.env.CSS });
if (where === 'heatmap') await page.getByTestId('cell-heatmap').scrollIntoViewIfNeeded();
if (where.startsWith('/')) {
  await page.evaluate((h) => {
    const a = document.createElement('a');
    a.href = h;
    document.body.append(a);
    a.click();
  }, where);
  await page.waitForTimeout(1500);
}
const refreshes = Array.from({ length: Number(process.env.REFRESHES ?? 40) }, (_, i) => syntheticRefresh(16, 5000 + i, 0));
type CpuProfile = {
  startTime: number;
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
};
const categories =
  'devtools.timeline,disabled-by-default-devtools.timeline,blink.user_timing' +
  (process.env.SHOW_ARGS ? ',disabled-by-default-devtools.timeline.invalidationTracking' : '');
const { result: profile, events } = await traceDuring(page, categories, async (cdp): Promise<CpuProfile> => {
  if (process.env.JS_PROFILE) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
    await cdp.send('Profiler.start');
  }
  await page.evaluate(
    async ({ refreshes, only }) => {
      const apply = window.__monitorApply!;
      const s = window.__packservice!.session;
      for (let i = 0; i < refreshes.length; i++) {
        await new Promise((r) => setTimeout(r, 150));
        await new Promise((r) => requestAnimationFrame(r));
        const now = s.clock.now();
        performance.mark(`r${i}:start`);
        for (const u of refreshes[i].slice(0, only)) {
          u.received_ms = now;
          u.health.lastGood_ms = now;
          apply(u);
        }
        // As the ui bench: the window ends with the first task after the frame.
        await new Promise<void>((r) => {
          const ch = new MessageChannel();
          ch.port1.onmessage = () => r();
          ch.port2.postMessage(null);
        });
        performance.mark(`r${i}:end`);
        await new Promise((r) => requestIdleCallback(r, { timeout: 2000 }));
      }
    },
    { refreshes, only: Number(process.env.PACKS ?? 16) }
  );
  if (!process.env.JS_PROFILE) return { startTime: 0, nodes: [], samples: [], timeDeltas: [] };
  return ((await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile }).profile;
});
function jsReport(windows: [number, number][]) {
  const self = new Map<number, number>();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    const d = profile.timeDeltas[i + 1] ?? 0;
    if (windows.some(([a, b]) => t >= a && t <= b)) self.set(id, (self.get(id) ?? 0) + d);
  });
  const byFn = new Map<string, number>();
  for (const node of profile.nodes) {
    const cf = node.callFrame;
    const key = `${cf.functionName || '(anon)'} ${cf.url.split('/').pop()}:${cf.lineNumber}:${cf.columnNumber}`;
    byFn.set(key, (byFn.get(key) ?? 0) + (self.get(node.id) ?? 0));
  }
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const incl = new Map<string, number>();
  const nodeById = new Map(profile.nodes.map((nd) => [nd.id, nd]));
  for (const [id, d] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = nodeById.get(cur)!.callFrame;
      const key = `${cf.functionName || '(anon)'} ${cf.url.split('/').pop()}:${cf.lineNumber}:${cf.columnNumber}`;
      if (seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + d);
    }
  }
  console.log('JS inclusive time per refresh, ms:');
  for (const [k, v] of [...incl]
    .filter(([k]) => !k.startsWith('(root)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 45))
    console.log(`  ${(v / 1000 / windows.length).toFixed(2).padStart(7)}  ${k}`);
  console.log('JS self time per refresh, ms:');
  for (const [k, v] of [...byFn]
    .filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(program)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 40))
    console.log(`  ${(v / 1000 / windows.length).toFixed(2).padStart(7)}  ${k}`);
}
await browser.close();
await preview.stop();

const marks = events.filter((e) => e.cat.includes('blink.user_timing') && /^r\d+:(start|end)$/.test(e.name));
const start = marks.find((m) => m.name.endsWith(':start'))!;
const tid = start.tid;
const pid = start.pid;
const windows: [number, number][] = [];
for (let i = 10; i < refreshes.length; i++) {
  const s = marks.find((m) => m.name === `r${i}:start`);
  const e = marks.find((m) => m.name === `r${i}:end`);
  if (s && e) windows.push([s.ts, e.ts]);
}
const main = events.filter((e) => e.tid === tid && e.pid === pid && e.ph === 'X' && e.dur !== undefined);
const byName = new Map<string, number>();
const selfByName = new Map<string, number>();
const parentOf = new Map<string, Map<string, number>>();
for (const [a, b] of windows) {
  const inside = main.filter((e) => e.ts >= a && e.ts + (e.dur ?? 0) <= b).sort((x, y) => x.ts - y.ts || (y.dur ?? 0) - (x.dur ?? 0));
  const stack: TraceEvent[] = [];
  for (const e of inside) {
    while (stack.length && stack[stack.length - 1].ts + (stack[stack.length - 1].dur ?? 0) <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    byName.set(e.name, (byName.get(e.name) ?? 0) + (e.dur ?? 0));
    selfByName.set(e.name, (selfByName.get(e.name) ?? 0) + (e.dur ?? 0));
    if (parent) {
      selfByName.set(parent.name, (selfByName.get(parent.name) ?? 0) - (e.dur ?? 0));
      const m = parentOf.get(e.name) ?? new Map<string, number>();
      m.set(parent.name, (m.get(parent.name) ?? 0) + (e.dur ?? 0));
      parentOf.set(e.name, m);
    }
    stack.push(e);
  }
}
const n = windows.length;
jsReport(windows);
if (process.env.SHOW_TASKS) {
  // The top-level tasks of a few windows, in order, with their biggest children.
  // The three windows that took longest, by the thread's CPU clock.
  const cpuOf = ([a, b]: [number, number]) => {
    const at = (t: number) => marks.find((m) => m.ts === t)?.tts ?? 0;
    return at(b) - at(a);
  };
  for (const [a, b] of [...windows].sort((x, y) => cpuOf(y) - cpuOf(x)).slice(0, 3)) {
    console.log('--- window', ((b - a) / 1000).toFixed(2), 'ms wall', (cpuOf([a, b]) / 1000).toFixed(2), 'ms CPU');
    const overlapping = main.filter((e) => e.ts < b && e.ts + (e.dur ?? 0) > a && (e.dur ?? 0) > 60).sort((x, y) => x.ts - y.ts);
    for (const e of overlapping) {
      if (!process.env.SHOW_GC && /^V8\.|^v8\.|GC/.test(e.name)) continue;
      console.log(((e.ts - a) / 1000).toFixed(2).padStart(7), ((e.dur ?? 0) / 1000).toFixed(2).padStart(6), e.name);
    }
  }
}
if (process.env.SHOW_ARGS) {
  const [a, b] = windows[5];
  for (const e of events.filter(
    (e) =>
      e.tid === tid &&
      e.ts >= a &&
      e.ts <= b &&
      /^(Layout|Paint|UpdateLayoutTree|PrePaint|Layerize|InvalidateLayout|ScheduleStyleRecalculation|StyleRecalcInvalidationTracking|LayoutInvalidationTracking|PaintInvalidationTracking)$/.test(
        e.name
      )
  ))
    console.log(((e.ts - a) / 1000).toFixed(2), e.ph, e.name, ((e.dur ?? 0) / 1000).toFixed(2), JSON.stringify(e.args).slice(0, 400));
}
console.log(`${n} refreshes (${where}); per refresh, ms (nested events overlap):`);
const f = (v: number) => (v / n / 1000).toFixed(2).padStart(7);
console.log('  total    self  name  (parents)');
for (const [k, v] of [...byName].sort((x, y) => y[1] - x[1]).slice(0, 30))
  console.log(
    `${f(v)} ${f(selfByName.get(k) ?? 0)}  ${k}  ${[...(parentOf.get(k) ?? [])].map(([p, d]) => `${p}:${(d / n / 1000).toFixed(2)}`).join(' ')}`
  );
