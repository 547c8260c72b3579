/**
 * The lifecycle pieces rendered to markup (react-dom/server) with
 * contract-typed data: restart/stall/guard badges in a row, the detail's
 * lifecycle lines, the Runs table, the policy and secret fields, Settings,
 * the new notice kinds. Secret values and agent text never become markup.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { NOTICE_KINDS, type HostInfoView, type NoticeKind, type SettingsView } from '../../../src-preload/contract';
import { LifecycleLines } from '../../../src-renderer/detail/AgentDetail';
import { EnvKeys } from '../../../src-renderer/detail/RequestTab';
import { RunsView } from '../../../src-renderer/detail/RunsTab';
import { SecretFields } from '../../../src-renderer/new-agent/SecretFields';
import { Notifications } from '../../../src-renderer/notices/Notifications';
import { PolicyFields } from '../../../src-renderer/policies/PolicyFields';
import { defaultPolicyForm } from '../../../src-renderer/policies/policy-form';
import { SettingsDialog } from '../../../src-renderer/settings/SettingsDialog';
import type { SettingsState } from '../../../src-renderer/settings/use-settings';
import { agentView, exitView, runView } from './fixtures';
import { renderAgentRow } from './render-row';

const HOSTILE = '<img src=x onerror="alert(1)">';

const row = renderAgentRow;

/** Text content of markup: each tag becomes a space (runs of spaces collapse), entities decoded enough for these checks. */
function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('agent row lifecycle badges', () => {
  it('shows a stalled badge while health is stalled', () => {
    expect(text(row({ health: 'stalled', stalledSince: '2025-01-01T00:05:00.000Z' }))).toMatch(/\bstalled\b/);
    expect(text(row({ health: 'healthy' }))).not.toMatch(/\bstalled\b/);
  });

  it('counts restarts in a row, in words for screen readers', () => {
    const html = row({ restarts: 3 });
    expect(html).toContain('badge-restarts');
    expect(text(html)).toContain('3 restarts');
    expect(row({ restarts: 0 })).not.toContain('badge-restarts');
  });

  it('shows the guard alert, filled once the guard fired', () => {
    const alert = { metric: 'memory' as const, value: 40, limit: 1, since: '2025-01-01T00:00:01.000Z', fired: true, action: 'notify' as const };
    const html = row({ guardAlert: alert });
    expect(text(html)).toContain('memory limit');
    expect(html).toContain('badge-guard is-fired');
    expect(html).toMatch(/title="Memory 40 MB over the 1.0 MB limit since [^"]+; notified."/);
    expect(text(row({ guardAlert: { ...alert, metric: 'cpu', value: 180, limit: 100, fired: false } }))).toContain('CPU limit');
  });

  it('says "restarting in N s" for an agent in backoff and crash-looping when it gave up', () => {
    expect(text(row({ state: 'backoff', health: 'restarting', nextRestartAt: Date.now() + 4_000, restarts: 1 }))).toMatch(/restarting in [45] s/);
    expect(text(row({ state: 'crash-looping', health: 'failed', restarts: 2 }))).toMatch(/\bcrash-looping\b/);
  });
});

describe('detail lifecycle lines', () => {
  const lines = (overrides: Parameters<typeof agentView>[1]) => renderToStaticMarkup(createElement(LifecycleLines, { agent: agentView('a1', overrides) }));

  it('shows the restart countdown, the stall, the guard alert and how the last run ended', () => {
    expect(text(lines({ state: 'backoff', health: 'restarting', nextRestartAt: Date.now() + 2_500, restarts: 1, lastExit: exitView() }))).toMatch(
      /restarting in 3 s \(1 restart so far; at most 5 in a row\).*Last run: Exited with code 1\./,
    );
    expect(text(lines({ health: 'stalled', stalledSince: '2025-01-01T00:05:00.000Z' }))).toMatch(/stalled No output and idle since/);
    expect(text(lines({ state: 'crash-looping', health: 'failed', restarts: 5, lastExit: exitView() }))).toMatch(/no more restarts after 5 in a row/);
    const guard = { metric: 'cpu' as const, value: 250, limit: 100, since: '2025-01-01T00:00:01.000Z', fired: false, action: 'stop' as const };
    expect(text(lines({ guardAlert: guard }))).toMatch(/Resource guard: CPU 250 % over the 100 % limit since .*; the guard will stop if it lasts\./);
  });

  it('marks a possible out-of-memory kill, and says nothing for a healthy running agent', () => {
    const html = lines({ state: 'failed', health: 'failed', lastExit: exitView({ kind: 'signalled', code: null, signal: 'SIGKILL', possiblyOutOfMemory: true, summary: 'Killed by SIGKILL.' }) });
    expect(text(html)).toContain('possibly out of memory');
    expect(lines({})).toBe('');
  });

  it('does not repeat a last-run summary the error already says', () => {
    expect(text(lines({ state: 'failed', health: 'failed', error: 'Exited with code 1.', lastExit: exitView() }))).not.toContain('Last run');
  });
});

