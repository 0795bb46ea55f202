/**
 * `install --from DIR|BUNDLE REQUIREMENT...` as one library call: resolve the
 * requirements against the wheels there (src/resolve, pip's resolver) with no index.
 * For a default install, defaults already installed that satisfy a requirement are
 * kept, as pip does without --upgrade; a side install ignores them.
 */
import { chooseWheels, interpreterTarget } from './choose.js';
import { installedProject } from './request.js';
import type { Tag } from '../names.js';
import type { InterpreterInfo } from '../python/interpreter.js';
import type { ResolvedProject } from '../resolve/resolver.js';
import { Requirement } from '../versions.js';
import { findInstalled } from '../environment/installed.js';
import type { WheelInput } from '../sources/load.js';

export interface WheelhouseChoice {
  /** The wheels to install, dependencies first. */
  readonly inputs: readonly WheelInput[];
  /** Every project of the resolution, including those an installed default satisfies. */
  readonly projects: readonly ResolvedProject[];
}

export async function chooseFromWheelhouse(
  from: string,
  requirements: readonly string[],
  options: { readonly python: InterpreterInfo; readonly supported: readonly Tag[]; readonly keepInstalled: boolean },
): Promise<WheelhouseChoice> {
  const { python } = options;
  const installed = options.keepInstalled ? await findInstalled(python) : [];
  const choice = await chooseWheels(requirements.map((r) => Requirement.parse(r)), {
    target: interpreterTarget(python, options.supported),
    index: null,
    wheelhouses: [from],
    // Nothing is downloaded from a wheelhouse.
    downloadDir: from,
    installed: installed.map(installedProject),
    upgrade: false,
    noDeps: false,
    requiredHashes: null,
  });
  return { inputs: choice.fetched.map((f) => f.input), projects: choice.projects };
}
