// Buffer, NodeJS.ProcessEnv and node: modules appear in the public types: a consumer's
// `types: []` must not lose them, so the declarations name @types/node (a dependency).
/// <reference types="node" preserve="true" />
/** sidewheel as a library: everything the CLI does, callable without it. */
export { SidewheelError, EXIT_CODES, isSidewheelError, type ErrorCode } from './errors.js';
export { normalizeName, parseWheelFilename, type Tag, type WheelFilename } from './names.js';
export {
  parseVersion,
  normalizeVersion,
  compareVersions,
  sameVersion,
  isValidVersion,
  SpecifierSet,
  Marker,
  parseRequirement,
  type Requirement,
} from './versions.js';
export { supportedTags, wheelRank, describeUnsupported } from './tags.js';
export { locateInterpreter, probeInterpreter } from './python/probe.js';
export type { InterpreterInfo, InstallScheme } from './python/interpreter.js';
export { openWheel, validateWheel, type Wheel, type WheelFile } from './wheel/wheel.js';
export { planDefaultInstall, type InstallPlan, type PlannedFile } from './plan/default-install.js';
export { planSideInstall } from './plan/side-install.js';
export { installDefault, installSide, type InstallOptions, type SideInstallOptions, type InstallOutcome } from './install/install.js';
export { withWheels, type WheelInput, type LoadOptions } from './sources/load.js';
export { WheelCache } from './cache/wheel-cache.js';
export { loadConfig, parseConfig, type Config } from './config.js';
export { uninstall, parseRemovalTarget, type RemovalTarget, type Removed } from './install/uninstall.js';
export { listDistributions, formatTable, type ListRow } from './list.js';
export { scanSideVersions, type SideVersion } from './runtime/side-versions.js';
export { resolveRequirements } from './runtime/query.js';
export { createBundle } from './bundle/create.js';
export { openBundle, isBundle, type Bundle, type BundleWheel } from './bundle/read.js';
export { resolveWheelhouse, describeResolved, type WheelhouseResolution, type ResolvedProject } from './resolve/resolver.js';
export { describeWheelhouse, directorySource, bundleSource, type CandidateSource, type Wheelhouse } from './resolve/candidates.js';
export { chooseFromWheelhouse } from './index/from-wheelhouse.js';
export { expandInputs } from './sources/inputs.js';
export { doctor, diagnose } from './doctor.js';
export { chooseWheels, type ChooseOptions, type Choice, type ResolutionTarget } from './index/choose.js';
export { PackageFinder } from './index/finder.js';
export { HttpClient, httpSettingsFromEnv } from './index/http.js';
export { indexSettings, DEFAULT_INDEX_URL, type IndexSettings } from './index/settings.js';
export { chooseFromLock } from './index/pylock.js';
export { describeTarget } from './index/target.js';
export { readRequirementsFiles, type RequirementsFile } from './requirements/parse.js';
