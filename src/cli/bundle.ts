import type { Command } from 'commander';
import { createBundle } from '../bundle/create.js';
import { report, warn } from './context.js';

export function registerBundle(program: Command): void {
  const bundle = program.command('bundle').description('many wheels as one zip, for offline installs and moving a wheelhouse');
  bundle
    .command('create')
    .description('write OUT: the wheels stored as they are, plus a PEP 751 pylock.toml listing their sizes and hashes')
    .argument('<out>', 'the bundle to write, e.g. wheelhouse.zip (replaced atomically)')
    .argument('<wheels...>', 'wheel files, or directories whose *.whl files are added (not recursively)')
    .addHelpText('after', '\nThe same wheels give the same bytes; set SOURCE_DATE_EPOCH to choose the entries\' timestamp.')
    .action(async (out: string, inputs: string[]) => {
      const created = await createBundle(out, inputs);
      for (const line of created.warnings) warn(line);
      for (const w of created.wheels) report(`added ${w.fileName} (${w.size} bytes)`);
      const count = created.wheels.length;
      report(`wrote ${created.file}: ${count} wheel${count === 1 ? '' : 's'}, ${created.size} bytes`);
    });
}
