// The diagnose wizard end to end: the demo bank with faults (one hot pack, one weak cell) through
// the wizard to the verdicts and the report file, the file opened again as support would, the
// link's hostile parameters shown as plain text, and no write leaving the client while the page is
// open (watched on the wire through the USB serial double).

import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { FrameReader, type Frame } from '../../src/lib/protocol/frame';
import { findCommands } from '../../src/lib/protocol/registry';
import { createSimBank, type SimBank } from '../../src/lib/sim/bank';
import { realClock } from '../../src/lib/time/clock';
import { reportJson } from '../../src/lib/report/build';
import { sampleReport } from '../../src/lib/report/testing';
import type { DiagnoseReport } from '../../src/lib/report/types';
import { installSerialDouble, type SerialDoubleHandle } from '../fixtures/serial-double';

function framesOf(bytes: Uint8Array): Frame[] {
  const reader = new FrameReader();
  return [...reader.push(bytes), ...reader.flush()].filter((e) => e.type === 'frame').map((e) => (e as { frame: Frame }).frame);
}

function isRead(f: Frame): boolean {
  const cmds = findCommands(f.code, f.ver, f.cid1);
  return cmds.length > 0 && cmds.every((c) => c.kind === 'read');
}

/** Through the wizard from its first step to the result. */
async function runWizard(page: Page, via: 'sim' | 'serial'): Promise<void> {
  await page.getByTestId(`choose-${via}`).click();
  await expect(page.getByTestId('diagnose')).toHaveAttribute('data-step', 'plug');
  await page.getByTestId('connect').click();
  await expect(page.getByTestId('diagnose')).toHaveAttribute('data-step', 'reading', { timeout: 60_000 });
  await expect(page.getByTestId('progress')).toBeVisible();
  await expect(page.getByTestId('report-summary')).toBeVisible({ timeout: 180_000 });
}

/** Rounded as the app rounds (ui/format.ts), not as toFixed does: they differ on a value at a half (52.745). */
function asShown(value: number, decimals: number): string {
  const f = 10 ** decimals;
  return (Math.round(value * f) / f).toFixed(decimals);
}

async function glance(page: Page, address: number): Promise<string> {
  return (await page.getByTestId(`glance-${address}`).innerText()).replace(/\s+/g, ' ');
}

