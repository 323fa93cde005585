// Where a forward pass spends its GPU time, per kernel class (the Insights toggle): the last
// answer's prefill pass and last decode step, as the engine's profiler measured them.

import type { AnswerStats } from '../chat/types.ts';
import type { ChatStats } from '../engine/client.ts';
import { useSettings } from '../settings/useSettings.ts';

type Profile = NonNullable<NonNullable<ChatStats['profile']>['decode']>;

export function KernelProfileView({ stats }: { stats: AnswerStats | undefined }) {
  const { settings, update } = useSettings();
  const p = stats?.profile;
  return (
    <section aria-labelledby="kernel-profile-title">
      <h3 id="kernel-profile-title">Time per kernel</h3>
      <label className="check">
        <input type="checkbox" checked={settings.profileKernels} onChange={(e) => update({ profileKernels: e.target.checked })} /> Profile the next answers (each GPU dispatch is timed on its own, so
        answers come slower)
      </label>
      {p?.decode && <ProfileTable title="Last decode step" profile={p.decode} />}
      {p?.prefill && <ProfileTable title={`Prompt pass (${p.prefill.tokens} tokens)`} profile={p.prefill} />}
      {settings.profileKernels && !p && <p className="muted small">Send a message to see where its time goes.</p>}
    </section>
  );
}

function ProfileTable({ title, profile }: { title: string; profile: Profile }) {
  const rows = Object.entries(profile.kernelMs).sort((a, b) => b[1] - a[1]);
  return (
    <div className="table-scroll" data-testid="kernel-profile">
      <table className="md-table">
        <caption>
          {title}: {profile.gpuMs.toFixed(1)} ms on the GPU ({profile.method === 'timestamps' ? 'GPU timestamps' : 'one submit per dispatch'}), {profile.recordMs.toFixed(1)} ms recording,{' '}
          {profile.waitMs.toFixed(1)} ms waited
        </caption>
        <thead>
          <tr>
            <th>Kernel</th>
            <th style={{ textAlign: 'right' }}>ms</th>
            <th style={{ textAlign: 'right' }}>share</th>
            <th style={{ textAlign: 'right' }}>dispatches</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([kernel, ms]) => (
            <tr key={kernel}>
              <td>{kernel}</td>
              <td style={{ textAlign: 'right' }}>{ms.toFixed(2)}</td>
              <td style={{ textAlign: 'right' }}>{profile.gpuMs > 0 ? `${Math.round((100 * ms) / profile.gpuMs)}%` : '–'}</td>
              <td style={{ textAlign: 'right' }}>{profile.dispatches[kernel] ?? 0}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
