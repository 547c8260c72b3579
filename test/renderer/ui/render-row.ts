/** One agent row rendered to static markup, for the component tests. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { AgentRow } from '../../../src-renderer/agents/AgentRow';
import { agentView } from './fixtures';

export function renderAgentRow(overrides: Parameters<typeof agentView>[1]): string {
  return renderToStaticMarkup(
    createElement(AgentRow, {
      agent: agentView('a1', overrides),
      row: { agentId: 'a1', depth: 0, parentId: null, matches: true, expanded: undefined, posInSet: 1, setSize: 1 },
      samples: undefined,
      samplesVersion: 0,
      selected: false,
      opened: false,
      top: 0,
      onActivate: () => undefined,
      onToggle: () => undefined,
    }),
  );
}
