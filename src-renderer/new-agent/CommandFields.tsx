/**
 * The New agent dialog's command: one Command line field (shell-style quoting,
 * command-line.ts) or, behind the "One argument per line" toggle, the exact
 * Program + Arguments editor. Either way a live preview lists the argv that
 * will run, one delimited box per argument, an empty one shown as such.
 * Up front for Custom command, folded under "Command" for a preset.
 */
import { useEffect, useState, type CSSProperties } from 'react';
import { Field } from '../ui/Field';
import { commandOf, type FieldErrors, type NewAgentForm } from './build-request';
import { formatCommandLine } from './command-line';
import type { TextField } from './use-new-agent-form';

interface CommandFieldsProps {
  custom: boolean;
  openByDefault: boolean;
  form: NewAgentForm;
  errors: FieldErrors;
  update: (field: TextField, value: string) => void;
  /** The toggle: true for the one-per-line editor. */
  onPerLineChange: (perLine: boolean) => void;
}

const LINE_HINT =
  "Program first, then its arguments, quoted as in a shell: '…' or \"…\" keep spaces and newlines in one argument. No shell runs: | ; > $ * are refused (use /bin/sh -c '…'). {prompt} is replaced by the prompt.";

// Inline: the dialog's stylesheet is shared with other work; these follow the theme through currentColor.
const listStyle: CSSProperties = { display: 'flex', flexWrap: 'wrap', gap: 4, listStyle: 'none', margin: 0, padding: 0 };
const itemStyle: CSSProperties = { border: '1px solid color-mix(in srgb, currentColor 35%, transparent)', borderRadius: 3, padding: '0 4px', whiteSpace: 'pre-wrap', maxWidth: '100%', overflowWrap: 'anywhere' };

/** The Command line text's problem as the user types (Start is off meanwhile); null when it parses or is not in use. */
export function commandLineProblem(form: NewAgentForm | null): string | null {
  if (form === null || form.commandLine === undefined) return null;
  const command = commandOf(form);
  return command.ok ? null : command.error;
}

export function CommandFields({ custom, openByDefault, form, errors, update, onPerLineChange }: CommandFieldsProps) {
  const [open, setOpen] = useState(openByDefault);
  useEffect(() => {
    if (openByDefault) setOpen(true);
  }, [openByDefault]);
  const perLine = form.commandLine === undefined;
  const command = commandOf(form);
  const live = commandLineProblem(form);
  const lineErrors = [...(live === null ? [] : [live]), ...(errors.commandLine ?? []).filter((message) => message !== live)];
  const fields = (
    <>
      <label className="field-label span-2">
        <input type="checkbox" checked={perLine} onChange={(event) => onPerLineChange(event.target.checked)} /> One argument per line
      </label>
      {perLine ? (
        <>
          <Field label="Program" id="na-program" span={2} errors={errors.program} hint="An executable on PATH, or a full path.">
            {(props) => (
              <input {...props} className="input mono" value={form.program} onChange={(event) => update('program', event.target.value)} autoComplete="off" spellCheck={false} />
            )}
          </Field>
          <Field label="Arguments" id="na-args" span={2} errors={errors.args} hint="One argument per line; {prompt} is replaced by the prompt. No shell: quotes are literal.">
            {(props) => (
              <textarea {...props} className="input mono" rows={3} value={form.args} onChange={(event) => update('args', event.target.value)} spellCheck={false} />
            )}
          </Field>
        </>
      ) : (
        <Field label="Command line" id="na-command" span={2} errors={lineErrors.length > 0 ? lineErrors : undefined} hint={LINE_HINT}>
          {(props) => (
            <textarea
              {...props}
              className="input mono"
              rows={2}
              value={form.commandLine}
              onChange={(event) => update('commandLine', event.target.value)}
              spellCheck={false}
            />
          )}
        </Field>
      )}
      <div className="field span-2">
        <span className="field-label" id="na-argv-label">
          Will run
        </span>
        {command.ok ? (
          <ol aria-label="Command preview" className="mono argv-preview" style={listStyle}>
            {command.argv.map((arg, index) => (
              <li key={index} style={itemStyle}>
                {arg === '' ? <em className="muted">(empty)</em> : arg}
              </li>
            ))}
          </ol>
        ) : (
          <p className="field-hint">Nothing until the command line parses.</p>
        )}
      </div>
    </>
  );
  if (custom) return fields;
  const summary = command.ok ? formatCommandLine(command.argv) : (form.commandLine ?? '');
  return (
    <details className="command-details span-2" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>
        Command <span className="muted mono command-preview">{summary}</span>
      </summary>
      {open && <div className="form-grid">{fields}</div>}
    </details>
  );
}
