/**
 * Runtime schema of a deployment request: the engine's own input check, and
 * the shape persisted in the state file.
 */
import type { z } from 'zod';
import type { DeploymentResponse, ErrorKind } from './types';

// One definition for the UI's inline checks, the hosts' input checks, the
// engine's own check and the state file's records: the contract's.
export { AGENT_ID_PATTERN, agentIdSchema, spawnRequestSchema as deploymentRequestSchema } from '../../src-preload/contract';
// A saved record is checked field by field only: a run recorded before a whole-request
// rule existed (e.g. the loader-key refusal) must not make the state file "corrupt".
export { spawnRequestFieldsSchema as persistedRequestSchema } from '../../src-preload/contract';

/** Turns zod issues into one sentence a user can act on. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      return `${where}${issue.message}`;
    })
    .join('; ');
}

/** The answer to a request the engine refuses before any process exists. */
export function refusal(input: unknown, kind: ErrorKind, message: string): DeploymentResponse {
  const agentId = (input as { agentId?: unknown } | null)?.agentId;
  return { agentId: typeof agentId === 'string' ? agentId : '', status: 'failed', error: message, errorKind: kind };
}
