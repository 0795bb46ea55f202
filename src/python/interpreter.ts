/** What sidewheel needs to know about a target interpreter, gathered by one probe run. */
import type { MarkerEnvironment } from '../versions/marker-environment.js';

export interface InstallScheme {
  /** Pure-Python libraries (site-packages). */
  readonly purelib: string;
  /** Platform-specific libraries; often the same directory as purelib. */
  readonly platlib: string;
  /** Where console-script wrappers and `.data/scripts` go. */
  readonly scripts: string;
  /** Root for `.data/data` (the environment prefix). */
  readonly data: string;
  /** Parent of per-project header directories: headers land in `<headers>/<project name>`. */
  readonly headers: string;
}

export interface Libc {
  readonly kind: 'glibc' | 'musl';
  readonly major: number;
  readonly minor: number;
}

export interface InterpreterInfo {
  /** The path sidewheel was given, made absolute but not resolved: a venv's python is a symlink. */
  readonly executable: string;
  /** sys.implementation.name: `cpython`, `pypy`, ... */
  readonly implementation: string;
  /** sys.version_info[:3] */
  readonly version: readonly [number, number, number];
  /** sysconfig SOABI, e.g. `cpython-311-x86_64-linux-gnu`; null where the build has none. */
  readonly soabi: string | null;
  /** sys.abiflags (`''`, `t`, `d`, ...); `''` on interpreters without it. */
  readonly abiflags: string;
  /** sysconfig Py_DEBUG / Py_GIL_DISABLED, for ABI tags of builds that lack abiflags. */
  readonly debug: boolean;
  readonly freeThreaded: boolean;
  /** sysconfig.get_platform(), e.g. `linux-x86_64`, `macosx-11.0-arm64`. */
  readonly platform: string;
  /** platform.machine() */
  readonly machine: string;
  /** True where the interpreter is 32-bit (sys.maxsize <= 2**32). */
  readonly is32bit: boolean;
  readonly libc: Libc | null;
  readonly isVenv: boolean;
  readonly prefix: string;
  readonly scheme: InstallScheme;
  /** The PEP 668 EXTERNALLY-MANAGED file's message when the interpreter is externally managed (and not a venv). */
  readonly externallyManaged: string | null;
  /** Its PEP 508 marker environment, as packaging's default_environment() computes it there. */
  readonly markers: MarkerEnvironment;
}

/** `3.12.1`: the version Requires-Python and `python_full_version` are checked against. */
export function pythonVersionText(python: InterpreterInfo): string {
  return python.version.join('.');
}
