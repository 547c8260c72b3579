/**
 * The New agent dialog's form state: one pure reducer (`reduce`, exported so
 * tests drive it without a DOM) and `useNewAgentForm()` around it. The dialog
 * keeps the side effects (reading the presets, spawning, moving focus) and
 * dispatches what they found.
 *
 * Secret values pass through here (a row's `value`, in memory, for the
 * request) but nothing renders them: SecretFields keeps their inputs
 * uncontrolled so React never writes a value into the DOM.
 */
import { useReducer, type Dispatch } from 'react';
import type { PresetView } from '../../src-preload/contract';
import { clearPolicyErrors } from '../policies/PolicyFields';
import { defaultPolicyForm, type PolicyErrors, type PolicyField, type PolicyForm } from '../policies/policy-form';
import { assertNever } from '../state/assert-never';
import { randomSuffix, suggestAgentId } from './agent-id';
import { commandOf, parseArguments, type FieldErrors, type FormField, type NewAgentForm, type SecretRow } from './build-request';
import { formatCommandLine, perLineProblem } from './command-line';

/** The form's plain text fields (what `fieldEdited` edits). */
export type TextField = Exclude<keyof NewAgentForm, 'allowLoaderEnv' | 'secrets' | 'policies'>;

const POLICY_FIELDS: readonly PolicyField[] = [
  'restartMode',
  'maxRestarts',
  'initialDelay',
  'maxDelay',
  'resetAfter',
  'stallQuiet',
  'stallCpu',
  'guardMemory',
  'guardCpu',
  'guardSustained',
  'guardAction',
  'guard',
  'niceness',
];

/** Used when the host's list cannot be read (or is empty): the user can still start any program. */
export const FALLBACK_CUSTOM: PresetView = {
  id: 'custom',
  label: 'Custom command',
  description: 'Any program with its arguments.',
  agentType: 'custom',
  command: [],
  env: {},
  model: null,
  available: true,
  unavailableReason: null,
};

export interface NewAgentFormState {
  /** Null until the host's list (or the fallback) is in. */
  presets: PresetView[] | null;
  /** Why the host's list could not be read; the dialog then offers Custom command only. */
  presetsError: string | null;
  presetId: string;
  /** The random end of suggested ids, fixed for the dialog's life so a suggestion is stable while the user types. */
  suffix: string;
  /** Null until the presets are in. */
  form: NewAgentForm | null;
  /** The user typed a name: choosing another preset keeps it. */
  nameEdited: boolean;
  /** The user typed an id: renaming or choosing another preset no longer suggests one. */
  idEdited: boolean;
  errors: FieldErrors;
  /** Shown at the foot: why the spawn failed, or a problem no field owns. */
  spawnError: string | null;
  submitting: boolean;
  /** The folded Policies section is open. */
  policiesOpen: boolean;
  /** Duplicate: the form to open with (duplicate.ts), under the Custom command preset, instead of the default preset's. */
  duplicateOf?: NewAgentForm;
}

/** What reading the presets gave (the shape `settle` returns). */
export type PresetsResult = { ok: true; value: PresetView[] } | { ok: false; message: string };

export type NewAgentFormAction =
  | { type: 'presetsLoaded'; result: PresetsResult }
  | { type: 'presetChosen'; presetId: string }
  | { type: 'fieldEdited'; field: TextField; value: string }
  | { type: 'secretsChanged'; secrets: SecretRow[] }
  | { type: 'policiesChanged'; policies: PolicyForm; changed: keyof PolicyForm }
  | { type: 'allowLoaderEnvChanged'; allow: boolean }
  /** The "One argument per line" toggle: the same argv moves to the other editor (refused, with a message, when it cannot). */
  | { type: 'commandModeChanged'; perLine: boolean }
  | { type: 'policiesToggled'; open: boolean }
  /** Start found problems (buildSpawnRequest's errors): nothing was sent. */
  | { type: 'submitRefused'; errors: FieldErrors }
  | { type: 'spawnStarted' }
  /** The spawn call came back: `error` is null when the agent started. */
  | { type: 'spawnSettled'; error: string | null };

/** A preset with no command is "Custom command": Program and Arguments are shown up front. */
export function isCustom(preset: PresetView): boolean {
  return preset.command.length === 0;
}

