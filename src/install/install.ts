/**
 * `install` as library calls: validate every wheel and plan every file before anything
 * is written. A wheel that fails any check means nothing at all is written.
 */
import { SidewheelError } from '../errors.js';
import { normalizeName } from '../names.js';
import { assertNotExternallyManaged } from '../python/externally-managed.js';
import { pythonVersionText } from '../python/interpreter.js';
import { sameProject, sideVersionOfWheel } from '../runtime/side-versions.js';
import { sameVersion } from '../versions.js';
import { changeEnvironment, type Change } from '../environment/apply.js';
import { filesToRemove, findByName } from '../environment/installed.js';
import { withWheels, type LoadOptions, type WheelInput } from '../sources/load.js';
import type { LinkMode } from '../environment/transaction.js';
import { planDefaultInstall } from '../plan/default-install.js';
import { planSideInstall } from '../plan/side-install.js';

export interface InstallOptions extends LoadOptions {
  /** Compile bytecode with the target interpreter (pip's default). */
  readonly compile: boolean;
  readonly breakSystemPackages: boolean;
  /** How files come from the cache (default: clone where possible, else copy). */
  readonly linkMode?: LinkMode;
}

export interface SideInstallOptions extends InstallOptions {
  /** Drop the .whl itself instead of unpacking it (pure wheels only). */
  readonly zipped: boolean;
}

export interface InstallOutcome {
  readonly name: string;
  readonly version: string;
  /** What happened: installed, replaced a default, or nothing because it is already there. */
  readonly action: 'installed' | 'replaced' | 'already-installed';
  /** The default version replaced, or where the existing copy is. */
  readonly detail: string | null;
}

const INSTALLER = 'sidewheel';
const RUNTIME_MIN_PYTHON = [3, 8] as const;

export async function installDefault(inputs: readonly WheelInput[], options: InstallOptions): Promise<InstallOutcome[]> {
  const { python } = options;
  assertNotExternallyManaged(python, options.breakSystemPackages);
  return withWheels(inputs, options, async (wheels) => {
    const seen = new Map<string, string>();
    for (const wheel of wheels) {
      const other = seen.get(normalizeName(wheel.name));
      if (other) throw new SidewheelError('USAGE', `${other} and ${wheel.filename.filename} are both ${wheel.name}; a project has one default version`, 'use --side to install several versions');
      seen.set(normalizeName(wheel.name), wheel.filename.filename);
    }
    // PEP 610 records a wheel installed from a file; a bundle member has no URL of its own.
    const plans = wheels.map((wheel, i) => planDefaultInstall(wheel, python, { installer: INSTALLER, directUrl: inputs[i]!.range === undefined }));
    return changeEnvironment(options, async (state) => {
      const removals: string[] = [];
      const result: InstallOutcome[] = [];
      for (const wheel of wheels) {
        const previous = findByName(state.installed, wheel.name);
        if (previous) removals.push(...(await filesToRemove(previous, python)));
        result.push({ name: wheel.name, version: wheel.version, action: previous ? 'replaced' : 'installed', detail: previous?.version ?? null });
      }
      const change: Change = { plans, removals, sidesAfter: null };
      return { change, result };
    });
  });
}

export async function installSide(inputs: readonly WheelInput[], options: SideInstallOptions): Promise<InstallOutcome[]> {
  const { python } = options;
  assertNotExternallyManaged(python, options.breakSystemPackages);
  if (python.version[0] === 3 && python.version[1] < RUNTIME_MIN_PYTHON[1]) {
    throw new SidewheelError('PYTHON', `side versions need Python ${RUNTIME_MIN_PYTHON.join('.')} or newer for the runtime; ${python.executable} is ${pythonVersionText(python)}`);
  }
  return withWheels(inputs, options, async (wheels) => {
    const planned = wheels.map((wheel) => {
      const { plan, location, format } = planSideInstall(wheel, python, { zipped: options.zipped, installer: INSTALLER });
      return { wheel, plan, side: sideVersionOfWheel(wheel, location, format) };
    });
    return changeEnvironment(options, async (state) => {
      const result: InstallOutcome[] = [];
      const sides = [...(await state.sides())];
      const plans = [];
      for (const { wheel, plan, side } of planned) {
        const existing =
          state.installed.find((d) => sameProject(d, wheel) && sameVersion(d.version, wheel.version))?.distInfoDir ??
          sides.find((s) => sameProject(s, wheel) && sameVersion(s.version, wheel.version))?.location;
        if (existing) {
          result.push({ name: wheel.name, version: wheel.version, action: 'already-installed', detail: existing });
          continue;
        }
        sides.push(side);
        plans.push(plan);
        result.push({ name: wheel.name, version: wheel.version, action: 'installed', detail: side.location });
      }
      return { change: plans.length ? { plans, removals: [], sidesAfter: sides } : null, result };
    });
  });
}
