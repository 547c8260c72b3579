/**
 * New agent form → SpawnRequest. Pure: the dialog calls it on submit, tests
 * call it directly. The contract's own schema is the last word on validity,
 * and each of its issues is mapped back to the form field that caused it so
 * the dialog can show it right there.
 *
 * Rules:
 * - The command is the Command line field, split into argv with shell-style
 *   quoting (command-line.ts; no shell ever runs), or, when the user switched
 *   to the one-per-line editor (`commandLine` absent), Program + Arguments
 *   (one per line; blank lines are dropped, and a trailing \r from pasted
 *   Windows text is removed). A preset fills both in; `{prompt}` inside an
 *   argument is replaced by the prompt text, byte for byte.
 * - A prompt over STDIN_PROMPT_THRESHOLD characters goes on stdin instead (one
 *   argv entry is capped at 128 KiB by the OS) and every argument that held
 *   `{prompt}` is dropped. An empty prompt drops an argument that is exactly
 *   `{prompt}` (rather than passing an empty argument).
 * - env = the preset's env, then the user's `KEY=value` lines on top (a user
 *   value wins). Blank lines and lines starting with # are ignored.
 * - Loader keys (LD_*, DYLD_*) are refused by the contract unless the request
 *   says `allowLoaderEnv: true`: that is sent only when the user ticked "Allow
 *   loader variables" (offered only while the Environment text holds such a key).
 * - Optional text fields left blank are omitted, not sent as "".
 * - Secret variables (name + value rows) go in `secretEnv`; a blank row is
 *   ignored. A secret named like one of the preset's variables replaces it; one
 *   named like a user's Environment line is refused by the contract.
 * - Policies (see policies/policy-form.ts) are sent only where they differ
 *   from what their absence means.
 */
import { isLoaderEnvKey, spawnRequestSchema, type PresetView, type SpawnRequest } from '../../src-preload/contract';
import { parseCommandLine } from './command-line';
import { buildPolicies, policyFieldForIssuePath, spawnPolicyFields, type PolicyField, type PolicyForm } from '../policies/policy-form';

export const PROMPT_PLACEHOLDER = '{prompt}';
/** Prompts longer than this travel on stdin. */
export const STDIN_PROMPT_THRESHOLD = 100_000;

export type FormField = 'name' | 'agentId' | 'type' | 'parent' | 'model' | 'prompt' | 'cwd' | 'env' | 'secretEnv' | 'load' | 'commandLine' | 'program' | 'args' | 'form' | PolicyField;

/** One row of the Secret variables editor. `id` keeps the row's inputs in place when another row is removed. */
export interface SecretRow {
  id: number;
  name: string;
  value: string;
}

export interface NewAgentForm {
  name: string;
  agentId: string;
  type: string;
  parentAgentId: string;
  model: string;
  prompt: string;
  cwd: string;
  /** KEY=value, one per line. */
  env: string;
  /** Text of the Load % field ('' for none). */
  load: string;
  /**
   * The Command line text (program and arguments, shell-style quoting): the
   * command while it is present. Absent: the one-per-line editor is in use
   * and `program` + `args` are the command (they are ignored otherwise).
   */
  commandLine?: string;
  program: string;
  /** One argument per line. */
  args: string;
  /** "Allow loader variables (LD_*, DYLD_*)": counts only while `env` (or a secret) holds such a key. */
  allowLoaderEnv?: boolean;
  /** Secret variables; absent = none. */
  secrets?: SecretRow[];
  /** Absent = every policy at its default. */
  policies?: PolicyForm;
}

export type FieldErrors = Partial<Record<FormField, string[]>>;

export type BuildResult = { ok: true; request: SpawnRequest } | { ok: false; errors: FieldErrors };

/** Splits the Arguments text into argv entries. */
export function parseArguments(text: string): string[] {
  return text
    .split('\n')
    .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
    .filter((line) => line !== '');
}

/** The command as argv (program first, `{prompt}` not yet replaced), from whichever editor is in use. */
export function commandOf(form: Pick<NewAgentForm, 'commandLine' | 'program' | 'args'>): { ok: true; argv: string[] } | { ok: false; error: string } {
  if (form.commandLine !== undefined) return parseCommandLine(form.commandLine);
  return { ok: true, argv: [form.program.trim(), ...parseArguments(form.args)] };
}

/** Parses KEY=value lines. Errors name the line so the user can find it. */
export function parseEnvironment(text: string): { env: Record<string, string>; errors: string[] } {
  const env: Record<string, string> = {};
  const errors: string[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const equals = line.indexOf('=');
    if (equals <= 0) {
      errors.push(`Line ${index + 1}: expected KEY=value`);
      return;
    }
    env[line.slice(0, equals).trim()] = line.slice(equals + 1);
  });
  return { env, errors };
}

/** The loader keys (LD_*, DYLD_*) in the Environment text and the secret names, in order: the dialog offers "Allow loader variables" while there are any. */
export function loaderKeysIn(envText: string, secretNames: readonly string[] = []): string[] {
  const keys = [...Object.keys(parseEnvironment(envText).env), ...secretNames.map((name) => name.trim())].filter(isLoaderEnvKey);
  return [...new Set(keys)];
}

