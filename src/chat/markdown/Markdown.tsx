// Markdown as React elements. There is no HTML string anywhere: every node becomes an element
// or a text child, so model output cannot inject markup or script (sanitised by construction).

import { memo, useMemo, type ReactNode } from 'react';
import { useCopy } from '../../ui/useCopy.ts';
import { parseMarkdown, type Block } from './blocks.ts';
import { highlight } from './highlight.ts';
import type { Inline } from './inline.ts';

/** `cursor`: the answer is still streaming; a blinking cursor follows its last word. */
export const Markdown = memo(function Markdown({ text, cursor = false }: { text: string; cursor?: boolean }) {
  const blocks = useMemo(() => parseMarkdown(text), [text]);
  return <>{renderBlocks(blocks, cursor)}</>;
});

const Cursor = () => <span className="cursor" data-testid="cursor" aria-hidden="true" />;

/** The blocks; with `cursor`, the cursor goes inside the last one when it holds text, else after it. */
function renderBlocks(blocks: readonly Block[], cursor: boolean): ReactNode[] {
  const out = blocks.map((b, i) => renderBlock(b, i, cursor && i === blocks.length - 1));
  const last = blocks[blocks.length - 1];
  if (cursor && (!last || !holdsCursor(last))) out.push(<Cursor key="cursor" />);
  return out;
}

function holdsCursor(b: Block): boolean {
  if (b.type === 'paragraph' || b.type === 'heading') return true;
  if (b.type === 'list') return b.items.length > 0;
  return false;
}

function renderBlock(b: Block, key: number, cursor = false): ReactNode {
  const tail = cursor ? <Cursor key="cursor" /> : null;
  switch (b.type) {
    case 'heading': {
      const H = `h${Math.min(6, b.level + 2)}` as 'h3';
      return (
        <H key={key} className={`md-h md-h${b.level}`}>
          {renderInlines(b.children)}
          {tail}
        </H>
      );
    }
    case 'paragraph':
      return (
        <p key={key}>
          {renderInlines(b.children)}
          {tail}
        </p>
      );
    case 'code':
      return <CodeBlock key={key} lang={b.lang} code={b.text} />;
    case 'list': {
      const items = b.items.map((item, i) => <li key={i}>{renderBlocks(item, cursor && i === b.items.length - 1)}</li>);
      return b.ordered ? <ol key={key} start={b.start === 1 ? undefined : b.start}>{items}</ol> : <ul key={key}>{items}</ul>;
    }
    case 'quote':
      return <blockquote key={key}>{renderBlocks(b.children, false)}</blockquote>;
    case 'hr':
      return <hr key={key} />;
    case 'table':
      return (
        <div key={key} className="table-scroll">
          <table className="md-table">
            <thead>
              <tr>{b.header.map((h, i) => <th key={i} style={{ textAlign: b.align[i] }}>{renderInlines(h)}</th>)}</tr>
            </thead>
            <tbody>
              {b.rows.map((row, r) => (
                <tr key={r}>{row.map((cell, i) => <td key={i} style={{ textAlign: b.align[i] }}>{renderInlines(cell)}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      );
  }
}

function renderInlines(nodes: readonly Inline[]): ReactNode[] {
  return nodes.map((n, i) => renderInline(n, i));
}

function renderInline(n: Inline, key: number): ReactNode {
  switch (n.type) {
    case 'text':
      return n.text;
    case 'code':
      return <code key={key} className="md-code">{n.text}</code>;
    case 'strong':
      return <strong key={key}>{renderInlines(n.children)}</strong>;
    case 'em':
      return <em key={key}>{renderInlines(n.children)}</em>;
    case 'del':
      return <del key={key}>{renderInlines(n.children)}</del>;
    case 'link':
      return (
        <a key={key} href={n.href} target="_blank" rel="noopener noreferrer">
          {renderInlines(n.children)}
        </a>
      );
    case 'br':
      return <br key={key} />;
  }
}

function CodeBlock({ lang, code }: { lang: string; code: string }) {
  const tokens = useMemo(() => highlight(code, lang), [code, lang]);
  const { copied, copy } = useCopy();
  return (
    <figure className="md-pre">
      <figcaption>
        <span>{lang || 'code'}</span>
        <button type="button" className="ghost small" onClick={() => copy(code)} aria-label={`Copy ${lang || 'code'}`}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </figcaption>
      <pre>
        <code data-lang={lang || undefined}>
          {tokens.map((t, i) => (t.kind === 'plain' ? t.text : <span key={i} className={`tok-${t.kind}`}>{t.text}</span>))}
        </code>
      </pre>
    </figure>
  );
}
