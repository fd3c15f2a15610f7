// The small parts an update leans on: the journal, the flash guard, progress weighting, the phase
// order, and the message keys the page looks up.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeRestoreSelection } from '../protocol/commands/system';
import {
  ERROR_MESSAGES,
  FAILURE_MESSAGES,
  FORCED_BOOTLOADER_STEPS,
  MANUAL_SECTION_TITLES,
  PACK_STATE_MESSAGES,
  PHASE_MESSAGES,
  UPGRADE_RESTORE_OPTIONS,
  DEFAULT_RESTORE
} from './guidance';
import { FlashGuard } from './hooks';
import { JOURNAL_KEY, MemoryStorage, StorageFlashJournal } from './journal';
import { ProgressModel, isValidTransition, phaseWeights } from './update-state';

const ENTRY = {
  address: 3,
  model: 'P16S100A',
  board: '1812',
  bmsSerial: 'P1812101380309D',
  fromVersion: '1.00',
  targetVersion: '1.10',
  imageSha256: 'a'.repeat(64),
  fileName: 'fw.pkfw',
  profileId: 'ymodem-1k-crc16',
  startedAt_ms: 1000
};

describe('StorageFlashJournal', () => {
  it('keeps one entry per pack through stages and outcomes until finished', async () => {
    const storage = new MemoryStorage();
    const journal = new StorageFlashJournal(storage, { now_ms: () => 5 });
    const first = await journal.begin(ENTRY);
    expect(first).toMatchObject({ stage: 'entering', outcome: null });
    await journal.update(first.id, { stage: 'transferring' });
    const second = await journal.begin({ ...ENTRY, startedAt_ms: 2000 });
    await journal.begin({ ...ENTRY, address: 4, startedAt_ms: 1500 });
    expect((await journal.pending()).map((e) => [e.address, e.startedAt_ms])).toEqual([
      [3, 2000],
      [4, 1500]
    ]);
    await journal.update(second.id, { outcome: 'in-bootloader' });
    expect((await journal.pending())[0]).toMatchObject({ id: second.id, outcome: 'in-bootloader' });
    // Another instance (a reloaded tab) reads the same entries.
    expect(await new StorageFlashJournal(storage).pending()).toHaveLength(2);
    await journal.finish(second.id);
    await journal.finish((await journal.pending())[0].id);
    expect(storage.getItem(JOURNAL_KEY)).toBeNull();
  });

  it('ignores what it cannot read instead of failing the page', async () => {
    const storage = new MemoryStorage();
    storage.setItem(JOURNAL_KEY, '{not json');
    expect(await new StorageFlashJournal(storage).pending()).toEqual([]);
    storage.setItem(
      JOURNAL_KEY,
      JSON.stringify([
        { ...ENTRY, id: 'x', stage: 'entering', outcome: null },
        { id: 'y', address: 'three' }
      ])
    );
    expect((await new StorageFlashJournal(storage).pending()).map((e) => e.id)).toEqual(['x']);
  });
});

describe('FlashGuard', () => {
  it('is active while any update holds it, and tells listeners on the edges only', () => {
    const guard = new FlashGuard();
    const seen: boolean[] = [];
    guard.subscribe((a) => seen.push(a));
    const a = guard.hold('pack 2');
    const b = guard.hold('pack 3');
    expect(guard.labels).toEqual(['pack 2', 'pack 3']);
    a();
    a();
    expect(guard.active).toBe(true);
    b();
    expect(guard.active).toBe(false);
    expect(seen).toEqual([true, false]);
  });
});

