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
// The compiler never outlives sidewheel: killed, sidewheel can no longer stop it, so it
// watches for being orphaned and exits rather than keep writing into a staging area
// the next run is recovering.
const COMPILE_SCRIPT = String.raw`
import importlib.util, json, os, py_compile, sys, threading, time
def _exit_when_orphaned(parent=os.getppid()):
    while os.getppid() == parent:
        time.sleep(0.05)
    os._exit(1)
threading.Thread(target=_exit_when_orphaned, daemon=True).start()
done = []
for job in json.load(sys.stdin):
    try:
        py_compile.compile(job["source"], cfile=job["output"], dfile=job["target"], doraise=True)
    except Exception:
        continue
    done.append({"output": job["output"], "target": importlib.util.cache_from_source(job["target"])})
json.dump(done, sys.stdout)
`;

/** `signal` stops the compiler (and throws its reason) when it aborts. */
export async function compileBytecode(python: InterpreterInfo, jobs: readonly CompileJob[], signal?: AbortSignal): Promise<CompiledFile[]> {
  if (jobs.length === 0) return [];
  const execa = await loadExeca();
  const result = await execa(python.executable, ['-I', '-c', COMPILE_SCRIPT], { input: JSON.stringify(jobs), reject: false, ...(signal && { cancelSignal: signal }) });
  signal?.throwIfAborted();
  if (result.exitCode !== 0) return [];
  return JSON.parse(String(result.stdout)) as CompiledFile[];
}