describe('runs table', () => {
  const now = Date.parse('2025-01-01T00:01:00.000Z');

  it('is a table named Runs with one row per run, newest first, each saying how it ended', () => {
    const html = renderToStaticMarkup(createElement(RunsView, { runs: [runView(1), runView(2), runView(3)], now }));
    expect(html).toContain('aria-label="Runs"');
    const bodyRows = html.split('<tbody>')[1]!.split('<tr').slice(1);
    expect(bodyRows).toHaveLength(3);
    expect(bodyRows.map((tr) => />(\d+)<\/td>/.exec(tr)?.[1])).toEqual(['3', '2', '1']);
    for (const tr of bodyRows) expect(text(tr)).toContain('Exited with code 1.');
    expect(text(bodyRows[2]!)).toContain('By hand');
    expect(text(bodyRows[0]!)).toMatch(/Restart.*13 %.*40 MB/);
  });

  it('marks a possible out-of-memory kill and shows what a failed spawn tried, as text', () => {
    const runs = [
      runView(1, { exit: exitView({ kind: 'signalled', signal: 'SIGKILL', code: null, possiblyOutOfMemory: true, summary: 'Killed by SIGKILL.' }) }),
      runView(2, {
        pid: null,
        durationMs: null,
        peakCpuPercent: null,
        peakMemoryMb: null,
        exit: exitView({ kind: 'spawn-failed', code: null, summary: `Could not start: ${HOSTILE}`, spawn: { argv: ['nope', HOSTILE], cwd: '/work', path: '/usr/bin:/bin' } }),
      }),
    ];
    const html = renderToStaticMarkup(createElement(RunsView, { runs, now }));
    expect(text(html)).toContain('possibly out of memory');
    expect(text(html)).toMatch(/Command\s*nope <img/);
    expect(text(html)).toMatch(/Working directory\s*\/work/);
    expect(text(html)).toMatch(/PATH\s*\/usr\/bin:\/bin/);
    expect(html).not.toContain('<img');
  });

  it('shows a run that goes on as running, with its duration so far', () => {
    const html = renderToStaticMarkup(createElement(RunsView, { runs: [runView(1, { startedAt: '2025-01-01T00:00:30.000Z', endedAt: null, durationMs: null, exit: null })], now }));
    expect(text(html)).toMatch(/30 s.*running \(PID 2001\)/);
  });

  it('says when there are no runs yet', () => {
    expect(text(renderToStaticMarkup(createElement(RunsView, { runs: [], now })))).toContain('No runs on record yet.');
  });
});

describe('policy fields', () => {
  it('groups the controls under Restart, Stall detection, Resource guard and Priority, each labelled', () => {
    const html = renderToStaticMarkup(createElement(PolicyFields, { value: defaultPolicyForm(), errors: {}, idPrefix: 'p', onChange: () => undefined }));
    for (const legend of ['Restart', 'Stall detection', 'Resource guard', 'Priority']) expect(html).toContain(`<legend>${legend}</legend>`);
    for (const label of ['Restart mode', 'Max restarts', 'First delay (s)', 'Longest delay (s)', 'Stable after (s)', 'Quiet for (s)', 'CPU below (%)', 'Memory limit (MB)', 'CPU limit (%)', 'Sustained for (s)', 'Guard action', 'Niceness']) {
      expect(html).toContain(`>${label}</label>`);
    }
    expect(text(html)).toContain('Detect stalls');
    expect(text(html)).toMatch(/Use a\s+resource guard/);
    // The guard is off by default: its fields are there but disabled.
    expect(html).toMatch(/id="p-guard-memory"[^>]*disabled=""/);
    expect(html).not.toMatch(/id="p-stall-quiet"[^>]*disabled=""/);
  });

  it('ties an error to its field', () => {
    const html = renderToStaticMarkup(
      createElement(PolicyFields, { value: { ...defaultPolicyForm(), guardOn: true }, errors: { initialDelay: ['First delay is at least 0.1 s'], guard: ['a resource guard needs a memory or a CPU limit'] }, idPrefix: 'p', onChange: () => undefined }),
    );
    expect(html).toMatch(/aria-describedby="p-initial-delay-error p-initial-delay-hint" aria-invalid="true"/);
    expect(html).toContain('id="p-initial-delay-error" class="field-error">First delay is at least 0.1 s<');
    expect(html).toContain('a resource guard needs a memory or a CPU limit');
  });
});

