/**
 * Forgetting one agent: refused while anything of it may live (live, paused
 * or stopping: stop it first); otherwise its runner, cgroup, log tail, secret
 * mask, request replay and record go, then its log folder.
 */
import { rmSync } from 'node:fs';
import { CorralError, messageOf } from '../errors';
import type { LogMasker } from '../logs/secret-mask';
import type { AgentRunner } from './agent-runner';
import type { StartRegistry } from './requested-start';

export function removeRunner(registry: StartRegistry, runner: AgentRunner, masker: LogMasker): void {
  const { agentId } = runner;
  if (runner.isLive || runner.isStopping) {
    throw new CorralError('already-running', `Agent "${agentId}" is ${runner.record.state}. Stop it before removing it.`);
  }
  const { ctx } = registry;
  runner.close();
  ctx.containment?.removeAgent(agentId);
  registry.runners.delete(agentId);
  ctx.logTail.remove(agentId);
  masker.forget(agentId);
  registry.requests.forget(runner.record.request.requestId);
  ctx.save('soon');
  try {
    rmSync(runner.record.paths.dir, { recursive: true, force: true });
  } catch (error) {
    ctx.warn(`Removed "${agentId}" but could not delete its logs at ${runner.record.paths.dir}: ${messageOf(error)}`);
  }
}
