/**
 * The policy fields (restart, stall detection, resource guard, priority) as
 * the user edits them → the contract's policy objects. Pure: the New agent
 * dialog and the Policies tab both use it, and tests call it directly.
 *
 * Durations are seconds in the UI and milliseconds in the contract. The
 * contract's own schemas decide validity; an issue about a millisecond field
 * is re-worded in seconds so it matches the field the user sees.
 */
import {
  DEFAULT_RESTART_POLICY,
  DEFAULT_STALL_POLICY,
  nicenessSchema,
  resourceGuardSchema,
  restartPolicySchema,
  stallPolicySchema,
  type AgentPolicies,
  type GuardAction,
  type ResourceGuard,
  type RestartMode,
  type RestartPolicy,
  type StallPolicy,
} from '../../src-preload/contract';

/** Every policy control's text (inputs hold text; '' is an empty field). */
export interface PolicyForm {
  restartMode: RestartMode;
  maxRestarts: string;
  initialDelaySeconds: string;
  maxDelaySeconds: string;
  resetAfterSeconds: string;
  /** "Detect stalls". */
  stallOn: boolean;
  stallQuietSeconds: string;
  stallCpuPercent: string;
  /** "Use a resource guard". */
  guardOn: boolean;
  /** '' = no memory limit. */
  guardMemoryMb: string;
  /** '' = no CPU limit. */
  guardCpuPercent: string;
  guardSustainedSeconds: string;
  guardAction: GuardAction;
  /** '' = inherit Corral's priority. */
  niceness: string;
}

/** Where a policy error shows: under one control, or (`guard`) under the guard as a whole. */
export type PolicyField =
  | 'restartMode'
  | 'maxRestarts'
  | 'initialDelay'
  | 'maxDelay'
  | 'resetAfter'
  | 'stallQuiet'
  | 'stallCpu'
  | 'guardMemory'
  | 'guardCpu'
  | 'guardSustained'
  | 'guardAction'
  | 'guard'
  | 'niceness';

export type PolicyErrors = Partial<Record<PolicyField, string[]>>;

/** The policies as `updateAgentPolicies` (and a spawn request) take them. */
export interface PolicyValues {
  restart: RestartPolicy;
  stall: StallPolicy | null;
  guard: ResourceGuard | null;
  niceness: number | null;
}

export type PolicyResult = { ok: true; value: PolicyValues } | { ok: false; errors: PolicyErrors };

export const RESTART_MODE_LABEL: Record<RestartMode, string> = { no: 'Never', 'on-failure': 'On failure', always: 'Always' };
export const GUARD_ACTION_LABEL: Record<GuardAction, string> = { notify: 'Notify', stop: 'Stop', restart: 'Restart' };

/** Guard fields shown while no guard is set: a sensible start once the user turns it on. */
const GUARD_START = { sustainedSeconds: '30', action: 'notify' as GuardAction };

/** ms → seconds text, without float noise (1500 → "1.5"). */
export function secondsText(ms: number): string {
  return String(Math.round(ms) / 1000);
}

/** The form showing `policies` (the Policies tab starts from the agent's own). */
export function policyFormFrom(policies: AgentPolicies): PolicyForm {
  const stall = policies.stall ?? DEFAULT_STALL_POLICY;
  const guard = policies.guard;
  return {
    restartMode: policies.restart.mode,
    maxRestarts: String(policies.restart.maxRestarts),
    initialDelaySeconds: secondsText(policies.restart.initialDelayMs),
    maxDelaySeconds: secondsText(policies.restart.maxDelayMs),
    resetAfterSeconds: secondsText(policies.restart.resetAfterMs),
    stallOn: policies.stall !== null,
    stallQuietSeconds: secondsText(stall.quietMs),
    stallCpuPercent: String(stall.cpuBelowPercent),
    guardOn: guard !== null,
    guardMemoryMb: guard?.memoryMb === null || guard === null ? '' : String(guard.memoryMb),
    guardCpuPercent: guard?.cpuPercent === null || guard === null ? '' : String(guard.cpuPercent),
    guardSustainedSeconds: guard === null ? GUARD_START.sustainedSeconds : secondsText(guard.sustainedMs),
    guardAction: guard?.action ?? GUARD_START.action,
    niceness: policies.niceness === null ? '' : String(policies.niceness),
  };
}

/** A new agent's policies: the contract's defaults, stall detection on, no guard, inherited priority. */
export const DEFAULT_POLICIES: AgentPolicies = { restart: DEFAULT_RESTART_POLICY, stall: DEFAULT_STALL_POLICY, guard: null, niceness: null };

