import { describe, expect, it } from 'vitest';
import type { PresetView } from '../../../src-preload/contract';
import { buildSpawnRequest, type FieldErrors, type NewAgentForm } from '../../../src-renderer/new-agent/build-request';
import {
  FALLBACK_CUSTOM,
  initialState,
  isBlockedByPreset,
  policyErrorsOf,
  reduce,
  selectedPreset,
  type NewAgentFormAction,
  type NewAgentFormState,
} from '../../../src-renderer/new-agent/use-new-agent-form';
import { defaultPolicyForm } from '../../../src-renderer/policies/policy-form';

function preset(overrides: Partial<PresetView> & Pick<PresetView, 'id' | 'label'>): PresetView {
  return { description: '', agentType: overrides.id, command: [], env: {}, model: null, available: true, unavailableReason: null, ...overrides };
}

const demo = preset({ id: 'demo', label: 'Demo agent', agentType: 'demo', command: ['node', 'demo.mjs', '--steps', '3'] });
const claude = preset({
  id: 'claude',
  label: 'Claude Code',
  agentType: 'claude-code',
  command: ['claude', '-p', '{prompt}'],
  model: 'sonnet',
  available: false,
  unavailableReason: 'claude is not on PATH',
});
const custom = preset({ id: 'custom', label: 'Custom command', agentType: 'custom' });
const PRESETS = [claude, demo, custom];
const SUFFIX = 'wxyz';

/** Runs the actions in order from `state`, as the dialog's dispatches would. */
function run(state: NewAgentFormState, ...actions: NewAgentFormAction[]): NewAgentFormState {
  return actions.reduce(reduce, state);
}

function loaded(presets: PresetView[] = PRESETS): NewAgentFormState {
  return run(initialState(SUFFIX), { type: 'presetsLoaded', result: { ok: true, value: presets } });
}

function formOf(state: NewAgentFormState): NewAgentForm {
  if (state.form === null) throw new Error('the form is not loaded');
  return state.form;
}

const edit = (field: Extract<NewAgentFormAction, { type: 'fieldEdited' }>['field'], value: string): NewAgentFormAction => ({ type: 'fieldEdited', field, value });