test.describe('the diagnose wizard', () => {
  test('on the demo bank with a hot pack and a weak cell: right verdicts, a report file, the same values when opened again', async ({ page }) => {
    test.setTimeout(300_000);
    await page.goto('/diagnose?ticket=E2E-0001&packs=16&watch=15');
    await expect(page.getByTestId('ticket')).toHaveText('E2E-0001');
    await expect(page.getByTestId('read-only')).toBeVisible();
    await runWizard(page, 'sim');

    // The verdicts: pack 2's cell 7 is weak, pack 16 runs hot, the other 14 are good. Should that
    // fail, the message names every flagged pack and its findings.
    const flagged = await page
      .locator('[data-testid^="verdict-"][data-verdict]:not([data-verdict="good"])')
      .evaluateAll((els) =>
        els.map(
          (e) =>
            `${e.getAttribute('data-testid')}: ${[...e.querySelectorAll('[data-finding]')].map((f) => f.getAttribute('data-finding')).join(', ')}`
        )
      );
    await expect(page.getByTestId('overall'), flagged.join('; ')).toHaveText('2 of 16 packs need attention.');
    await expect(page.getByTestId('verdict-2')).toHaveAttribute('data-verdict', 'watch');
    await expect(page.getByTestId('verdict-2').locator('[data-finding="weak-cell"]')).toContainText('Cell 7 is weak');
    await expect(page.getByTestId('verdict-16')).toHaveAttribute('data-verdict', 'watch');
    await expect(page.getByTestId('verdict-16').locator('[data-finding="pack-hotter"]')).toContainText('warmer than the other packs');
    for (const a of [1, 3, 8, 15]) await expect(page.getByTestId(`verdict-${a}`)).toHaveAttribute('data-verdict', 'good');
    await expect(page.getByTestId('good-packs')).toContainText('Pack 1, Pack 3');
    await expect(page.getByTestId('saved')).toBeVisible();
    const before = { 2: await glance(page, 2), 16: await glance(page, 16), 9: await glance(page, 9) };

    // The file: everything read, the frames it came from, only reads among them.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-report').click()]);
    expect(download.suggestedFilename()).toMatch(/^battery-report-E2E-0001-\d{4}-\d{2}-\d{2}-\d{4}\.json$/);
    const file = await download.path();
    const report = JSON.parse(readFileSync(file, 'utf8')) as DiagnoseReport;
    expect(report).toMatchObject({
      format: 'packservice-diagnose-report',
      schema: 1,
      request: { ticket: 'E2E-0001', expectedPacks: 16, watch_s: 15, language: 'en' }
    });
    expect(report.packs).toHaveLength(16);
    expect(report.verdicts.filter((v) => v.verdict !== 'good').map((v) => v.address)).toEqual([2, 16]);
    expect(report.packs.every((p) => p.params?.values['cellOverVoltage.protect_mV'] === 3700 && (p.history?.records.length ?? 0) > 0)).toBe(true);
    expect(report.summary.text).toContain('Cell 7 is weak');
    const tx = report.traffic.entries.filter((e) => e.dir === 'tx');
    expect(tx.length).toBeGreaterThan(100);
    const sent = framesOf(new TextEncoder().encode(tx.map((e) => e.text.replace(/\\r$/, '\r')).join('')));
    expect(sent.length).toBe(tx.length);
    expect(sent.filter((f) => !isRead(f))).toEqual([]);

    // Support opens it: the summary and the normal pages show the same values, marked as a report.
    await page.evaluate(() => window.__packservice?.session.disconnect());
    await page.goto('/diagnose');
    await page.locator('details.support-staff > summary').click();
    await page.getByTestId('report-file').setInputFiles(file);
    await page.waitForURL('**/diagnose/report');
    await expect(page.getByTestId('report-banner')).toContainText('Saved report');
    await expect(page.getByTestId('report-banner')).toContainText('E2E-0001');
    await expect(page.getByTestId('link-health')).toHaveAttribute('data-phase', 'report');
    await expect(page.getByTestId('overall')).toHaveText('2 of 16 packs need attention.');
    for (const a of [2, 9, 16] as const) expect(await glance(page, a)).toBe(before[a]);

    await page.getByTestId('report-overview').click();
    await page.waitForURL('**/overview');
    for (const a of [2, 16]) {
      const analog = report.packs[a - 1].analog!;
      const card = page.getByTestId(`pack-card-${a}`);
      await expect(card).toHaveAttribute('data-freshness', 'report');
      await expect(card).toContainText(`${asShown(analog.voltage_V, 2)} V`);
    }
    await page.getByTestId('pack-card-16').click();
    await page.waitForURL('**/pack/16');
    await expect(page.getByTestId('report-banner')).toBeVisible();
    const hottest = Math.max(...report.packs[15].analog!.temps_C.filter((t): t is number => t !== null));
    await expect(page.locator('main')).toContainText(asShown(hottest, 1));

    // Closing the report leaves nothing connected.
    await page.getByTestId('report-banner').getByRole('button').click();
    await page.waitForURL('**/diagnose');
    await expect(page.getByTestId('link-health')).toHaveAttribute('data-phase', 'idle');
  });

  test('hostile link parameters are shown as plain text and break nothing', async ({ page }) => {
    await page.addInitScript(() => {
      (window as unknown as { __xss: number }).__xss = 0;
    });
    const payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
    // Long, but within what servers take in a URL (Node's header limit is 16 KB; static hosts ~8 KB).
    const long = 'A'.repeat(4000);
    const bidi = 'INV\u202Egnp.exe\u0000\u200B\u2066';
    const query = new URLSearchParams({ ticket: payload, lang: '<b>zh</b>', packs: long, watch: bidi });
    await page.goto(`/diagnose?${query}`);
    const problems = page.getByTestId('query-problems');
    await expect(problems).toBeVisible();
    await expect(problems.locator('[data-field="ticket"] bdi')).toHaveText(`${payload.slice(0, 60)}…`);
    await expect(problems.locator('[data-field="lang"] bdi')).toHaveText('<b>zh</b>');
    await expect(problems.locator('[data-field="packs"] bdi')).toHaveText(`${'A'.repeat(60)}…`);
    await expect(problems.locator('[data-field="watch"] bdi')).toHaveText('INV⟨U+202E⟩gnp.exe⟨U+0000⟩⟨U+200B⟩⟨U+2066⟩');
    // Nothing of it became markup, ran, or took a place meant for a ticket.
    expect(await page.evaluate(() => (window as unknown as { __xss: number }).__xss)).toBe(0);
    await expect(page.locator('main img, main script, main b')).toHaveCount(0);
    await expect(page.getByTestId('asked')).toHaveCount(0);
    // The page works as usual, in its own language, left to right.
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check my battery');
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('main')!).direction)).toBe('ltr');
    await page.getByTestId('choose-sim').click();
    await expect(page.getByTestId('diagnose')).toHaveAttribute('data-step', 'plug');
  });

  test('the language from the link is used and remembered', async ({ page }) => {
    await page.goto('/diagnose?lang=zh-CN&ticket=SR-7');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('检测我的电池');
    await expect(page.getByTestId('ticket')).toHaveText('SR-7');
    expect(await page.evaluate(() => localStorage.getItem('PARAGLIDE_LOCALE'))).toBe('zh-CN');
  });
});

