/**
 * Policies: change an agent's restart, stall, guard and priority policies
 * (updateAgentPolicies). They apply at once — niceness to its live processes
 * too — and to its later runs. The form follows the agent's policies until
 * the user edits it; Revert goes back to them.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { AgentPolicies, AgentView, CorralApi } from '../../src-preload/contract';
import { LimitEnforcement } from '../policies/LimitEnforcement';
import { clearPolicyErrors, PolicyFields } from '../policies/PolicyFields';
import { buildPolicies, describePolicies, policyFormFrom, type PolicyErrors, type PolicyForm } from '../policies/policy-form';
import { settle } from '../state/call-result';

interface PoliciesTabProps {
  api: CorralApi;
  agent: AgentView;
  /** The agent as the call returned it (so the UI shows it before the next tick). */
  onUpdated: (agent: AgentView) => void;
}

function policiesKey(policies: AgentPolicies): string {
  return JSON.stringify(policies);
}

export function PoliciesTab({ api, agent, onUpdated }: PoliciesTabProps) {
  const [form, setForm] = useState<PolicyForm>(() => policyFormFrom(agent.policies));
  const [dirty, setDirty] = useState(false);
  const [errors, setErrors] = useState<PolicyErrors>({});
  const [callError, setCallError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [outcome, setOutcome] = useState('');
  const formRef = useRef<HTMLFormElement>(null);
  const agentId = agent.agentId;

  // Follow changes made elsewhere (another window, the engine) while the user is not editing.
  const key = policiesKey(agent.policies);
  const shown = useRef(key);
  useEffect(() => {
    if (shown.current === key || dirty) return;
    shown.current = key;
    setForm(policyFormFrom(JSON.parse(key) as AgentPolicies));
  }, [key, dirty]);

  const change = (next: PolicyForm, changed: keyof PolicyForm) => {
    setForm(next);
    setDirty(true);
    setOutcome('');
    setErrors((previous) => clearPolicyErrors(previous, changed));
  };

  const revert = () => {
    shown.current = key;
    setForm(policyFormFrom(agent.policies));
    setDirty(false);
    setErrors({});
    setCallError(null);
    setOutcome('');
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (saving) return;
    setCallError(null);
    setOutcome('');
    const built = buildPolicies(form);
    if (!built.ok) {
      setErrors(built.errors);
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setErrors({});
    setSaving(true);
    const result = await settle(() => api.updateAgentPolicies({ agentId, ...built.value }));
    setSaving(false);
    if (!result.ok) {
      setCallError(result.message);
      return;
    }
    onUpdated(result.value);
    shown.current = policiesKey(result.value.policies);
    setForm(policyFormFrom(result.value.policies));
    setDirty(false);
    setOutcome('Saved: applies now and to later runs.');
  };

  return (
    <form ref={formRef} className="policies-tab" onSubmit={(event) => void save(event)} noValidate aria-label="Policies">
      <p className="muted small">Now: {describePolicies(agent.policies)}</p>
      <LimitEnforcement guard={agent.policies.guard} enforcement={agent.limitEnforcement} />
      <PolicyFields value={form} errors={errors} idPrefix={`policy-${agentId}`} onChange={change} disabled={saving} />
      {callError !== null && (
        <p className="inline-alert" role="alert">
          Could not save the policies: {callError}
        </p>
      )}
      <div className="policies-actions">
        <button type="submit" className="button button-primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save policies'}
        </button>
        <button type="button" className="button" onClick={revert} disabled={!dirty || saving}>
          Revert
        </button>
        <span className="small muted" aria-live="polite">
          {outcome}
        </span>
      </div>
    </form>
  );
}