/** Freezes every object reachable from `value`, so a reducer that mutates its input throws. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

describe('loading the presets', () => {
  it('starts with nothing to edit, and ignores edits until the presets are in', () => {
    const state = initialState(SUFFIX);
    expect(state.form).toBeNull();
    expect(selectedPreset(state)).toBeUndefined();
    for (const action of [edit('name', 'x'), { type: 'presetChosen', presetId: 'demo' }, { type: 'secretsChanged', secrets: [] }] satisfies NewAgentFormAction[]) {
      expect(reduce(state, action)).toBe(state);
    }
  });

  it('chooses the Demo agent first and fills the form from it', () => {
    const state = loaded();
    expect(state.presetId).toBe('demo');
    expect(state.presetsError).toBeNull();
    expect(selectedPreset(state)).toBe(demo);
    expect(state.form).toEqual({
      name: 'Demo agent',
      agentId: `demo-agent-${SUFFIX}`,
      type: 'demo',
      parentAgentId: '',
      model: '',
      prompt: '',
      cwd: '',
      env: '',
      load: '',
      commandLine: 'node demo.mjs --steps 3',
      program: 'node',
      args: 'demo.mjs\n--steps\n3',
      secrets: [],
      policies: defaultPolicyForm(),
    });
  });

  it('falls back to a preset labelled Demo, then the first available one, then the first', () => {
    const demoByLabel = preset({ id: 'sample', label: 'demo of things' });
    expect(loaded([claude, custom, demoByLabel]).presetId).toBe('sample');
    expect(loaded([claude, custom]).presetId).toBe('custom');
    expect(loaded([claude]).presetId).toBe('claude');
  });

  it('offers Custom command alone, with the reason, when the list cannot be read', () => {
    const state = run(initialState(SUFFIX), { type: 'presetsLoaded', result: { ok: false, message: 'host unreachable' } });
    expect(state.presets).toEqual([FALLBACK_CUSTOM]);
    expect(state.presetsError).toBe('Could not read the presets: host unreachable');
    expect(formOf(state)).toMatchObject({ name: 'My agent', agentId: `my-agent-${SUFFIX}`, type: 'custom', program: '', args: '' });
  });

  it('offers Custom command, without an error, when the host has no presets', () => {
    const state = run(initialState(SUFFIX), { type: 'presetsLoaded', result: { ok: true, value: [] } });
    expect(state.presets).toEqual([FALLBACK_CUSTOM]);
    expect(state.presetsError).toBeNull();
  });
});

describe('editing fields', () => {
  it('suggests the agent id from the name until the user types an id', () => {
    let state = run(loaded(), edit('name', 'Night Shift'));
    expect(formOf(state)).toMatchObject({ name: 'Night Shift', agentId: `night-shift-${SUFFIX}` });
    state = run(state, edit('agentId', 'mine'), edit('name', 'Renamed'));
    expect(formOf(state)).toMatchObject({ name: 'Renamed', agentId: 'mine' });
    expect(state.nameEdited && state.idEdited).toBe(true);
  });

  it('clears only the edited field’s messages (Parent agent’s are under "parent")', () => {
    const errors: FieldErrors = { name: ['Name is required'], parent: ['Not a valid agent id'], load: ['Load must be a number'] };
    let state = run(loaded(), { type: 'submitRefused', errors });
    state = run(state, edit('parentAgentId', 'lead-1'));
    expect(state.errors).toEqual({ name: ['Name is required'], load: ['Load must be a number'] });
    state = run(state, edit('env', 'A=1'), edit('load', '5'));
    expect(state.errors).toEqual({ name: ['Name is required'] });
    expect(formOf(state)).toMatchObject({ parentAgentId: 'lead-1', env: 'A=1', load: '5' });
  });

  it('keeps the errors object when the edit clears nothing', () => {
    const state = run(loaded(), { type: 'submitRefused', errors: { name: ['Name is required'] } });
    expect(reduce(state, edit('prompt', 'hello')).errors).toBe(state.errors);
  });

  it('never changes the state it is given', () => {
    const state = deepFreeze(run(loaded(), { type: 'submitRefused', errors: { name: ['x'], maxRestarts: ['y'], secretEnv: ['z'], env: ['w'] } }));
    const actions: NewAgentFormAction[] = [
      edit('name', 'New'),
      { type: 'presetChosen', presetId: 'custom' },
      { type: 'secretsChanged', secrets: [{ id: 1, name: 'TOKEN', value: 's' }] },
      { type: 'policiesChanged', policies: { ...defaultPolicyForm(), maxRestarts: '3' }, changed: 'maxRestarts' },
      { type: 'allowLoaderEnvChanged', allow: true },
      { type: 'policiesToggled', open: true },
      { type: 'spawnStarted' },
      { type: 'spawnSettled', error: 'no' },
    ];
    for (const action of actions) expect(() => reduce(state, action)).not.toThrow();
  });
});

describe('choosing another preset', () => {
  it('replaces what came from the preset and keeps what the user typed', () => {
    const secrets = [{ id: 1, name: 'API_TOKEN', value: 'hunter2' }];
    const policies = { ...defaultPolicyForm(), restartMode: 'always' as const };
    const state = run(
      loaded(),
      edit('parentAgentId', 'lead-1'),
      edit('prompt', 'Fix the build'),
      edit('cwd', '/tmp/work'),
      edit('env', 'LD_PRELOAD=/x.so'),
      edit('load', '40'),
      edit('program', 'my-node'),
      { type: 'allowLoaderEnvChanged', allow: true },
      { type: 'secretsChanged', secrets },
      { type: 'policiesChanged', policies, changed: 'restartMode' },
      { type: 'presetChosen', presetId: 'claude' },
    );
    expect(state.presetId).toBe('claude');
    expect(formOf(state)).toEqual({
      name: 'Claude Code',
      agentId: `claude-code-${SUFFIX}`,
      type: 'claude-code',
      model: 'sonnet',
      commandLine: 'claude -p {prompt}',
      program: 'claude',
      args: '-p\n{prompt}',
      parentAgentId: 'lead-1',
      prompt: 'Fix the build',
      cwd: '/tmp/work',
      env: 'LD_PRELOAD=/x.so',
      load: '40',
      allowLoaderEnv: true,
      secrets,
      policies,
    });
  });

  it('keeps a typed name (suggesting the id from it) and a typed id', () => {
    const named = run(loaded(), edit('name', 'Reviewer'), { type: 'presetChosen', presetId: 'custom' });
    expect(formOf(named)).toMatchObject({ name: 'Reviewer', agentId: `reviewer-${SUFFIX}`, type: 'custom', program: '' });
    const withId = run(loaded(), edit('agentId', 'fixed-id'), { type: 'presetChosen', presetId: 'custom' });
    expect(formOf(withId)).toMatchObject({ name: 'My agent', agentId: 'fixed-id' });
  });

  it('clears every message, the spawn error included', () => {
    const state = run(loaded(), { type: 'submitRefused', errors: { name: ['x'], form: ['Something else'] } }, { type: 'presetChosen', presetId: 'custom' });
    expect(state.errors).toEqual({});
    expect(state.spawnError).toBeNull();
  });

  it('ignores an id that is not in the list', () => {
    const state = loaded();
    expect(reduce(state, { type: 'presetChosen', presetId: 'nope' })).toBe(state);
  });
});

describe('an unavailable preset', () => {
  it('blocks Start until the Command line names another program', () => {
    let state = run(loaded(), { type: 'presetChosen', presetId: 'claude' });
    expect(isBlockedByPreset(state)).toBe(true);
    state = run(state, edit('commandLine', ' claude  -p {prompt}'));
    expect(isBlockedByPreset(state)).toBe(true);
    state = run(state, edit('commandLine', '/opt/claude/bin/claude -p {prompt}'));
    expect(isBlockedByPreset(state)).toBe(false);
  });

  it('blocks Start until Program points somewhere else (one argument per line)', () => {
    let state = run(loaded(), { type: 'presetChosen', presetId: 'claude' }, { type: 'commandModeChanged', perLine: true });
    expect(isBlockedByPreset(state)).toBe(true);
    state = run(state, edit('program', ' claude '));
    expect(isBlockedByPreset(state)).toBe(true);
    state = run(state, edit('program', '/opt/claude/bin/claude'));
    expect(isBlockedByPreset(state)).toBe(false);
    expect(isBlockedByPreset(loaded())).toBe(false);
    expect(isBlockedByPreset(initialState(SUFFIX))).toBe(false);
  });
});

describe('secret variables and loader variables', () => {
  it('keeps the secret rows in the form and clears the Secret variables messages', () => {
    const rows = [
      { id: 1, name: 'API_TOKEN', value: 's3cr3t' },
      { id: 2, name: '', value: '' },
    ];
    let state = run(loaded(), { type: 'submitRefused', errors: { secretEnv: ['Secret 1: name the variable'], name: ['x'] } });
    state = run(state, { type: 'secretsChanged', secrets: rows });
    expect(formOf(state).secrets).toEqual(rows);
    expect(state.errors).toEqual({ name: ['x'] });
    // A row removed: the remaining one keeps its id, so its (uncontrolled) inputs stay in place.
    state = run(state, { type: 'secretsChanged', secrets: [rows[0]!] });
    expect(formOf(state).secrets).toEqual([rows[0]]);
  });

  it('ticking "Allow loader variables" clears the refusal shown under Environment', () => {
    let state = run(loaded(), edit('env', 'LD_PRELOAD=/x.so'), { type: 'submitRefused', errors: { env: ['LD_PRELOAD changes how every program loads'] } });
    state = run(state, { type: 'allowLoaderEnvChanged', allow: true });
    expect(formOf(state).allowLoaderEnv).toBe(true);
    expect(state.errors).toEqual({});
  });

  it('gives buildSpawnRequest what the user entered', () => {
    const state = run(
      loaded(),
      edit('name', 'Worker'),
      edit('prompt', 'go'),
      edit('env', 'LD_LIBRARY_PATH=/opt/lib'),
      { type: 'allowLoaderEnvChanged', allow: true },
      { type: 'secretsChanged', secrets: [{ id: 1, name: 'API_TOKEN', value: 's3cr3t' }] },
      { type: 'policiesChanged', policies: { ...defaultPolicyForm(), niceness: '5' }, changed: 'niceness' },
    );
    const built = buildSpawnRequest(selectedPreset(state), formOf(state), 'req-1');
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.request).toMatchObject({
      agentId: `worker-${SUFFIX}`,
      agentName: 'Worker',
      agentType: 'demo',
      command: ['node', 'demo.mjs', '--steps', '3'],
      env: { LD_LIBRARY_PATH: '/opt/lib' },
      secretEnv: { API_TOKEN: 's3cr3t' },
      allowLoaderEnv: true,
      niceness: 5,
    });
  });
});

describe('policies', () => {
  const refused = () =>
    run(loaded(), { type: 'submitRefused', errors: { name: ['Name is required'], guardMemory: ['Memory must be a number'], guard: ['Set a memory or CPU limit'], niceness: ['Niceness is at least -20'] } });

  it('a change clears the messages it makes stale, and only those', () => {
    const policies = { ...defaultPolicyForm(), guardOn: true, guardMemoryMb: '512' };
    const state = run(refused(), { type: 'policiesChanged', policies, changed: 'guardMemoryMb' });
    expect(formOf(state).policies).toEqual(policies);
    expect(state.errors).toEqual({ name: ['Name is required'], niceness: ['Niceness is at least -20'] });
    expect(policyErrorsOf(state.errors)).toEqual({ niceness: ['Niceness is at least -20'] });
  });

  it('keeps the errors object when the change clears nothing', () => {
    const state = refused();
    expect(reduce(state, { type: 'policiesChanged', policies: { ...defaultPolicyForm(), maxRestarts: '4' }, changed: 'maxRestarts' }).errors).toBe(state.errors);
  });

  it('opens the folded section when Start finds a problem in it, and not for other problems', () => {
    expect(run(loaded(), { type: 'submitRefused', errors: { name: ['x'] } }).policiesOpen).toBe(false);
    expect(refused().policiesOpen).toBe(true);
    // Opened by the user: a later refusal without policy problems leaves it open.
    const open = run(loaded(), { type: 'policiesToggled', open: true }, { type: 'submitRefused', errors: { name: ['x'] } });
    expect(open.policiesOpen).toBe(true);
    expect(run(open, { type: 'policiesToggled', open: false }).policiesOpen).toBe(false);
  });
});

describe('Start', () => {
  it('shows a problem no field owns at the foot, and clears an earlier one', () => {
    const withForm = run(loaded(), { type: 'submitRefused', errors: { form: ['Unrecognized key', 'Another'] } });
    expect(withForm.spawnError).toBe('Unrecognized key Another');
    expect(run(withForm, { type: 'submitRefused', errors: { name: ['x'] } }).spawnError).toBeNull();
  });

  it('clears the messages while the spawn is in flight, and shows why it failed', () => {
    let state = run(loaded(), { type: 'submitRefused', errors: { name: ['x'], form: ['y'] } }, { type: 'spawnStarted' });
    expect(state).toMatchObject({ submitting: true, errors: {}, spawnError: null });
    state = run(state, { type: 'spawnSettled', error: 'spawn node ENOENT' });
    expect(state).toMatchObject({ submitting: false, spawnError: 'spawn node ENOENT' });
    state = run(state, { type: 'spawnStarted' }, { type: 'spawnSettled', error: null });
    expect(state).toMatchObject({ submitting: false, spawnError: null });
    // The user's entries survive a failed spawn, so they can fix and retry.
    expect(formOf(state)).toEqual(formOf(loaded()));
  });
});
