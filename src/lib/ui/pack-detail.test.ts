import { describe, expect, it } from 'vitest';
import { syntheticAnalog, syntheticStatus } from '../../../tests/fixtures/synthetic-bank';
import { cellSummary, identityRows, parseAddress, statusFigures, switchRows } from './pack-detail';
import { cellStats } from './pack-summary';

describe('parseAddress', () => {
  it('reads decimal and 0x hex addresses', () => {
    expect(parseAddress('3')).toBe(3);
    expect(parseAddress('0')).toBe(0);
    expect(parseAddress('0x10')).toBe(16);
    expect(parseAddress('0X0f')).toBe(15);
    expect(parseAddress('255')).toBe(255);
  });
  it('refuses anything else', () => {
    for (const bad of ['', 'abc', '-1', '3.5', '256', '0x100', '1e2', ' ', '0x']) expect(parseAddress(bad)).toBeNull();
  });
});

describe('statusFigures', () => {
  it('lists the battery status as the vendor page does, with units and words', () => {
    const a = {
      ...syntheticAnalog(1, 0),
      voltage_V: 52.429,
      current_A: -2.25,
      soc_pct: 46.6,
      socSource: 'computed' as const,
      soh_pct: 100,
      cycles: 140,
      remaining_Ah: 48.19,
      full_Ah: 103.46,
      design_Ah: 100
    };
    const f = Object.fromEntries(statusFigures(a).map((x) => [x.id, x]));
    expect(f.voltage.value).toBe('52.43\u00a0V');
    expect(f.current).toMatchObject({ value: '\u22122.25\u00a0A', sub: 'discharging' });
    expect(f.power.value).toBe('\u2212118\u00a0W');
    expect(f.soc).toMatchObject({ value: '47\u00a0%', sub: 'remaining ÷ full' });
    expect(f.cycles.value).toBe('140\u00a0cycles');
    expect(f.remaining.value).toBe('48.2\u00a0Ah');
    expect(f.full.value).toBe('103.5\u00a0Ah');
    expect(f.design.value).toBe('100.0\u00a0Ah');
    expect(statusFigures({ ...a, soc_pct: null, socSource: null }).find((x) => x.id === 'soc')).toMatchObject({ value: '—', sub: undefined });
  });
});

describe('switchRows', () => {
  it('says what an open MOSFET means and when the heater is not reported', () => {
    const s = { ...syntheticStatus(1, 0), chargeMosOn: false, heaterOn: null };
    const rows = switchRows(s);
    expect(rows.map((r) => [r.label, r.state])).toEqual([
      ['Charge MOSFET', 'Off'],
      ['Discharge MOSFET', 'On'],
      ['Heater', 'Not reported']
    ]);
    expect(rows[0].note).toBe('The pack cannot take charge.');
  });
});

describe('identityRows', () => {
  it('takes the C1H string apart and trims the padded serials', () => {
    const rows = identityRows(1, true, {
      softwareVersion: 'P16S100A-1812-1.00 ',
      bluetoothName: null,
      bmsSerial: 'P1812101380309D     ',
      packSerial: '                    '
    });
    expect(Object.fromEntries(rows.map((r) => [r.label, r.value]))).toEqual({
      Address: '0x01 (1)',
      Role: 'Master (the pack on the cable)',
      Model: 'P16S100A (16 cells, 100\u00a0Ah)',
      'Hardware version': '1812',
      'Firmware version': '1.00',
      'BMS serial number': 'P1812101380309D',
      'Pack serial number': '—'
    });
  });
  it('shows dashes before the identity is read', () => {
    const rows = identityRows(5, false, null);
    expect(rows.find((r) => r.label === 'Role')?.value).toBe('Slave');
    expect(rows.find((r) => r.label === 'Firmware version')?.value).toBe('—');
  });
});

describe('cellSummary', () => {
  it('names extremes, spread and balancing cells', () => {
    expect(cellSummary(cellStats([3300, 3310, 3298, 3310]), [2])).toBe(
      '4 cells. Highest 3310\u00a0mV (cells 2, 4), lowest 3298\u00a0mV (cell 3), spread 12\u00a0mV. Balancing: cell 2.'
    );
    expect(cellSummary(cellStats([3300, 3300]), [])).toBe('2 cells. All at 3300\u00a0mV, spread 0\u00a0mV. No cell is balancing.');
    expect(cellSummary(null, [])).toBe('No cell voltages reported.');
  });
});
