import { describe, expect, it } from 'vitest';
import { compareFirmwareVersions, sameFirmwareVersion } from './version';

describe('firmware versions', () => {
  it('orders numbers as numbers and letter suffixes as later revisions', () => {
    const sorted = ['1.10', '1.9', '1.03A', '1.03', '2.0', '1.06', '1.03B'].sort(compareFirmwareVersions);
    expect(sorted).toEqual(['1.03', '1.03A', '1.03B', '1.06', '1.9', '1.10', '2.0']);
  });

  it('calls numerically equal versions equal in order, but not the same version', () => {
    expect(compareFirmwareVersions('1.06', '1.6')).toBe(0);
    expect(sameFirmwareVersion('1.06', '1.6')).toBe(false);
    expect(sameFirmwareVersion(' 1.03a', '1.03A ')).toBe(true);
    expect(sameFirmwareVersion(null, '1.00')).toBe(false);
  });
});
