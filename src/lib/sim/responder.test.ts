import { describe, expect, it } from 'vitest';
import { allCommands } from '../protocol/registry';
import { handledCommandIds, handledCommands, NOT_PACE_FIRMWARE } from './responder';

describe('responder coverage', () => {
  it('answers every command the protocol layer defines for PACE firmware', () => {
    const handled = new Set(handledCommandIds());
    const missing = allCommands()
      .map((c) => c.id)
      .filter((id) => !NOT_PACE_FIRMWARE.has(id) && !handled.has(id));
    expect(missing).toEqual([]);
  });

  it("uses the registry's own definitions, not copies", () => {
    const registry = new Map(allCommands().map((c) => [c.id, c]));
    for (const cmd of handledCommands()) expect(registry.get(cmd.id)).toBe(cmd);
  });
});
