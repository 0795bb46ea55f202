/** sidewheel's and pip's choices on the same index, for tests that compare them. */
import assert from 'node:assert/strict';
import { CLI, tempDir } from './env.js';
import { runAsync } from './index-server.js';
import { ensurepipWheels } from './pythons.js';

let cache: string | undefined;
/** One cache for a test file's CLI runs (the probe cache and downloads), never the user's. */
export function testCache(): string {
  cache ??= tempDir('sidewheel-index-cache-').dir;
  return cache;
}

/** The environment a CLI run gets: no index settings inherited from whoever runs the tests. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { SIDEWHEEL_CACHE_DIR: testCache(), SIDEWHEEL_HTTP_TIMEOUT: '10', NETRC: '/nonexistent-netrc' };
  for (const name of ['PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'PIP_FIND_LINKS', 'PIP_NO_INDEX', 'SIDEWHEEL_INDEX_URL', 'SIDEWHEEL_EXTRA_INDEX_URL', 'SIDEWHEEL_FIND_LINKS', 'HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'NO_PROXY', 'no_proxy', 'SIDEWHEEL_CONFIG', 'SIDEWHEEL_CERT', 'PIP_CERT', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE']) env[name] = '';
  return { ...env, ...extra };
}

export function sidewheel(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return runAsync(process.execPath, [CLI, ...args], cleanEnv(env));
}

interface PlanJson {
  plan: Array<{ name: string; version: string; action: string }>;
}

/** `name version` of what `install --dry-run --json` would install, sorted. */
export async function sidewheelChoice(python: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const r = await sidewheel(['install', '--python', python, '--dry-run', '--json', ...args], env);
  assert.equal(r.status, 0, `sidewheel ${args.join(' ')}: ${r.stderr}`);
  const plan = (JSON.parse(r.stdout) as PlanJson).plan;
  return plan.filter((e) => e.action !== 'already-satisfied').map((e) => `${e.name} ${e.version}`).sort();
}

/** The newest pip that ensurepip bundles here (>= 22.2 has --report), as a path to run it from. */
export function pipMain(): string | null {
  const pip = [...ensurepipWheels().entries()]
    .filter(([n]) => /^pip-(\d+)\.(\d+)/.test(n))
    .map(([n, file]) => ({ file, version: /^pip-(\d+)\.(\d+)/.exec(n)!.slice(1).map(Number) as [number, number] }))
    .filter((p) => p.version[0] > 22 || (p.version[0] === 22 && p.version[1] >= 2))
    .sort((a, b) => a.version[0] - b.version[0] || a.version[1] - b.version[1])
    .pop();
  return pip ? `${pip.file}/pip` : null;
}

/** `name version` of what `pip install --dry-run --report -` would install, sorted; null without a usable pip. */
export async function pipChoice(python: string, args: readonly string[]): Promise<string[] | null> {
  const pip = pipMain();
  if (!pip) return null;
  const r = await runAsync(python, [pip, 'install', '--dry-run', '--report', '-', '-q', '--ignore-installed', '--disable-pip-version-check', '--no-cache-dir', '--only-binary', ':all:', ...args], cleanEnv());
  assert.equal(r.status, 0, `pip ${args.join(' ')}: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as { install: Array<{ metadata: { name: string; version: string } }> };
  return report.install.map((i) => `${i.metadata.name} ${i.metadata.version}`).sort();
}