/** The Demo agent is the default so the first Start shows Corral at work. */
function defaultPreset(presets: readonly PresetView[]): PresetView | undefined {
  return (
    presets.find((preset) => preset.id === 'demo') ??
    presets.find((preset) => preset.label.toLowerCase().startsWith('demo')) ??
    presets.find((preset) => preset.available) ??
    presets[0]
  );
}

function formFor(preset: PresetView, suffix: string): NewAgentForm {
  const name = isCustom(preset) ? 'My agent' : preset.label;
  return {
    name,
    agentId: suggestAgentId(name, suffix),
    type: preset.agentType,
    parentAgentId: '',
    model: preset.model ?? '',
    prompt: '',
    cwd: '',
    env: '',
    load: '',
    commandLine: formatCommandLine(preset.command),
    program: preset.command[0] ?? '',
    args: preset.command.slice(1).join('\n'),
    secrets: [],
    policies: defaultPolicyForm(),
  };
}

/** The state before the presets arrive. */
export function initialState(suffix: string): NewAgentFormState {
  return {
    presets: null,
    presetsError: null,
    presetId: '',
    suffix,
    form: null,
    nameEdited: false,
    idEdited: false,
    errors: {},
    spawnError: null,
    submitting: false,
    policiesOpen: false,
  };
}

/** The chosen preset; undefined while loading. */
export function selectedPreset(state: NewAgentFormState): PresetView | undefined {
  return state.presets?.find((candidate) => candidate.id === state.presetId);
}

/** Start is off for an unavailable preset until the user points Program at another executable. */
export function isBlockedByPreset(state: NewAgentFormState): boolean {
  const preset = selectedPreset(state);
  if (preset === undefined || preset.available) return false;
  if (state.form === null) return true;
  const command = commandOf(state.form);
  return !command.ok || (command.argv[0] ?? '').trim() === (preset.command[0] ?? '');
}

/** Moves the argv between the Command line field and the one-per-line editor; the same state (with a message) when it cannot. */
function changeCommandMode(state: NewAgentFormState, form: NewAgentForm, perLine: boolean): NewAgentFormState {
  if (perLine === (form.commandLine === undefined)) return state;
  if (!perLine) {
    const commandLine = formatCommandLine([form.program.trim(), ...parseArguments(form.args)]);
    return { ...state, form: { ...form, commandLine }, errors: without(state.errors, 'program', 'args') };
  }
  const command = commandOf(form);
  const problem = command.ok ? perLineProblem(command.argv) : command.error;
  if (!command.ok || problem !== null) return { ...state, errors: { ...state.errors, commandLine: [problem ?? 'The command line does not parse.'] } };
  const next: NewAgentForm = { ...form, program: command.argv[0] ?? '', args: command.argv.slice(1).join('\n') };
  delete next.commandLine;
  return { ...state, form: next, errors: without(state.errors, 'commandLine') };
}

/** The policy fields' share of the errors (what the Policies section shows). */
export function policyErrorsOf(errors: FieldErrors): PolicyErrors {
  const policyErrors: PolicyErrors = {};
  for (const field of POLICY_FIELDS) if (errors[field] !== undefined) policyErrors[field] = errors[field];
  return policyErrors;
}

/** `errors` without `fields` (the user is fixing them: their messages wait for the next Start); the same object when none is there. */
function without(errors: FieldErrors, ...fields: FormField[]): FieldErrors {
  if (!fields.some((field) => errors[field] !== undefined)) return errors;
  const next = { ...errors };
  for (const field of fields) delete next[field];
  return next;
}

function withPolicyChange(errors: FieldErrors, changed: keyof PolicyForm): FieldErrors {
  const policyErrors = policyErrorsOf(errors);
  const cleared = clearPolicyErrors(policyErrors, changed);
  if (cleared === policyErrors) return errors;
  return { ...without(errors, ...POLICY_FIELDS), ...cleared };
}

