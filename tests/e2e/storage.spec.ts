// The storage layer in real Chromium: its real IndexedDB, quota, versionchange between tabs and a
// real FileSystemWritableFileStream. No page of the app uses the storage layer yet, and the app
// exposes nothing for tests, so the layer is bundled here (tests/fixtures/storage-bundle.ts) and
// imported into the built app's page, on the app's own origin, through a route the app lacks.
// When pages use the storage, their own browser tests take over from this one.

import { expect, test, type Page } from '@playwright/test';
import { STORAGE_MODULE_PATH, storageBundle } from '../fixtures/storage-bundle';

type StorageModule = typeof import('../fixtures/storage-entry');
declare global {
  interface Window {
    __storage: StorageModule;
  }
}

test.use({ serviceWorkers: 'block' });

async function loadStorage(page: Page): Promise<void> {
  const code = await storageBundle();
  await page.route(`**${STORAGE_MODULE_PATH}`, (route) => route.fulfill({ body: code, contentType: 'text/javascript' }));
  if (!page.url().startsWith('http')) await page.goto('/settings');
  // A string, so the test runner's transpiler cannot touch the dynamic import.
  await page.evaluate(`import('${STORAGE_MODULE_PATH}').then((m) => { window.__storage = m; })`);
}

const T0 = Date.UTC(2025, 5, 1);

test('recorded telemetry survives a reload; estimate and persistence come from the real browser', async ({ page }) => {
  await loadStorage(page);
  const recorded = await page.evaluate(async (t0) => {
    const S = window.__storage;
    const s = await S.openStorage({ name: 'e2e-reload' });
    const rec = s.recorder({ bank: 'e2e bank', flushEvery_ms: null, pruneEvery_ms: null, requestPersistence: true });
    rec.start();
    for (let c = 0; c < 720; c++) {
      for (let a = 1; a <= 16; a++) rec.record(S.bankSample(a, t0 + c * 5000));
      if (c % 12 === 11) await rec.flush();
    }
    const final = await rec.stop();
    const usage = await s.estimate();
    s.close();
    return { written: rec.stats.written, final, usage, persistence: rec.stats.persistence?.kind ?? null };
  }, T0);
  expect(recorded.written).toBe(720 * 16);
  expect(recorded.final).toMatchObject({ kind: 'stopped', reason: { kind: 'user', lost: 0 } });
  expect(recorded.usage.supported).toBe(true);
  expect(recorded.usage.usage_B).toBeGreaterThan(0);
  expect(recorded.usage.quota_B).toBeGreaterThan(recorded.usage.usage_B!);
  expect(['granted', 'denied', 'already']).toContain(recorded.persistence);

  await page.reload();
  await loadStorage(page);
  const after = await page.evaluate(async (t0) => {
    const S = window.__storage;
    const s = await S.openStorage({ name: 'e2e-reload' });
    const devices = Array.from({ length: 16 }, (_, i) => S.deviceKeyOf(i + 1));
    const chart = await s.chart({ devices, from_ms: t0, to_ms: t0 + 3_600_000, buckets: 600 });
    const rows = [];
    for await (const r of s.telemetry.samples(devices[6], { from_ms: t0, to_ms: t0 + 3_600_000 })) rows.push(r);
    const recordings = await s.telemetry.recordings();
    const device = await s.devices.get(devices[6]);
    s.close();
    return {
      tier: chart.tier,
      counted: chart.devices.map((d) => d.counts.reduce((a, b) => a + b, 0)),
      rows: rows.length,
      last: rows[rows.length - 1],
      expectedLast: S.bankSample(7, t0 + 719 * 5000).analog.cells_mV,
      recordings: recordings.length,
      device
    };
  }, T0);
  expect(after.tier).toBe('raw');
  expect(after.counted).toEqual(Array(16).fill(720));
  expect(after.rows).toBe(720);
  expect(after.last.cells_mV).toEqual(after.expectedLast);
  expect(after.recordings).toBe(16);
  expect(after.device).toMatchObject({ lastAddress: 7, lastBank: 'e2e bank', cellCount: 16, tempCount: 6 });
});

test('a real QuotaExceededError from Chromium stops recording cleanly and keeps every committed row', async ({ page, context }) => {
  await loadStorage(page);
  const origin = new URL(page.url()).origin;
  const cdp = await context.newCDPSession(page);
  const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 400_000 });
  try {
    const result = await page.evaluate(async (t0) => {
      const S = window.__storage;
      const s = await S.openStorage({ name: 'e2e-quota' });
      const rec = s.recorder({ bank: 'e2e', flushEvery_ms: null, pruneEvery_ms: null, requestPersistence: false });
      rec.start();
      let cycles = 0;
      for (; cycles < 40_000 && rec.state.kind === 'recording'; cycles++) {
        for (let a = 1; a <= 16; a++) rec.record(S.bankSample(a, t0 + cycles * 2000));
        if (cycles % 5 === 4) await rec.flush();
      }
      const state = rec.state;
      const reason = state.kind === 'stopped' ? state.reason : null;
      const cause = reason?.error?.cause as { name?: string } | undefined;
      let stored = 0;
      for (let a = 1; a <= 16; a++) for await (const _ of s.telemetry.samples(S.deviceKeyOf(a), { from_ms: t0, to_ms: t0 + 86_400_000 })) stored++;
      // The database still works for reads and for writes that fit.
      await s.kv.delete('nothing');
      s.close();
      return {
        cycles,
        kind: reason?.kind,
        message: reason?.message,
        lost: reason?.lost,
        causeName: cause?.name ?? null,
        written: rec.stats.written,
        stored
      };
    }, T0);
    test.info().annotations.push({ type: 'rows stored before the quota ran out', description: String(result.written) });
    expect(result.kind).toBe('quota');
    expect(result.message).toMatch(/no more room/);
    expect(result.causeName).toBe('QuotaExceededError');
    expect(result.written).toBeGreaterThan(0);
    // Every row of the committed flushes is there, and nothing of the one that failed.
    expect(result.stored).toBe(result.written);
    expect(result.written % 80).toBe(0);
    expect(result.lost).toBeGreaterThan(0);
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  }
});

