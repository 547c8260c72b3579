import { describe, expect, it } from 'vitest';
import { spawnRequestSchema, type PresetView } from '../../../src-preload/contract';
import {
  buildSpawnRequest,
  fieldForIssuePath,
  loaderKeysIn,
  newRequestId,
  parseArguments,
  parseEnvironment,
  STDIN_PROMPT_THRESHOLD,
  substitutePrompt,
  type NewAgentForm,
} from '../../../src-renderer/new-agent/build-request';
import { slugify, suggestAgentId } from '../../../src-renderer/new-agent/agent-id';
import { defaultPolicyForm } from '../../../src-renderer/policies/policy-form';
import { AGENT_ID_PATTERN } from '../../../src-preload/contract';

const claude: PresetView = {
  id: 'claude',
  label: 'Claude Code',
  description: '',
  agentType: 'claude-code',
  command: ['claude', '-p', '{prompt}', '--output-format', 'stream-json'],
  env: { FROM_PRESET: '1', SHARED: 'preset' },
  model: 'sonnet',
  available: true,
  unavailableReason: null,
};

function form(overrides: Partial<NewAgentForm> = {}): NewAgentForm {
  return {
    name: 'Reviewer',
    agentId: 'reviewer-abcd',
    type: 'claude-code',
    parentAgentId: '',
    model: 'sonnet',
    prompt: 'Review "this"; $(rm -rf /)\nline two ✓',
    cwd: '',
    env: '',
    load: '',
    program: 'claude',
    args: '-p\n{prompt}\n--output-format\nstream-json',
    ...overrides,
  };
}

describe('buildSpawnRequest', () => {
  it('puts the prompt in place of {prompt}, byte for byte, and validates against the contract', () => {
    const result = buildSpawnRequest(claude, form(), 'req-1');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.request.command).toEqual(['claude', '-p', 'Review "this"; $(rm -rf /)\nline two ✓', '--output-format', 'stream-json']);
    expect(result.request.prompt).toBe('Review "this"; $(rm -rf /)\nline two ✓');
    expect(result.request.stdin).toBeUndefined();
    expect(result.request).toMatchObject({ requestId: 'req-1', agentId: 'reviewer-abcd', agentName: 'Reviewer', agentType: 'claude-code', model: 'sonnet' });
    expect(spawnRequestSchema.safeParse(result.request).success).toBe(true);
  });

  it('replaces {prompt} inside a larger argument too', () => {
    expect(substitutePrompt(['--message={prompt}!'], 'hi', false)).toEqual(['--message=hi!']);
  });

  it('sends a prompt over the threshold on stdin and drops the {prompt} argument', () => {
    const huge = 'x'.repeat(STDIN_PROMPT_THRESHOLD + 1);
    const result = buildSpawnRequest(claude, form({ prompt: huge }), 'req-2');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.request.command).toEqual(['claude', '-p', '--output-format', 'stream-json']);
    expect(result.request.stdin).toBe(huge);
    expect(result.request.prompt).toBe(huge);
  });

  it('keeps a prompt of exactly the threshold on argv', () => {
    const edge = 'y'.repeat(STDIN_PROMPT_THRESHOLD);
    const result = buildSpawnRequest(claude, form({ prompt: edge }), 'req-3');
    expect(result.ok && result.request.stdin === undefined && result.request.command[2] === edge).toBe(true);
  });

  it('drops a bare {prompt} argument when the prompt is empty, and omits blank optional fields', () => {
    const result = buildSpawnRequest(claude, form({ prompt: '', model: '  ', cwd: '', parentAgentId: '' }), 'req-4');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.request.command).toEqual(['claude', '-p', '--output-format', 'stream-json']);
    expect(result.request).not.toHaveProperty('prompt');
    expect(result.request).not.toHaveProperty('model');
    expect(result.request).not.toHaveProperty('cwd');
    expect(result.request).not.toHaveProperty('parentAgentId');
  });

  it('merges env: preset first, user lines on top', () => {
    const result = buildSpawnRequest(claude, form({ env: 'SHARED=user\n# a comment\n\nEXTRA=a=b\r\n' }), 'req-5');
    expect(result.ok && result.request.env).toEqual({ FROM_PRESET: '1', SHARED: 'user', EXTRA: 'a=b' });
  });

  it('passes load, cwd and parent through', () => {
    const result = buildSpawnRequest(claude, form({ load: '42.5', cwd: ' /tmp/work ', parentAgentId: 'lead-1' }), 'req-6');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.request).toMatchObject({ loadPercentage: 42.5, cwd: '/tmp/work', parentAgentId: 'lead-1' });
  });

  it('maps every problem to its field', () => {
    const result = buildSpawnRequest(
      claude,
      form({ name: ' ', agentId: '../etc', load: '150', env: 'NOEQUALS', program: '', parentAgentId: 'bad id', prompt: 'nul\0byte' }),
      'req-7',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['agentId', 'args', 'env', 'load', 'name', 'parent', 'program', 'prompt'].sort());
    expect(result.errors.env).toEqual(['Line 1: expected KEY=value']);
    expect(result.errors.load?.[0]).toMatch(/0–100/);
  });

  it('reports a Load that is not a number', () => {
    const result = buildSpawnRequest(claude, form({ load: 'lots' }), 'r');
    expect(!result.ok && result.errors.load).toEqual(['Load must be a number']);
  });

  it('works for a custom command with no preset env', () => {
    const result = buildSpawnRequest(undefined, form({ program: 'node', args: '-e\nconsole.log(1)', prompt: '' }), 'r');
    expect(result.ok && result.request.command).toEqual(['node', '-e', 'console.log(1)']);
    expect(result.ok && result.request.env).toBeUndefined();
  });

  it('generates a request id when none is given', () => {
    const a = buildSpawnRequest(claude, form());
    const b = buildSpawnRequest(claude, form());
    expect(a.ok && b.ok && a.request.requestId !== b.request.requestId && a.request.requestId.length > 0).toBe(true);
  });
});

