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
