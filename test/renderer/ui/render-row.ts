/** One agent row rendered to static markup, for the component tests. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { AgentRow } from '../../../src-renderer/agents/AgentRow';
import { CorralStore } from '../../../src-renderer/state/corral-store';
import { agentView } from './fixtures';

export function renderAgentRow(overrides: Parameters<typeof agentView>[1]): string {
  const agent = agentView('a1', overrides);
  // The row's figures (AgentFigures) read the agent from the store.
  const store = new CorralStore();
  store.applyInitial({ a1: agent }, null);
  return renderToStaticMarkup(
    createElement(AgentRow, {
      agent,
      row: { agentId: 'a1', depth: 0, parentId: null, matches: true, expanded: undefined, posInSet: 1, setSize: 1 },
      store,
      selected: false,
      opened: false,
      top: 0,
      onActivate: () => undefined,
      onToggle: () => undefined,
    }),
  );
}
