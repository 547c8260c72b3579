/**
 * The `HostAdapter` a test gives the contract service in place of a real host
 * (Electron main or the web host): a web host of a test version, agents run
 * with this test's Node, the repository's demo agent.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostAdapter } from '../../src-main/api/index';
import { NODE } from './agents';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A web host for `createContractService` in tests. */
export const testHost: HostAdapter = {
  host: 'web',
  version: '0.0.0-test',
  nodeCommand: { program: NODE, env: {} },
  demoAgentPath: path.join(REPO, 'resources/demo-agent.mjs'),
};
