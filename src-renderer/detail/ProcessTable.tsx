/**
 * The agent's processes as last sampled, each under its parent (indented by
 * ppid). Refreshed on each status tick while shown (see useProcessTree).
 */
import type { CorralApi } from '../../src-preload/contract';
import { formatCount, MISSING } from '../format/format';
import { orderProcessTree } from './process-tree-order';
import { useProcessTree } from './use-process-tree';

export function ProcessTable({ api, agentId, tick }: { api: CorralApi; agentId: string; tick: unknown }) {
  const { processes, error } = useProcessTree(api, agentId, true, tick);
  const ordered = processes === null ? [] : orderProcessTree(processes);
  return (
    <section className="process-section" aria-label="Process tree">
      <h3 className="section-title">Processes</h3>
      {error !== null && (
        <p className="inline-alert" role="alert">
          Could not read the process tree: {error}
        </p>
      )}
      <div className="table-scroll">
        <table className="process-table" aria-label="Processes">
          <thead>
            <tr>
              <th scope="col" className="num">PID</th>
              <th scope="col">State</th>
              <th scope="col" className="num">CPU %</th>
              <th scope="col" className="num">RSS MB</th>
              <th scope="col" className="num">Threads</th>
              <th scope="col">Command</th>
            </tr>
          </thead>
          <tbody>
            {ordered.map(({ process, depth }) => (
              <tr key={process.pid} className={process.status === 'zombie' || process.status === 'Z' ? 'is-zombie' : undefined}>
                <td className="num mono">{process.pid}</td>
                <td>{process.status}</td>
                <td className="num">{process.cpuPercent === null ? MISSING : process.cpuPercent.toFixed(1)}</td>
                <td className="num">{process.memoryMb === null ? MISSING : process.memoryMb.toFixed(1)}</td>
                <td className="num">{formatCount(process.numThreads)}</td>
                <td className="command-cell mono" title={process.command ?? process.name}>
                  <span style={{ paddingInlineStart: depth * 14 }} className="command-indent">
                    {depth > 0 && (
                      <span className="tree-elbow" aria-hidden="true">
                        └{' '}
                      </span>
                    )}
                    {process.command ?? process.name}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {processes !== null && processes.length === 0 && <p className="muted small table-empty">No processes: the agent has ended.</p>}
        {processes === null && error === null && <p className="muted small table-empty">Reading processes…</p>}
      </div>
    </section>
  );
}
