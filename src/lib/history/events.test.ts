import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../protocol/commands/history';
import { changesSince, describeRecord, HISTORY_EVENT_KINDS, isNotable } from './events';
import { sampleRecord } from './store-contract';

const base = sampleRecord(0).record;
const withStatus = (status: Partial<HistoryRecord['status']>, statusRecord: number | null = 0): HistoryRecord => ({
  ...base,
  status: { ...base.status, ...status },
  statusRecord
});

describe('describeRecord', () => {
  it('a record with nothing but the MOSFETs on is "normal"; FF bytes are unknown, not clear', () => {
    const e = describeRecord(withStatus({}));
    expect(e.kind).toBe('normal');
    expect(e.powerOn).toBe(false);
    expect(e.flags.map((f) => f.id)).toEqual(['chargeMosOn', 'dischargeMosOn']);
    expect(e.flags.some(isNotable)).toBe(false);
    expect(e.unsupported).toEqual(['fault8', 'fault10']);
  });

  it('names each set bit through the 44H flag tables, with its byte and severity', () => {
    const e = describeRecord(withStatus({ protection1: 0x01, warning2: 0x81, fault8: 0x20 }));
    expect(e.flags.filter(isNotable)).toEqual([
      { id: 'cellOverVoltageProtect', source: 'protection1', bit: 0, severity: 'protection' },
      { id: 'chargeHighTempWarning', source: 'warning2', bit: 0, severity: 'warning' },
      { id: 'lowSocWarning', source: 'warning2', bit: 7, severity: 'warning' },
      { id: 'masterSlaveOffline', source: 'fault8', bit: 5, severity: 'fault' }
    ]);
    expect(e.kind).toBe('fault');
  });

  it('picks the kind by severity: power-on, fault, protection, warning, full, normal', () => {
    expect(describeRecord(withStatus({ protection1: 0x20 }, 1)).kind).toBe('power-on');
    expect(describeRecord(withStatus({ indication: 0x10 | 0x06 })).kind).toBe('fault');
    expect(describeRecord(withStatus({ protection2: 0x80 | 0x04, warning1: 0x01 })).kind).toBe('protection');
    expect(describeRecord(withStatus({ protection2: 0x80, warning1: 0x01 })).kind).toBe('warning');
    expect(describeRecord(withStatus({ protection2: 0x80 })).kind).toBe('full');
    expect(HISTORY_EVENT_KINDS).toEqual(['power-on', 'fault', 'protection', 'warning', 'full', 'normal']);
  });

  it('never drops a bit no table names', () => {
    const e = describeRecord(withStatus({ warning1: 0x40, fault10: 0x08 }));
    expect(e.flags.filter(isNotable).map((f) => f.id)).toEqual(['warning1Bit6', 'fault10Bit3']);
    expect(e.kind).toBe('warning');
  });
});

describe('changesSince', () => {
  it('what was raised and what was cleared since the previous record', () => {
    const before = describeRecord(withStatus({ warning1: 0x01 }));
    const after = describeRecord(withStatus({ protection2: 0x80 }));
    expect(changesSince(before, after)).toEqual({ raised: ['fullyCharged'], cleared: ['cellOverVoltageWarning'] });
    expect(changesSince(null, after)).toEqual({ raised: ['fullyCharged'], cleared: [] });
  });

  it('a byte one of the two records does not carry is left out rather than reported cleared', () => {
    const before = describeRecord(withStatus({ fault8: 0x20 }));
    const after = describeRecord(withStatus({ fault8: null }));
    expect(changesSince(before, after)).toEqual({ raised: [], cleared: [] });
  });

  it('running states (MOSFETs, charger) are not events', () => {
    const before = describeRecord(withStatus({ indication: 0x06 }));
    const after = describeRecord(withStatus({ indication: 0x26 }));
    expect(changesSince(before, after)).toEqual({ raised: [], cleared: [] });
  });
});
