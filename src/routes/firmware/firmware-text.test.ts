// The page's static message tables say what the firmware layer's key tables (guidance.ts) say: the
// same message for every phase, failure, error kind, restore option and manual step. Static tables
// keep the page's bundle to the messages it uses; this keeps them from drifting from the engine.

import { describe, expect, it } from 'vitest';
import { m } from '$lib/paraglide/messages';
import {
  ERROR_MESSAGES,
  FAILURE_MESSAGES,
  FORCED_BOOTLOADER_STEPS,
  MANUAL_SECTION_TITLES,
  PACK_STATE_MESSAGES,
  PHASE_MESSAGES,
  UPGRADE_RESTORE_OPTIONS
} from '$lib/session/firmware';
import {
  ERROR_TEXT,
  FAILURE_TEXT,
  PHASE_TEXT,
  RESTORE_TEXT,
  SECTION_TEXT,
  STEP_TEXT,
  formatBytes,
  formatDuration,
  packStateText
} from './firmware-text';

const byKey = m as unknown as Record<string, (params?: Record<string, string>) => string>;

describe('firmware page texts', () => {
  it('use the firmware layer’s message for every phase, failure reason and error kind', () => {
    for (const [phase, key] of Object.entries(PHASE_MESSAGES)) expect(PHASE_TEXT[phase as keyof typeof PHASE_TEXT], phase).toBe(byKey[key]);
    for (const [reason, key] of Object.entries(FAILURE_MESSAGES)) expect(FAILURE_TEXT[reason as keyof typeof FAILURE_TEXT], reason).toBe(byKey[key]);
    for (const [kind, key] of Object.entries(ERROR_MESSAGES)) expect(ERROR_TEXT[kind as keyof typeof ERROR_TEXT], kind).toBe(byKey[key]);
    for (const [state, key] of Object.entries(PACK_STATE_MESSAGES)) {
      expect(packStateText(state as keyof typeof PACK_STATE_MESSAGES, '1.07'), state).toBe(byKey[key]({ version: '1.07' }));
    }
  });

  it('use the firmware layer’s message for every restore option and manual step', () => {
    for (const option of UPGRADE_RESTORE_OPTIONS) {
      expect(RESTORE_TEXT[option.key].label).toBe(byKey[option.label]);
      expect(RESTORE_TEXT[option.key].help).toBe(byKey[option.help]);
    }
    for (const [section, key] of Object.entries(MANUAL_SECTION_TITLES)) expect(SECTION_TEXT[section as keyof typeof SECTION_TEXT]).toBe(byKey[key]);
    expect(Object.keys(STEP_TEXT).sort()).toEqual(FORCED_BOOTLOADER_STEPS.map((s) => s.id).sort());
    for (const step of FORCED_BOOTLOADER_STEPS) {
      expect(STEP_TEXT[step.id].text, step.id).toBe(byKey[step.text]);
      expect(STEP_TEXT[step.id].caution, step.id).toBe(step.caution ? byKey[step.caution] : undefined);
    }
  });

  it('formats sizes in binary units and durations in minutes and seconds', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(198_500)).toBe('193.8 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5 MiB');
    expect(formatDuration(45_400)).toBe('45 s');
    expect(formatDuration(200_000)).toBe('3 min 20 s');
  });
});
