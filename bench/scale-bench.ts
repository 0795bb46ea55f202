/**
 * `BENCH_SCALE=1 npm run bench`: synthetic wheels of 20,000 small files, of 1 GB and of
 * 2.5 GB (one member each, made by the bench with Python's zipfile, deleted after), and
 * a bundle of them: one run of each tool, wall time and peak RSS (`/usr/bin/time -v`).
 * Goal: at most 200 MB RSS for sidewheel, default and side, at every size.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeWheel } from '../test/helpers/wheels.js';
import { peakRssMb, timeOnce, type Contender } from './measure.js';
import { CLI, makeTarget, remover, warmProbe, wheelsOf } from './setup.js';

// One member of `size` bytes (compressible, not constant) plus a valid RECORD; zip64 as zipfile needs it.
const MAKE_BIG_WHEEL = String.raw`
import base64, hashlib, sys, zipfile
size, name, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
chunk = b"".join(b"%015d\n" % i for i in range(65536))
h = hashlib.sha256()
dist = "%s-1.0.dist-info" % name
def row(p, d): return "%s,sha256=%s,%d\n" % (p, base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode(), len(d))
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
    with z.open("%s/blob.bin" % name, "w", force_zip64=True) as f:
        left = size
        while left > 0:
            c = chunk[:min(left, len(chunk))]; f.write(c); h.update(c); left -= len(c)
    meta = ("Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n\n" % name).encode()
    wheel = b"Wheel-Version: 1.0\nGenerator: sidewheel-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n\n"
    z.writestr("%s/__init__.py" % name, b"")
    z.writestr(dist + "/METADATA", meta)
    z.writestr(dist + "/WHEEL", wheel)
    record = "%s/blob.bin,sha256=%s,%d\n" % (name, base64.urlsafe_b64encode(h.digest()).rstrip(b"=").decode(), size)
    record += row("%s/__init__.py" % name, b"") + row(dist + "/METADATA", meta) + row(dist + "/WHEEL", wheel) + dist + "/RECORD,,\n"
    z.writestr(dist + "/RECORD", record)
`;

const RSS_GOAL_MB = 200;

function measure(c: Contender): string {
  const ms = timeOnce(c);
  const mb = peakRssMb(c);
  return `${c.label.padEnd(40)} ${(ms / 1000).toFixed(1).padStart(7)} s   peak RSS ${mb === null ? 'n/a' : `${mb.toFixed(0).padStart(6)} MB`}`;
}

export async function scaleBench(work: string, base: string): Promise<void> {
  const dir = path.join(work, 'scale');
  mkdirSync(dir, { recursive: true });
  const pipWheel = wheelsOf('pip')[0];
  console.log(`\nscale: one run each (time, then a second run for peak RSS); sidewheel goal <= ${RSS_GOAL_MB} MB RSS`);
  const made: string[] = [];
  const files: Record<string, string> = {};
  for (let i = 0; i < 20_000; i++) files[`manyfiles/d${Math.floor(i / 500)}/m${i}.py`] = `X = ${i}\n`;
  made.push(await writeWheel(dir, { name: 'manyfiles', version: '1.0', files }));
  for (const [name, size] of [['big1g', 1 << 30], ['big2g5', 2.5 * (1 << 30)]] as const) {
    const out = path.join(dir, `${name}-1.0-py3-none-any.whl`);
    execFileSync(base, ['-c', MAKE_BIG_WHEEL, String(size), name, out]);
    made.push(out);
  }
  try {
    for (const wheel of made) {
      const ours = makeTarget(dir, base, 'ours');
      const side = makeTarget(dir, base, 'side');
      const pips = makeTarget(dir, base, 'pip');
      warmProbe(ours);
      const unzipDir = path.join(dir, 'unzip');
      const sideSite = path.join(path.dirname(path.dirname(side)), 'lib');
      console.log(`  ${path.basename(wheel)}`);
      const contenders: Contender[] = [
        { label: 'sidewheel install --no-compile --no-cache', prepare: remover(ours, wheel), command: () => [process.execPath, CLI, 'install', '--no-compile', '--no-cache', '--python', ours, wheel] },
        { label: 'sidewheel install (cache, cold)', prepare: () => (remover(ours, wheel)(), rmSync(path.join(dir, 'cache'), { recursive: true, force: true })), command: () => [process.execPath, CLI, 'install', '--no-compile', '--cache', path.join(dir, 'cache'), '--python', ours, wheel] },
        { label: 'sidewheel install --side --no-cache', prepare: () => rmSync(sideSite, { recursive: true, force: true }), command: () => [process.execPath, CLI, 'install', '--side', '--no-compile', '--no-cache', '--python', side, wheel] },
        ...(pipWheel ? [{ label: 'pip install --no-compile', prepare: remover(pips, wheel), command: () => [pips, path.join(pipWheel, 'pip'), 'install', '--no-deps', '--no-compile', '--disable-pip-version-check', '-q', wheel] }] : []),
        { label: 'unzip -q -o', prepare: () => rmSync(unzipDir, { recursive: true, force: true }), command: () => ['unzip', '-q', '-o', wheel, '-d', unzipDir] },
      ];
      for (const c of contenders) console.log(`    ${measure(c)}`);
      for (const d of ['ours', 'side', 'pip', 'unzip', 'cache']) rmSync(path.join(dir, d), { recursive: true, force: true });
    }
    const bundle = path.join(dir, 'wheelhouse.zip');
    const target = makeTarget(dir, base, 'bundle-target');
    console.log(`  a bundle of all ${made.length}`);
    console.log(`    ${measure({ label: 'sidewheel bundle create', prepare: () => rmSync(bundle, { force: true }), command: () => [process.execPath, CLI, 'bundle', 'create', bundle, ...made] })}`);
    console.log(`    ${measure({ label: 'sidewheel install BUNDLE --no-cache', prepare: () => made.forEach((w) => remover(target, w)()), command: () => [process.execPath, CLI, 'install', '--no-compile', '--no-cache', '--python', target, bundle] })}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
