/**
 * `corral/client` as another project sees it: a consumer folder whose
 * node_modules/corral links to this repository (what `npm install
 * /path/to/corral` makes) imports it through the package's "exports" — under
 * plain Node against a real host, and under tsc, where the contract's call
 * inputs, outputs and event payloads must come through typed (a wrong input is
 * a compile error, not a silent `any`) in both Node and bundler resolution.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NODE, tempDir } from '../helpers/agents';
import { corral, dataFolder, REPO, startHost } from '../cli/cli-harness';

const CLIENT_JS = path.join(REPO, 'out', 'cli', 'client.js');
const CLIENT_TYPES = path.join(REPO, 'out', 'client-types', 'src-main', 'client', 'index.d.ts');
const TSC = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

/** The consumer's sources: a program for Node, and two files for tsc. */
const files: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'orchestrator', private: true, type: 'module' }),
  'list-agents.mjs': `
import { connect } from 'corral/client';
const corral = await connect({ dataDir: process.argv[2] });
const listed = await corral.call('monitorAllAgents');
await corral.close();
const refused = await import('corral/out/cli/client.js').then(() => 'imported', (error) => error.code);
process.stdout.write(JSON.stringify({ listed, refused, main: import.meta.resolve('corral'), pkg: import.meta.resolve('corral/package.json') }));
`,
  'good.ts': `
import { connect, ClientError, type CorralClient } from 'corral/client';
const corral: CorralClient = await connect({ dataDir: '/tmp/corral-data' });
const started = await corral.call('spawnAgent', {
  requestId: 'r1', agentId: 'l2-worker', agentName: 'L2 worker', agentType: 'worker',
  parentAgentId: 'coordinator', loadPercentage: 40, command: ['python3', 'worker.py'],
});
if (started.ok) { const id: string = started.value.agentId; console.log(id); } else { const code: string = started.error.code; console.log(code); }
const stop = corral.subscribe('status', ({ agents }) => { const state: string | undefined = agents['l2-worker']?.state; console.log(state); });
stop();
console.log(ClientError);
`,
  'bad.ts': `
import { connect } from 'corral/client';
const corral = await connect();
await corral.call('spawnAgent', { requestId: 'r1', agentId: 'a1', agentName: 'A', agentType: 'worker', command: 'python3 worker.py' });
`,
};

let consumer: string;

beforeAll(() => {
  // `npm test` builds first; a lone run of this file builds what is missing (the declarations come with the bundle).
  if (!existsSync(CLIENT_JS) || !existsSync(CLIENT_TYPES)) {
    execFileSync(NODE, [path.join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'scripts/cli.vite.config.mjs'], { cwd: REPO, stdio: 'inherit' });
  }
  consumer = tempDir();
  mkdirSync(path.join(consumer, 'node_modules'));
  symlinkSync(REPO, path.join(consumer, 'node_modules', 'corral'), 'dir');
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(consumer, name), text);
}, 120_000);

/**
 * tsc (strict) over both consumer files; resolves with its exit code and output.
 * The consumer brings its own @types/node, as any Node program does (here: the repository's).
 */
function typecheck(resolution: 'NodeNext' | 'Bundler'): Promise<{ code: number; output: string }> {
  const compilerOptions = {
    target: 'ES2022',
    module: resolution === 'Bundler' ? 'ESNext' : 'NodeNext',
    moduleResolution: resolution,
    lib: ['ES2023'],
    strict: true,
    noEmit: true,
    // As most projects have it: library files are not checked (14 s of CPU instead of 5 here). The wrong
    // input below still must fail, so the contract's types cannot have silently become \`any\`.
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [path.join(REPO, 'node_modules', '@types')],
  };
  const config = `tsconfig.${resolution}.json`;
  writeFileSync(path.join(consumer, config), JSON.stringify({ compilerOptions, files: ['good.ts', 'bad.ts'] }));
  return new Promise((resolve) => {
    execFile(NODE, [TSC, '-p', config], { cwd: consumer, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe('corral/client as a package export', () => {
  it('imports under plain Node through the package, and lists a real host’s agents', async () => {
    const dataDir = dataFolder();
    await startHost(dataDir);
    const run = await corral(['run', '--data-dir', dataDir, '--id', 'pkg-worker', '--', 'sleep', '60']);
    expect(run.code, run.stderr).toBe(0);

    const out = execFileSync(NODE, [path.join(consumer, 'list-agents.mjs'), dataDir], { cwd: consumer, encoding: 'utf8', timeout: 20_000 });
    const { listed, refused, main, pkg } = JSON.parse(out) as { listed: { ok: boolean; value: Record<string, { state: string }> }; refused: string; main: string; pkg: string };
    expect(listed.ok).toBe(true);
    expect(listed.value['pkg-worker']).toMatchObject({ state: 'running' });
    // Only the exported subpaths resolve: the build's insides are not part of the interface.
    expect(refused).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
    expect(main).toMatch(/\/out\/main\/index\.js$/);
    expect(pkg).toMatch(/\/package\.json$/);
  });

  // good.ts (spawnAgent with its input, its typed result, a status listener) has no error; bad.ts passes
  // `command` as a string: the one error, found only if the contract's types came through the package.
  it.each(['NodeNext', 'Bundler'] as const)('type-checks a consumer of the typed calls and events, and refuses a wrong input (%s resolution)', async (resolution) => {
    const result = await typecheck(resolution);
    expect(result.output.trim()).toMatch(/^bad\.ts\(4,\d+\): error TS2322: Type 'string' is not assignable to type 'string\[\]'\.$/);
    expect(result.code).toBe(2);
  }, 120_000);
});
