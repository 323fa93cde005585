import type { AnswerStats } from '../chat/types.ts';
import type { LoadedModelInfo } from '../engine/client.ts';
import { lastAnswer } from '../chat/conversation.ts';
import type { LiveAnswer } from '../chat/answer.ts';
import type { Conversation } from '../chat/types.ts';
import { useLiveAnswer } from '../chat/useChat.ts';
import { useConversation } from '../chat/useConversations.ts';
import { useLoadedModel } from '../models/queries.ts';
import { formatBytes, formatMs, formatRate, percent } from '../ui/format.ts';
import { KernelProfileView } from './KernelProfileView.tsx';
import { RoutingView } from './RoutingView.tsx';

interface Shown {
  readonly live: boolean;
  readonly promptTokens: number | undefined;
  readonly reusedTokens: number | undefined;
  readonly generatedTokens: number;
  readonly stats: AnswerStats | undefined;
  /** Decode rate so far, while streaming. */
  readonly liveRate: number | undefined;
  readonly liveTtft: number | undefined;
}

/** What the last answer (or the one being written) cost: speed, reuse, GPU work per step. */
export function InsightsPanel({ conversationId }: { conversationId: string | undefined }) {
  const live = useLiveAnswer();
  const conv = useConversation(conversationId).data ?? undefined;
  const model = useLoadedModel().data ?? undefined;
  const shown = pick(live?.conversationId === conversationId ? live : undefined, conv);

  return (
    <div className="insights">
      <section aria-labelledby="answer-stats-title">
        <h3 id="answer-stats-title">{shown?.live ? 'Answer being written' : 'Last answer'}</h3>
        {shown ? <Stats shown={shown} model={model} /> : <p className="muted">Send a message to see how fast the model runs here.</p>}
      </section>
      {model && (
        <section aria-labelledby="model-stats-title">
          <h3 id="model-stats-title">Model</h3>
          <dl className="stat-grid">
            <Stat label="Architecture" value={model.architecture} />
            <Stat label="Layers" value={String(model.nLayer)} />
            <Stat label="Experts per token" value={`${model.nExpertUsed} of ${model.nExpert}`} />
            <Stat label="Weights on GPU" value={formatBytes(model.weightBytes)} />
            <Stat
              label="Experts on GPU"
              value={model.experts.paged ? `${model.experts.slotsPerLayer} of ${model.nExpert} per layer · ${formatBytes(model.experts.bytes)}` : `all · ${formatBytes(model.experts.bytes)}`}
            />
            <Stat label="KV cache" value={`${formatBytes(model.kvCacheBytes)} · ${formatBytes(model.kvBytesPerToken)} per token`} />
            {model.recurrentStateBytes > 0 && (
              <Stat label="DeltaNet state" value={`${formatBytes(model.recurrentStateBytes)}, any length · ${formatBytes(model.recurrentBytes)} with rollback copies`} />
            )}
          </dl>
        </section>
      )}
      <RoutingView model={model} />
      {model && <KernelProfileView stats={shown?.stats} />}
    </div>
  );
}

function pick(live: LiveAnswer | undefined, conv: Conversation | undefined): Shown | undefined {
  if (live) {
    const n = live.tokens.length;
    const span = live.firstTokenAt !== undefined && live.lastTokenAt !== undefined ? live.lastTokenAt - live.firstTokenAt : 0;
    return {
      live: true,
      promptTokens: live.promptTokens,
      reusedTokens: live.reusedTokens,
      generatedTokens: n,
      stats: undefined,
      liveRate: n > 1 && span > 0 ? ((n - 1) * 1000) / span : undefined,
      liveTtft: live.firstTokenAt !== undefined ? live.firstTokenAt - live.startedAt : undefined,
    };
  }
  const last = lastAnswer(conv);
  if (!last?.stats) return undefined;
  const s = last.stats;
  return { live: false, promptTokens: s.promptTokens, reusedTokens: s.reusedTokens, generatedTokens: s.generatedTokens, stats: s, liveRate: undefined, liveTtft: undefined };
}

function Stats({ shown, model }: { shown: Shown; model: LoadedModelInfo | undefined }) {
  const s = shown.stats;
  const used = (shown.promptTokens ?? 0) + shown.generatedTokens;
  return (
    <div data-testid="answer-stats" data-live={shown.live} data-prompt-tokens={shown.promptTokens} data-reused-tokens={shown.reusedTokens} data-generated-tokens={shown.generatedTokens}>
      <dl className="stat-grid">
        <Stat label="Prompt" value={formatRate(s?.prefillTokensPerSecond)} />
        <Stat label="Generation" value={formatRate(s?.decodeTokensPerSecond ?? shown.liveRate)} />
        <Stat label="Time to first token" value={formatMs(s?.timeToFirstTokenMs ?? shown.liveTtft)} />
        <Stat label="Prompt tokens" value={shown.promptTokens === undefined ? '–' : String(shown.promptTokens)} />
        <Stat label="Reused from cache" value={shown.reusedTokens === undefined ? '–' : `${shown.reusedTokens}${shown.promptTokens ? ` (${percent(shown.reusedTokens, shown.promptTokens)}%)` : ''}`} />
        <Stat label="Generated tokens" value={String(shown.generatedTokens)} />
        {s && <Stat label="Submits per step" value={String(s.submitsPerStep)} />}
        {s && <Stat label="Readback per step" value={formatBytes(s.readbackBytesPerStep)} />}
        {s && <Stat label="Dispatches per step" value={String(s.dispatchesPerStep)} />}
        {s && <Stat label="Tokens per step" value={s.tokensPerStep ? s.tokensPerStep.toFixed(2) : '–'} />}
        {s && s.acceptanceRate > 0 && <Stat label="Draft acceptance" value={`${Math.round(100 * s.acceptanceRate)}%`} />}
        {s?.acceptanceByDrafter && Object.keys(s.acceptanceByDrafter).length > 0 && (
          <Stat
            label="Acceptance by drafter"
            value={Object.entries(s.acceptanceByDrafter)
              .map(([d, r]) => {
                const perStep = s.tokensPerStepByDrafter?.[d];
                return `${d} ${Math.round(100 * r)}%${perStep === undefined ? '' : ` (${perStep.toFixed(2)} tokens/step)`}`;
              })
              .join(', ')}
          />
        )}
        {s?.draftLength !== undefined && s.draftLength > 0 && <Stat label="Draft length (mean k)" value={s.draftLength.toFixed(1)} />}
        {s?.speedup !== undefined && s.draftLength !== undefined && <Stat label="Speed-up vs plain" value={`${s.speedup.toFixed(2)}×`} />}
        {s?.experts && <Stat label="Expert cache hits" value={`${Math.round(100 * s.experts.hitRate)}%`} />}
        {s?.experts && <Stat label="Experts loaded per token" value={`${formatBytes(s.experts.bytesPagedPerToken)} · ${formatMs(s.experts.stallMsPerToken)}`} />}
      </dl>
      {model && (
        <div className="context-use">
          <progress aria-label="Context used" max={model.contextLength} value={Math.min(used, model.contextLength)} />
          <p className="muted small">
            {used.toLocaleString('en-US')} of {model.contextLength.toLocaleString('en-US')} context tokens used
          </p>
        </div>
      )}
    </div>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}
