/**
 * The New agent dialog's templates. `{prompt}` in an argument is replaced by
 * the prompt field (by the UI, which also moves a huge prompt to stdin).
 */
import { existsSync } from 'node:fs';
import { SHIPPED_PROGRAM, type PresetView } from '../../src-preload/contract';
import { resolveExecutable } from '../supervisor/index';
import type { HostAdapter } from './service';

/** Non-TTY stdout is block-buffered by most runtimes; these make agents' logs appear as they are written. */
const UNBUFFERED_ENV = { PYTHONUNBUFFERED: '1', NODE_NO_READLINE: '1', FORCE_COLOR: '1' };

/** A preset before its program has been looked up on PATH. */
type PresetTemplate = Omit<PresetView, 'available' | 'unavailableReason'>;

const TEMPLATES: readonly PresetTemplate[] = [
  {
    id: 'demo',
    label: 'Demo agent',
    description: 'A small script shipped with Corral: logs in colour, reports progress, runs a worker child and bursts CPU. Stops on its own after about two minutes.',
    agentType: 'demo',
    // Named, not by path: the saved request must still run after Corral moves (shipped-programs.ts).
    command: [SHIPPED_PROGRAM.node, SHIPPED_PROGRAM.demoAgent, '--prompt', '{prompt}'],
    env: { ...UNBUFFERED_ENV },
    model: null,
  },
  {
    id: 'claude-code',
    label: 'Claude Code',
    description: 'Anthropic Claude Code CLI in print mode, with the prompt as its task.',
    agentType: 'claude-code',
    command: ['claude', '-p', '{prompt}'],
    env: { ...UNBUFFERED_ENV },
    model: null,
  },
  {
    id: 'codex',
    label: 'Codex CLI',
    description: 'OpenAI Codex CLI, non-interactive (`codex exec`).',
    agentType: 'codex',
    command: ['codex', 'exec', '{prompt}'],
    env: { ...UNBUFFERED_ENV },
    model: null,
  },
  {
    id: 'aider',
    label: 'Aider',
    description: 'Aider with one message, answering yes to its questions.',
    agentType: 'aider',
    command: ['aider', '--yes-always', '--message', '{prompt}'],
    env: { ...UNBUFFERED_ENV },
    model: null,
  },
  {
    id: 'custom',
    label: 'Custom command',
    description: 'Any program with its arguments. No shell: each argument is passed as is.',
    agentType: 'custom',
    command: [],
    env: {},
    model: null,
  },
];

/** Presets with whether each program can be found, as the host's own PATH sees it. */
export function listPresets(host: HostAdapter): PresetView[] {
  return TEMPLATES.map((template) => {
    const program = template.command[0];
    let unavailableReason: string | null = null;
    if (template.id === 'demo') {
      if (!existsSync(host.demoAgentPath)) unavailableReason = `The demo agent script is missing (${host.demoAgentPath}). Reinstall Corral.`;
    } else if (program !== undefined) {
      const found = resolveExecutable(program, process.env['PATH'], process.cwd());
      if (!found.ok) unavailableReason = `${program} is not on PATH. Install it, or choose Custom command and give its full path.`;
    }
    return { ...template, available: unavailableReason === null, unavailableReason };
  });
}