describe('loader variables (LD_*, DYLD_*)', () => {
  it('refuses a loader key under Environment, naming it, until "Allow loader variables" is ticked', () => {
    const refused = buildSpawnRequest(claude, form({ env: 'A=1\nLD_PRELOAD=/tmp/evil.so\nDYLD_INSERT_LIBRARIES=/tmp/x.dylib' }), 'r');
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.errors.env).toEqual([
      'DYLD_INSERT_LIBRARIES changes how every program loads; set "allow loader variables" to pass it',
      'LD_PRELOAD changes how every program loads; set "allow loader variables" to pass it',
    ]);
    expect(Object.keys(refused.errors)).toEqual(['env']);

    const allowed = buildSpawnRequest(claude, form({ env: 'LD_PRELOAD=/tmp/evil.so', allowLoaderEnv: true }), 'r');
    expect(allowed.ok).toBe(true);
    if (!allowed.ok) return;
    expect(allowed.request.allowLoaderEnv).toBe(true);
    expect(allowed.request.env).toMatchObject({ LD_PRELOAD: '/tmp/evil.so' });
    expect(spawnRequestSchema.safeParse(allowed.request).success).toBe(true);
  });

  it('does not send the permission once the loader keys are gone from Environment', () => {
    const result = buildSpawnRequest(claude, form({ env: 'PLAIN=1', allowLoaderEnv: true }), 'r');
    expect(result.ok && result.request).not.toHaveProperty('allowLoaderEnv');
  });

  it('finds the loader keys that make the dialog offer the checkbox', () => {
    expect(loaderKeysIn('A=1\nLD_LIBRARY_PATH=/x\n# LD_DEBUG=all\nDYLD_FRAMEWORK_PATH=/y\nld_preload=lower\nOLD_LD=1\nBAD LINE')).toEqual(['LD_LIBRARY_PATH', 'DYLD_FRAMEWORK_PATH']);
    expect(loaderKeysIn('')).toEqual([]);
  });
});

describe('secret variables', () => {
  const secret = (id: number, name: string, value: string) => ({ id, name, value });

  it('sends secret rows as secretEnv, never in env, and skips blank rows', () => {
    const result = buildSpawnRequest(claude, form({ env: 'PLAIN=1', secrets: [secret(1, ' API_TOKEN ', 's3cr3t'), secret(2, '', '')] }), 'r');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.request.secretEnv).toEqual({ API_TOKEN: 's3cr3t' });
    expect(result.request.env).toEqual({ FROM_PRESET: '1', SHARED: 'preset', PLAIN: '1' });
    expect(spawnRequestSchema.safeParse(result.request).success).toBe(true);
  });

  it('omits secretEnv when there are no secrets', () => {
    const result = buildSpawnRequest(claude, form({ secrets: [] }), 'r');
    expect(result.ok && result.request).not.toHaveProperty('secretEnv');
  });

  it('lets a secret replace a preset variable of the same name', () => {
    const result = buildSpawnRequest(claude, form({ secrets: [secret(1, 'SHARED', 'hidden')] }), 'r');
    expect(result.ok && result.request.env).toEqual({ FROM_PRESET: '1' });
    expect(result.ok && result.request.secretEnv).toEqual({ SHARED: 'hidden' });
  });

  it('reports a name both plain and secret, an empty value, a missing name and a name used twice under Secret variables', () => {
    const result = buildSpawnRequest(
      claude,
      form({ env: 'TOKEN=plain', secrets: [secret(1, 'TOKEN', 'x'), secret(2, 'EMPTY', ''), secret(3, '', 'orphan'), secret(4, 'TWICE', 'a'), secret(5, 'TWICE', 'b')] }),
      'r',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors)).toEqual(['secretEnv']);
    expect(result.errors.secretEnv).toEqual(['EMPTY: the secret value is empty', 'Secret 3: name the variable', 'TWICE is named twice', 'TOKEN is both a plain and a secret variable; keep one']);
  });

  it('treats a secret loader key like a plain one: refused until "Allow loader variables" is ticked', () => {
    const rows = [secret(1, 'LD_PRELOAD', '/tmp/x.so')];
    expect(loaderKeysIn('', ['LD_PRELOAD', 'OTHER'])).toEqual(['LD_PRELOAD']);
    const refused = buildSpawnRequest(claude, form({ secrets: rows }), 'r');
    expect(!refused.ok && refused.errors.env).toEqual(['LD_PRELOAD changes how every program loads; set "allow loader variables" to pass it']);
    const allowed = buildSpawnRequest(claude, form({ secrets: rows, allowLoaderEnv: true }), 'r');
    expect(allowed.ok && allowed.request.allowLoaderEnv).toBe(true);
  });
});

