/**
 * Programs that ship with Corral, resolved at each spawn. Requests name them
 * symbolically (`SHIPPED_PROGRAM` in the contract) because where they live
 * changes between launches (a packaged AppImage is mounted at a new
 * `/tmp/.mount_…` each time), while a request is saved and replayed by *Run
 * again* and restart policies. The engine gets the resolution as a plain
 * function (`SupervisorOptions.resolveRequest`) and never reads the names.
 */
import { SHIPPED_PROGRAM } from '../../src-preload/contract';
import type { DeploymentRequest } from '../supervisor/index';
import type { HostAdapter } from './service';

/** What the resolution needs of a host: how it runs Node, and where its demo agent is now. */
export type ShippedPrograms = Pick<HostAdapter, 'nodeCommand' | 'demoAgentPath'>;

/**
 * The request as this host runs it: `{corral:node}` as the program becomes
 * the host's Node, with its environment under the request's own (Electron
 * needs ELECTRON_RUN_AS_NODE=1); `{corral:demo-agent}` as an argument becomes
 * the script's path. Only whole arguments count. A request naming none (an old
 * one saved with absolute paths included) is returned as it is.
 */
export function resolveShippedPrograms(host: ShippedPrograms): (request: DeploymentRequest) => DeploymentRequest {
  return (request) => {
    const isNode = request.command[0] === SHIPPED_PROGRAM.node;
    if (!isNode && !request.command.includes(SHIPPED_PROGRAM.demoAgent)) return request;
    const command = request.command.map((arg, index) =>
      index === 0 && isNode ? host.nodeCommand.program : arg === SHIPPED_PROGRAM.demoAgent ? host.demoAgentPath : arg,
    );
    return isNode ? { ...request, command, env: { ...host.nodeCommand.env, ...request.env } } : { ...request, command };
  };
}