/** Another preset: keep what the user typed, replace what came from the previous preset. */
function choosePreset(state: NewAgentFormState, form: NewAgentForm, presetId: string): NewAgentFormState {
  const next = state.presets?.find((candidate) => candidate.id === presetId);
  if (next === undefined) return state;
  const fresh = formFor(next, state.suffix);
  // The user's choice of editor stays.
  if (form.commandLine === undefined) delete fresh.commandLine;
  return {
    ...state,
    presetId,
    form: {
      ...fresh,
      name: state.nameEdited ? form.name : fresh.name,
      agentId: state.idEdited ? form.agentId : state.nameEdited ? suggestAgentId(form.name, state.suffix) : fresh.agentId,
      parentAgentId: form.parentAgentId,
      prompt: form.prompt,
      cwd: form.cwd,
      env: form.env,
      allowLoaderEnv: form.allowLoaderEnv,
      load: form.load,
      secrets: form.secrets ?? [],
      policies: form.policies ?? defaultPolicyForm(),
    },
    errors: {},
    spawnError: null,
  };
}

/** The dialog's reducer: pure, so the same action on the same state always gives the same state. */
export function reduce(state: NewAgentFormState, action: NewAgentFormAction): NewAgentFormState {
  switch (action.type) {
    case 'presetsLoaded': {
      const { result } = action;
      const presets = result.ok && result.value.length > 0 ? result.value : [FALLBACK_CUSTOM];
      const presetsError = result.ok ? null : `Could not read the presets: ${result.message}`;
      if (state.duplicateOf !== undefined) {
        const custom = presets.find(isCustom) ?? FALLBACK_CUSTOM;
        const withCustom = presets.includes(custom) ? presets : [...presets, custom];
        return { ...state, presets: withCustom, presetsError, presetId: custom.id, form: state.duplicateOf, nameEdited: true, idEdited: true };
      }
      const initial = defaultPreset(presets) ?? FALLBACK_CUSTOM;
      return { ...state, presets, presetsError, presetId: initial.id, form: formFor(initial, state.suffix) };
    }
    case 'presetChosen':
      return state.form === null ? state : choosePreset(state, state.form, action.presetId);
    case 'fieldEdited': {
      if (state.form === null) return state;
      const { field, value } = action;
      const form = { ...state.form, [field]: value };
      if (field === 'name' && !state.idEdited) form.agentId = suggestAgentId(value, state.suffix);
      return {
        ...state,
        form,
        errors: without(state.errors, field === 'parentAgentId' ? 'parent' : field),
        nameEdited: state.nameEdited || field === 'name',
        idEdited: state.idEdited || field === 'agentId',
      };
    }
    case 'secretsChanged':
      if (state.form === null) return state;
      return { ...state, form: { ...state.form, secrets: action.secrets }, errors: without(state.errors, 'secretEnv') };
    case 'policiesChanged':
      if (state.form === null) return state;
      return { ...state, form: { ...state.form, policies: action.policies }, errors: withPolicyChange(state.errors, action.changed) };
    case 'allowLoaderEnvChanged':
      if (state.form === null) return state;
      // Its refusal shows under Environment: the user just acted on it.
      return { ...state, form: { ...state.form, allowLoaderEnv: action.allow }, errors: without(state.errors, 'env') };
    case 'commandModeChanged':
      return state.form === null ? state : changeCommandMode(state, state.form, action.perLine);
    case 'policiesToggled':
      return { ...state, policiesOpen: action.open };
    case 'submitRefused':
      return {
        ...state,
        errors: action.errors,
        spawnError: action.errors.form === undefined ? null : action.errors.form.join(' '),
        // A problem inside the folded section would be invisible: open it.
        policiesOpen: state.policiesOpen || POLICY_FIELDS.some((field) => action.errors[field] !== undefined),
      };
    case 'spawnStarted':
      return { ...state, errors: {}, spawnError: null, submitting: true };
    case 'spawnSettled':
      return { ...state, submitting: false, spawnError: action.error };
    default:
      return assertNever(action);
  }
}

/** The dialog's form state, with a suffix for suggested ids drawn once per dialog; `duplicateOf`: Duplicate's form for that suffix. */
export function useNewAgentForm(duplicateOf?: (suffix: string) => NewAgentForm): [NewAgentFormState, Dispatch<NewAgentFormAction>] {
  return useReducer(reduce, undefined, () => {
    const state = initialState(randomSuffix());
    return duplicateOf === undefined ? state : { ...state, duplicateOf: duplicateOf(state.suffix) };
  });
}
