/**
 * `install --from DIR|BUNDLE REQUIREMENT...`: resolve the requirements against the
 * wheels there (src/resolve, pip's resolver), then install what was chosen like any
 * other wheels. For a default install, defaults already installed that satisfy a
 * requirement are kept, as pip does without --upgrade; a side install ignores them.
 */
import path from 'node:path';
import { isBundle, openBundle } from '../bundle/read.js';
import type { Tag } from '../names.js';
import { pythonVersionText, type InterpreterInfo } from '../python/interpreter.js';
import { bufferSource, describeWheelhouse, directorySource, type CandidateSource } from '../resolve/candidates.js';
import { resolveWheelhouse, type ResolvedProject } from '../resolve/resolver.js';
import { findInstalled } from './installed.js';
import type { WheelInput } from './load.js';

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
  const bundleBytes = new Map<string, Buffer>();
  let source: CandidateSource;
  if (await isBundle(from)) {
    const bundle = await openBundle(from);
    for (const w of bundle.wheels) bundleBytes.set(w.fileName, w.bytes);
    source = bufferSource(from, bundle.wheels);
  } else source = await directorySource(from);

  const installed = options.keepInstalled
    ? (await findInstalled(python)).map((d) => ({ name: d.name, version: d.version, requiresDist: d.metadata.getAll('Requires-Dist'), providesExtra: d.metadata.getAll('Provides-Extra') }))
    : undefined;
  const resolution = await resolveWheelhouse(requirements, describeWheelhouse(source, options.supported), {
    environment: python.markers,
    pythonVersion: pythonVersionText(python),
    ...(installed ? { installed } : {}),
  });
  const inputs = resolution.wheels.map(({ wheel }): WheelInput => {
    const bytes = bundleBytes.get(wheel.fileName);
    return bytes ? { file: path.join(from, wheel.fileName), bytes } : { file: wheel.path ?? path.join(from, wheel.fileName) };
  });
  return { inputs, projects: resolution.projects };
}
