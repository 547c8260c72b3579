import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTART_POLICY, DEFAULT_STALL_POLICY, resourceGuardSchema, restartPolicySchema, stallPolicySchema, type AgentPolicies } from '../../../src-preload/contract';
import {
  buildPolicies,
  defaultPolicyForm,
  describePolicies,
  policyFieldForIssuePath,
  policyFormFrom,
  secondsText,
  spawnPolicyFields,
  type PolicyForm,
} from '../../../src-renderer/policies/policy-form';

function form(overrides: Partial<PolicyForm> = {}): PolicyForm {
  return { ...defaultPolicyForm(), ...overrides };
}

describe('policy form', () => {
  it('starts from the contract defaults: no restart, stall detection on (5 min, 5 %), no guard, inherited priority', () => {
    const result = buildPolicies(defaultPolicyForm());
    expect(result).toEqual({ ok: true, value: { restart: DEFAULT_RESTART_POLICY, stall: DEFAULT_STALL_POLICY, guard: null, niceness: null } });
    expect(defaultPolicyForm()).toMatchObject({ restartMode: 'no', initialDelaySeconds: '1', maxDelaySeconds: '60', stallOn: true, stallQuietSeconds: '300', guardOn: false, niceness: '' });
  });

  it('turns seconds into whole milliseconds that the contract schemas accept', () => {
    const result = buildPolicies(
      form({
        restartMode: 'on-failure',
        maxRestarts: '2',
        initialDelaySeconds: '0.1',
        maxDelaySeconds: '2.5',
        resetAfterSeconds: '30',
        stallQuietSeconds: '2',
        stallCpuPercent: '1.5',
        guardOn: true,
        guardMemoryMb: '1',
        guardCpuPercent: '',
        guardSustainedSeconds: '1',
        guardAction: 'notify',
        niceness: '10',
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.restart).toEqual({ mode: 'on-failure', maxRestarts: 2, initialDelayMs: 100, maxDelayMs: 2500, resetAfterMs: 30_000 });
    expect(result.value.stall).toEqual({ quietMs: 2000, cpuBelowPercent: 1.5 });
    expect(result.value.guard).toEqual({ memoryMb: 1, cpuPercent: null, sustainedMs: 1000, action: 'notify' });
    expect(result.value.niceness).toBe(10);
    expect(restartPolicySchema.safeParse(result.value.restart).success).toBe(true);
    expect(stallPolicySchema.safeParse(result.value.stall).success).toBe(true);
    expect(resourceGuardSchema.safeParse(result.value.guard).success).toBe(true);
  });

  it('reports each problem under its own field, with millisecond limits said in seconds', () => {
    const result = buildPolicies(form({ maxRestarts: '-1', initialDelaySeconds: '0.01', maxDelaySeconds: '', stallQuietSeconds: '0.5', niceness: '25' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.maxDelay).toEqual(['Longest delay is required']);
    expect(result.errors.stallQuiet).toEqual(['Quiet for is at least 1 s']);
    expect(result.errors.niceness).toEqual(['Niceness is at most 19']);
    // The restart schema runs once every restart field is a number.
    const restart = buildPolicies(form({ maxRestarts: '-1', initialDelaySeconds: '0.01' }));
    expect(!restart.ok && restart.errors).toEqual({ maxRestarts: ['Max restarts is at least 0'], initialDelay: ['First delay is at least 0.1 s'] });
  });

  it('refuses a guard with neither a memory nor a CPU limit, and a whole-number niceness only', () => {
    const result = buildPolicies(form({ guardOn: true, guardMemoryMb: '', guardCpuPercent: '', niceness: '1.5' }));
    expect(!result.ok && result.errors.guard).toEqual(['a resource guard needs a memory or a CPU limit']);
    expect(!result.ok && result.errors.niceness).toEqual(['Niceness must be a whole number']);
  });

  it('does not validate a section that is off, and sends it as off', () => {
    const result = buildPolicies(form({ stallOn: false, stallQuietSeconds: 'junk', guardOn: false, guardMemoryMb: '-5' }));
    expect(result.ok && result.value.stall).toBeNull();
    expect(result.ok && result.value.guard).toBeNull();
  });

  it('shows an agent’s policies and gives them back unchanged', () => {
    const policies: AgentPolicies = {
      restart: { mode: 'always', maxRestarts: 7, initialDelayMs: 1500, maxDelayMs: 90_000, resetAfterMs: 120_000 },
      stall: null,
      guard: { memoryMb: null, cpuPercent: 250, sustainedMs: 45_000, action: 'restart' },
      niceness: -5,
    };
    const shown = policyFormFrom(policies);
    expect(shown).toMatchObject({ initialDelaySeconds: '1.5', stallOn: false, guardOn: true, guardMemoryMb: '', guardCpuPercent: '250', niceness: '-5' });
    expect(buildPolicies(shown)).toEqual({ ok: true, value: policies });
  });

  it('maps contract issue paths to policy fields', () => {
    expect(policyFieldForIssuePath(['restart', 'maxDelayMs'])).toBe('maxDelay');
    expect(policyFieldForIssuePath(['stall', 'cpuBelowPercent'])).toBe('stallCpu');
    expect(policyFieldForIssuePath(['guard'])).toBe('guard');
    expect(policyFieldForIssuePath(['guard', 'sustainedMs'])).toBe('guardSustained');
    expect(policyFieldForIssuePath(['niceness'])).toBe('niceness');
    expect(policyFieldForIssuePath(['env'])).toBeNull();
  });

  it('puts in a spawn request only what differs from what absence means', () => {
    const defaults = buildPolicies(defaultPolicyForm());
    expect(defaults.ok && spawnPolicyFields(defaults.value)).toEqual({});
    const off = buildPolicies(form({ stallOn: false, niceness: '3' }));
    expect(off.ok && spawnPolicyFields(off.value)).toEqual({ stall: null, niceness: 3 });
  });

  it('says what the policies do in one line', () => {
    expect(describePolicies({ restart: DEFAULT_RESTART_POLICY, stall: DEFAULT_STALL_POLICY, guard: null, niceness: null })).toBe(
      'no restart · stalled after 300 s quiet · no guard · inherited priority',
    );
    expect(secondsText(100)).toBe('0.1');
  });
});
