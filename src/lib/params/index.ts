// The parameter engine: what the parameter, calibration and control pages (through session/) use.
// It sits above protocol/ and beside firmware/ (design.md layers): plain TypeScript on top of the
// client's exclusive lease, with no storage of its own (SnapshotStore, WriteLog and PinStore are
// interfaces the session backs with storage/).
//
//   model.ts            parameter groups, levels, units, ranges (from the codecs)
//   values.ts           typed group values <-> flat values, comparison, display
//   rules.ts            validate(): every violation with its rule and params
//   diff.ts             pending edits vs the pack, per group
//   reader.ts           read one pack, or all packs as one operation (progress, cancel)
//   write-path.ts       validate → snapshot → write → read back → compare → log, for everything
//   param-writes.ts     parameter edits, snapshot restore, factory defaults
//   profile.ts          profile files: export, import (field by field), compare, apply to packs
//   calibration.ts      calibration items with steps, readings before/after (checks in calibration-checks.ts)
//   control.ts          device controls: state from the pack, changes confirmed
//   installer.ts        installer PIN and idle lock
//   extension-profile.ts, extension-writes.ts   vendor extensions: enabled/why not, writes
//   engine.ts           all of the above wired as the session needs it (write path, installer, grant, extensions)

export type { Answer, AnswerFailure, BusOwner, PackRef, ParamBus } from './bus';
export { ask } from './bus';
export {
  defaultParamValues,
  groupOf,
  isParamGroupId,
  LEVEL_MEANINGS,
  LEVEL_MESSAGE_KEYS,
  PARAM_GROUPS,
  PARAMS,
  paramGroup,
  type ParamCategory,
  type ParamDisplay,
  type ParamGroup,
  type ParamGroupId,
  type ParamLevel,
  type ParamMeta,
  type ParamValue,
  type ParamValues
} from './model';
export { formatParamValue, groupRequest, groupValues, parseParamDateTime, sameParamValue, writableParams } from './values';
export {
  checkParam,
  PACK_CELL_TOLERANCE,
  ruleIds,
  validate,
  violationsByParam,
  type ValidationContext,
  RELATION_REASONS,
  type RelationReason,
  type Violation,
  type ViolationCode,
  type ViolationKind,
  type ViolationWords
} from './rules';
export { diffParams, mergeValues, pickGroups, touchedGroups, type GroupChange, type ParamChange } from './diff';
export {
  readBankParams,
  readPackParams,
  type BankParamRead,
  type GroupRead,
  type PackParamRead,
  type ReadOptions,
  type ReadProgress
} from './reader';
export {
  MemorySnapshotStore,
  MemoryWriteLog,
  OUTCOME_MESSAGE_KEYS,
  type LoggedChange,
  type ParamSnapshot,
  type SnapshotReason,
  type SnapshotStore,
  type WriteKind,
  type WriteLog,
  type WriteLogEntry,
  type WriteOutcome
} from './stores';
export {
  exactly,
  OPEN_GRANT,
  WritePath,
  type PlannedChange,
  type WriteGrant,
  type SnapshotRead,
  type StepResult,
  type UnconfirmedWrite,
  type Verification,
  type WriteOperation,
  type WritePathOptions,
  type WritePlan,
  type WriteReport,
  type WriteStep
} from './write-path';
export {
  blockingViolations,
  paramWriteOperation,
  restoreDefaultsOperation,
  restoreFactoryDefaults,
  restoreSnapshot,
  writeParams,
  type ParamWriteInput
} from './param-writes';
export {
  applyProfile,
  compareProfile,
  exportProfile,
  parseProfile,
  PROFILE_FORMAT,
  PROFILE_VERSION,
  profileToJson,
  type ParameterProfile,
  type ProfileComparison,
  type ProfileComparisonRow,
  type ProfileImport,
  type ProfilePackResult,
  type ProfileProblem,
  type ProfileTarget
} from './profile';
export {
  calibrate,
  CALIBRATIONS,
  plausibility,
  type CalibrationId,
  type CalibrationInfo,
  type CalibrationInput,
  type CalibrationReadings,
  type CalibrationResult,
  type PlausibilityProblem
} from './calibration';
export {
  MOS_REFUSAL_KEYS,
  mosRefusal,
  readControls,
  setControl,
  type ControlId,
  type ControlOption,
  type ControlState,
  type ControlsRead
} from './control';
export {
  DEFAULT_IDLE_MS,
  INSTALLER_MESSAGE_KEYS,
  InstallerMode,
  MemoryPinStore,
  pinProblem,
  type InstallerState,
  type PinRecord,
  type PinStore,
  type UnlockResult
} from './installer';
export {
  EXTENSION_PROFILE_FORMAT,
  EXTENSION_TITLES,
  Extensions,
  parseExtensionProfile,
  type ExtensionAvailability,
  type ExtensionLink,
  type ExtensionProblem,
  type ExtensionProfile,
  type ExtensionProfileImport,
  type ExtensionReason
} from './extension-profile';
export { setExtension, type ExtensionRequest } from './extension-writes';
export { ParamEngine, type ParamEngineOptions, type WritePermit } from './engine';