describe('policies in the spawn request', () => {
  it('sends nothing for the default policies', () => {
    const result = buildSpawnRequest(claude, form({ policies: defaultPolicyForm() }), 'r');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    for (const key of ['restart', 'stall', 'guard', 'niceness']) expect(result.request).not.toHaveProperty(key);
  });

  it('sends the restart, stall, guard and niceness the user chose, in milliseconds', () => {
    const policies = {
      ...defaultPolicyForm(),
      restartMode: 'on-failure' as const,
      maxRestarts: '2',
      initialDelaySeconds: '0.1',
      stallQuietSeconds: '2',
      guardOn: true,
      guardMemoryMb: '512',
      guardSustainedSeconds: '10',
      guardAction: 'stop' as const,
      niceness: '5',
    };
    const result = buildSpawnRequest(claude, form({ policies }), 'r');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.request.restart).toEqual({ mode: 'on-failure', maxRestarts: 2, initialDelayMs: 100, maxDelayMs: 60_000, resetAfterMs: 60_000 });
    expect(result.request.stall).toEqual({ quietMs: 2000, cpuBelowPercent: 5 });
    expect(result.request.guard).toEqual({ memoryMb: 512, cpuPercent: null, sustainedMs: 10_000, action: 'stop' });
    expect(result.request.niceness).toBe(5);
    expect(spawnRequestSchema.safeParse(result.request).success).toBe(true);
  });

  it('sends stall: null when stall detection is turned off', () => {
    const result = buildSpawnRequest(claude, form({ policies: { ...defaultPolicyForm(), stallOn: false } }), 'r');
    expect(result.ok && result.request.stall).toBeNull();
  });

  it('reports policy problems under their fields, next to the other fields’ problems', () => {
    const result = buildSpawnRequest(claude, form({ name: '', policies: { ...defaultPolicyForm(), maxRestarts: 'many', niceness: '-21' } }), 'r');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.maxRestarts).toEqual(['Max restarts must be a number']);
    expect(result.errors.niceness).toEqual(['Niceness is at least -20']);
    expect(result.errors.name).toBeDefined();
    expect(fieldForIssuePath(['restart', 'initialDelayMs'])).toBe('initialDelay');
    expect(fieldForIssuePath(['secretEnv', 'X'])).toBe('secretEnv');
  });
});

describe('form parsing helpers', () => {
  it('splits arguments per line, keeping spaces and dropping blank lines', () => {
    expect(parseArguments(' a b \r\n\nc')).toEqual([' a b ', 'c']);
  });

  it('parses env lines and names bad ones', () => {
    expect(parseEnvironment('A=1\n=x\nB')).toEqual({ env: { A: '1' }, errors: ['Line 2: expected KEY=value', 'Line 3: expected KEY=value'] });
  });

  it('maps contract paths to fields', () => {
    expect(fieldForIssuePath(['command'])).toBe('program');
    expect(fieldForIssuePath(['command', 0])).toBe('program');
    expect(fieldForIssuePath(['command', 3])).toBe('args');
    expect(fieldForIssuePath(['env', 'X'])).toBe('env');
    expect(fieldForIssuePath(['stdin'])).toBe('prompt');
    expect(fieldForIssuePath(['requestId'])).toBe('form');
  });
});

describe('agent id suggestions', () => {
  it('slugifies names into valid ids', () => {
    expect(slugify('Détective Agent #1')).toBe('detective-agent-1');
    expect(slugify('***')).toBe('agent');
    expect(slugify('x'.repeat(100))).toHaveLength(48);
    for (const name of ['', '..', 'Ünïcödé 🚀', '-lead-', 'a'.repeat(200), '日本語']) {
      expect(suggestAgentId(name)).toMatch(AGENT_ID_PATTERN);
    }
  });
});

describe('newRequestId', () => {
  it('falls back to getRandomValues where randomUUID is missing', () => {
    const original = crypto.randomUUID;
    try {
      Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true });
      const id = newRequestId();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      Object.defineProperty(crypto, 'randomUUID', { value: original, configurable: true });
    }
  });
});
