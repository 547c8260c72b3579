/** An agent's policies with the defaults filled in: the one place that says what an absent field means. */
import { DEFAULT_RESTART_POLICY, DEFAULT_STALL_POLICY } from '../../../src-preload/contract';
import type { AgentPolicies, DeploymentRequest } from '../types';

export function policiesOf(request: DeploymentRequest): AgentPolicies {
  return {
    restart: request.restart ?? DEFAULT_RESTART_POLICY,
    stall: request.stall === undefined ? DEFAULT_STALL_POLICY : request.stall,
    guard: request.guard ?? null,
    niceness: request.niceness ?? null,
    stopChildrenFirst: request.stopChildrenFirst ?? true,
  };
}

/** A policy change with its absent fields dropped: those keep the agent's current policies. */
export function definedPolicies(change: Partial<AgentPolicies>): Partial<AgentPolicies> {
  return Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)) as Partial<AgentPolicies>;
}
