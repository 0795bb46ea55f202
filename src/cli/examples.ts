/** One or two examples per command, shown at the end of its --help (and checked against the README by a test). */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  install: ['sidewheel install pkg-2.0-py3-none-any.whl', 'sidewheel install --side --from ./wheels "pkg<2"'],
  uninstall: ['sidewheel uninstall pkg', 'sidewheel uninstall --side pkg==1.0'],
  list: ['sidewheel list', 'sidewheel list --json --python .venv'],
  resolve: ['sidewheel resolve "pkg<2"', 'sidewheel resolve --json "pkg<2" "other>=1"'],
  run: ['sidewheel run --with "pkg<2" -- python app.py', 'sidewheel run -r requirements.txt -- python -m app'],
  doctor: ['sidewheel doctor', 'sidewheel doctor --fix --python 3.12'],
  'bundle create': ['sidewheel bundle create wheelhouse.zip dist/', 'sidewheel bundle create wheelhouse.zip a-1.0-py3-none-any.whl b-2.0-py3-none-any.whl'],
};
