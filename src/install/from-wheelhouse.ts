/**
 * `install --from DIR|BUNDLE REQUIREMENT...`: resolve the requirements against the
 * wheels there (src/resolve, pip's resolver), then install what was chosen like any
 * other wheels. For a default install, defaults already installed that satisfy a
 * requirement are kept, as pip does without --upgrade; a side install ignores them.
 */
import path from 'node:path';
import { isBundle, openBundle, type BundleWheel } from '../bundle/read.js';
import type { Tag } from '../names.js';
import { pythonVersionText, type InterpreterInfo } from '../python/interpreter.js';
import { markerEnvironment } from '../python/markers.js';
import { describeWheelhouse, directorySource, type CandidateSource } from '../resolve/candidates.js';
import { resolveWheelhouse, type ResolvedProject } from '../resolve/resolver.js';
import { readWheelMetadata } from '../wheel/metadata-only.js';
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
  const bundled = new Map<string, BundleWheel>();
  let source: CandidateSource;
  if (await isBundle(from)) {
    const bundle = await openBundle(from);
    for (const w of bundle.wheels) bundled.set(w.fileName, w);
    source = {
      label: path.basename(from),
      entries: bundle.wheels.map((w) => ({ fileName: w.fileName, path: null, loadMetadata: async () => (await readWheelMetadata(w.range, w.fileName)).metadata })),
    };
  } else source = await directorySource(from);

  const installed = options.keepInstalled
    ? (await findInstalled(python)).map((d) => ({ name: d.name, version: d.version, requiresDist: d.metadata.getAll('Requires-Dist'), providesExtra: d.metadata.getAll('Provides-Extra') }))
    : undefined;
  const resolution = await resolveWheelhouse(requirements, describeWheelhouse(source, options.supported), {
    environment: await markerEnvironment(python),
    pythonVersion: pythonVersionText(python),
    ...(installed ? { installed } : {}),
  });
  const inputs = resolution.wheels.map(({ wheel }): WheelInput => {
    const member = bundled.get(wheel.fileName);
    return member ? { file: path.join(from, wheel.fileName), range: member.range, sha256: member.sha256 } : { file: wheel.path ?? path.join(from, wheel.fileName) };
  });
  return { inputs, projects: resolution.projects };
}
