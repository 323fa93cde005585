import { Fragment } from 'react';
import type { GgufSummary } from '../engine/client.ts';
import { formatBytes, formatCount } from './format.ts';

export function GgufSummaryView({ summary, fileName }: { summary: GgufSummary; fileName: string | undefined }) {
  const { tokenizer } = summary;
  return (
    <article className="card summary" aria-label="GGUF summary">
      <h3>{summary.name ?? fileName ?? 'Unnamed model'}</h3>
      <dl className="facts">
        <Fact id="architecture" label="Architecture" value={summary.architecture ?? 'not stated'} />
        <Fact id="name" label="Name" value={summary.name ?? 'not stated'} />
        <Fact id="parameters" label="Parameters" value={formatCount(summary.parameterCount)} />
        <Fact id="tensors" label="Tensors" value={summary.tensorCount.toLocaleString('en-US')} />
        <Fact id="file-size" label="File size" value={summary.fileSize === undefined ? 'unknown' : formatBytes(summary.fileSize, true)} />
        <Fact id="tensor-data" label="Tensor data" value={formatBytes(summary.tensorBytes)} />
        {tokenizer && (
          <Fact
            id="tokenizer"
            label="Tokenizer"
            value={[tokenizer.model, tokenizer.pre && `pre ${tokenizer.pre}`, tokenizer.tokenCount !== undefined && `${tokenizer.tokenCount.toLocaleString('en-US')} tokens`]
              .filter(Boolean)
              .join(' · ')}
          />
        )}
        <Fact id="chat-template" label="Chat template" value={summary.hasChatTemplate ? 'included' : 'none'} />
        <Fact id="version" label="GGUF version" value={String(summary.version)} />
      </dl>

      <h4>Quantization</h4>
      {summary.quantTypes.length === 0 ? (
        <p className="muted">No tensors: this file holds metadata only (e.g. a vocabulary).</p>
      ) : (
        <div className="table-scroll">
          <table className="quant-table">
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Tensors</th>
                <th scope="col">Parameters</th>
                <th scope="col">Size</th>
                <th scope="col">Share</th>
              </tr>
            </thead>
            <tbody>
              {summary.quantTypes.map((q) => (
                <tr key={q.type}>
                  <th scope="row">
                    {q.type}
                    {!q.supported && (
                      <span className="badge warn" title="Pakar cannot run this type yet">
                        unsupported
                      </span>
                    )}
                  </th>
                  <td>{q.tensors.toLocaleString('en-US')}</td>
                  <td>{formatCount(q.parameters)}</td>
                  <td>{formatBytes(q.bytes)}</td>
                  <td>{summary.tensorBytes > 0 ? `${((100 * q.bytes) / summary.tensorBytes).toFixed(1)}%` : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <details className="metadata">
        <summary>Metadata ({summary.metadata.length} keys)</summary>
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Type</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {summary.metadata.map((m) => (
                <tr key={m.key}>
                  <th scope="row" className="mono">
                    <DottedKey name={m.key} />
                  </th>
                  <td className="mono muted">{m.type}</td>
                  <td className="value">{m.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </article>
  );
}

function Fact({ id, label, value }: { id: string; label: string; value: string }) {
  return (
    <div className="fact" data-testid={`fact-${id}`}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/** A metadata key that may wrap after its dots (narrow screens), not inside a word. */
function DottedKey({ name }: { name: string }) {
  return name.split('.').map((part, i) => (
    <Fragment key={i}>
      {i > 0 && (
        <>
          .<wbr />
        </>
      )}
      {part}
    </Fragment>
  ));
}
