/**
 * The wheel tags a probed interpreter supports, most preferred first, and ranking of
 * wheels against them.
 *
 * The list is `packaging.tags.sys_tags()` (packaging 26.2) recomputed from the probe's
 * facts, so choosing between wheels agrees with pip. test/tags.test.ts diffs the full list
 * against sys_tags() run inside every CPython it finds. Order, as packaging builds it:
 *
 *   1. CPython: `cpXY-<abi>-<plat>` for each ABI of the build, then `cpXY-abi3-<plat>`
 *      (`abi3t` on free-threaded builds), `cpXY-none-<plat>`, then the stable ABI of every
 *      older minor down to cp32. Other implementations: packaging's generic_tags,
 *      `<impl><XY>-<abi from SOABI>-<plat>` then `<impl><XY>-none-<plat>`.
 *   2. `pyXY-none-<plat>`, `py3-none-<plat>`, `py3(Y-1)-none-<plat>` ... `py30-none-<plat>`.
 *   3. `cpXY-none-any` (`pp3-none-any` on PyPy), then the same py versions with `any`.
 *
 * Every group repeats the whole platform list as its inner loop, so within one
 * interpreter/ABI pair the platforms keep their own order. On Linux that order is
 * (packaging's `_linux_platforms`, verified against its source and its output here):
 * manylinux_<glibc>_<arch> down to 2_5 (x86_64/i686) or 2_17 (others), each legacy alias
 * (manylinux2014/2010/1) right after the manylinux_2_17/2_12/2_5 it names; then
 * musllinux_<musl>_<arch> down to musllinux_<major>_0; and `linux_<arch>` last, after
 * all of them. With two archs (armv8l, armv7l) each kind lists both archs before the next
 * kind starts, so `linux_armv8l` and `linux_armv7l` are the last two.
 *
 * Extra platforms (a user's `[tags] platforms`, e.g. `linux_x86_64_debian_12
 * linux_x86_64_debian`) are put at the FRONT of that platform list, in the order given.
 * So every interpreter/ABI pair gets them before its manylinux/linux platforms:
 * `cp311-cp311-linux_x86_64_debian_12`, `cp311-cp311-linux_x86_64_debian`,
 * `cp311-cp311-manylinux_2_36_x86_64`, ..., `cp311-abi3-linux_x86_64_debian_12`, ...
 * Why there: a distro tag promises everything manylinux does plus this distro's own
 * libraries, so it is the best *platform* fit; but packaging ranks interpreter and ABI
 * above platform (an exact cp311 build beats any abi3 one), and an extra platform should
 * not change that. It is the same thing as extending packaging's `platforms` argument, so
 * packaging itself can check the result (the tests do). `any` stays last.
 *
 * Out of scope, deliberately:
 * - macOS: packaging derives the list from the running OS version (platform.mac_ver()),
 *   which the probe does not record; sysconfig's `macosx-11.0-arm64` is the build target,
 *   and feeding it in would produce wrong tags (e.g. macosx_10_9_arm64). `macPlatforms`
 *   is the exact port and is used when `macosVersion` is passed; without it, only the
 *   interpreter's own build platform is offered (a safe subset).
 * - iOS, Android, Emscripten: their lists also need facts the probe lacks (ios_ver, API
 *   level, PYEMSCRIPTEN_PLATFORM_VERSION); they get the build platform, a subset.
 *   Windows, FreeBSD and the rest get exactly what packaging gives: the build platform.
 * - A distro's `_manylinux` module that vetoes manylinux tags (PEP 600): the probe does
 *   not report it; none of the interpreters tested ship one.
 * - Python < 3.3 (`u` ABI flag) and Windows debug builds (Py_DEBUG is unset there, and
 *   packaging falls back to sys.gettotalrefcount, which the probe does not report).
 */
import { SidewheelError } from './errors.js';
import type { Tag } from './names.js';
import { tagString } from './names.js';
import type { InterpreterInfo, Libc } from './python/interpreter.js';

export interface TagOptions {
  /** Platform tags from the user's config, most specific first; ranked above the generated ones. */
  readonly extraPlatforms?: readonly string[];
  /** The running macOS version (platform.mac_ver()), needed for the macOS platform list. */
  readonly macosVersion?: readonly [number, number];
}