test.describe('opening a report file', () => {
  type Spoil = (r: Record<string, unknown>) => void;
  const fileOf = (name: string, text: string | Buffer) => ({
    name,
    mimeType: 'application/json',
    buffer: Buffer.isBuffer(text) ? text : Buffer.from(text)
  });
  const spoiled = (spoil: Spoil): string => {
    const r = JSON.parse(reportJson(sampleReport())) as Record<string, unknown>;
    spoil(r);
    return JSON.stringify(r);
  };

  async function pick(page: Page, file: ReturnType<typeof fileOf>): Promise<void> {
    await page.getByTestId('report-file').setInputFiles(file);
  }

  test('a damaged, foreign or newer file is refused with the reason, and nothing is lost', async ({ page }) => {
    await page.goto('/diagnose');
    await page.locator('details.support-staff > summary').click();
    const refused = page.getByTestId('report-refused');
    const good = reportJson(sampleReport());

    await pick(page, fileOf('cut.json', good.slice(0, Math.floor(good.length / 2))));
    await expect(refused).toHaveAttribute('data-kind', 'truncated');
    await expect(refused).toContainText('"cut.json" was not opened.');
    await expect(refused).toContainText('The file is cut short');

    await pick(page, fileOf('photo.json', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00])));
    await expect(refused).toHaveAttribute('data-kind', 'not-json');
    await expect(refused).toContainText('not a report (not JSON text)');

    await pick(page, fileOf('profile.json', '{"format":"parameter-profile","schema":1}'));
    await expect(refused).toHaveAttribute('data-kind', 'not-report');
    await expect(refused).toContainText('not a battery check report');

    await pick(
      page,
      fileOf(
        'next.json',
        spoiled((r) => ((r.schema = 2), (r.packs = 'a shape this version cannot know')))
      )
    );
    await expect(refused).toHaveAttribute('data-kind', 'newer');
    await expect(refused).toContainText('newer version of this tool (report format 2; this version reads up to 1)');

    await pick(
      page,
      fileOf(
        'edited.json',
        spoiled((r) => ((r.packs as { analog: { cells_mV: unknown[] } }[])[1].analog.cells_mV[5] = '<b>x</b>'))
      )
    );
    await expect(refused).toHaveAttribute('data-kind', 'invalid');
    await expect(refused).toContainText('the field "packs[1].analog.cells_mV[5]" is not what it should be');
    await refused.locator('summary').click();
    await expect(refused.locator('.detail')).toHaveText('packs[1].analog.cells_mV[5] should be a number from 0 to 10000, but is "<b>x</b>"');
    await expect(page.locator('main b')).toHaveCount(0);

    // Dropped rather than picked: the same check.
    await page.getByTestId('report-drop').evaluate((el) => {
      const dt = new DataTransfer();
      dt.items.add(new File(['{"format":"packservice-diagnose-report","schema":1,'], 'dropped.json', { type: 'application/json' }));
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await expect(refused).toContainText('"dropped.json" was not opened.');
    await expect(refused).toHaveAttribute('data-kind', 'truncated');

    // Nothing was opened or changed: no report mode, the wizard still at its start, and a good file opens after all that.
    await expect(page.getByTestId('link-health')).toHaveAttribute('data-phase', 'idle');
    await expect(page.getByTestId('report-banner')).toHaveCount(0);
    await expect(page.getByTestId('diagnose')).toHaveAttribute('data-step', 'start');
    await pick(page, fileOf('good.json', good));
    await page.waitForURL('**/diagnose/report');
    await expect(page.getByTestId('report-banner')).toContainText('T-42');
  });

  test('hostile text inside a well-formed report stays text on every page it reaches', async ({ page }) => {
    await page.addInitScript(() => {
      (window as unknown as { __xss: number }).__xss = 0;
    });
    const markup = '<img src=x onerror="window.__xss=1">';
    const hostile = spoiled((r) => {
      (r.request as { ticket: string }).ticket = `${markup}\u202E`.slice(0, 64);
      (r.link as { label: string }).label = `<script>window.__xss=2</script>${markup}`;
      const pack = (r.packs as { identity: { softwareVersion: string }; analog: { tempLabels: string[] } }[])[0];
      pack.identity.softwareVersion = markup;
      pack.analog.tempLabels[0] = markup;
      (r.findings as unknown[]).push({ id: '<b>new</b>', severity: 'watch', pack: 1, values: { x: markup } });
      (r.summary as { text: string }).text = `${markup}\n<script>window.__xss=3</script>`;
    });
    await page.goto('/diagnose');
    await page.locator('details.support-staff > summary').click();
    await pick(page, fileOf(`${markup}.json`, hostile));
    await page.waitForURL('**/diagnose/report');
    await expect(page.getByTestId('report-banner')).toContainText(`Ticket ${markup}`);
    await expect(page.getByTestId('report-summary')).toContainText(`<script>window.__xss=2</script>${markup}`);
    await expect(page.getByTestId('report-summary')).toContainText('Finding "<b>new</b>" (made by a newer version of this tool).');
    await page.locator('details.customer-text > summary').click();
    await expect(page.getByTestId('customer-text')).toContainText('<script>window.__xss=3</script>');
    await page.getByTestId('report-overview').click();
    await page.waitForURL('**/overview');
    await expect(page.getByTestId('pack-card-1')).toHaveAttribute('data-freshness', 'report');
    await page.getByTestId('pack-card-1').click();
    await page.waitForURL('**/pack/1');
    await expect(page.locator('main')).toContainText(markup);
    expect(await page.evaluate(() => (window as unknown as { __xss: number }).__xss)).toBe(0);
    await expect(page.locator('img[src="x"], main script, main b')).toHaveCount(0);
  });
});

