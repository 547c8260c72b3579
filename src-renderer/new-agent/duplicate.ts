/**
 * Duplicate: the New agent form filled from an agent's request, under a new
 * name and id (`<name> copy`). Environment values never reach the page (the
 * contract sends their names only), so the Environment box names them in a
 * comment line (ignored when sent) for the user to type again; secret
 * variables come back as rows with their names and empty values.
 */
import type { AgentRequestView, AgentView } from '../../src-preload/contract';
import { policyFormFrom } from '../policies/policy-form';
import { suggestAgentId } from './agent-id';
import type { NewAgentForm } from './build-request';
import { formatCommandLine } from './command-line';

/** The form a Duplicate of `request` opens with; `suffix` makes the suggested id unique. */
export function duplicateForm(request: AgentRequestView, agent: AgentView, suffix: string): NewAgentForm {
  const name = `${request.agentName} copy`;
  return {
    name,
    agentId: suggestAgentId(name, suffix),
    type: request.agentType,
    parentAgentId: request.parentAgentId ?? '',
    model: request.model ?? '',
    prompt: request.prompt ?? '',
    cwd: request.cwd ?? '',
    env: request.envKeys.length === 0 ? '' : `# Values are not copied (never sent to this page); type them again: ${request.envKeys.join(', ')}\n`,
    load: request.loadPercentage === null ? '' : String(request.loadPercentage),
    commandLine: formatCommandLine(request.command),
    program: request.command[0] ?? '',
    args: request.command.slice(1).join('\n'),
    secrets: request.secretEnvKeys.map((key, index) => ({ id: index + 1, name: key, value: '' })),
    policies: policyFormFrom(agent.policies),
  };
}
