/**
 * The New agent dialog: pick a preset (the Demo agent first, so a new user
 * sees something at once), adjust, Start. The command comes first, right
 * under the preset (CommandFields.tsx: one Command line field with a live
 * argv preview, or the exact one-argument-per-line editor). Validation runs the contract's own
 * schema before sending, and each issue shows under its field. A spawn that
 * fails (e.g. the program is not installed) keeps the dialog open with the
 * reason; a started agent closes it and becomes the selected one.
 *
 * Secret variables and the Policies section (restart, stall detection,
 * resource guard, priority) are optional; Policies is folded until opened (or
 * until one of its fields has a problem).
 *
 * The form's state and its rules (what a preset fills in, which messages an
 * edit clears) are the reducer in use-new-agent-form.ts; this file is the
 * markup and the calls to the host.
 */
import { useEffect, useId, useMemo, useRef, type FormEvent } from 'react';
import type { CorralApi, HostInfoView } from '../../src-preload/contract';
import { PolicyFields } from '../policies/PolicyFields';
import { buildPolicies, defaultPolicyForm, describePolicies, DEFAULT_POLICIES } from '../policies/policy-form';
import { isActive } from '../state/agent-state';
import { settle } from '../state/call-result';
import type { CorralStore } from '../state/corral-store';
import { selectAgents, useStoreSlice } from '../state/use-store-slice';
import { Disclosure } from '../ui/Disclosure';
import { Field } from '../ui/Field';
import { Modal } from '../ui/Modal';
import { buildSpawnRequest, loaderKeysIn, type NewAgentForm } from './build-request';
import { CommandFields, commandLineProblem } from './CommandFields';
import { SecretFields } from './SecretFields';
import { isBlockedByPreset, isCustom, policyErrorsOf, selectedPreset, useNewAgentForm, type TextField } from './use-new-agent-form';

/** Ends a host-provided reason with a full stop, so a hint can follow it. */
function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

interface NewAgentDialogProps {
  api: CorralApi;
  /** The agents listed (ids in use, known parents), read here so the App does not follow every tick. */
  store: CorralStore;
  /** Says where secret values are kept; null while unknown. */
  hostInfo: HostInfoView | null;
  onClose: () => void;
  onStarted: (agentId: string) => void;
  /** Duplicate: the form to open with, for the dialog's id suffix (duplicate.ts). */
  duplicateOf?: (suffix: string) => NewAgentForm;
}