describe('secret fields', () => {
  it('puts each value in a password input whose value never reaches the markup', () => {
    const html = renderToStaticMarkup(
      createElement(SecretFields, { rows: [{ id: 1, name: 'API_TOKEN', value: 's3cr3t-value-123' }], errors: undefined, storage: 'memory-only', onChange: () => undefined }),
    );
    expect(html).not.toContain('s3cr3t-value-123');
    expect(html).toMatch(/type="password" aria-label="Secret value 1"/);
    expect(html).toContain('aria-label="Secret name 1"');
    expect(html).toContain('value="API_TOKEN"');
    expect(html).toContain('aria-label="Remove secret 1"');
    expect(html).toContain('<legend class="field-label">Secret variables</legend>');
    expect(text(html)).toContain('memory only: they are never saved, and they are lost when the host stops');
  });

  it('says where an Electron host keeps them', () => {
    const html = renderToStaticMarkup(createElement(SecretFields, { rows: [], errors: ['TOKEN is named twice'], storage: 'encrypted', onChange: () => undefined }));
    expect(text(html)).toContain('saved encrypted');
    expect(text(html)).toContain('TOKEN is named twice');
  });
});

describe('settings dialog', () => {
  const host: HostInfoView = {
    host: 'web',
    version: '0.1.0',
    platform: 'linux',
    dataDir: '/tmp/x',
    canOpenFolders: false,
    warnings: [],
    secretStorage: 'memory-only',
    metricsUrl: 'http://127.0.0.1:9464/metrics',
  };
  const notifications = Object.fromEntries(NOTICE_KINDS.map((kind) => [kind, kind !== 'threshold'])) as Record<NoticeKind, boolean>;
  const state = (settings: SettingsView | null, error: string | null = null): SettingsState => ({ settings, error, saving: new Set(), savedCount: 0, setNotification: () => undefined });

  it('has a checkbox per notice kind, as saved, plus where secrets are kept and the metrics URL', () => {
    const html = renderToStaticMarkup(createElement(SettingsDialog, { state: state({ notifications }), hostInfo: host, onClose: () => undefined }));
    expect(html).toContain('Settings</h2>');
    for (const label of ['Failed', 'Crash-looping', 'Stalled', 'Threshold', 'Unkillable', 'Zombie', 'Warning']) expect(text(html)).toContain(label);
    expect(html.match(/type="checkbox"/g)).toHaveLength(NOTICE_KINDS.length);
    expect(html.match(/type="checkbox"[^>]* checked=""/g)).toHaveLength(NOTICE_KINDS.length - 1);
    expect(text(html)).toContain('http://127.0.0.1:9464/metrics');
    expect(text(html)).toContain('memory only');
  });

  it('shows why the settings could not be loaded, and no metrics section without a URL', () => {
    const html = renderToStaticMarkup(createElement(SettingsDialog, { state: state(null, 'Could not load the settings: boom'), hostInfo: { ...host, metricsUrl: null }, onClose: () => undefined }));
    expect(html).toContain('role="alert"');
    expect(text(html)).toContain('boom');
    expect(text(html)).not.toContain('Metrics');
  });
});

describe('notices and the request tab', () => {
  it('labels the new kinds of notice', () => {
    const toasts = (['crash-looping', 'stalled', 'threshold'] as const).map((kind, index) => ({ id: index, notice: { kind, agentId: null, title: `t-${kind}`, body: '', at: '' } }));
    const html = renderToStaticMarkup(createElement(Notifications, { toasts, knownAgent: () => false, onDismiss: () => undefined, onDismissAll: () => undefined, onShowAgent: () => undefined }));
    for (const label of ['Crash-looping', 'Stalled', 'Threshold']) expect(html).toContain(`<span class="toast-kind">${label}</span>`);
  });

  it('names secret variables as secret, with no value', () => {
    const html = renderToStaticMarkup(createElement(EnvKeys, { envKeys: ['PLAIN'], secretEnvKeys: ['API_TOKEN'] }));
    expect(text(html)).toContain('API_TOKEN (secret)');
    expect(text(html)).toMatch(/PLAIN=\s*••••••/);
    expect(text(renderToStaticMarkup(createElement(EnvKeys, { envKeys: [], secretEnvKeys: [] })))).toBe('no extra variables');
  });
});
