// What the parameter, calibration and control pages use, in one place: the feature and views of
// session/, and the engine's types and words re-exported from params/ (pages and components
// import from session/, never from the layers below; design.md).

export { paramsFeature, ParamsFeature, EXTENSION_PROFILE_KEY, type BankReadState, type PackActivity, type PackParams } from './params-feature.svelte';
export { installerView, InstallerView } from './params-installer.svelte';
export { demoSurroundings, DemoSurroundings, DEMO_SURROUNDINGS, type DemoSurrounding } from './params-demo.svelte';
export type { WriteLogRow } from './params-stores';
export {
  displayOf,
  EDITOR_SECTIONS,
  editorModel,
  inputText,
  parseInput,
  rangeOf,
  shownValue,
  type Display,
  type EditorModel,
  type EditorSection,
  type EditorSectionId
} from './params-editor';
export {
  CALIBRATIONS,
  compareProfile,
  EXTENSION_TITLES,
  exportProfile,
  INSTALLER_MESSAGE_KEYS,
  LEVEL_MESSAGE_KEYS,
  MOS_REFUSAL_KEYS,
  OUTCOME_MESSAGE_KEYS,
  PARAMS,
  parseProfile,
  plausibility,
  profileToJson,
  sameParamValue,
  type CalibrationId,
  type CalibrationInput,
  type CalibrationReadings,
  type CalibrationResult,
  type ControlId,
  type ControlState,
  type ControlsRead,
  type ExtensionAvailability,
  type ExtensionProblem,
  type ExtensionRequest,
  type GroupChange,
  type GroupRead,
  type InstallerState,
  type PackParamRead,
  type ParamGroup,
  type ParamLevel,
  type ParamMeta,
  type ParamSnapshot,
  type ParamValue,
  type ParameterProfile,
  type PlausibilityProblem,
  type ProfileComparison,
  type ProfilePackResult,
  type ProfileProblem,
  type StepResult,
  type Violation,
  type ViolationCode,
  type WriteOutcome,
  type WriteReport
} from '$lib/params';
export { CAN_BITRATES_kbps, SERIAL_BAUD_RATES, type CanBitrate_kbps, type SerialBaud } from '$lib/protocol/commands/extensions';