export function defaultPolicyForm(): PolicyForm {
  return policyFormFrom(DEFAULT_POLICIES);
}

/** Seconds fields: the label used in re-worded messages. */
const SECONDS_LABEL: Partial<Record<PolicyField, string>> = {
  initialDelay: 'First delay',
  maxDelay: 'Longest delay',
  resetAfter: 'Stable after',
  stallQuiet: 'Quiet for',
  guardSustained: 'Sustained for',
};

const RESTART_FIELD: Record<string, PolicyField> = {
  mode: 'restartMode',
  maxRestarts: 'maxRestarts',
  initialDelayMs: 'initialDelay',
  maxDelayMs: 'maxDelay',
  resetAfterMs: 'resetAfter',
};
const STALL_FIELD: Record<string, PolicyField> = { quietMs: 'stallQuiet', cpuBelowPercent: 'stallCpu' };
const GUARD_FIELD: Record<string, PolicyField> = { memoryMb: 'guardMemory', cpuPercent: 'guardCpu', sustainedMs: 'guardSustained', action: 'guardAction' };

/** Which policy control a contract issue path points at (`['restart', 'maxDelayMs']`, `['guard']`, …); null when it is not a policy path. */
export function policyFieldForIssuePath(path: readonly PropertyKey[]): PolicyField | null {
  const [head, key] = path;
  const sub = typeof key === 'string' ? key : '';
  switch (head) {
    case 'restart':
      return RESTART_FIELD[sub] ?? 'restartMode';
    case 'stall':
      return STALL_FIELD[sub] ?? 'stallQuiet';
    case 'guard':
      return GUARD_FIELD[sub] ?? 'guard';
    case 'niceness':
      return 'niceness';
    default:
      return null;
  }
}

interface IssueLike {
  path: readonly PropertyKey[];
  message: string;
  code?: string;
  minimum?: unknown;
  maximum?: unknown;
}

/** The contract's message, or for a millisecond field out of range, the same rule in seconds. */
function messageFor(field: PolicyField, issue: IssueLike): string {
  const label = SECONDS_LABEL[field];
  if (label !== undefined) {
    if (issue.code === 'too_small' && typeof issue.minimum === 'number') return `${label} is at least ${secondsText(issue.minimum)} s`;
    if (issue.code === 'too_big' && typeof issue.maximum === 'number') return `${label} is at most ${secondsText(issue.maximum)} s`;
  }
  return issue.message;
}

function add(errors: PolicyErrors, field: PolicyField, message: string): void {
  const list = errors[field] ?? (errors[field] = []);
  if (!list.includes(message)) list.push(message);
}

/** A number field's value; '' and junk are reported (required) or null (optional). */
function numberIn(text: string, label: string, field: PolicyField, errors: PolicyErrors, optional = false): number | null {
  const trimmed = text.trim();
  if (trimmed === '') {
    if (!optional) add(errors, field, `${label} is required`);
    return null;
  }
  const value = Number(trimmed);
  if (!Number.isFinite(value)) {
    add(errors, field, `${label} must be a number`);
    return null;
  }
  return value;
}

/** Seconds text → whole ms (the contract counts ms). */
function msIn(text: string, label: string, field: PolicyField, errors: PolicyErrors): number | null {
  const seconds = numberIn(text, label, field, errors);
  return seconds === null ? null : Math.round(seconds * 1000);
}

/**
 * Validates the form with the contract's schemas and returns the policies, or
 * the errors by control. A section that is off is not validated (its fields
 * keep their text for when it is turned on again).
 */
