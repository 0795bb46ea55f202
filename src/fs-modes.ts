/** File modes as pip gives them: 0666 or 0777|0111 (executables) less the umask. */
let umask: number | undefined;

function currentUmask(): number {
  if (umask === undefined) {
    // process.umask() without an argument is deprecated: set and restore instead.
    umask = process.umask(0o022);
    process.umask(umask);
  }
  return umask;
}

export function fileMode(executable: boolean): number {
  return executable ? (0o777 & ~currentUmask()) | 0o111 : 0o666 & ~currentUmask();
}