test.describe('reports saved on this computer', () => {
  test('listed with their ticket, opened, a damaged one refused with a message, deleted', async ({ page }) => {
    await page.goto('/diagnose');
    await page.waitForFunction(() => window.__packservice !== undefined);
    await page.evaluate(async (body) => {
      const db = await window.__packservice!.session.database();
      const meta = (ticket: string, t: number) => ({ created_ms: t, kind: 'diagnose' as const, title: `Ticket ${ticket}`, ticket, summary: {} });
      await db.reports.add(meta('T-42', Date.UTC(2026, 2, 12, 13, 0)), JSON.parse(body));
      // Saved by some other version, or damaged on disk: its cells are text.
      const damaged = JSON.parse(body);
      damaged.packs[0].analog.cells_mV = 'gone';
      await db.reports.add(meta('BAD-1', Date.UTC(2026, 2, 13, 9, 0)), damaged);
    }, reportJson(sampleReport()));
    await page.reload();
    await page.locator('details.support-staff > summary').click();
    const saved = page.getByTestId('saved-reports').locator('li');
    await expect(saved).toHaveCount(2);
    const bad = saved.filter({ hasText: 'Ticket BAD-1' });
    const good = saved.filter({ hasText: 'Ticket T-42' });

    await bad.getByRole('button', { name: 'Open' }).click();
    await expect(page.getByText('That saved report could not be read.')).toBeVisible();
    await expect(page.getByTestId('link-health')).toHaveAttribute('data-phase', 'idle');

    await good.getByRole('button', { name: 'Open' }).click();
    await page.waitForURL('**/diagnose/report');
    await expect(page.getByTestId('report-banner')).toContainText('T-42');
    await expect(page.getByTestId('glance')).toContainText('52.81 V');
    await page.getByTestId('report-banner').getByRole('button').click();
    await page.waitForURL('**/diagnose');

    await page.locator('details.support-staff > summary').click();
    // Deleting asks once more; "Keep it" keeps it.
    const badRow = saved.filter({ hasText: 'Ticket BAD-1' });
    await badRow.getByRole('button', { name: 'Delete' }).click();
    await badRow.getByRole('button', { name: 'Keep it' }).click();
    await expect(saved).toHaveCount(2);
    await badRow.getByRole('button', { name: 'Delete' }).click();
    await badRow.getByRole('button', { name: 'Delete for good' }).click();
    await expect(saved).toHaveCount(1);
    await expect(saved).toContainText('Ticket T-42');
  });
});

