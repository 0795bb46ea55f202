/** PEP 503 project names and PEP 427 wheel file names. */
import { SidewheelError } from './errors.js';

/** PEP 503: runs of `-`, `_`, `.` become one `-`, lower case. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** The form a project name takes inside a wheel's file name and `.dist-info` (PEP 427/491). */
export function escapeName(name: string): string {
  return name.replace(/[-_.]+/g, '_');
}

/** A valid project name per the core metadata spec. */
export function isValidName(name: string): boolean {
  return /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i.test(name);
}

export interface Tag {
  readonly interpreter: string;
  readonly abi: string;
  readonly platform: string;
}

export function tagString(t: Tag): string {
  return `${t.interpreter}-${t.abi}-${t.platform}`;
}

export interface WheelFilename {
  readonly filename: string;
  /** As written in the file name (escaped). */
  readonly name: string;
  readonly version: string;
  /** Build tag: a leading number and an optional string, used to order same-version builds. */
  readonly build: { readonly number: number; readonly rest: string } | null;
  /** The expanded tag set: `py2.py3-none-any` gives two tags. */
  readonly tags: readonly Tag[];
  /** The tag triple as written, compressed tag sets unexpanded. */
  readonly tagText: string;
}

export function parseWheelFilename(filename: string): WheelFilename {
  const bad = (why: string): SidewheelError =>
    new SidewheelError(
      'BAD_FILENAME',
      `${filename}: not a wheel file name (${why})`,
      'wheel file names look like name-version[-build]-python-abi-platform.whl (PEP 427)',
    );
  if (!filename.endsWith('.whl')) throw bad('it does not end in .whl');
  const parts = filename.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) throw bad(`${parts.length} dash-separated parts, expected 5 or 6`);
  const [name, version] = parts as [string, string];
  if (!name || !/^[A-Za-z0-9_.]+$/.test(name)) throw bad(`bad project name ${JSON.stringify(name)}`);
  if (!version || !/^[A-Za-z0-9_.!+]+$/.test(version)) throw bad(`bad version ${JSON.stringify(version)}`);
  let build: WheelFilename['build'] = null;
  if (parts.length === 6) {
    const m = /^(\d+)(.*)$/.exec(parts[2] ?? '');
    if (!m) throw bad(`build tag ${JSON.stringify(parts[2])} does not start with a digit`);
    build = { number: Number(m[1]), rest: m[2] ?? '' };
  }
  const [py, abi, plat] = parts.slice(-3) as [string, string, string];
  for (const [label, field] of [['python', py], ['abi', abi], ['platform', plat]] as const) {
    if (!field || !/^[A-Za-z0-9_.]+$/.test(field)) throw bad(`bad ${label} tag ${JSON.stringify(field)}`);
  }
  const tags: Tag[] = [];
  for (const i of py.split('.'))
    for (const a of abi.split('.'))
      for (const p of plat.split('.')) {
        if (!i || !a || !p) throw bad('empty tag in a compressed tag set');
        tags.push({ interpreter: i, abi: a, platform: p });
      }
  return { filename, name, version, build, tags, tagText: `${py}-${abi}-${plat}` };
}
