/**
 * Where every byte of a default install goes: a pure function of a validated wheel and
 * the interpreter's scheme. Writing happens elsewhere (transaction.ts).
 */
import path from 'node:path';
import { SidewheelError } from '../errors.js';
import type { InterpreterInfo } from '../python/interpreter.js';
import type { RecordRow } from '../wheel/record.js';
import type { CachedCopy, Wheel, WheelFile } from '../wheel/wheel.js';
import { rewriteShebang, scriptEntryPoints, wrapperScript } from './scripts.js';

/** A file to write: its bytes, or a copy of identical bytes already on disk (the cache). */
export type PlannedFile = {
  /** Absolute destination. */
  readonly target: string;
  readonly executable: boolean;
  /** Listed in the installed RECORD without hash and size, as pip lists a file the wheel's RECORD did not. */
  readonly unhashed?: true;
} & ({ readonly data: Buffer } | { readonly copyOf: CachedCopy });

/** A wheel's file as planned for `target`: copied from the cache when it is there, else its bytes. */
export function plannedWheelFile(target: string, file: WheelFile, executable = file.executable): PlannedFile {
  const unhashed = file.unlisted ? { unhashed: true as const } : {};
  return file.cached ? { target, executable, copyOf: file.cached, ...unhashed } : { target, executable, data: file.data, ...unhashed };
}

/** One distribution's worth of files: a default install, a side version, or the runtime. */
export interface InstallPlan {
  /** `name version`, for messages. */
  readonly label: string;
  /** RECORD paths are relative to it: purelib or platlib for a default install, the side directory for a side version. */
  readonly libDir: string;
  /** Where RECORD is written; null when there is none to write (a zipped side version is the wheel itself). */
  readonly distInfoDir: string | null;
  readonly files: readonly PlannedFile[];
  /** RECORD rows of files already in place that this plan keeps (a runtime whose index alone changes). */
  readonly keptRows?: readonly RecordRow[];
}

export interface DefaultInstallOptions {
  /** Written to INSTALLER. */
  readonly installer: string;
  /** Write `direct_url.json` for a wheel given by path, as pip does (PEP 610). */
  readonly directUrl: boolean;
}

export function planDefaultInstall(wheel: Wheel, python: InterpreterInfo, options: DefaultInstallOptions): InstallPlan {
  const { scheme } = python;
  const libDir = wheel.rootIsPurelib ? scheme.purelib : scheme.platlib;
  const dataRoots: Record<string, string> = {
    purelib: scheme.purelib,
    platlib: scheme.platlib,
    scripts: scheme.scripts,
    // pip names the headers directory after the file name's project part, `_` read as `-`.
    headers: path.join(scheme.headers, wheel.filename.name.replace(/_/g, '-')),
    data: scheme.data,
  };
  const scriptNames = new Set(wheel.entryPoints.filter((ep) => ep.group === 'console_scripts' || ep.group === 'gui_scripts').map((ep) => ep.name));
  const files = new Map<string, PlannedFile>();
  const add = (file: PlannedFile, origin: string): void => {
    if (files.has(file.target)) {
      throw new SidewheelError('BAD_WHEEL', `${wheel.filename.filename}: two files install to ${file.target} (one of them ${origin})`);
    }
    files.set(file.target, file);
  };

  for (const file of wheel.files) {
    if (!file.path.startsWith(wheel.dataDir + '/')) {
      add(plannedWheelFile(path.join(libDir, file.path), file), file.path);
      continue;
    }
    const [, key, ...rest] = file.path.split('/');
    if (key === 'scripts' && isEntryPointWrapper(rest[rest.length - 1]!, scriptNames)) continue;
    const target = path.join(dataRoots[key!]!, ...rest);
    // Like pip, .data/scripts keep the archive's mode: only wrappers are made executable.
    if (key !== 'scripts') add(plannedWheelFile(target, file), file.path);
    else add({ target, executable: file.executable, data: rewriteShebang(file.data, python.executable) }, file.path);
  }

  for (const [name, ep] of scriptEntryPoints(wheel.entryPoints, python.version)) {
    add({ target: path.join(scheme.scripts, name), executable: true, data: wrapperScript(python.executable, ep) }, `the ${ep.group} entry ${ep.name}`);
  }

  const distInfoDir = path.join(libDir, wheel.distInfo);
  const meta = (name: string, text: string): void => add({ target: path.join(distInfoDir, name), executable: false, data: Buffer.from(text) }, name);
  meta('INSTALLER', `${options.installer}\n`);
  meta('REQUESTED', '');
  if (options.directUrl) meta('direct_url.json', directUrlJson(wheel));
  return { label: `${wheel.name} ${wheel.version}`, libDir, distInfoDir, files: [...files.values()] };
}

/**
 * pip leaves out a `.data/scripts` file that setuptools made for a script entry point
 * (`EP`, `EP.exe`, `EP-script.py`, `EP.pya`): the wrapper pip generates takes its place.
 */
function isEntryPointWrapper(fileName: string, entryPointNames: ReadonlySet<string>): boolean {
  const suffix = ['.exe', '-script.py', '.pya'].find((s) => fileName.toLowerCase().endsWith(s));
  return entryPointNames.has(suffix ? fileName.slice(0, -suffix.length) : fileName);
}

/** PEP 610 for a local wheel, spelled exactly as pip's json.dumps does. */
function directUrlJson(wheel: Wheel): string {
  // urllib's pathname2url: everything but unreserved characters and `/` is %-escaped.
  const quoted = [...Buffer.from(path.resolve(wheel.source))]
    .map((b) => (/[A-Za-z0-9_.~/-]/.test(String.fromCharCode(b)) && b < 0x80 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  const url = `file://${quoted}`;
  return `{"archive_info": {"hash": "sha256=${wheel.sha256}", "hashes": {"sha256": "${wheel.sha256}"}}, "url": ${JSON.stringify(url)}}`;
}
