/** POSIX-shell-style quoting, for showing argv as one line. Never executed. */
export function quoteForDisplay(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