/** The supported tags, most preferred first. The array is frozen: wheelRank caches an index per array. */
export function supportedTags(info: InterpreterInfo, options: TagOptions = {}): readonly Tag[] {
  const platforms = unique([...normalizeExtraPlatforms(options.extraPlatforms ?? []), ...platformTags(info, options)]);
  const short = interpreterShortName(info.implementation);
  const first = short === 'cp' ? cpythonTags(info, platforms) : genericTags(info, platforms);
  const tags = [...first, ...compatibleTags(info.version, compatibleInterpreter(info), platforms)];
  return Object.freeze(tags.map((t) => Object.freeze(t)));
}

// ---------------------------------------------------------------- interpreter and ABI

/** packaging's INTERPRETER_SHORT_NAMES; unknown implementations keep their full name. */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  python: 'py',
  cpython: 'cp',
  pypy: 'pp',
  ironpython: 'ip',
  jython: 'jy',
};

function interpreterShortName(implementation: string): string {
  return SHORT_NAMES[implementation] ?? implementation;
}

function nodot(version: readonly number[]): string {
  return version.join('');
}

function tag(interpreter: string, abi: string, platform: string): Tag {
  // packaging's Tag lower-cases all three parts; wheel file names are compared the same way.
  return { interpreter: interpreter.toLowerCase(), abi: abi.toLowerCase(), platform: platform.toLowerCase() };
}

/** `_cpython_abis`: the build's own ABI first; a debug build (3.8+) can also load release extensions. */
export function cpythonAbis(info: InterpreterInfo): string[] {
  const [major, minor] = info.version;
  const version = nodot([major, minor]);
  const debug = info.debug ? 'd' : '';
  const threading = atLeast(info.version, [3, 13]) && info.freeThreaded ? 't' : '';
  if (!atLeast(info.version, [3, 8])) {
    // Before 3.8 pymalloc was part of the ABI. packaging reads WITH_PYMALLOC, which on POSIX
    // is what put the `m` in sys.abiflags; Windows leaves it unset, which packaging counts as on.
    const pymalloc = info.abiflags.includes('m') || isWindows(info) ? 'm' : '';
    return [`cp${version}${threading}${debug}${pymalloc}`];
  }
  return debug ? [`cp${version}${threading}d`, `cp${version}${threading}`] : [`cp${version}${threading}`];
}

/** `cpython_tags`: interpreter-specific ABIs, then the stable ABI, `none`, and older stable ABIs. */
function cpythonTags(info: InterpreterInfo, platforms: readonly string[]): Tag[] {
  const [major, minor] = info.version;
  const interpreter = `cp${nodot([major, minor])}`;
  const abis = cpythonAbis(info);
  // Free-threaded builds cannot load abi3 extensions; they have their own stable ABI, abi3t (PEP 803).
  const threaded = /^cp\d+(.*)$/.exec(abis[0] ?? '')?.[1]?.includes('t') ?? false;
  const stableAbi = atLeast(info.version, [3, 2]) ? (threaded ? 'abi3t' : 'abi3') : null;
  const tags: Tag[] = [];
  const each = (interp: string, abi: string): void => {
    for (const p of platforms) tags.push(tag(interp, abi, p));
  };
  for (const abi of abis) each(interpreter, abi);
  if (stableAbi) each(interpreter, stableAbi);
  each(interpreter, 'none');
  if (stableAbi) for (let m = minor - 1; m > 1; m--) each(`cp${nodot([major, m])}`, stableAbi);
  return tags;
}

/** `generic_tags`, for PyPy, GraalPy and other non-CPython implementations. */
function genericTags(info: InterpreterInfo, platforms: readonly string[]): Tag[] {
  const interpreter = `${interpreterShortName(info.implementation)}${nodot(info.version.slice(0, 2))}`;
  const abis = genericAbi(info.soabi);
  if (!abis.includes('none')) abis.push('none');
  return abis.flatMap((abi) => platforms.map((p) => tag(interpreter, abi, p)));
}

/**
 * `_generic_abi`. packaging parses EXT_SUFFIX (`.pypy310-pp73-x86_64-linux-gnu.so`); on
 * POSIX its middle part is SOABI, which the probe records, so the same rules apply to it.
 */
export function genericAbi(soabi: string | null): string[] {
  if (!soabi) return [];
  const parts = soabi.split('-');
  let abi: string;
  if (soabi.startsWith('cpython')) abi = `cp${parts[1] ?? ''}`;
  else if (soabi.startsWith('cp')) abi = parts[0] ?? soabi;
  else if (soabi.startsWith('pypy')) abi = parts.slice(0, 2).join('-');
  else if (soabi.startsWith('graalpy')) abi = parts.slice(0, 3).join('-');
  else abi = soabi;
  return [normalizePlatform(abi)];
}

