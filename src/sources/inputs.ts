/**
 * What `install` was given, turned into wheels to install: wheel files as they are, and
 * the wheels of a bundle that suit the interpreter (every hash verified before any is
 * used). For a default install a bundle contributes one wheel per project: the highest
 * version, then the best-ranked tags; for a side install, every suitable wheel.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BundleWheel } from '../bundle/read.js';
import { SidewheelError } from '../errors.js';
import { parseWheelFilename, type Tag } from '../names.js';
import { pythonVersionText, type InterpreterInfo } from '../python/interpreter.js';
import { supportsPython } from '../python/requires-python.js';
import { wheelRank } from '../tags.js';
import { compareVersions } from '../versions.js';
import type { WheelInput } from './load.js';

export interface ExpandOptions {
  readonly python: InterpreterInfo;
  readonly supported: readonly Tag[];
  /** Keep every suitable version of a project (side installs), not only the best. */
  readonly allVersions: boolean;
}

export async function expandInputs(args: readonly string[], options: ExpandOptions): Promise<WheelInput[]> {
  const inputs: WheelInput[] = [];
  for (const arg of args) {
    if (arg.endsWith('.whl')) inputs.push({ file: arg });
    // The bundle reader (and its TOML parser) loads only when something may be a bundle.
    else if (await (await import('../bundle/read.js')).isBundle(arg)) inputs.push(...(await bundleInputs(arg, options)));
    else throw notWheelOrBundle(arg);
  }
  return inputs;
}

function notWheelOrBundle(arg: string): SidewheelError {
  const exists = existsSync(arg);
  return new SidewheelError(exists ? 'BAD_FILENAME' : 'MISSING_INPUT', `${arg}: ${exists ? 'neither a wheel (*.whl) nor a bundle (a zip holding pylock.toml)' : 'no such file'}`, exists ? 'bundles are made by sidewheel bundle create' : undefined);
}

async function bundleInputs(file: string, options: ExpandOptions): Promise<WheelInput[]> {
  const bundle = await (await import('../bundle/read.js')).openBundle(file);
  const fits = (spec: string | null): boolean => supportsPython(spec, options.python);
  if (!fits(bundle.requiresPython)) {
    throw new SidewheelError('UNSUPPORTED_TAGS', `${file}: the bundle requires Python ${bundle.requiresPython}, and ${options.python.executable} is ${pythonVersionText(options.python)}`);
  }
  const suitable = bundle.wheels
    .map((wheel) => ({ wheel, rank: wheelRank(wheel.tags, options.supported) }))
    .filter((c): c is { wheel: BundleWheel; rank: number } => c.rank !== null && fits(c.wheel.requiresPython));
  if (suitable.length === 0) {
    throw new SidewheelError('UNSUPPORTED_TAGS', `${file}: none of its ${bundle.wheels.length} wheels suits ${options.python.executable} (tags or Requires-Python)`, 'sidewheel list shows the interpreter; the bundle\'s pylock.toml lists its wheels');
  }
  const chosen = options.allVersions ? suitable : bestPerProject(suitable);
  return chosen.map(({ wheel }) => ({ file: path.join(file, wheel.fileName), range: wheel.range, sha256: wheel.sha256 }));
}

/** Per project, the highest version, then the best-ranked tags (a lower rank is better). */
function bestPerProject<T extends { wheel: BundleWheel; rank: number }>(candidates: readonly T[]): T[] {
  const versionOf = (c: T): string => parseWheelFilename(c.wheel.fileName).version.replace(/_/g, '-');
  const best = new Map<string, T>();
  for (const c of candidates) {
    const current = best.get(c.wheel.name);
    if (!current || (compareVersions(versionOf(c), versionOf(current)) || current.rank - c.rank) > 0) best.set(c.wheel.name, c);
  }
  return [...best.values()];
}
