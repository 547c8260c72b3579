/**
 * The bench's fixture agents: tiny Node scripts written to a temp dir.
 * Each writes "ready" to stdout (a file, so the write is synchronous) once its
 * signal handling is in place, so a stop is never measured against an agent
 * still booting.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface AgentScripts {
  /** Sleeps; exits 0 on SIGTERM. */
  cooperative: string;
  /** Sleeps; ignores SIGTERM (only SIGKILL ends it). */
  stubborn: string;
  /** Starts 3 `sleep` descendants (2 children, 1 grandchild), then sleeps; exits 0 on SIGTERM. */
  tree: string;
  /** Spins one core from the start; default SIGTERM action. */
  busy: string;
}

const SLEEP_FOREVER = 'setInterval(() => {}, 1 << 30);';

const SOURCES: Record<keyof AgentScripts, string> = {
  cooperative: `process.on('SIGTERM', () => process.exit(0));
${SLEEP_FOREVER}
process.stdout.write('ready\\n');
`,
  stubborn: `process.on('SIGTERM', () => {});
${SLEEP_FOREVER}
process.stdout.write('ready\\n');
`,
  // The sleeps stay in the agent's process group, so the engine's group signal reaches them.
  // sh forks one sleep (the grandchild), then becomes the other one (exec).
  tree: `const { spawn } = require('node:child_process');
spawn('sleep', ['1000'], { stdio: 'ignore' });
spawn('sh', ['-c', 'sleep 1000 & exec sleep 1000'], { stdio: 'ignore' });
process.on('SIGTERM', () => process.exit(0));
${SLEEP_FOREVER}
process.stdout.write('ready\\n');
`,
  busy: `for (;;) {}
`,
};

export function writeAgentScripts(dir: string): AgentScripts {
  const scripts = {} as AgentScripts;
  for (const [name, source] of Object.entries(SOURCES) as [keyof AgentScripts, string][]) {
    const file = path.join(dir, `${name}.cjs`);
    writeFileSync(file, source, { mode: 0o600 });
    scripts[name] = file;
  }
  return scripts;
}