/** The interpreter-specific `-none-any` tag of `compatible_tags`: only CPython and PyPy get one. */
function compatibleInterpreter(info: InterpreterInfo): string | null {
  const short = interpreterShortName(info.implementation);
  if (short === 'pp') return 'pp3';
  if (short === 'cp') return `cp${nodot(info.version.slice(0, 2))}`;
  return null;
}

/** `_py_interpreter_range`: pyXY, pyX, then every older minor of X down to 0. */
function pyInterpreterRange(version: readonly number[]): string[] {
  const [major = 3, minor = 0] = version;
  const range = [`py${major}${minor}`, `py${major}`];
  for (let m = minor - 1; m >= 0; m--) range.push(`py${major}${m}`);
  return range;
}

/** `compatible_tags`: pure-Python tags for this platform, then for any platform. */
function compatibleTags(version: readonly number[], interpreter: string | null, platforms: readonly string[]): Tag[] {
  const range = pyInterpreterRange(version);
  const tags = range.flatMap((py) => platforms.map((p) => tag(py, 'none', p)));
  if (interpreter) tags.push(tag(interpreter, 'none', 'any'));
  for (const py of range) tags.push(tag(py, 'none', 'any'));
  return tags;
}

// ---------------------------------------------------------------- platforms

/** packaging's `_normalize_string`: `.`, `-` and spaces become `_`. */
function normalizePlatform(s: string): string {
  return s.replace(/[.\- ]/g, '_');
}

function isWindows(info: InterpreterInfo): boolean {
  return info.platform.startsWith('win');
}

/** `platform_tags()`, dispatched on sysconfig's platform since the probe has no platform.system(). */
export function platformTags(info: InterpreterInfo, options: Pick<TagOptions, 'macosVersion'> = {}): string[] {
  if (info.platform.startsWith('linux-')) return linuxPlatforms(info);
  if (info.platform.startsWith('macosx-') && options.macosVersion) {
    return macPlatforms(options.macosVersion, macArch(info.machine, info.is32bit));
  }
  // Exact for Windows and other generic systems; a safe subset elsewhere (see the header).
  return [normalizePlatform(info.platform)];
}

/** `_linux_platforms`: manylinux, then musllinux, then plain `linux_<arch>` (see the header for why last). */
function linuxPlatforms(info: InterpreterInfo): string[] {
  let linux = normalizePlatform(info.platform);
  // sysconfig reports the kernel's machine; a 32-bit interpreter on a 64-bit kernel
  // can only load 32-bit extensions.
  if (info.is32bit) {
    if (linux === 'linux_x86_64') linux = 'linux_i686';
    else if (linux === 'linux_aarch64') linux = 'linux_armv8l';
  }
  const arch = linux.slice('linux_'.length);
  // armv8l (32-bit userland on a 64-bit ARM kernel) runs armv7l binaries too.
  const archs = arch === 'armv8l' ? ['armv8l', 'armv7l'] : [arch];
  return [
    ...manylinuxPlatforms(archs, info.libc, info.soabi),
    ...musllinuxPlatforms(archs, info.libc),
    ...archs.map((a) => `linux_${a}`),
  ];
}

/** Architectures manylinux is defined for without an ELF check (packaging's `_ALLOWED_ARCHS`). */
const MANYLINUX_ARCHS = new Set(['x86_64', 'aarch64', 'ppc64', 'ppc64le', 's390x', 'loongarch64', 'riscv64']);

/**
 * `_have_compatible_abi`. For armv7l and i686 packaging reads sys.executable's ELF header
 * (hard-float ARM EABI5; a real i386 binary). The probe does not, but SOABI carries the
 * build's target triplet where that matters: `arm-linux-gnueabi` is soft-float and
 * `x86_64-linux-gnux32` is x32 (32-bit pointers, x86_64 machine); both fail packaging's
 * check. Without a telling SOABI, a 32-bit ARM/x86 interpreter is taken to pass it.
 */
function haveCompatibleAbi(archs: readonly string[], soabi: string | null): boolean {
  if (archs.includes('armv7l')) return !(soabi?.endsWith('-gnueabi') ?? false);
  if (archs.includes('i686')) return !(soabi?.endsWith('-gnux32') ?? false);
  return archs.some((a) => MANYLINUX_ARCHS.has(a));
}

/** packaging's guess at the last minor of a glibc major that has not happened yet. */
const LAST_GLIBC_MINOR = 50;

