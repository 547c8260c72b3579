/**
 * Request: everything the agent was started with (getAgentRequest), plus how
 * it ended. Environment values never reach the UI; only the keys are listed,
 * secret ones marked "(secret)".
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { AgentRequestView, AgentView, CorralApi } from '../../src-preload/contract';
import { formatArg, formatBytes, formatExitCode, formatTimestamp, MISSING } from '../format/format';
import { settle } from '../state/call-result';

export function RequestTab({ api, agent }: { api: CorralApi; agent: AgentView }) {
  const [request, setRequest] = useState<AgentRequestView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const agentId = agent.agentId;
  // A run again may change startedAt: reload then (the request itself is the same, the facts below are not).
  const runKey = agent.startedAt;

  useEffect(() => {
    let active = true;
    setError(null);
    void settle(() => api.getAgentRequest({ agentId })).then((result) => {
      if (!active) return;
      if (result.ok) setRequest(result.value);
      else setError(result.message);
    });
    return () => {
      active = false;
    };
  }, [api, agentId, runKey]);

  if (error !== null) {
    return (
      <p className="inline-alert" role="alert">
        Could not load the request: {error}
      </p>
    );
  }
  if (request === null) return <p className="muted">Loading the request…</p>;

  return (
    <dl className="request-facts">
      {/* Short facts first, in a grid; long ones after, full width. */}
      <Fact term="Name">{request.agentName}</Fact>
      <Fact term="Agent id" mono>
        {request.agentId}
      </Fact>
      <Fact term="Type">{request.agentType || MISSING}</Fact>
      <Fact term="Model">{request.model ?? MISSING}</Fact>
      <Fact term="Parent agent" mono>
        {request.parentAgentId ?? 'none'}
      </Fact>
      <Fact term="Load">{request.loadPercentage === null ? MISSING : `${request.loadPercentage} %`}</Fact>
      <Fact term="Exit code">{formatExitCode(agent)}</Fact>
      <Fact term="Signal">{agent.signal ?? MISSING}</Fact>
      <Fact term="Started">{formatTimestamp(agent.startedAt)}</Fact>
      <Fact term="Ended">{formatTimestamp(agent.endedAt)}</Fact>
      <Fact term="Standard input">{request.stdinBytes === null ? 'none' : formatBytes(request.stdinBytes)}</Fact>
      <Fact term="Environment">
        <EnvKeys envKeys={request.envKeys} secretEnvKeys={request.secretEnvKeys} />
      </Fact>
      <Fact term="Prompt" wide>
        {request.prompt === null || request.prompt === '' ? (
          <span className="muted">none</span>
        ) : (
          <pre className="prompt-text" tabIndex={0} aria-label="Prompt text">
            {request.prompt}
          </pre>
        )}
      </Fact>
      <Fact term="Command" wide>
        <ol className="argv mono">
          {request.command.map((arg, index) => (
            // argv entries may repeat: the index is part of their identity.
            <li key={index}>
              <code className={arg === '' ? 'empty-arg' : undefined} title={arg === '' ? 'An empty argument' : undefined}>
                {formatArg(arg)}
              </code>
            </li>
          ))}
        </ol>
      </Fact>
      <Fact term="Command line" wide mono>
        {request.cmdline}
      </Fact>
      <Fact term="Working directory" wide mono>
        {request.cwd ?? 'inherited'}
      </Fact>
      <Fact term="Log folder" wide mono>
        {request.logDir}
      </Fact>
      <Fact term="Request id" wide mono>
        {request.requestId}
      </Fact>
    </dl>
  );
}

/** The variable names the agent got: plain ones with a hidden value, secret ones marked "(secret)". No value is ever here. */
export function EnvKeys({ envKeys, secretEnvKeys }: { envKeys: readonly string[]; secretEnvKeys: readonly string[] }) {
  if (envKeys.length === 0 && secretEnvKeys.length === 0) return <span className="muted">no extra variables</span>;
  return (
    <ul className="env-list mono">
      {envKeys.map((key) => (
        <li key={key}>
          {key}=<span aria-label="value hidden">••••••</span>
        </li>
      ))}
      {secretEnvKeys.map((key) => (
        <li key={`secret:${key}`} className="env-secret">
          {key} <span className="secret-mark">(secret)</span>
        </li>
      ))}
    </ul>
  );
}

function Fact({ term, children, wide = false, mono = false }: { term: string; children: ReactNode; wide?: boolean; mono?: boolean }) {
  return (
    <div className={`fact${wide ? ' is-wide' : ''}`}>
      <dt>{term}</dt>
      <dd className={mono ? 'mono breakable' : undefined}>{children}</dd>
    </div>
  );
}
