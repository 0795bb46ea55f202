/**
 * Where a side version goes: `<purelib or platlib>/<wheel file name>`, the wheel's
 * contents unpacked there as they are in the archive, or (`--zipped`) the archive itself.
 * No script wrappers: a side version is an importable library only.
 */
import path from 'node:path';
import { SidewheelError } from '../errors.js';
import type { InterpreterInfo } from '../python/interpreter.js';
import type { Wheel } from '../wheel/wheel.js';
import { plannedWheelFile, type InstallPlan, type PlannedFile } from './default-install.js';

export interface SidePlan {
  readonly plan: InstallPlan;
  readonly location: string;
  readonly format: 'directory' | 'zip';
}

export function sideLocation(wheel: Wheel, python: InterpreterInfo): string {
  return path.join(wheel.rootIsPurelib ? python.scheme.purelib : python.scheme.platlib, wheel.filename.filename);
}

export function planSideInstall(wheel: Wheel, python: InterpreterInfo, options: { zipped: boolean; installer: string }): SidePlan {
  const location = sideLocation(wheel, python);
  const label = `${wheel.name} ${wheel.version}`;
  if (options.zipped) {
    const platlib = wheel.files.some((f) => f.path.startsWith(`${wheel.dataDir}/platlib/`));
    if (!wheel.rootIsPurelib || platlib) {
      throw new SidewheelError(
        'USAGE',
        `${wheel.filename.filename}: --zipped takes pure wheels only, and this one has platform-specific (platlib) content`,
        'install it without --zipped; extension modules cannot be imported from a zip',
      );
    }
    return {
      plan: { label, libDir: path.dirname(location), distInfoDir: null, files: [{ target: location, copyOf: { file: wheel.archive.file, offset: wheel.archive.offset, size: wheel.archive.size, hash: '' }, executable: false }] },
      location,
      format: 'zip',
    };
  }
  const files: PlannedFile[] = wheel.files.map((f) => plannedWheelFile(path.join(location, ...f.path.split('/')), f));
  files.push({ target: path.join(location, wheel.distInfo, 'INSTALLER'), data: Buffer.from(`${options.installer}\n`), executable: false });
  return {
    plan: { label, libDir: location, distInfoDir: path.join(location, wheel.distInfo), files },
    location,
    format: 'directory',
  };
}