/** The PEP 513/571/599 names for manylinux_2_5, 2_12 and 2_17, listed right after them. */
const LEGACY_MANYLINUX: ReadonlyMap<string, string> = new Map([
  ['2_17', 'manylinux2014'],
  ['2_12', 'manylinux2010'],
  ['2_5', 'manylinux1'],
]);

/** `_manylinux.platform_tags`: glibc from the running one down to the oldest manylinux for the arch. */
function manylinuxPlatforms(archs: readonly string[], libc: Libc | null, soabi: string | null): string[] {
  // Without glibc (musl, or none found) packaging sees glibc -1.-1 and nothing is compatible.
  if (!libc || libc.kind !== 'glibc' || !haveCompatibleAbi(archs, soabi)) return [];
  // manylinux1/2010 (glibc 2.5/2.12) were only ever defined for x86; 2014 (2.17) for everyone.
  const oldest = archs.some((a) => a === 'x86_64' || a === 'i686') ? { major: 2, minor: 5 } : { major: 2, minor: 17 };
  // glibc keeps compatibility across majors, so a glibc 3.x also takes every 2.x.
  const maxima = [{ major: libc.major, minor: libc.minor }];
  for (let major = libc.major - 1; major > 1; major--) maxima.push({ major, minor: LAST_GLIBC_MINOR });
  const platforms: string[] = [];
  for (const arch of archs) {
    for (const max of maxima) {
      const lowest = max.major === oldest.major ? oldest.minor : 0;
      for (let minor = max.minor; minor >= lowest; minor--) {
        const version = `${max.major}_${minor}`;
        platforms.push(`manylinux_${version}_${arch}`);
        const legacy = LEGACY_MANYLINUX.get(version);
        if (legacy) platforms.push(`${legacy}_${arch}`);
      }
    }
  }
  return platforms;
}

/** `_musllinux.platform_tags`: the running musl's minor down to 0, same major. */
function musllinuxPlatforms(archs: readonly string[], libc: Libc | null): string[] {
  if (!libc || libc.kind !== 'musl') return [];
  const platforms: string[] = [];
  for (const arch of archs) {
    for (let minor = libc.minor; minor >= 0; minor--) platforms.push(`musllinux_${libc.major}_${minor}_${arch}`);
  }
  return platforms;
}

/** `_mac_arch`: a 32-bit interpreter on a 64-bit Mac is i386 (or ppc). */
export function macArch(machine: string, is32bit: boolean): string {
  if (!is32bit) return machine;
  return machine.startsWith('ppc') ? 'ppc' : 'i386';
}

type Version2 = readonly [number, number];

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function atLeast(a: readonly number[], b: readonly number[]): boolean {
  return compare(a, b) >= 0;
}

/** `_mac_binary_formats`: the fat/universal binary formats that contain `cpuArch` on that macOS. */
function macBinaryFormats(version: Version2, cpuArch: string): string[] {
  const formats = [cpuArch];
  const before = (v: Version2): boolean => compare(version, v) < 0;
  if (cpuArch === 'x86_64') {
    if (before([10, 4])) return [];
    formats.push('intel', 'fat64', 'fat32');
  } else if (cpuArch === 'i386') {
    if (before([10, 4])) return [];
    formats.push('intel', 'fat32', 'fat');
  } else if (cpuArch === 'ppc64') {
    if (compare(version, [10, 5]) > 0 || before([10, 4])) return [];
    formats.push('fat64');
  } else if (cpuArch === 'ppc') {
    if (compare(version, [10, 6]) > 0) return [];
    formats.push('fat32', 'fat');
  }
  if (cpuArch === 'arm64' || cpuArch === 'x86_64') formats.push('universal2');
  if (['x86_64', 'i386', 'ppc64', 'ppc', 'intel'].includes(cpuArch)) formats.push('universal');
  return formats;
}

/** `mac_platforms(version, arch)`: this macOS down to 10.0 (10.4 for what arm64 can run). */
export function macPlatforms(version: Version2, arch: string): string[] {
  const platforms: string[] = [];
  const add = (major: number, minor: number, formats: readonly string[]): void => {
    for (const f of formats) platforms.push(`macosx_${major}_${minor}_${f}`);
  };
  if (atLeast(version, [10, 0]) && compare(version, [11, 0]) < 0) {
    // Before macOS 11 the yearly release bumped the minor.
    for (let minor = version[1]; minor >= 0; minor--) add(10, minor, macBinaryFormats([10, minor], arch));
  }
  if (atLeast(version, [11, 0])) {
    // Since 11 it bumps the major; minors are mid-year updates, so only X.0 is listed.
    for (let major = version[0]; major > 10; major--) add(major, 0, macBinaryFormats([major, 0], arch));
    // x86_64 runs binaries for older releases; arm64 only universal2 ones that target them.
    for (let minor = 16; minor > 3; minor--) {
      add(10, minor, arch === 'x86_64' ? macBinaryFormats([10, minor], arch) : ['universal2']);
    }
  }
  return platforms;
}

