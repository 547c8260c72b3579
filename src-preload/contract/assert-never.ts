/** Ends a switch over a closed union: the compiler fails when a member is not handled. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
