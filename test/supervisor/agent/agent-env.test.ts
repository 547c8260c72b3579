/**
 * The engine's `agentEnv` option: what the host tells every agent (CORRAL_SOCKET,
 * CORRAL_DATA_DIR) is read at each spawn and wins over the request's own env, as
 * CORRAL_AGENT_ID does; the engine's own process environment is left alone. Read
 * from the agent's /proc/<pid>/environ.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { idPrefix, request, useSupervisor } from '../../helpers/agents';

function environOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter(Boolean);
  return Object.fromEntries(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

describe('agentEnv', () => {
  it('puts the host’s variables in every agent’s environment, over the request’s, read afresh at each spawn', async () => {
    const prefix = idPrefix('agentenv');
    let hostEnv: Record<string, string> = {};
    const supervisor = await useSupervisor(prefix, { agentEnv: () => hostEnv });
    const own = { socket: process.env.CORRAL_SOCKET, dataDir: process.env.CORRAL_DATA_DIR };

    // Before the host has anything to say (its socket not yet listening): the request's env stands.
    const before = await supervisor.spawnAgent(request(prefix, ['sleep', '30'], { env: { CORRAL_SOCKET: '/from/request.sock', GREETING: 'hi' } }));
    expect(environOf(before.pid!)).toMatchObject({ CORRAL_SOCKET: '/from/request.sock', GREETING: 'hi' });

    hostEnv = { CORRAL_SOCKET: '/host/corral.sock', CORRAL_DATA_DIR: '/host' };
    const req = request(prefix, ['sleep', '30'], { env: { CORRAL_SOCKET: '/from/request.sock', CORRAL_DATA_DIR: '/elsewhere', CORRAL_AGENT_ID: 'spoofed', GREETING: 'hi' } });
    const after = await supervisor.spawnAgent(req);
    expect(environOf(after.pid!)).toMatchObject({ CORRAL_SOCKET: '/host/corral.sock', CORRAL_DATA_DIR: '/host', CORRAL_AGENT_ID: req.agentId, GREETING: 'hi' });
    expect({ socket: process.env.CORRAL_SOCKET, dataDir: process.env.CORRAL_DATA_DIR }).toEqual(own);
  }, 20_000);
});