describe('progress and phases', () => {
  const estimate = { enter_ms: 100, transfer_ms: 10_000, verify_ms: 500, reboot_ms: 2000 };

  it('weights each phase by its expected duration', () => {
    const model = new ProgressModel(phaseWeights(estimate, { check_ms: 400, backup_ms: 3000 }), 0);
    const bytes = { sent: 0, total: 1000, retries: 0 };
    const total = 400 + 3000 + 100 + 10_000 + 500 + 2000;
    expect(model.at('check', 0, 0, bytes).fraction).toBe(0);
    expect(model.at('transfer', 0.5, 0, bytes).fraction).toBeCloseTo((3500 + 5000) / total, 6);
    expect(model.at('reboot', 2, 0, bytes).fraction).toBeLessThan(1);
    expect(model.at('done', 0, 0, bytes).fraction).toBe(1);
    // A recovery skips check and backup: the transfer is most of the bar.
    const resumed = new ProgressModel(phaseWeights(estimate, { check_ms: 400, backup_ms: 3000 }), 0, ['check', 'backup']);
    expect(resumed.at('transfer', 0.5, 0, bytes).fraction).toBeCloseTo((100 + 5000) / 12_600, 6);
  });

  it('measures the rate over recent samples and turns bytes left into time left', () => {
    const model = new ProgressModel(phaseWeights(estimate, { check_ms: 0, backup_ms: 0 }), 0);
    model.sample(0, 0);
    expect(model.rate_Bps).toBeNull();
    model.sample(1000, 900);
    model.sample(2000, 1800);
    expect(model.rate_Bps).toBe(900);
    const p = model.at('transfer', 0.18, 2000, { sent: 1800, total: 10_000, retries: 0 });
    expect(p.timeLeft_ms).toBe(Math.round((8200 / 900) * 1000 + 500 + 2000));
    expect(p.elapsed_ms).toBe(2000);
  });

  it('allows only forward moves, then done or failed, then nothing', () => {
    expect(isValidTransition(null, 'check')).toBe(true);
    expect(isValidTransition(null, 'enter')).toBe(true);
    expect(isValidTransition('transfer', 'transfer')).toBe(true);
    expect(isValidTransition('transfer', 'enter')).toBe(false);
    expect(isValidTransition('verify', 'done')).toBe(false);
    expect(isValidTransition('reboot', 'done')).toBe(true);
    expect(isValidTransition('backup', 'failed')).toBe(true);
    expect(isValidTransition('done', 'failed')).toBe(false);
    expect(isValidTransition('failed', 'check')).toBe(false);
  });
});

describe('guidance', () => {
  const root = join(import.meta.dirname, '..', '..', '..');
  const messages = (locale: string) =>
    JSON.parse(readFileSync(join(root, 'messages', 'firmware', `${locale}.json`), 'utf8')) as Record<string, string>;

  it('every key the page will look up exists in both languages', () => {
    const keys = [
      ...UPGRADE_RESTORE_OPTIONS.flatMap((o) => [o.label, o.help]),
      ...FORCED_BOOTLOADER_STEPS.flatMap((s) => [s.text, ...(s.caution ? [s.caution] : [])]),
      ...Object.values(MANUAL_SECTION_TITLES),
      ...Object.values(PHASE_MESSAGES),
      ...Object.values(FAILURE_MESSAGES),
      ...Object.values(PACK_STATE_MESSAGES),
      ...Object.values(ERROR_MESSAGES)
    ];
    for (const locale of ['en', 'zh-CN']) {
      const m = messages(locale);
      expect(keys.filter((k) => !(k in m))).toEqual([]);
    }
  });

  it('the restore options are FF 50’s bits in order, and the default restores nothing', () => {
    expect(UPGRADE_RESTORE_OPTIONS.map((o) => encodeRestoreSelection({ ...DEFAULT_RESTORE, [o.key]: true }))).toEqual(
      UPGRADE_RESTORE_OPTIONS.map((o) => 1 << o.bit)
    );
    expect(encodeRestoreSelection(DEFAULT_RESTORE)).toBe(0);
  });

  it('the forced-bootloader steps follow the manual’s order, sections in sequence', () => {
    const sections = FORCED_BOOTLOADER_STEPS.map((s) => s.section).filter((s, i, all) => s !== all[i - 1]);
    expect(sections).toEqual(['prepare', 'open', 'force', 'update']);
    expect(FORCED_BOOTLOADER_STEPS.find((s) => s.id === 'short-dio')?.source).toBe('manual 8.2');
  });
});
