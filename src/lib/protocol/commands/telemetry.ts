// The telemetry and identity commands, as one list for the registry.

import type { AnyCommand } from '../command';
import { readAnalog } from './analog';
import { readPackCount, readProductInfo, readSoftwareVersion } from './info';
import { eg4ReadAnalog, eg4ReadStatus } from './pylon';
import { readStatus } from './status';

/** 42H, 44H, 90H, C1H, C2H, then the EG4 forms of 42H/44H (same CID2, CID1 4AH, no request INFO). */
export const telemetryCommands: AnyCommand[] = [
  readAnalog,
  readStatus,
  readPackCount,
  readSoftwareVersion,
  readProductInfo,
  eg4ReadAnalog,
  eg4ReadStatus
];

/** Commands that only EG4 packs (CID1 4AH) speak; the registry picks them by CID1. */
export const eg4Commands: readonly AnyCommand[] = [eg4ReadAnalog, eg4ReadStatus];