test('exports stream into a real FileSystemWritableFileStream, the Blob fallback gives the same file, history de-duplicates', async ({ page }) => {
  await loadStorage(page);
  const out = await page.evaluate(async (t0) => {
    const S = window.__storage;
    const s = await S.openStorage({ name: 'e2e-export' });
    const rec = s.recorder({ bank: 'e2e', flushEvery_ms: null, pruneEvery_ms: null, requestPersistence: false });
    rec.start();
    for (let c = 0; c < 300; c++) for (const a of [1, 2]) rec.record(S.bankSample(a, t0 + c * 2000));
    await rec.stop();
    const req = { devices: [S.deviceKeyOf(1), S.deviceKeyOf(2)], from_ms: t0, to_ms: t0 + 86_400_000 };
    // The origin-private file system hands out the same writable stream type as the save dialog.
    const dir = await navigator.storage.getDirectory();
    const handle = await dir.getFileHandle('e2e-export.csv', { create: true });
    const bytes = await S.writePieces(S.telemetryCsv(s, req), await handle.createWritable());
    const fileText = await (await handle.getFile()).text();
    const blobText = await (await S.piecesToBlob(S.telemetryCsv(s, req), 'text/csv')).text();
    await dir.removeEntry('e2e-export.csv');

    const record = {
      time: { year: 2025, month: 1, day: 2, hour: 3, minute: 4, second: 5 },
      cells_mV: [3300, 3310],
      temps_C: [20, null],
      current_A: 1.5,
      voltage_V: 6.61,
      remaining_Ah: 50,
      full_Ah: 100,
      status: { protection1: 0, protection2: 0, fault: 0, warning1: 0, warning2: 0, indication: 0, fault8: null, fault10: null },
      cycles: 9,
      statusRecord: 1
    };
    const item = { record, raw: Uint8Array.from([1, 2, 3, 4]), address: 1, readAt_ms: t0 };
    const first = await s.history.addMany(S.deviceKeyOf(1), [item]);
    const second = await s.history.addMany(S.deviceKeyOf(1), [item]);
    s.close();
    return { bytes, fileText, same: fileText === blobText, first, second };
  }, T0);
  const lines = out.fileText.split('\r\n').filter((l) => l.length > 0);
  expect(lines).toHaveLength(1 + 600);
  expect(lines[0]).toMatch(/^time \(UTC\),device,address,voltage \(V\)/);
  expect(lines[1].startsWith(new Date(T0).toISOString())).toBe(true);
  expect(out.bytes).toBe(new TextEncoder().encode(out.fileText).length);
  expect(out.same).toBe(true);
  expect(out.first).toEqual({ added: 1, duplicates: 0 });
  expect(out.second).toEqual({ added: 0, duplicates: 1 });
});

test('another tab opening a newer schema closes this tab’s connection; this version then refuses the newer data', async ({ page, context }) => {
  await loadStorage(page);
  await page.evaluate(async () => {
    const s = await window.__storage.openStorage({ name: 'e2e-versions' });
    await s.kv.set('kept', 'yes');
    (window as unknown as { __open: unknown }).__open = s;
  });
  const other = await context.newPage();
  await loadStorage(other);
  const newer = await other.evaluate(async () => {
    const S = window.__storage;
    const next = { version: S.MIGRATIONS.length + 1, describe: 'test step', run: () => undefined };
    const s = await S.openStorage({ name: 'e2e-versions', migrations: [...S.MIGRATIONS, next] });
    const kept = await s.kv.get('kept');
    s.close();
    return { kept, version: next.version };
  });
  expect(newer.kept).toBe('yes');
  const first = await page.evaluate(async () => {
    const s = (window as unknown as { __open: Awaited<ReturnType<StorageModule['openStorage']>> }).__open;
    const read = await s.kv.get('kept').then(
      () => 'read',
      (e: { kind?: string }) => e.kind
    );
    const reopen = await window.__storage.openStorage({ name: 'e2e-versions' }).then(
      () => 'opened',
      (e: { kind?: string; message?: string }) => `${e.kind}: ${e.message}`
    );
    return { closed: s.closed?.kind ?? null, read, reopen };
  });
  expect(first.closed).toBe('closed');
  expect(first.read).toBe('closed');
  expect(first.reopen).toMatch(new RegExp(`^version: .*schema version ${newer.version}`));
});