export function buildPolicies(form: PolicyForm): PolicyResult {
  const errors: PolicyErrors = {};
  const prefixed = (head: string, issues: readonly IssueLike[]) => {
    for (const issue of issues) {
      const path = [head, ...issue.path];
      const field = policyFieldForIssuePath(path) ?? 'guard';
      add(errors, field, messageFor(field, issue));
    }
  };

  let restart: RestartPolicy | null = null;
  const maxRestarts = numberIn(form.maxRestarts, 'Max restarts', 'maxRestarts', errors);
  const initialDelayMs = msIn(form.initialDelaySeconds, 'First delay', 'initialDelay', errors);
  const maxDelayMs = msIn(form.maxDelaySeconds, 'Longest delay', 'maxDelay', errors);
  const resetAfterMs = msIn(form.resetAfterSeconds, 'Stable after', 'resetAfter', errors);
  if (maxRestarts !== null && initialDelayMs !== null && maxDelayMs !== null && resetAfterMs !== null) {
    const parsed = restartPolicySchema.safeParse({ mode: form.restartMode, maxRestarts, initialDelayMs, maxDelayMs, resetAfterMs });
    if (parsed.success) restart = parsed.data;
    else prefixed('restart', parsed.error.issues);
  }

  let stall: StallPolicy | null = null;
  if (form.stallOn) {
    const quietMs = msIn(form.stallQuietSeconds, 'Quiet for', 'stallQuiet', errors);
    const cpuBelowPercent = numberIn(form.stallCpuPercent, 'CPU threshold', 'stallCpu', errors);
    if (quietMs !== null && cpuBelowPercent !== null) {
      const parsed = stallPolicySchema.safeParse({ quietMs, cpuBelowPercent });
      if (parsed.success) stall = parsed.data;
      else prefixed('stall', parsed.error.issues);
    }
  }

  let guard: ResourceGuard | null = null;
  if (form.guardOn) {
    const before = Object.keys(errors).length;
    const memoryMb = numberIn(form.guardMemoryMb, 'Memory limit', 'guardMemory', errors, true);
    const cpuPercent = numberIn(form.guardCpuPercent, 'CPU limit', 'guardCpu', errors, true);
    const sustainedMs = msIn(form.guardSustainedSeconds, 'Sustained for', 'guardSustained', errors);
    if (Object.keys(errors).length === before && sustainedMs !== null) {
      const parsed = resourceGuardSchema.safeParse({ memoryMb, cpuPercent, sustainedMs, action: form.guardAction });
      if (parsed.success) guard = parsed.data;
      else prefixed('guard', parsed.error.issues);
    }
  }

  let niceness: number | null = null;
  const nice = numberIn(form.niceness, 'Niceness', 'niceness', errors, true);
  if (nice !== null) {
    const parsed = nicenessSchema.safeParse(nice);
    if (parsed.success) niceness = parsed.data;
    else for (const issue of parsed.error.issues) add(errors, 'niceness', issue.message);
  }

  if (Object.keys(errors).length > 0 || restart === null) return { ok: false, errors };
  return { ok: true, value: { restart, stall, guard, niceness } };
}

function sameRestart(a: RestartPolicy, b: RestartPolicy): boolean {
  return a.mode === b.mode && a.maxRestarts === b.maxRestarts && a.initialDelayMs === b.initialDelayMs && a.maxDelayMs === b.maxDelayMs && a.resetAfterMs === b.resetAfterMs;
}

function sameStall(a: StallPolicy, b: StallPolicy): boolean {
  return a.quietMs === b.quietMs && a.cpuBelowPercent === b.cpuBelowPercent;
}

/**
 * The policy fields of a spawn request: only what differs from what absence
 * means (restart: the default policy; stall: the default policy, null = off;
 * guard: none; niceness: inherited).
 */
export function spawnPolicyFields(values: PolicyValues): { restart?: RestartPolicy; stall?: StallPolicy | null; guard?: ResourceGuard; niceness?: number } {
  const fields: { restart?: RestartPolicy; stall?: StallPolicy | null; guard?: ResourceGuard; niceness?: number } = {};
  if (!sameRestart(values.restart, DEFAULT_RESTART_POLICY)) fields.restart = values.restart;
  if (values.stall === null) fields.stall = null;
  else if (!sameStall(values.stall, DEFAULT_STALL_POLICY)) fields.stall = values.stall;
  if (values.guard !== null) fields.guard = values.guard;
  if (values.niceness !== null) fields.niceness = values.niceness;
  return fields;
}

/** One line saying what the policies do, for a folded section's heading and the Overview. */
export function describePolicies(policies: AgentPolicies): string {
  const { restart, stall, guard, niceness } = policies;
  const parts = [
    restart.mode === 'no' ? 'no restart' : `restart ${RESTART_MODE_LABEL[restart.mode].toLowerCase()} (max ${restart.maxRestarts})`,
    stall === null ? 'no stall detection' : `stalled after ${secondsText(stall.quietMs)} s quiet`,
    guard === null ? 'no guard' : `guard: ${describeGuardLimits(guard)} → ${guard.action}`,
    niceness === null ? 'inherited priority' : `niceness ${niceness}`,
  ];
  return parts.join(' · ');
}

function describeGuardLimits(guard: ResourceGuard): string {
  const limits = [guard.memoryMb === null ? null : `${guard.memoryMb} MB`, guard.cpuPercent === null ? null : `${guard.cpuPercent} % CPU`].filter((part) => part !== null);
  return `${limits.join(' or ')} for ${secondsText(guard.sustainedMs)} s`;
}
