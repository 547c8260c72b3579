/**
 * The Policies tab says, for each guard limit set, whether the kernel enforces
 * it or Corral's guard only watches it, and why (issue 14 item 6) — rendered
 * to markup (react-dom/server) with contract-typed data.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { CorralApi, ResourceGuard } from '../../../src-preload/contract';
import { PoliciesTab } from '../../../src-renderer/detail/PoliciesTab';
import { LimitEnforcement, limitLines } from '../../../src-renderer/policies/LimitEnforcement';
import { agentView } from './fixtures';

const GUARD: ResourceGuard = { memoryMb: 512, cpuPercent: 150, sustainedMs: 30_000, action: 'stop' };
const HERE = { memory: { by: 'watched', why: 'no memory controller in cgroup v2 here' }, cpu: { by: 'watched', why: 'no cpu controller in cgroup v2 here' } } as const;

function text(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
}

describe('limit enforcement in the Policies tab', () => {
  it('says a watched limit is watched by Corral, not enforced by the kernel, and why', () => {
    expect(limitLines(GUARD, HERE)).toEqual([
      'Memory limit 512 MB — watched by Corral, not enforced by the kernel (no memory controller in cgroup v2 here)',
      'CPU limit 150 % — watched by Corral, not enforced by the kernel (no cpu controller in cgroup v2 here)',
    ]);
  });

  it('says an enforced limit is enforced by the kernel', () => {
    const lines = limitLines({ ...GUARD, cpuPercent: null }, { memory: { by: 'enforced', why: 'memory.max of its cgroup' }, cpu: null });
    expect(lines).toEqual(['Memory limit 512 MB — enforced by the kernel (memory.max of its cgroup)']);
  });

  it('shows nothing when no limit is set', () => {
    expect(renderToStaticMarkup(createElement(LimitEnforcement, { guard: null, enforcement: { memory: null, cpu: null } }))).toBe('');
  });

  it('the tab lists the agent\'s limits under its policies, as a labelled list', () => {
    const agent = agentView('a1', { policies: { ...agentView('a1').policies, guard: GUARD }, limitEnforcement: HERE });
    const html = renderToStaticMarkup(createElement(PoliciesTab, { api: {} as CorralApi, agent, onUpdated: () => undefined }));
    expect(html).toContain('aria-label="Resource limits"');
    expect(text(html)).toContain('Memory limit 512 MB — watched by Corral, not enforced by the kernel (no memory controller in cgroup v2 here)');
    expect(text(html)).toContain('CPU limit 150 % — watched by Corral');
  });
});
