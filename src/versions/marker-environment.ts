/**
 * The PEP 508 environment markers are evaluated in: its shape, and the check of what
 * the interpreter probe (src/python/probe-script.ts) printed for it.
 */
import { SidewheelError } from '../errors.js';

/** The PEP 508 environment of one interpreter (InterpreterInfo.markers). */
export interface MarkerEnvironment {
  readonly implementation_name: string;
  readonly implementation_version: string;
  readonly os_name: string;
  readonly platform_machine: string;
  readonly platform_release: string;
  readonly platform_system: string;
  readonly platform_version: string;
  readonly python_full_version: string;
  readonly platform_python_implementation: string;
  readonly python_version: string;
  readonly sys_platform: string;
  /** The extra being installed; '' (the default) when none. Compared normalized. */
  readonly extra?: string | null;
  /** Lock-file markers (PEP 751): the extras and dependency groups being installed. */
  readonly extras?: Iterable<string>;
  readonly dependency_groups?: Iterable<string>;
}

export const MARKER_ENVIRONMENT_KEYS = [
  'implementation_name',
  'implementation_version',
  'os_name',
  'platform_machine',
  'platform_release',
  'platform_system',
  'platform_version',
  'python_full_version',
  'platform_python_implementation',
  'python_version',
  'sys_platform',
] as const;

/** Checks a probe's output (parsed JSON) and returns it as a MarkerEnvironment. */
export function markerEnvironmentFrom(values: unknown, extra = ''): MarkerEnvironment {
  if (typeof values !== 'object' || values === null) {
    throw new SidewheelError('PYTHON', 'the marker environment probe did not print a JSON object');
  }
  const record = values as Record<string, unknown>;
  const missing = MARKER_ENVIRONMENT_KEYS.filter((k) => typeof record[k] !== 'string');
  if (missing.length) {
    throw new SidewheelError('PYTHON', `the marker environment probe gave no string for ${missing.join(', ')}`);
  }
  const env = Object.fromEntries(MARKER_ENVIRONMENT_KEYS.map((k) => [k, record[k] as string]));
  return { ...(env as Record<(typeof MARKER_ENVIRONMENT_KEYS)[number], string>), extra };
}
