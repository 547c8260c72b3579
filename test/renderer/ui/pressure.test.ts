import { describe, expect, it } from 'vitest';
import { describePressure, formatPressure, HIGH_PRESSURE_PERCENT, highPressure } from '../../../src-renderer/detail/pressure';
import { renderAgentRow } from './render-row';

describe('pressure in the UI', () => {
  it('names the resources at or over the threshold, and none without figures', () => {
    expect(highPressure({ cpu: HIGH_PRESSURE_PERCENT, memory: HIGH_PRESSURE_PERCENT - 0.1, io: null })).toEqual(['cpu']);
    expect(highPressure({ cpu: 0, memory: 35, io: 60 })).toEqual(['memory', 'io']);
    expect(highPressure(null)).toEqual([]);
    expect(highPressure(undefined)).toEqual([]);
  });

  it('describes all three figures, an unreadable one as missing', () => {
    expect(describePressure({ cpu: 25, memory: 0, io: null })).toBe('Pressure (share of the last 10 s spent waiting): CPU 25.0 %, memory 0.0 %, I/O —');
    expect(formatPressure(3.456)).toBe('3.5 %');
  });

  it('badges a live row under high pressure, with the figures in its name, and no other row', () => {
    const high = renderAgentRow({ pressure: { cpu: 42.5, memory: 1, io: 0 } });
    expect(high).toContain('badge-pressure');
    expect(high).toContain('aria-label="Pressure (share of the last 10 s spent waiting): CPU 42.5 %, memory 1.0 %, I/O 0.0 %"');
    expect(renderAgentRow({ pressure: { cpu: 5, memory: 1, io: 0 } })).not.toContain('badge-pressure');
    expect(renderAgentRow({ pressure: null })).not.toContain('badge-pressure');
    expect(renderAgentRow({ state: 'completed', pressure: { cpu: 90, memory: 0, io: 0 } })).not.toContain('badge-pressure');
  });
});
