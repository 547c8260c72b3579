/**
 * Runtime schema of a deployment request: the engine's own input check, and
 * the shape persisted in the state file. Pure (zod only), so any layer may
 * reuse it.
 */
import { z } from 'zod';

/** Agent ids name folders: no separators, no leading dot, bounded length. */
export const AGENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const text = (what: string, max: number) =>
  z
    .string()
    .max(max, `${what} is longer than ${max} characters`)
    .refine((value) => !value.includes('\0'), `${what} must not contain a NUL byte`);

export const agentIdSchema = z
  .string({ error: 'agentId must be a string' })
  .regex(AGENT_ID_PATTERN, 'agentId must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit');

const envKey = z
  .string()
  .min(1, 'environment variable names must not be empty')
  .refine((key) => !key.includes('='), 'environment variable names must not contain "="')
  .refine((key) => !key.includes('\0'), 'environment variable names must not contain a NUL byte');

export const deploymentRequestSchema = z.strictObject({
  requestId: text('requestId', 200).min(1, 'requestId must not be empty'),
  agentId: agentIdSchema,
  agentName: text('agentName', 200),
  agentType: text('agentType', 100),
  parentAgentId: agentIdSchema.optional(),
  model: text('model', 200).optional(),
  prompt: z.string().optional(),
  loadPercentage: z.number().min(0).max(100).optional(),
  command: z
    .array(z.string().refine((arg) => !arg.includes('\0'), 'command arguments must not contain a NUL byte'))
    .min(1, 'command must name a program')
    .refine((argv) => (argv[0] ?? '').length > 0, 'command[0] (the program) must not be empty'),
  cwd: text('cwd', 4096).min(1, 'cwd must not be empty').optional(),
  env: z.record(envKey, z.string().refine((value) => !value.includes('\0'), 'environment values must not contain a NUL byte')).optional(),
  stdin: z.string().optional(),
});

/** Turns zod issues into one sentence a user can act on. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      return `${where}${issue.message}`;
    })
    .join('; ');
}
