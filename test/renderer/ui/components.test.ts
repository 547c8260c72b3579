/**
 * Components rendered to markup (react-dom/server: no DOM needed) with
 * contract-typed data: agent-provided text stays text, and the pieces the
 * browser tests rely on are there. The live behaviour is the e2e suite's.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { StopProgress } from '../../../src-renderer/detail/StopProgress';
import { renderAgentRow } from './render-row';

const HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>';

const row = renderAgentRow;

describe('agent row', () => {
  it('renders an agent-provided name as text, never as markup', () => {
    const html = row({ agentName: HOSTILE, model: '<b>m</b>', agentType: '"><svg onload=1>' });
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<svg onload');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
  });

  it('is a treeitem named "<name> (<id>)" that shows its state word', () => {
    const html = row({ agentName: 'Worker', state: 'failed', health: 'failed' });
    expect(html).toContain('role="treeitem"');
    expect(html).toContain('aria-label="Worker (a1)"');
    expect(html).toMatch(/>failed</);
  });

  it('shows — instead of figures for an ended agent', () => {
    const html = row({ state: 'completed', health: 'completed', treeCpuPercent: 0, treeMemoryMb: 0 });
    expect(html).not.toContain('0.0 MB');
    expect(html).toContain('—');
  });
});

describe('stop progress', () => {
  it('shows the three stages and counts down the current one', () => {
    const html = renderToStaticMarkup(
      createElement(StopProgress, {
        progress: { stage: 'term2', forced: false, deadline: Date.now() + 4_000, stageMs: { term1: 10_000, term2: 5_000, kill: 5_000 } },
      }),
    );
    expect(html).toContain('aria-label="Stop progress"');
    for (const label of ['SIGTERM', 'SIGTERM again', 'SIGKILL']) expect(html).toContain(`>${label}<`);
    expect(html).toMatch(/aria-current="step"[^>]*>\s*<span class="stop-stage-label">SIGTERM again</);
    expect(html).toMatch(/next stage in [34](\.\d)? ?s/);
  });
});
