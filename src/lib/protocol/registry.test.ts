import { describe, expect, it } from 'vitest';
import { allCommands, commandById, findCommand, findCommands } from './registry';
import { readAnalog } from './commands/analog';
import { readStatus } from './commands/status';
import { readPackCount, readProductInfo, readSoftwareVersion } from './commands/info';
import { eg4ReadAnalog, eg4ReadStatus } from './commands/pylon';
import { settingsCommands } from './commands/settings';

describe('registry', () => {
  it('lists telemetry and settings commands, each object once', () => {
    const all = allCommands();
    expect(all).toContain(readAnalog);
    expect(all).toContain(readPackCount);
    for (const c of settingsCommands) expect(all).toContain(c);
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
  });

  it('finds the PACE forms by CID2', () => {
    expect(findCommand(0x42)).toBe(readAnalog);
    expect(findCommand(0x44, 0x25, 0x46)).toBe(readStatus);
    expect(findCommand(0x90)).toBe(readPackCount);
    expect(findCommand(0xc1)).toBe(readSoftwareVersion);
    expect(findCommand(0xc2)).toBe(readProductInfo);
  });

  it('finds the EG4 forms only for EG4 CID1s', () => {
    expect(findCommand(0x42, 0x20, 0x4a)).toBe(eg4ReadAnalog);
    expect(findCommand(0x44, 0x20, 0x4a)).toBe(eg4ReadStatus);
    expect(findCommands(0x42, 0x20, 0x46)).not.toContain(eg4ReadAnalog);
  });

  it('returns undefined for an unknown CID2 and looks commands up by id', () => {
    expect(findCommand(0x00)).toBeUndefined();
    expect(commandById('readStatus')).toBe(readStatus);
    expect(commandById('nope')).toBeUndefined();
  });
});
