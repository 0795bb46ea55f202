/**
 * `bundle create OUT -r reqs.txt [--python-version 3.12 --platform manylinux_2_28_x86_64]`:
 * the wheels a bundle needs, resolved for the target (its tags and markers, not the
 * host's) against the indexes and find-links, downloaded into the cache. The bundle is
 * then written from those files like from any others.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import { SidewheelError } from '../errors.js';
import { cacheRoot } from '../paths.js';
import type { InterpreterInfo } from '../python/interpreter.js';
import { supportedTags } from '../tags.js';
import { chooseWheels, interpreterTarget, type ResolutionTarget } from './choose.js';
import { indexFlags, type IndexOptionFlags, type RequirementOptionFlags } from './cli-options.js';
import { constraintMap, gatherRequest } from './request.js';
import { describeTarget } from './target.js';

export interface BundleRequestFlags extends IndexOptionFlags, RequirementOptionFlags {
  pythonVersion?: string;
  platform?: string;
  implementation?: string;
  abi?: string;
}

/** Whether the command asks for resolution (requirements files), not just files to bundle. */
export function bundleWantsResolution(flags: BundleRequestFlags): boolean {
  return flags.requirement.length > 0;
}

/** The target: described by the flags, or the interpreter `probe` finds. */
export async function bundleTarget(flags: BundleRequestFlags, config: Config, probe: () => Promise<InterpreterInfo>): Promise<ResolutionTarget> {
  const described = [flags.pythonVersion, flags.platform, flags.implementation, flags.abi].some((f) => f !== undefined);
  if (described) {
    if (flags.pythonVersion === undefined || flags.platform === undefined) throw new SidewheelError('USAGE', 'a target needs both --python-version and --platform');
    return describeTarget({ pythonVersion: flags.pythonVersion, platform: flags.platform, implementation: flags.implementation, abi: flags.abi });
  }
  const python = await probe();
  return interpreterTarget(python, supportedTags(python, { extraPlatforms: config.extraPlatforms }));
}

/** The wheel files (in the cache or in find-links directories) to put in the bundle, dependencies first. */
export async function wheelsForBundle(flags: BundleRequestFlags, config: Config, target: ResolutionTarget): Promise<string[]> {
  const gathered = gatherRequest(
    { requirements: [], requirementFiles: flags.requirement, constraintFiles: flags.constraint, requireHashes: flags.requireHashes ?? false, index: indexFlags(flags), from: [] },
    config.index,
  );
  const choice = await chooseWheels(gathered.requirements, {
    target,
    index: gathered.index,
    wheelhouses: [],
    downloadDir: path.join(config.cacheDir ?? path.join(cacheRoot(), 'wheels'), 'downloads'),
    installed: [],
    upgrade: false,
    noDeps: false,
    requiredHashes: gathered.hashes,
    constraints: constraintMap(gathered.constraints, target),
  });
  return choice.fetched.map((f) => f.input.file);
}
