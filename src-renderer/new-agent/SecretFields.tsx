/**
 * Secret variables: name + value rows sent as the request's `secretEnv`.
 *
 * A value lives in a password input that React does not control: React
 * mirrors a controlled input's value into its `value` attribute, which would
 * put the secret in the page's markup. Here the value is read from the input
 * on change (into the form state, in memory) and never written back to the
 * DOM; rows keep a stable key so removing one does not move values between
 * inputs. Nothing else in the page ever shows a value.
 */
import { useEffect, useRef, useState } from 'react';
import type { HostInfoView } from '../../src-preload/contract';
import { assertNever } from '../state/assert-never';
import type { SecretRow } from './build-request';

/** What the host does with secret values, said where they are typed. */
export function secretStorageText(storage: HostInfoView['secretStorage'] | null): string {
  switch (storage) {
    case 'memory-only':
      return 'This host keeps secret values in memory only: they are never saved, and they are lost when the host stops.';
    case 'encrypted':
      return 'Secret values are saved encrypted with the system keychain, never in plain text.';
    case null:
      return 'Secret values are passed to the agent only.';
    default:
      return assertNever(storage);
  }
}

interface SecretFieldsProps {
  rows: readonly SecretRow[];
  errors: readonly string[] | undefined;
  storage: HostInfoView['secretStorage'] | null;
  onChange: (rows: SecretRow[]) => void;
}

export function SecretFields({ rows, errors, storage, onChange }: SecretFieldsProps) {
  const [nextId, setNextId] = useState(() => rows.reduce((max, row) => Math.max(max, row.id), 0) + 1);
  const nameInputs = useRef(new Map<number, HTMLInputElement>());
  const addButton = useRef<HTMLButtonElement>(null);
  const [focusRow, setFocusRow] = useState<number | 'add' | null>(null);

  useEffect(() => {
    if (focusRow === null) return;
    if (focusRow === 'add') addButton.current?.focus();
    else nameInputs.current.get(focusRow)?.focus();
    setFocusRow(null);
  }, [focusRow]);

  const invalid = errors !== undefined && errors.length > 0;
  const describedBy = ['na-secrets-storage', invalid ? 'na-secrets-error' : null].filter((part) => part !== null).join(' ');

  const add = () => {
    const id = nextId;
    setNextId(id + 1);
    onChange([...rows, { id, name: '', value: '' }]);
    setFocusRow(id);
  };
  const patch = (id: number, change: Partial<SecretRow>) => onChange(rows.map((row) => (row.id === id ? { ...row, ...change } : row)));
  const remove = (id: number) => {
    onChange(rows.filter((row) => row.id !== id));
    setFocusRow('add');
  };

  return (
    <fieldset className={`secret-fields span-2${invalid ? ' is-invalid' : ''}`}>
      <legend className="field-label">Secret variables</legend>
      {rows.length > 0 && (
        <ul className="secret-rows">
          {rows.map((row, index) => (
            <li key={row.id} className="secret-row">
              <input
                ref={(element) => {
                  if (element === null) nameInputs.current.delete(row.id);
                  else nameInputs.current.set(row.id, element);
                }}
                className="input mono"
                aria-label={`Secret name ${index + 1}`}
                placeholder="NAME"
                value={row.name}
                onChange={(event) => patch(row.id, { name: event.target.value })}
                autoComplete="off"
                spellCheck={false}
                aria-invalid={invalid ? true : undefined}
                aria-describedby={describedBy}
              />
              {/* Uncontrolled on purpose: see the file comment. */}
              <input
                className="input mono"
                type="password"
                aria-label={`Secret value ${index + 1}`}
                placeholder="value"
                onChange={(event) => patch(row.id, { value: event.target.value })}
                autoComplete="new-password"
                spellCheck={false}
                aria-invalid={invalid ? true : undefined}
                aria-describedby={describedBy}
              />
              <button type="button" className="button button-small button-quiet" aria-label={`Remove secret ${index + 1}`} onClick={() => remove(row.id)}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {invalid && (
        <p id="na-secrets-error" className="field-error">
          {errors.join(' ')}
        </p>
      )}
      <div className="secret-actions">
        <button ref={addButton} type="button" className="button button-small" onClick={add}>
          Add secret variable
        </button>
      </div>
      <p id="na-secrets-storage" className="field-hint">
        {secretStorageText(storage)} Values are never shown again and are masked in the logs.
      </p>
    </fieldset>
  );
}
