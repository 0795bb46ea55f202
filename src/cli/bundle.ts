import type { Command } from 'commander';
import { createBundle } from '../bundle/create.js';
import { loadConfig } from '../config.js';
import { SidewheelError } from '../errors.js';
import { bundleTarget, bundleWantsResolution, wheelsForBundle, type BundleRequestFlags } from '../index/bundle-request.js';
import { addIndexOptions, addRequirementOptions } from '../index/cli-options.js';
import { report, targetInterpreter, warn } from './context.js';

export function registerBundle(program: Command): void {
  const bundle = program.command('bundle').description('many wheels as one zip, for offline installs and moving a wheelhouse');
  const create = bundle
    .command('create')
    .description('write OUT: the wheels stored as they are, plus a PEP 751 pylock.toml listing their sizes and hashes')
    .argument('<out>', 'the bundle to write, e.g. wheelhouse.zip (replaced atomically)')
    .argument('[wheels...]', 'wheel files, or directories whose *.whl files are added (not recursively)')
    .option('--python-version <X.Y>', 'with -r: resolve for this Python version (with --platform)')
    .option('--platform <tag>', 'with -r: resolve for this platform, e.g. manylinux_2_28_x86_64, macosx_11_0_arm64, win_amd64')
    .option('--implementation <cp|pp>', 'with -r: CPython (default) or PyPy')
    .option('--abi <abi>', 'with -r: the interpreter ABI, e.g. cp312 (default: the implementation\'s own)')
    .option('--config <file>', 'config file (default: $SIDEWHEEL_CONFIG, else the user config directory)')
    .addHelpText('after', '\nThe same wheels give the same bytes; set SOURCE_DATE_EPOCH to choose the entries\' timestamp.');
  addRequirementOptions(addIndexOptions(create)).action(async (out: string, inputs: string[], flags: BundleRequestFlags & { python?: string; config?: string }) => {
    if (inputs.length === 0 && !bundleWantsResolution(flags)) throw new SidewheelError('USAGE', 'no wheels to bundle', 'name wheel files or directories, or requirements with -r FILE');
    if (bundleWantsResolution(flags)) {
      const config = loadConfig(flags.config);
      const target = await bundleTarget(flags, config, () => targetInterpreter(flags.python));
      inputs = [...inputs, ...(await wheelsForBundle(flags, config, target))];
    }
    const created = await createBundle(out, inputs);
    for (const line of created.warnings) warn(line);
    for (const w of created.wheels) report(`added ${w.fileName} (${w.size} bytes)`);
    const count = created.wheels.length;
    report(`wrote ${created.file}: ${count} wheel${count === 1 ? '' : 's'}, ${created.size} bytes`);
  });
}
