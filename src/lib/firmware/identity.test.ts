import { describe, expect, it } from 'vitest';
import { FirmwareError } from './errors';
import { buildFirmwareImage, parseFirmwareImage, type FirmwareImageMeta } from './image';
import {
  assertCompatible,
  checkCompatibility,
  hardwareFieldProblem,
  hardwarePatterns,
  identityFromReplies,
  matchesHardwarePattern,
  parsePackVersion
} from './identity';

const META: FirmwareImageMeta = { model: 'P16S100A', hardwareCompat: '1812,21473', firmwareVersion: '1.07', builtAt_s: 1_754_000_000 };
const PAYLOAD = new Uint8Array(4096).map((_, i) => (i * 13 + 5) & 0xff);
const image = parseFirmwareImage(buildFirmwareImage(META, PAYLOAD));

describe('pack identity', () => {
  it('splits a pack version string', () => {
    expect(parsePackVersion('P16S100A-1812-1.00 ')).toEqual({ model: 'P16S100A', board: '1812', firmwareVersion: '1.00' });
    expect(parsePackVersion('P16S200A-21473-1.03A-beta')).toEqual({ model: 'P16S200A', board: '21473', firmwareVersion: '1.03A-beta' });
    expect(parsePackVersion('P16S100A')).toEqual({ model: 'P16S100A', board: null, firmwareVersion: null });
  });

  it('builds the identity from C1H and C2H replies (the captured ones of reference §9)', () => {
    expect(identityFromReplies({ version: 'P16S100A-1812-1.00 ' }, { bmsSerial: 'P1812101380309D', packSerial: '' })).toEqual({
      model: 'P16S100A',
      board: '1812',
      firmwareVersion: '1.00',
      versionString: 'P16S100A-1812-1.00',
      bmsSerial: 'P1812101380309D',
      packSerial: null
    });
    expect(identityFromReplies({ version: 'P16S100A-1812-1.00' }).bmsSerial).toBeNull();
  });
});

describe('hardware patterns', () => {
  it('lists patterns; "*" anywhere means any board', () => {
    expect(hardwarePatterns('1812, 21473,')).toEqual(['1812', '21473']);
    expect(hardwarePatterns('*')).toBeNull();
    expect(hardwarePatterns('1812,*')).toBeNull();
  });

  it('matches whole board names with * and ? wildcards, case-insensitively', () => {
    expect(matchesHardwarePattern('2147?', '21473')).toBe(true);
    expect(matchesHardwarePattern('2147?', '2147')).toBe(false);
    expect(matchesHardwarePattern('31*', '31916')).toBe(true);
    expect(matchesHardwarePattern('1812', '18120')).toBe(false);
    expect(matchesHardwarePattern('v1.2a', 'V1.2A')).toBe(true);
    // A dot is a dot, not "any character".
    expect(matchesHardwarePattern('1.2', '1x2')).toBe(false);
  });

  it('says what is wrong with a hardware field', () => {
    expect(hardwareFieldProblem('1812,2147?')).toBeNull();
    expect(hardwareFieldProblem(' , ')).toMatch(/empty/);
    expect(hardwareFieldProblem('1812;21473')).toMatch(/"1812;21473"/);
  });
});

describe('pack compatibility', () => {
  it('accepts the right model and board, case-insensitively', () => {
    expect(checkCompatibility(image, 'P16S100A-1812-1.00')).toEqual({ ok: true, warnings: [] });
    expect(checkCompatibility(image, { model: 'p16s100a', board: '21473' })).toEqual({ ok: true, warnings: [] });
  });

  it('refuses another model, naming both', () => {
    const result = checkCompatibility(image, 'P15S100A-1812-1.00');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('wrong-model');
    expect(result.error.field).toBe('model');
    expect(result.error.message).toMatch(/for model P16S100A, but the pack is a P15S100A/);
    expect(() => assertCompatible(image, 'P15S100A')).toThrow(FirmwareError);
  });

  it('refuses a board the image does not list', () => {
    const result = checkCompatibility(image, 'P16S100A-31916-1.06');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('wrong-model');
    expect(result.error.field).toBe('hardware compatibility');
    expect(result.error.message).toMatch(/boards 1812, 21473 .* board 31916/);
  });

  it('matches boards against wildcard patterns', () => {
    const wild = parseFirmwareImage(buildFirmwareImage({ ...META, hardwareCompat: '2147?,31*' }, PAYLOAD));
    expect(checkCompatibility(wild, 'P16S100A-21473-1.03A').ok).toBe(true);
    expect(checkCompatibility(wild, 'P16S100A-31916-1.06').ok).toBe(true);
    expect(checkCompatibility(wild, 'P16S100A-1812-1.00').ok).toBe(false);
  });

  it('passes on the model alone, with a warning, when the pack reports no board and no serial', () => {
    const result = checkCompatibility(image, { model: 'P16S100A' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/only the model was checked/);
    expect(assertCompatible(image, 'P16S100A')).toHaveLength(1);
  });

  it('uses the board at the start of the BMS serial when C1H has none', () => {
    const result = checkCompatibility(image, { model: 'P16S100A', board: null, bmsSerial: 'P1812101380309D' });
    expect(result).toEqual({ ok: true, warnings: [expect.stringMatching(/serial P1812101380309D starts with board 1812/)] });
  });

  it('warns when the serial contradicts the board from C1H, without refusing', () => {
    const result = checkCompatibility(image, { model: 'P16S100A', board: '1812', bmsSerial: 'P21473000000001' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings[0]).toMatch(/does not start with the board 1812/);
  });

  it('accepts any board when the image says "*"', () => {
    const any = parseFirmwareImage(buildFirmwareImage({ ...META, hardwareCompat: '*' }, PAYLOAD));
    expect(checkCompatibility(any, 'P16S100A-99999-1.00')).toEqual({ ok: true, warnings: [] });
    expect(checkCompatibility(any, 'P16S100A')).toEqual({ ok: true, warnings: [] });
  });
});
