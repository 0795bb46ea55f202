/**
 * An interpreter described on the command line rather than probed, for bundles made on
 * one machine for another: `--python-version 3.12 --platform manylinux_2_28_x86_64
 * [--implementation cp] [--abi cp312]`. Its tags come from the same code as a probed
 * interpreter's (src/tags.ts), fed a description of the target; its PEP 508 markers are
 * the target's (sys_platform, platform_machine, python_version, ...), not the host's.
 * Unlike pip, which takes `manylinux_2_28_x86_64` literally, a glibc platform also
 * takes every older manylinux (as an interpreter on such a machine would), and a macOS
 * one every older macOS, as packaging lists them.
 */
import { SidewheelError } from '../errors.js';
import type { InterpreterInfo, Libc } from '../python/interpreter.js';
import { cpythonAbis, supportedTags } from '../tags.js';
import type { MarkerEnvironment } from '../versions.js';
import type { ResolutionTarget } from './choose.js';

export interface TargetFlags {
  readonly pythonVersion: string;
  readonly platform: string;
  /** `cp` (default) or `pp`. */
  readonly implementation?: string | undefined;
  readonly abi?: string | undefined;
}

interface PlatformFacts {
  /** sysconfig.get_platform() on such a machine. */
  readonly sysconfigPlatform: string;
  readonly machine: string;
  readonly libc: Libc | null;
  readonly macosVersion?: readonly [number, number];
  readonly sysPlatform: string;
  readonly system: string;
  readonly osName: string;
}

const LEGACY_GLIBC: Readonly<Record<string, [number, number]>> = { manylinux1: [2, 5], manylinux2010: [2, 12], manylinux2014: [2, 17] };
const WINDOWS: Readonly<Record<string, { sysconfig: string; machine: string }>> = {
  win_amd64: { sysconfig: 'win-amd64', machine: 'AMD64' },
  win32: { sysconfig: 'win32', machine: 'x86' },
  win_arm64: { sysconfig: 'win-arm64', machine: 'ARM64' },
};

function platformFacts(platform: string): PlatformFacts {
  const linux = (arch: string, libc: Libc | null): PlatformFacts => ({ sysconfigPlatform: `linux-${arch}`, machine: arch, libc, sysPlatform: 'linux', system: 'Linux', osName: 'posix' });
  let m = /^manylinux_(\d+)_(\d+)_(.+)$/.exec(platform);
  if (m) return linux(m[3]!, { kind: 'glibc', major: Number(m[1]), minor: Number(m[2]) });
  m = /^(manylinux1|manylinux2010|manylinux2014)_(.+)$/.exec(platform);
  if (m) return linux(m[2]!, { kind: 'glibc', major: LEGACY_GLIBC[m[1]!]![0], minor: LEGACY_GLIBC[m[1]!]![1] });
  m = /^musllinux_(\d+)_(\d+)_(.+)$/.exec(platform);
  if (m) return linux(m[3]!, { kind: 'musl', major: Number(m[1]), minor: Number(m[2]) });
  m = /^linux_(.+)$/.exec(platform);
  if (m) return linux(m[1]!, null);
  m = /^macosx_(\d+)_(\d+)_(.+)$/.exec(platform);
  if (m) {
    const arch = m[3]!;
    return { sysconfigPlatform: `macosx-${m[1]}.${m[2]}-${arch}`, machine: arch === 'universal2' ? 'arm64' : arch, libc: null, macosVersion: [Number(m[1]), Number(m[2])], sysPlatform: 'darwin', system: 'Darwin', osName: 'posix' };
  }
  const win = WINDOWS[platform];
  if (win) return { sysconfigPlatform: win.sysconfig, machine: win.machine, libc: null, sysPlatform: 'win32', system: 'Windows', osName: 'nt' };
  throw new SidewheelError('USAGE', `--platform ${platform}: not a platform tag sidewheel knows`, 'e.g. manylinux_2_28_x86_64, musllinux_1_2_aarch64, macosx_11_0_arm64, win_amd64');
}

/** The target's tags and markers. Throws USAGE for a version, platform, implementation or ABI that does not fit. */
export function describeTarget(flags: TargetFlags): ResolutionTarget {
  const v = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(flags.pythonVersion);
  if (!v || v[1] !== '3') throw new SidewheelError('USAGE', `--python-version ${flags.pythonVersion}: expected 3.X or 3.X.Y`);
  const version: [number, number, number] = [3, Number(v[2]), Number(v[3] ?? 0)];
  const implementation = flags.implementation ?? 'cp';
  if (implementation !== 'cp' && implementation !== 'pp') throw new SidewheelError('USAGE', `--implementation ${implementation}: cp (CPython) or pp (PyPy)`);
  const facts = platformFacts(flags.platform);
  const abi = flags.abi;
  const full = version.join('.');
  const environment: MarkerEnvironment = {
    implementation_name: implementation === 'cp' ? 'cpython' : 'pypy',
    implementation_version: full,
    os_name: facts.osName,
    platform_machine: facts.machine,
    platform_release: '',
    platform_system: facts.system,
    platform_version: '',
    python_full_version: full,
    platform_python_implementation: implementation === 'cp' ? 'CPython' : 'PyPy',
    python_version: `${version[0]}.${version[1]}`,
    sys_platform: facts.sysPlatform,
  };  const info: InterpreterInfo = {
    executable: `(target ${implementation}${version[0]}${version[1]} ${flags.platform})`,
    implementation: implementation === 'cp' ? 'cpython' : 'pypy',
    version,
    // Only what tag generation reads: PyPy's ABI tag comes from SOABI.
    soabi: implementation === 'pp' && abi ? abi.replace(/_/g, '-') : null,
    abiflags: '',
    debug: abi !== undefined && /^cp\d+t?d$/.test(abi),
    freeThreaded: abi !== undefined && /^cp\d+td?$/.test(abi),
    platform: facts.sysconfigPlatform,
    machine: facts.machine,
    is32bit: ['i686', 'x86', 'armv7l'].includes(facts.machine) || flags.platform === 'win32',
    libc: facts.libc,
    isVenv: false,
    prefix: '',
    scheme: { purelib: '', platlib: '', scripts: '', data: '', headers: '' },
    externallyManaged: null,
    markers: environment,
  };
  if (implementation === 'cp' && abi !== undefined && !cpythonAbis(info).includes(abi)) {
    throw new SidewheelError('USAGE', `--abi ${abi} does not go with CPython ${version[0]}.${version[1]}`, `e.g. --abi ${cpythonAbis({ ...info, debug: false, freeThreaded: false })[0]}`);
  }

  return { environment, pythonVersion: full, supported: supportedTags(info, facts.macosVersion ? { macosVersion: facts.macosVersion } : {}) };
}
