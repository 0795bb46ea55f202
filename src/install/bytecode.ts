/**
 * Bytecode compiled by the target interpreter, in one process for all files. Sources are
 * compiled where they are staged, with `dfile` set to their final path so tracebacks
 * and `co_filename` name the installed file, exactly as compiling in place would.
 */
import { loadExeca } from '../execa-lazy.js';
import type { InterpreterInfo } from '../python/interpreter.js';

export interface CompileJob {
  /** The staged source file. */
  readonly source: string;
  /** Where the source will finally live. */
  readonly target: string;
  /** Where to write the staged .pyc. */
  readonly output: string;
}

export interface CompiledFile {
  readonly output: string;
  /** The final `__pycache__/...pyc` path of the compiled file. */
  readonly target: string;
}

// Failures are skipped silently, as pip does: a wheel may ship files that are not valid
// for this Python (templates, py2-only tests), and they must not block the install.
const COMPILE_SCRIPT = String.raw`
import importlib.util, json, py_compile, sys
done = []
for job in json.load(sys.stdin):
    try:
        py_compile.compile(job["source"], cfile=job["output"], dfile=job["target"], doraise=True)
    except Exception:
        continue
    done.append({"output": job["output"], "target": importlib.util.cache_from_source(job["target"])})
json.dump(done, sys.stdout)
`;

export async function compileBytecode(python: InterpreterInfo, jobs: readonly CompileJob[]): Promise<CompiledFile[]> {
  if (jobs.length === 0) return [];
  const execa = await loadExeca();
  const result = await execa(python.executable, ['-I', '-c', COMPILE_SCRIPT], { input: JSON.stringify(jobs), reject: false });
  if (result.exitCode !== 0) return [];
  return JSON.parse(String(result.stdout)) as CompiledFile[];
}
