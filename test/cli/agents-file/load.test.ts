/**
 * The agents-file loader over real files in a temp dir: a valid file becomes
 * requests the contract accepts; each kind of mistake is its own typed error,
 * at the line and column to change, with a message naming what to fix.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FINGERPRINT_ENV_PREFIX, formatAgentsFileError, loadAgentsFile, type AgentsFileError, type LoadOptions } from '../../../src-main/cli/agents-file';
import { DEFAULT_RESTART_POLICY, spawnRequestSchema } from '../../../src-preload/contract';
import { tempDir } from '../../helpers/agents';

const dirs: string[] = [];
function newDir(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function writeAgentsFile(text: string, name = 'agents.yaml', dir = newDir()): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function loadError(text: string, options: LoadOptions = {}): Promise<AgentsFileError> {
  const file = writeAgentsFile(text);
  const result = await loadAgentsFile(file, options);
  if (result.ok) throw new Error('expected the file to be refused');
  expect(result.error.file).toBe(file);
  return result.error;
}

const VALID = `
project: demo
agents:
  db:
    command: [node, db.js, --port, 5432]
    cwd: ./db
    env: { PORT: 5432, DEBUG: true, NAME: "db" }
    secret_env: [DB_PASSWORD]
    restart: on-failure
    stall: false
    guard: { memoryMb: 512, action: stop }
    niceness: 5
  web:
    name: Web server
    type: worker
    model: none
    prompt: serve the app
    load: 40
    command: [node, web.js]
    parent: db
    restart: { mode: always, maxRestarts: 2 }
    depends_on:
      db: { log: "listening on \\\\d+" }
  smoke:
    command: [node, smoke.js]
    parent: some-other-agent
    depends_on: { web: started, db: completed }
`;

describe('loadAgentsFile', () => {
  it('turns a valid file into requests the contract accepts, in dependency waves', async () => {
    const file = writeAgentsFile(VALID);
    const dir = path.dirname(file);
    mkdirSync(path.join(dir, 'db'));
    const result = await loadAgentsFile(file, { environment: { DB_PASSWORD: 's3cret' } });
    if (!result.ok) throw new Error(formatAgentsFileError(result.error));
    const { agents, waves, project } = result.value;
    expect(project).toBe('demo');
    expect(agents.map((agent) => agent.agentId)).toEqual(['demo.db', 'demo.web', 'demo.smoke']);
    expect(waves).toEqual([['db'], ['web'], ['smoke']]);

    const [db, web, smoke] = agents;
    expect(db!.request.cwd).toBe(path.join(dir, 'db')); // relative to the file's folder
    expect(web!.request.cwd).toBe(dir); // default: the file's folder
    expect(db!.request.env).toMatchObject({ PORT: '5432', DEBUG: 'true', NAME: 'db' });
    expect(Object.keys(db!.request.env ?? {}).filter((key) => key.startsWith(FINGERPRINT_ENV_PREFIX))).toEqual([`${FINGERPRINT_ENV_PREFIX}${db!.fingerprint}`]);
    expect(db!.request.secretEnv).toEqual({ DB_PASSWORD: 's3cret' });
    expect(db!.request.restart).toEqual({ ...DEFAULT_RESTART_POLICY, mode: 'on-failure' });
    expect(db!.request.stall).toBeNull();
    expect(db!.request.guard).toEqual({ memoryMb: 512, cpuPercent: null, sustainedMs: 30_000, action: 'stop' });
    expect(db!.request.niceness).toBe(5);
    expect(web!.request).toMatchObject({ agentName: 'Web server', agentType: 'worker', model: 'none', prompt: 'serve the app', loadPercentage: 40, parentAgentId: 'demo.db' });
    expect(web!.request.restart).toEqual({ ...DEFAULT_RESTART_POLICY, mode: 'always', maxRestarts: 2 });
    expect(web!.dependsOn).toEqual([{ name: 'db', agentId: 'demo.db', condition: { log: 'listening on \\d+' } }]);
    expect(smoke!.request).toMatchObject({ agentName: 'smoke', agentType: 'agents-file', parentAgentId: 'some-other-agent' });
    expect(smoke!.dependsOn.map((dependency) => dependency.condition)).toEqual(['started', 'completed']);
    for (const agent of agents) expect(spawnRequestSchema.safeParse({ ...agent.request, requestId: 'r' }).success).toBe(true);
  });

  it('reads JSON too, and gives the same fingerprint for the same request however it is written', async () => {
    const dir = newDir(); // the same folder: cwd is part of the request
    const yaml = await loadAgentsFile(writeAgentsFile('agents:\n  a:\n    command: [node, x.js, 1]\n    env: { B: "2", A: "1" }\n', 'agents.yaml', dir));
    const json = await loadAgentsFile(writeAgentsFile(JSON.stringify({ agents: { a: { env: { A: '1', B: 2 }, command: ['node', 'x.js', '1'] } } }), 'agents.json', dir));
    if (!yaml.ok || !json.ok) throw new Error('both should load');
    expect(json.value.agents[0]!.fingerprint).toBe(yaml.value.agents[0]!.fingerprint);
    const changed = await loadAgentsFile(writeAgentsFile('agents:\n  a:\n    command: [node, x.js, 2]\n    env: { B: "2", A: "1" }\n', 'changed.yaml', dir));
    if (!changed.ok) throw new Error('should load');
    expect(changed.value.agents[0]!.fingerprint).not.toBe(yaml.value.agents[0]!.fingerprint);
  });

  it('reports a YAML syntax error with its line and column', async () => {
    const error = await loadError('agents:\n  a:\n    command: [node, "x.js"\n  b: {}\n');
    expect(error.kind).toBe('syntax');
    expect(error.position?.line).toBeGreaterThanOrEqual(3);
    expect(error.message).toMatch(/not valid YAML/);
    expect(formatAgentsFileError(error)).toMatch(new RegExp(`agents\\.yaml:${error.position!.line}:${error.position!.column}: not valid YAML`));
  });

  it('refuses a duplicated key as a syntax error', async () => {
    const error = await loadError('agents:\n  a:\n    command: [x]\n  a:\n    command: [y]\n');
    expect(error).toMatchObject({ kind: 'syntax', position: { line: 4 } });
  });

  it('refuses an unknown key, naming it and the keys there are, at its line', async () => {
    const error = await loadError('agents:\n  web:\n    command: [node, web.js]\n    restrat: always\n');
    expect(error).toMatchObject({ kind: 'unknown-key', names: ['restrat'], path: 'agents.web', position: { line: 4, column: 5 } });
    expect(error.message).toMatch(/unknown key "restrat"; the keys here are command, .*restart/);
  });

  it('refuses an unknown key inside a policy (the contract is strict there too)', async () => {
    const error = await loadError('agents:\n  web:\n    command: [x]\n    restart: { mode: always, maxRestart: 3 }\n');
    expect(error).toMatchObject({ kind: 'unknown-key', names: ['maxRestart'], position: { line: 4 } });
  });

  it('refuses a value the contract refuses, with the contract message, at the value', async () => {
    const error = await loadError('agents:\n  web:\n    command: [x]\n    niceness: 40\n');
    expect(error).toMatchObject({ kind: 'invalid', path: 'agents.web.niceness', position: { line: 4, column: 15 } });
    expect(error.message).toMatch(/Niceness is at most 19/);
  });

  it('says a missing command is required, and points at an agent name that is not a valid id', async () => {
    const missing = await loadError('agents:\n  web:\n    cwd: .\n');
    expect(missing).toMatchObject({ kind: 'invalid', path: 'agents.web', position: { line: 3, column: 5 } });
    expect(missing.message).toMatch(/^agents\.web\.command is required/);
    const badName = await loadError('agents:\n  ok:\n    command: [x]\n  "not ok":\n    command: [x]\n');
    expect(badName).toMatchObject({ kind: 'invalid', names: ['not ok'], position: { line: 4, column: 3 } });
    expect(badName.message).toMatch(/"not ok" is not a valid name: agentId must be 1–64 letters/);
  });

  it('refuses a command given as a string', async () => {
    const error = await loadError('agents:\n  web:\n    command: node web.js\n');
    expect(error).toMatchObject({ kind: 'invalid', path: 'agents.web.command' });
    expect(error.message).toMatch(/command must be a list of arguments/);
  });

  it('refuses a bad regular expression in a log condition', async () => {
    const error = await loadError('agents:\n  a:\n    command: [x]\n  b:\n    command: [y]\n    depends_on:\n      a: { log: "ready (" }\n');
    expect(error).toMatchObject({ kind: 'bad-pattern', path: 'agents.b.depends_on.a.log', position: { line: 7, column: 17 } });
    expect(error.message).toMatch(/bad regular expression "ready \("/);
  });

  it('refuses a secret the environment does not have, naming it', async () => {
    const text = 'agents:\n  a:\n    command: [x]\n    secret_env: [HAVE_IT, MISSING_ONE]\n';
    const error = await loadError(text, { environment: { HAVE_IT: 'x' } });
    expect(error).toMatchObject({ kind: 'missing-secret', names: ['MISSING_ONE'], position: { line: 4 } });
    expect(error.message).toMatch(/MISSING_ONE is not set in this environment; export it/);
    // `down` spawns nothing: it loads without the secrets.
    const file = writeAgentsFile(text);
    const withoutSecrets = await loadAgentsFile(file, { environment: null });
    expect(withoutSecrets.ok).toBe(true);
  });

  it('refuses a dependency on an agent the file does not have', async () => {
    const error = await loadError('agents:\n  a:\n    command: [x]\n    depends_on: { ghost: started }\n');
    expect(error).toMatchObject({ kind: 'unknown-dependency', names: ['ghost'], position: { line: 4 } });
    expect(error.message).toMatch(/names "ghost", which is not an agent of this file \(its agents: a\)/);
  });

  it('refuses a cycle, naming it', async () => {
    const text = 'agents:\n  a:\n    command: [x]\n    depends_on: { c: started }\n  b:\n    command: [x]\n    depends_on: { a: started }\n  c:\n    command: [x]\n    depends_on: { b: { log: up } }\n';
    const error = await loadError(text);
    expect(error).toMatchObject({ kind: 'cycle', names: ['a', 'c', 'b', 'a'], position: { line: 4 } });
    expect(error.message).toMatch(/a → c → b → a/);
    const self = await loadError('agents:\n  a:\n    command: [x]\n    depends_on: { a: completed }\n');
    expect(self).toMatchObject({ kind: 'cycle', names: ['a', 'a'] });
  });

  it('refuses an agent id the contract refuses (too long with the project)', async () => {
    const error = await loadError(`project: ${'p'.repeat(40)}\nagents:\n  ${'n'.repeat(30)}:\n    command: [x]\n`);
    expect(error).toMatchObject({ kind: 'invalid', position: { line: 3, column: 3 } });
    expect(error.message).toMatch(/shorten the name or the project/);
  });

  it('places a whole-request refusal (a loader variable) under env', async () => {
    const error = await loadError('agents:\n  a:\n    command: [x]\n    env: { LD_PRELOAD: /tmp/x.so }\n');
    expect(error).toMatchObject({ kind: 'invalid', path: 'agents.a.env', position: { line: 4 } });
    expect(error.message).toMatch(/LD_PRELOAD changes how every program loads/);
  });

  it('reports a file it cannot read', async () => {
    const result = await loadAgentsFile('/nonexistent/agents.yaml');
    expect(result).toMatchObject({ ok: false, error: { kind: 'unreadable', position: null } });
  });
});
