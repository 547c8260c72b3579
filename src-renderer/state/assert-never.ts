/** Ends a switch over a closed union: the compiler fails when a member is not handled. One definition, the contract's (the engine uses it too). */
export { assertNever } from '../../src-preload/contract';