/** Secret rows → secretEnv. Blank rows are skipped; a name without a value (or the reverse) and a name used twice are reported. */
export function parseSecrets(rows: readonly SecretRow[]): { secretEnv: Record<string, string>; errors: string[] } {
  const secretEnv: Record<string, string> = {};
  const errors: string[] = [];
  rows.forEach((row, index) => {
    const name = row.name.trim();
    if (name === '' && row.value === '') return;
    if (name === '') {
      errors.push(`Secret ${index + 1}: name the variable`);
      return;
    }
    if (row.value === '') {
      errors.push(`${name}: the secret value is empty`);
      return;
    }
    if (Object.hasOwn(secretEnv, name)) {
      errors.push(`${name} is named twice`);
      return;
    }
    secretEnv[name] = row.value;
  });
  return { secretEnv, errors };
}

/** argv with `{prompt}` resolved, or dropped when the prompt goes on stdin. */
export function substitutePrompt(argv: readonly string[], prompt: string, onStdin: boolean): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    if (!arg.includes(PROMPT_PLACEHOLDER)) {
      out.push(arg);
    } else if (onStdin || (prompt === '' && arg === PROMPT_PLACEHOLDER)) {
      continue;
    } else {
      out.push(arg.split(PROMPT_PLACEHOLDER).join(prompt));
    }
  }
  return out;
}

/** Which form field a contract issue path points at. */
export function fieldForIssuePath(path: readonly PropertyKey[]): FormField {
  const [head, index] = path;
  switch (head) {
    case 'agentId':
      return 'agentId';
    case 'agentName':
      return 'name';
    case 'agentType':
      return 'type';
    case 'parentAgentId':
      return 'parent';
    case 'model':
      return 'model';
    case 'prompt':
    case 'stdin':
      return 'prompt';
    case 'loadPercentage':
      return 'load';
    case 'command':
      return typeof index === 'number' && index > 0 ? 'args' : 'program';
    case 'cwd':
      return 'cwd';
    case 'env':
      return 'env';
    case 'secretEnv':
      return 'secretEnv';
    default:
      return policyFieldForIssuePath(path) ?? 'form';
  }
}

function addError(errors: FieldErrors, field: FormField, message: string): void {
  const list = errors[field] ?? (errors[field] = []);
  if (!list.includes(message)) list.push(message);
}

function optionalText(value: string): string | undefined {
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * A fresh request id. crypto.randomUUID exists only in secure contexts; the
 * web host is on loopback (secure), but a page reached another way must still
 * be able to start agents, so fall back to a v4 UUID from getRandomValues.
 */
export function newRequestId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function buildSpawnRequest(preset: PresetView | undefined, form: NewAgentForm, requestId: string = newRequestId()): BuildResult {
  const errors: FieldErrors = {};

  const userEnv = parseEnvironment(form.env);
  for (const message of userEnv.errors) addError(errors, 'env', message);

  let loadPercentage: number | undefined;
  if (form.load.trim() !== '') {
    const value = Number(form.load.trim());
    if (Number.isFinite(value)) loadPercentage = value;
    else addError(errors, 'load', 'Load must be a number');
  }

  const command = commandOf(form);
  if (!command.ok) addError(errors, 'commandLine', command.error);
  const [program = '', ...argv] = command.ok ? command.argv : [];
  const onStdin = form.prompt.length > STDIN_PROMPT_THRESHOLD;
  const args = substitutePrompt(argv, form.prompt, onStdin);
  const env = { ...(preset?.env ?? {}), ...userEnv.env };
  const secrets = parseSecrets(form.secrets ?? []);
  for (const message of secrets.errors) addError(errors, 'secretEnv', message);
  // A secret replaces a preset's variable of the same name (a user's own line is a conflict the contract reports).
  for (const key of Object.keys(secrets.secretEnv)) if (!Object.hasOwn(userEnv.env, key)) delete env[key];
  const policies = form.policies === undefined ? null : buildPolicies(form.policies);
  if (policies !== null && !policies.ok) {
    for (const [field, messages] of Object.entries(policies.errors)) for (const message of messages) addError(errors, field as PolicyField, message);
  }

  const request: SpawnRequest = {
    requestId,
    agentId: form.agentId.trim(),
    agentName: form.name.trim(),
    agentType: form.type.trim(),
    command: [program, ...args],
  };
  const parent = optionalText(form.parentAgentId);
  if (parent !== undefined) request.parentAgentId = parent;
  const model = optionalText(form.model);
  if (model !== undefined) request.model = model;
  if (form.prompt !== '') request.prompt = form.prompt;
  if (loadPercentage !== undefined) request.loadPercentage = loadPercentage;
  const cwd = optionalText(form.cwd);
  if (cwd !== undefined) request.cwd = cwd;
  if (Object.keys(env).length > 0) request.env = env;
  if (Object.keys(secrets.secretEnv).length > 0) request.secretEnv = secrets.secretEnv;
  if (onStdin) request.stdin = form.prompt;
  if (form.allowLoaderEnv === true && [...Object.keys(userEnv.env), ...Object.keys(secrets.secretEnv)].some(isLoaderEnvKey)) request.allowLoaderEnv = true;
  if (policies !== null && policies.ok) Object.assign(request, spawnPolicyFields(policies.value));

  const parsed = spawnRequestSchema.safeParse(request);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldForIssuePath(issue.path);
      // The command's problems show under the field that holds it.
      addError(errors, form.commandLine !== undefined && (field === 'program' || field === 'args') ? 'commandLine' : field, issue.message);
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, request: parsed.success ? parsed.data : request };
}