/** Config platforms in tag form: case and `-`/`.` as packaging normalizes them; anything else is refused. */
export function normalizeExtraPlatforms(platforms: readonly string[]): string[] {
  return platforms.map((raw) => {
    const p = normalizePlatform(raw.trim()).toLowerCase();
    if (!/^[a-z0-9_]+$/.test(p) || p === 'any') {
      throw new SidewheelError(
        'BAD_CONFIG',
        `${JSON.stringify(raw)} is not a usable platform tag`,
        'extra platforms look like linux_x86_64_debian_12: letters, digits and underscores',
      );
    }
    return p;
  });
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

// ---------------------------------------------------------------- ranking

const rankIndexes = new WeakMap<readonly Tag[], ReadonlyMap<string, number>>();

function key(t: Tag): string {
  return tagString(t).toLowerCase();
}

/** tag string -> first position in `supported`; built once per supported list (arrays are compared by identity). */
function rankIndex(supported: readonly Tag[]): ReadonlyMap<string, number> {
  let index = rankIndexes.get(supported);
  if (!index) {
    const built = new Map<string, number>();
    supported.forEach((t, i) => {
      if (!built.has(key(t))) built.set(key(t), i);
    });
    index = built;
    rankIndexes.set(supported, index);
  }
  return index;
}

/**
 * The best (lowest) position of any of the wheel's tags in `supported`, or null when the
 * interpreter supports none of them. Lower is better: sort candidate wheels by it.
 * `supported` must not be changed after the first call (supportedTags returns it frozen).
 */
export function wheelRank(wheelTags: readonly Tag[], supported: readonly Tag[]): number | null {
  const index = rankIndex(supported);
  let best: number | null = null;
  for (const t of wheelTags) {
    const rank = index.get(key(t));
    if (rank !== undefined && (best === null || rank < best)) best = rank;
  }
  return best;
}

// ---------------------------------------------------------------- refusals

const DISPLAY_NAMES: Readonly<Record<string, string>> = { cpython: 'CPython', pypy: 'PyPy', graalpy: 'GraalPy' };

/** "CPython 3.13t on linux-x86_64 (glibc 2.36)": what the interpreter is, for one line of an error. */
export function describeInterpreter(info: InterpreterInfo): string {
  const name = DISPLAY_NAMES[info.implementation] ?? info.implementation;
  const flags = `${info.freeThreaded ? 't' : ''}${info.debug ? 'd' : ''}`;
  const details = [
    ...(info.is32bit ? ['32-bit'] : []),
    ...(info.libc ? [`${info.libc.kind} ${info.libc.major}.${info.libc.minor}`] : []),
  ];
  const suffix = details.length ? ` (${details.join(', ')})` : '';
  return `${name} ${info.version[0]}.${info.version[1]}${flags} on ${info.platform}${suffix}`;
}

/**
 * One line for refusing a wheel, e.g. "tag cp312-cp312-manylinux_2_17_x86_64 is not
 * supported by CPython 3.11 on linux-x86_64 (glibc 2.36); supported are e.g.
 * cp311-cp311-manylinux_2_36_x86_64, cp311-abi3-manylinux_2_36_x86_64, py3-none-any".
 * The examples are the best tag of each kind (exact ABI, stable ABI, pure Python) so the
 * reader sees what to download instead.
 */
export function describeUnsupported(
  wheelTags: readonly Tag[],
  info: InterpreterInfo,
  supported: readonly Tag[] = supportedTags(info),
): string {
  const shown = wheelTags.slice(0, 3).map(tagString);
  const more = wheelTags.length > 3 ? ` and ${wheelTags.length - 3} more` : '';
  const subject = wheelTags.length === 1 ? `tag ${shown[0]} is` : `tags ${shown.join(', ')}${more} are`;
  const pure = `py${info.version[0]}`;
  const examples = unique(
    [
      supported[0],
      supported.find((t) => t.abi === 'abi3' || t.abi === 'abi3t'),
      supported.find((t) => t.interpreter === pure && t.platform === 'any'),
    ]
      .filter((t): t is Tag => t !== undefined)
      .map(tagString),
  );
  return `${subject} not supported by ${describeInterpreter(info)}; supported are e.g. ${examples.join(', ')}`;
}
