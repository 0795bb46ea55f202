/**
 * Questions answered by the runtime itself, run in the target interpreter, so the CLI
 * and `import sidewheel` can never disagree on the selection rule. Where the runtime is
 * not installed yet (no side versions), the copy shipped with sidewheel answers.
 */
import { loadExeca } from '../execa-lazy.js';
import { SidewheelError } from '../errors.js';
import { parseRequirement } from '../versions.js';
import type { InterpreterInfo } from '../python/interpreter.js';
import type { ListRow } from '../list.js';
import { SHIM_DIR } from './render.js';

const RUN_RUNTIME = String.raw`
import importlib.util, runpy, sys
if importlib.util.find_spec("sidewheel") is None:
    sys.path.append(sys.argv[1])
sys.argv = ["sidewheel"] + sys.argv[2:]
runpy.run_module("sidewheel", run_name="__main__", alter_sys=True)
`;

export async function runRuntime(python: InterpreterInfo, args: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  // -E: a user's SIDEWHEEL_REQUIRES must not pre-activate anything in the process that answers.
  const execa = await loadExeca();
  const r = await execa(python.executable, ['-E', '-c', RUN_RUNTIME, SHIM_DIR, ...args], { reject: false });
  return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export interface ResolvedRow extends ListRow {
  /** Why this version was chosen. */
  readonly reason?: string;
}

/** What the runtime would activate for `requirements`, without activating it. */
export async function resolveRequirements(python: InterpreterInfo, requirements: readonly string[]): Promise<ResolvedRow[]> {
  // Syntax is checked here, so a bad requirement reads the same in every command (and is bad input, not a failed resolution).
  for (const requirement of requirements) parseRequirement(requirement);
  const r = await runRuntime(python, ['resolve', '--json', ...requirements]);
  if (r.exitCode !== 0) {
    const line = r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`;
    throw new SidewheelError('RESOLUTION', line.replace(/^sidewheel: /, ''), 'sidewheel list shows the versions installed');
  }
  return JSON.parse(r.stdout) as ResolvedRow[];
}
