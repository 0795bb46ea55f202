/**
 * PEP 440 versions and specifiers, PEP 508 requirements and environment markers.
 *
 * The rules are packaging's (26.3, and the ASCII-only `~=` that came after it), case
 * for case and quirks included, because sidewheel must choose the versions pip would:
 * test/versions.test.ts checks these modules against fixtures/pep-vectors.json, which
 * packaging computed, and against a live packaging when a Python that has it is around. The Python runtime carries the
 * same rules in python-shim/sidewheel/_pep.py.
 *
 * The code lives in versions/, one job a module; this file is the one place the rest
 * of sidewheel imports it from.
 */
export {
  compareVersions,
  isPrerelease,
  isValidVersion,
  normalizeVersion,
  parseVersion,
  sameVersion,
  Version,
  type LocalSegment,
  type PreReleaseLabel,
  type VersionParts,
} from './versions/version.js';
export { Specifier, SpecifierSet, type SpecifierOperator, type SpecifierSetOptions } from './versions/specifier.js';
export type { MarkerComparison, MarkerNode, MarkerOperand } from './versions/pep508-syntax.js';
export {
  MARKER_ENVIRONMENT_KEYS,
  markerEnvironmentFrom,
  type MarkerEnvironment,
} from './versions/marker-environment.js';
export { Marker } from './versions/marker.js';
export { parseRequirement, Requirement } from './versions/requirement.js';
