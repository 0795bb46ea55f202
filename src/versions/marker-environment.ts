/**
 * The PEP 508 environment markers are evaluated in: its shape, the Python that
 * computes it inside a target interpreter, and the check of what that Python printed.
 */
import { SidewheelError } from '../errors.js';

/** The PEP 508 environment of one interpreter; build it from a probe (MARKER_ENVIRONMENT_SCRIPT). */
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

/**
 * Python that prints the interpreter's marker environment as JSON, computed as
 * packaging's default_environment() does; feed its output to markerEnvironmentFrom.
 */
export const MARKER_ENVIRONMENT_SCRIPT = `
import json, os, platform, sys
def v(info):
    out = "%d.%d.%d" % (info.major, info.minor, info.micro)
    return out if info.releaselevel == "final" else out + info.releaselevel[0] + str(info.serial)
print(json.dumps({
    "implementation_name": sys.implementation.name,
    "implementation_version": v(sys.implementation.version),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}))
`;

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
