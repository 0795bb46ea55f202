/** `uninstall NAME[==VERSION]`: remove a default (exactly what its RECORD lists) or a side version. */
import { SidewheelError } from '../errors.js';
import { normalizeName } from '../names.js';
import { RUNTIME_NAME } from '../runtime/render.js';
import type { InterpreterInfo } from '../python/interpreter.js';
import { sameProject, type SideVersion } from '../runtime/side-versions.js';
import { sameVersion } from '../versions.js';
import { changeEnvironment } from '../environment/apply.js';
import { filesToRemove, findByName, listFiles } from '../environment/installed.js';

export interface RemovalTarget {
  readonly name: string;
  readonly version: string | null;
  /** Which copy is meant; unset, `NAME==V` means whichever of the default and the side versions is V, and refuses when both are. */
  readonly kind?: 'default' | 'side';
}

export function parseRemovalTarget(text: string): RemovalTarget {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:==\s*([^\s=]+))?\s*$/.exec(text);
  if (!m) throw new SidewheelError('USAGE', `${JSON.stringify(text)} is not NAME or NAME==VERSION`);
  return { name: m[1]!, version: m[2] ?? null };
}

export interface Removed {
  readonly name: string;
  readonly version: string;
  readonly default: boolean;
  readonly files: number;
}

export async function uninstall(targets: readonly RemovalTarget[], python: InterpreterInfo): Promise<Removed[]> {
  return changeEnvironment({ python, compile: false }, async (state) => {
    const removals: string[] = [];
    const removed: Removed[] = [];
    let sides: SideVersion[] = [...(await state.sides())];
    let sidesChanged = false;
    for (const target of targets) {
      const dist = findByName(state.installed, target.name);
      const found = dist && target.kind !== 'side' && (target.version === null || sameVersion(dist.version, target.version)) ? dist : undefined;
      const side = target.version === null || target.kind === 'default' ? undefined : sides.find((s) => sameProject(s, target) && sameVersion(s.version, target.version!));
      if (found && side) {
        throw new SidewheelError('USAGE', `${target.name}==${target.version} is installed both as the default and as a side version`, `say which: --default ${target.name}==${target.version} or --side ${target.name}==${target.version}`);
      }
      if (found) {
        const paths = await filesToRemove(found, python);
        removals.push(...paths);
        // The first path is the .dist-info directory, removed whole.
        removed.push({ name: found.name, version: found.version, default: true, files: paths.length - 1 + (await listFiles(found.distInfoDir)).length });
        continue;
      }
      if (!side) throw notInstalled(target, dist?.version ?? null, sides.filter((s) => sameProject(s, target)));
      // Removed whole, in one rename: the version disappears at once, its .dist-info with it.
      removals.push(side.location);
      removed.push({ name: side.name, version: side.version, default: false, files: side.format === 'zip' ? 1 : (await listFiles(side.location)).length });
      sides = sides.filter((s) => s !== side);
      sidesChanged = true;
    }
    // The runtime removed on purpose (with its side versions, or forced) is not rendered back.
    const runtimeRemoved = removed.some((r) => r.default && normalizeName(r.name) === RUNTIME_NAME);
    return { change: { plans: [], removals, sidesAfter: sidesChanged && !runtimeRemoved ? sides : null }, result: removed };
  });
}

function notInstalled(target: RemovalTarget, defaultVersion: string | null, sides: readonly SideVersion[]): SidewheelError {
  const what = target.version ? `${target.name}==${target.version}` : target.name;
  const have = [defaultVersion && `${defaultVersion} (default)`, ...sides.map((s) => `${s.version} (side)`)].filter(Boolean);
  const hint = sides.length && !target.version ? `name a side version: ${sides.map((s) => `${target.name}==${s.version}`).join(', ')}` : 'sidewheel list shows what is installed';
  return new SidewheelError('NOT_INSTALLED', `${what} is not installed${have.length ? ` (installed: ${have.join(', ')})` : ''}`, hint);
}
