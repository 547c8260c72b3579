/**
 * Agents as code: `corral apply FILE` / `corral down FILE`. Load a file
 * (`loadAgentsFile`), then `applyAgentsFile` / `downAgentsFile` against an
 * `ApplyTarget` (`contractTarget(client)` with the typed client).
 * `planApply` / `planDown` say what would be done without doing it.
 * A `FileAgent`'s request holds secret values: show `summarisePlan` and the
 * reports, never a request.
 */
export { formatAgentsFileError, type AgentsFileError, type AgentsFileErrorKind, type FilePosition, type LoadResult } from './errors';
export { loadAgentsFile, parseAgentsFile, DEFAULT_AGENT_TYPE, type AgentsFile, type Dependency, type FileAgent, type LoadOptions } from './load';
export { planApply, planDown, summarisePlan, type PlanSummary, type StepSummary, type ApplyPlan, type ApplyReason, type ApplyStep, type DownPlan, type DownStep, type PlanError, type PlanResult } from './plan';
export { applyAgentsFile, downAgentsFile, type ApplyError, type ApplyErrorKind, type ApplyProgress, type ApplyReport, type DownReport, type ExecuteOptions } from './execute';
export { describeCondition } from './conditions';
export { FINGERPRINT_ENV_PREFIX, fingerprintIn, fingerprintOf } from './fingerprint';
export { agentsFileSchema, fileAgentSchema, conditionSchema, type AgentsFileSpec, type DependencyCondition, type FileAgentSpec } from './schema';
export type { AgentSnapshot, ApplyTarget, CurrentAgent, TargetOutcome } from './target';
export { contractTarget, type ContractConnection } from './contract-target';
