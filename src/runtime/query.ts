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

/** The environment's own runtime (the one that will activate), else the shipped copy. */
const RUN_INSTALLED = String.raw`
import importlib.util, runpy, sys
if importlib.util.find_spec("sidewheel") is None:
    sys.path.append(sys.argv[1])
sys.argv = ["sidewheel"] + sys.argv[2:]
runpy.run_module("sidewheel", run_name="__main__", alter_sys=True)
`;

/**
 * Always the shipped copy, whatever is installed (missing, older, damaged): the start-up
 * hook may have imported the installed package already, so it is forgotten first. Runs
 * on Python 3.6+ (`list` only needs the standard library there).
 */
const RUN_SHIPPED = String.raw`
import runpy, sys
for name in [m for m in sys.modules if m == "sidewheel" or m.startswith("sidewheel.")]:
    del sys.modules[name]
sys.path.insert(0, sys.argv[1])
sys.argv = ["sidewheel"] + sys.argv[2:]
runpy.run_module("sidewheel", run_name="__main__", alter_sys=True)
`;

export interface RuntimeRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runRuntime(python: InterpreterInfo, args: readonly string[], copy: 'installed' | 'shipped' = 'installed'): Promise<RuntimeRun> {
  // -E: a user's SIDEWHEEL_REQUIRES must not pre-activate anything in the process that answers.
  const execa = await loadExeca();
  const script = copy === 'shipped' ? RUN_SHIPPED : RUN_INSTALLED;
  const r = await execa(python.executable, ['-E', '-c', script, SHIM_DIR, ...args], { reject: false });
  return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** The last stderr line, without the `sidewheel: ` prefix the runtime gives it. */
function lastLine(r: RuntimeRun): string {
  return (r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`).replace(/^sidewheel: /, '');
}

export interface Listing {
  /** Sorted as `python -m sidewheel list` sorts them (python-shim/INDEX.md section 6). */
  readonly rows: ListRow[];
  /** Why the index could not be read (the default rows are still listed), if it could not. */
  readonly indexProblem?: string;
}

/**
 * What is installed, as the runtime sees it: one implementation (the shipped runtime's
 * `list`, run in the target interpreter), so `sidewheel list` and `python -m sidewheel
 * list` cannot disagree.
 */
export async function listInstalled(python: InterpreterInfo): Promise<Listing> {
  const r = await runRuntime(python, ['list', '--json'], 'shipped');
  let rows: ListRow[] | undefined;
  try {
    rows = JSON.parse(r.stdout) as ListRow[];
  } catch {
    rows = undefined;
  }
  // Status 1 with rows on stdout: the index is unreadable, the defaults are listed.
  if (!rows || (r.exitCode !== 0 && r.exitCode !== 1)) {
    throw new SidewheelError('PYTHON', `could not list ${python.executable}'s distributions: ${lastLine(r)}`);
  }
  return r.exitCode === 0 ? { rows } : { rows, indexProblem: lastLine(r) };
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
  if (r.exitCode !== 0) throw new SidewheelError('RESOLUTION', lastLine(r), 'sidewheel list shows the versions installed');
  return JSON.parse(r.stdout) as ResolvedRow[];
}