test.describe('read-only while the diagnose page is open', () => {
  let bank: SimBank;
  let usb: SerialDoubleHandle | null = null;

  test.beforeEach(() => {
    bank = createSimBank({ packCount: 3, seed: 'diagnose-usb', clock: realClock, scenario: 'load' });
  });

  test.afterEach(() => {
    usb?.dispose();
    usb = null;
    bank.dispose();
  });

  test('no write request leaves the client: not the run, not a page script with installer mode unlocked', async ({ page }) => {
    test.setTimeout(300_000);
    usb = await installSerialDouble(page, bank);
    await page.goto('/diagnose?watch=10&packs=3');
    await runWizard(page, 'serial');
    await expect(page.getByTestId('overall')).toContainText('3');

    // A script on the page unlocks installer mode and tries a write, as a typed command and as raw bytes.
    const tries = await page.evaluate(async () => {
      const s = window.__packservice!.session;
      await s.installer.setPin('2468');
      const client = s.client as unknown as { raw(b: Uint8Array): Promise<unknown> };
      const frame = new TextEncoder().encode('~2501469AE00201FD1C\r');
      const out: string[] = [];
      for (let i = 0; i < 2; i++) {
        try {
          await client.raw(frame);
          out.push('sent');
        } catch (e) {
          out.push(e instanceof Error ? e.message : String(e));
        }
      }
      return { unlocked: s.installer.isUnlocked(), out };
    });
    expect(tries.unlocked).toBe(true);
    for (const message of tries.out) expect(message).toContain('the diagnose page only reads');

    // On the wire: reads only, and never the 9AH frame.
    const frames = framesOf(usb.written());
    expect(frames.length).toBeGreaterThan(50);
    expect(frames.filter((f) => !isRead(f)).map((f) => f.code.toString(16))).toEqual([]);
    expect(new TextDecoder().decode(usb.written())).not.toContain('~2501469A');

    // Away from the page the session is no longer read-only: the same write now meets the ordinary rule.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    await page.waitForURL('**/overview');
    const after = await page.evaluate(async () => {
      const client = window.__packservice!.session.client as unknown as { raw(b: Uint8Array): Promise<unknown> };
      try {
        await client.raw(new TextEncoder().encode('~2501469AE00201FD1C\r'));
        return 'sent';
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    });
    expect(after).toContain('checked paths');
    expect(new TextDecoder().decode(usb.written())).not.toContain('~2501469A');
  });
});
