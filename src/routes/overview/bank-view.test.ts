import { describe, expect, it } from 'vitest';
import { FLAG_CELL_OV_WARNING, FLAG_DISCHARGE_MOS_FAULT, syntheticView } from '../../../tests/fixtures/synthetic-bank';
import { computeBankTotals } from '$lib/session/totals';
import { bankAnnouncement, totalsFigures } from './bank-view';

describe('totalsFigures', () => {
  it('shows the parallel page figures and names the master', () => {
    const packs = [syntheticView(1, { current_A: -10 }), syntheticView(2, { current_A: -10 }), syntheticView(3, { state: 'offline' })];
    const f = Object.fromEntries(totalsFigures(computeBankTotals(packs), packs).map((x) => [x.id, x]));
    expect(f.state.value).toBe('Discharging');
    expect(f.current.value).toBe('\u221220.0\u00a0A');
    expect(f.packs).toMatchObject({ value: '2 of 3', sub: 'master: Pack 1' });
    expect(f.voltage.value).toMatch(/^5\d\.\d\d\u00a0V$/);
    // The sums count live packs only, and say how many that is.
    expect(f.current.sub).toBe('2 of 3 packs counted; + charging, − discharging');
    expect(f.power.sub).toBe('2 of 3 packs counted');
  });
  it('does not add a stale pack to the bus current or the power', () => {
    const packs = [syntheticView(1, { current_A: -10 }), syntheticView(2, { current_A: -30, state: 'stale' })];
    const t = computeBankTotals(packs);
    const f = Object.fromEntries(totalsFigures(t, packs).map((x) => [x.id, x]));
    expect(f.current.value).toBe('\u221210.0\u00a0A');
    expect(t.power_W).toBeCloseTo(packs[0].analog!.voltage_V * -10, 6);
    expect(f.power.sub).toBe('1 of 2 packs counted');
    // All live: nothing to explain.
    const all = [syntheticView(1), syntheticView(2)];
    expect(totalsFigures(computeBankTotals(all), all).find((x) => x.id === 'power')?.sub).toBeUndefined();
  });
  it('shows dashes, not zeros, when no pack is live', () => {
    const packs = [syntheticView(1, { state: 'stale' })];
    const f = totalsFigures(computeBankTotals(packs), packs);
    expect(f.filter((x) => x.id !== 'packs').every((x) => x.value === '—')).toBe(true);
    expect(f.find((x) => x.id === 'packs')?.value).toBe('0 of 1');
  });
});

describe('bankAnnouncement', () => {
  it('mentions live count, state, offline packs and alarms, not ticking values', () => {
    const packs = [
      syntheticView(1, { current_A: 5, flags: [FLAG_DISCHARGE_MOS_FAULT] }),
      syntheticView(2, { current_A: 5, flags: [FLAG_CELL_OV_WARNING] }),
      syntheticView(3, { state: 'offline' })
    ];
    const text = bankAnnouncement(computeBankTotals(packs), packs, { phase: 'live' });
    expect(text).toBe('2 of 3 packs live. Bank charging. Offline: Pack 3. 1 pack has a fault or protection. 1 pack has a warning.');
    // A voltage change alone must not change the sentence (no announcement on every tick).
    const moved = packs.map((p) => (p.analog ? { ...p, analog: { ...p.analog, voltage_V: p.analog.voltage_V + 0.01 } } : p));
    expect(bankAnnouncement(computeBankTotals(moved), moved, { phase: 'live' })).toBe(text);
  });
  it('says when the link is lost', () => {
    expect(bankAnnouncement(computeBankTotals([]), [], { phase: 'lost' })).toBe('Connection lost; the values shown are old.');
  });
});