export function NewAgentDialog({ api, store, hostInfo, onClose, onStarted, duplicateOf }: NewAgentDialogProps) {
  const agents = useStoreSlice(store, selectAgents);
  const titleId = useId();
  const [state, dispatch] = useNewAgentForm(duplicateOf);
  const { presets, presetsError, presetId, form, errors, spawnError, submitting, policiesOpen } = state;
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    let active = true;
    void settle(() => api.listPresets()).then((result) => {
      if (active) dispatch({ type: 'presetsLoaded', result });
    });
    return () => {
      active = false;
    };
  }, [api, dispatch]);

  // The dialog opened before the presets arrived: put focus on the first field once they are here.
  const loaded = form !== null;
  useEffect(() => {
    if (loaded) document.getElementById('na-preset')?.focus();
  }, [loaded]);

  const preset = selectedPreset(state);
  const custom = preset !== undefined && isCustom(preset);
  const blockedByPreset = isBlockedByPreset(state);
  // Unbalanced quotes or shell syntax in the Command line: said under the field, and Start waits for a fix.
  const commandProblem = commandLineProblem(form);

  const knownParents = useMemo(() => [...agents.values()].sort((a, b) => a.agentName.localeCompare(b.agentName)), [agents]);

  const update = (field: TextField, value: string) => dispatch({ type: 'fieldEdited', field, value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (form === null || preset === undefined || submitting || blockedByPreset || commandProblem !== null) return;
    const built = buildSpawnRequest(preset, form);
    if (!built.ok) {
      dispatch({ type: 'submitRefused', errors: built.errors });
      // Move focus to the first field with a problem so keyboard users land on it.
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    dispatch({ type: 'spawnStarted' });
    const result = await settle(() => api.spawnAgent(built.request));
    if (result.ok && result.value.status !== 'failed') {
      dispatch({ type: 'spawnSettled', error: null });
      onStarted(result.value.agentId);
    } else {
      dispatch({ type: 'spawnSettled', error: result.ok ? (result.value.error ?? 'The agent could not be started.') : result.message });
    }
  };

  // Reusing an id replaces an ended agent's record (and is refused for a live one): say so before Start.
  const existing = form === null ? undefined : agents.get(form.agentId.trim());
  const idHint =
    existing === undefined
      ? 'Names the log folder. Letters, digits, . _ -'
      : isActive(existing.state)
        ? `"${existing.agentName}" is ${existing.state} with this id: choose another.`
        : `Replaces the ended agent "${existing.agentName}" (${existing.state}) and its logs.`;

  // Offered only while the Environment text holds a loader key (LD_*, DYLD_*).
  const loaderKeys = form === null ? [] : loaderKeysIn(form.env, (form.secrets ?? []).map((row) => row.name));

  // What the folded Policies section will send, in one line.
  const policyCheck = form?.policies === undefined ? null : buildPolicies(form.policies);
  const policySummary = policyCheck === null ? describePolicies(DEFAULT_POLICIES) : policyCheck.ok ? describePolicies(policyCheck.value) : 'needs attention';
  const policyErrors = policyErrorsOf(errors);

  const parentUnknown = form !== null && form.parentAgentId.trim() !== '' && !agents.has(form.parentAgentId.trim());

  return (
    <Modal labelledBy={titleId} onClose={onClose} className="new-agent">
      <form ref={formRef} onSubmit={(event) => void submit(event)} noValidate>
        <header className="modal-header">
          <h2 id={titleId} className="modal-title">
            New agent
          </h2>
        </header>
        {presets === null || form === null ? (
          <p className="muted" aria-busy="true">
            Loading presets…
          </p>
        ) : (
          <div className="modal-body form-grid">
            {presetsError !== null && (
              <p className="inline-alert span-2" role="alert">
                {presetsError}
              </p>
            )}
            <Field label="Preset" id="na-preset" span={2} hint={preset?.description}>
              {(props) => (
                <select
                  {...props}
                  className="input"
                  value={presetId}
                  onChange={(event) => dispatch({ type: 'presetChosen', presetId: event.target.value })}
                  data-autofocus=""
                >
                  {presets.map((candidate) => (
                    <option key={candidate.id} value={candidate.id}>
                      {candidate.label}
                      {candidate.available ? '' : ' (not installed)'}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {preset !== undefined && !preset.available && (
              <p className="inline-warning span-2">
                {sentence(preset.unavailableReason ?? `${preset.command[0] ?? 'The program'} is not available`)}
                {blockedByPreset ? ' To use another executable, change the program under Command.' : ''}
              </p>
            )}
            {/* The program first: it is what the agent is. */}
            <CommandFields
              custom={custom}
              openByDefault={blockedByPreset || errors.program !== undefined || errors.args !== undefined || errors.commandLine !== undefined || commandProblem !== null}
              form={form}
              errors={errors}
              update={update}
              onPerLineChange={(perLine) => dispatch({ type: 'commandModeChanged', perLine })}
            />
            <Field label="Name" id="na-name" errors={errors.name}>
              {(props) => <input {...props} className="input" value={form.name} onChange={(event) => update('name', event.target.value)} autoComplete="off" />}
            </Field>
            <Field label="Agent id" id="na-id" errors={errors.agentId} hint={idHint}>
              {(props) => (
                <input {...props} className="input mono" value={form.agentId} onChange={(event) => update('agentId', event.target.value)} autoComplete="off" spellCheck={false} />
              )}
            </Field>
            <Field label="Type" id="na-type" errors={errors.type}>
              {(props) => <input {...props} className="input" value={form.type} onChange={(event) => update('type', event.target.value)} autoComplete="off" />}
            </Field>
            <Field label="Model" id="na-model" errors={errors.model}>
              {(props) => <input {...props} className="input" value={form.model} onChange={(event) => update('model', event.target.value)} autoComplete="off" />}
            </Field>
            <Field
              label="Parent agent"
              id="na-parent"
              span={2}
              errors={errors.parent}
              hint={parentUnknown ? 'No agent with this id is known here; it will be listed as a top-level agent.' : 'Optional: the id of the agent that started this one.'}
            >
              {(props) => (
                <div className="input-with-picker">
                  <input
                    {...props}
                    className="input mono"
                    value={form.parentAgentId}
                    onChange={(event) => update('parentAgentId', event.target.value)}
                    autoComplete="off"
                    spellCheck={false}
                    placeholder="none"
                  />
                  {knownParents.length > 0 && (
                    <select
                      className="input picker"
                      aria-label="Choose a known parent agent"
                      value=""
                      onChange={(event) => update('parentAgentId', event.target.value)}
                    >
                      <option value="">Pick…</option>
                      <option value="">(none)</option>
                      {knownParents.map((agent) => (
                        <option key={agent.agentId} value={agent.agentId}>
                          {agent.agentName} ({agent.agentId})
                        </option>
                      ))}
                    </select>
                  )}
                </div>
              )}
            </Field>
            <Field
              label="Prompt"
              id="na-prompt"
              span={2}
              errors={errors.prompt}
              hint={form.prompt.length > 100_000 ? `${form.prompt.length.toLocaleString()} characters: sent on standard input.` : undefined}
            >
              {(props) => (
                <textarea {...props} className="input prompt-input" rows={4} value={form.prompt} onChange={(event) => update('prompt', event.target.value)} />
              )}
            </Field>
            <Field label="Working directory" id="na-cwd" span={2} errors={errors.cwd} hint="Blank: Corral's own working directory.">
              {(props) => (
                <input {...props} className="input mono" value={form.cwd} onChange={(event) => update('cwd', event.target.value)} autoComplete="off" spellCheck={false} />
              )}
            </Field>
            <Field label="Environment" id="na-env" errors={errors.env} hint="One KEY=value per line. Tokens and passwords go under Secret variables.">
              {(props) => (
                <textarea {...props} className="input mono" rows={3} value={form.env} onChange={(event) => update('env', event.target.value)} spellCheck={false} />
              )}
            </Field>
            <Field label="Load %" id="na-load" errors={errors.load} hint="Optional, 0–100 (passed to the agent's record).">
              {(props) => (
                <input
                  {...props}
                  className="input"
                  type="number"
                  min={0}
                  max={100}
                  step={1}
                  value={form.load}
                  onChange={(event) => update('load', event.target.value)}
                />
              )}
            </Field>
            <SecretFields
              rows={form.secrets ?? []}
              errors={errors.secretEnv}
              storage={hostInfo?.secretStorage ?? null}
              onChange={(secrets) => dispatch({ type: 'secretsChanged', secrets })}
            />
            {loaderKeys.length > 0 && (
              <div className="field span-2">
                <label className="field-label">
                  <input
                    type="checkbox"
                    checked={form.allowLoaderEnv === true}
                    onChange={(event) => dispatch({ type: 'allowLoaderEnvChanged', allow: event.target.checked })}
                    aria-describedby="na-loader-hint"
                  />{' '}
                  Allow loader variables (LD_*, DYLD_*)
                </label>
                <p id="na-loader-hint" className="field-hint">
                  {loaderKeys.join(', ')} {loaderKeys.length === 1 ? 'changes' : 'change'} how every program of this agent loads its libraries. Tick only if you trust
                  {loaderKeys.length === 1 ? ' it' : ' them'}.
                </p>
              </div>
            )}
            <Disclosure
              title="Policies"
              open={policiesOpen}
              onToggle={(open) => dispatch({ type: 'policiesToggled', open })}
              summary={policySummary}
              className="span-2 policies-disclosure"
            >
              <PolicyFields
                value={form.policies ?? defaultPolicyForm()}
                errors={policyErrors}
                idPrefix="na-policy"
                onChange={(policies, changed) => dispatch({ type: 'policiesChanged', policies, changed })}
              />
            </Disclosure>
          </div>
        )}
        {/* Outside the scrolling body, so the reason is in view wherever the user scrolled to. */}
        {spawnError !== null && (
          <p className="inline-alert spawn-error" role="alert">
            {spawnError}
          </p>
        )}
        <footer className="modal-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={form === null || submitting || blockedByPreset || commandProblem !== null}>
            {submitting ? 'Starting…' : 'Start'}
          </button>
        </footer>
      </form>
    </Modal>
  );
}
