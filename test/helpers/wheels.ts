/** Build small wheels from trees of files, correct by default, with hooks to break them. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { recordHash } from '../../src/wheel/record.js';
import { writeZip, type ZipEntry } from './zip.js';

export interface WheelSpec {
  readonly name: string;
  readonly version: string;
  readonly tag?: string;
  readonly rootIsPurelib?: boolean;
  /** Files outside the .dist-info, by path inside the wheel. */
  readonly files?: Readonly<Record<string, string | Buffer>>;
  /** Extra METADATA header lines, e.g. `Requires-Dist: foo>=1`. */
  readonly metadata?: readonly string[];
  readonly entryPoints?: string;
  readonly wheelVersion?: string;
  /** Modes for particular files (e.g. 0o100755). */
  readonly modes?: Readonly<Record<string, number>>;
}

export function distInfoName(spec: WheelSpec): string {
  return `${spec.name.replace(/[-_.]+/g, '_')}-${spec.version}.dist-info`;
}

export function wheelFileName(spec: WheelSpec): string {
  return `${spec.name.replace(/[-_.]+/g, '_')}-${spec.version}-${spec.tag ?? 'py3-none-any'}.whl`;
}

/** The entries of a valid wheel, RECORD last. Tests may edit the list before writing it. */
export function wheelEntries(spec: WheelSpec): ZipEntry[] {
  const distInfo = distInfoName(spec);
  const entries: ZipEntry[] = Object.entries(spec.files ?? {}).map(([name, data]) => ({
    name,
    data: Buffer.from(data),
    mode: spec.modes?.[name] ?? 0o100644,
  }));
  const meta = (name: string, text: string): void => {
    entries.push({ name: `${distInfo}/${name}`, data: Buffer.from(text) });
  };
  meta('METADATA', ['Metadata-Version: 2.1', `Name: ${spec.name}`, `Version: ${spec.version}`, ...(spec.metadata ?? [])].join('\n') + '\n\n');
  meta(
    'WHEEL',
    `Wheel-Version: ${spec.wheelVersion ?? '1.0'}\nGenerator: sidewheel-tests\nRoot-Is-Purelib: ${spec.rootIsPurelib ?? true}\nTag: ${spec.tag ?? 'py3-none-any'}\n\n`,
  );
  if (spec.entryPoints !== undefined) meta('entry_points.txt', spec.entryPoints);
  entries.push({ name: `${distInfo}/RECORD`, data: recordFor(entries, `${distInfo}/RECORD`) });
  return entries;
}

export function recordFor(entries: readonly ZipEntry[], recordName: string): Buffer {
  const rows = entries.map((e) => `${e.name},${recordHash(e.data)},${e.data.length}`);
  return Buffer.from([...rows, `${recordName},,`].join('\n') + '\n');
}

export async function writeWheel(dir: string, spec: WheelSpec, entries: readonly ZipEntry[] = wheelEntries(spec), fileName = wheelFileName(spec)): Promise<string> {
  const file = path.join(dir, fileName);
  await fs.writeFile(file, writeZip(entries));
  return file;
}
