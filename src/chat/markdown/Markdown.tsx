// Model output as React elements, through a kept CommonMark + GFM parser (react-markdown:
// micromark, linear time) with LaTeX math (KaTeX, bundled: works offline). Raw HTML in the text
// is shown as text, never as markup; links are http(s) or mailto only and open in a new tab;
// images become links (loading a remote picture would tell a server what you read).

import 'katex/dist/katex.min.css';
import { memo, useEffect, useMemo, useRef, useState, type ComponentPropsWithoutRef, type ReactElement, type ReactNode } from 'react';
import ReactMarkdown, { type Components, type Options } from 'react-markdown';
import rehypeKatex from 'rehype-katex';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import type { Root } from 'hast';
import { useCopy } from '../../ui/useCopy.ts';
import { highlight } from './highlight.ts';
import { safeHref } from './safeHref.ts';
import { CURSOR_SENTINEL, rehypeStreamCursor } from './streamCursor.ts';

/** rehype plugin: raw HTML nodes become their source text (shown, never parsed as markup). */
function rehypeRawAsText() {
  return (tree: Root): void => {
    const walk = (node: { children?: unknown[] }): void => {
      node.children?.forEach((child, i, all) => {
        const c = child as { type: string; value?: string; children?: unknown[] };
        if (c.type === 'raw') all[i] = { type: 'text', value: c.value ?? '' };
        else walk(c);
      });
    };
    walk(tree);
  };
}

// `$$…$$` only: a single dollar is more often a price ("$5 and $10") than math.
const remarkPlugins: Options['remarkPlugins'] = [remarkGfm, [remarkMath, { singleDollarTextMath: false }]];
const plain: Options['rehypePlugins'] = [rehypeRawAsText, rehypeKatex];
const streaming: Options['rehypePlugins'] = [rehypeRawAsText, rehypeKatex, rehypeStreamCursor];

/** `cursor`: the answer is still streaming; a blinking cursor follows its last word. */
export const Markdown = memo(function Markdown({ text, cursor = false }: { text: string; cursor?: boolean }) {
  const shown = useFrameThrottled(text, cursor);
  return (
    <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={cursor ? streaming : plain} urlTransform={(url) => safeHref(url) ?? ''} components={components}>
      {cursor ? shown + CURSOR_SENTINEL : shown}
    </ReactMarkdown>
  );
});

/**
 * `text`, changing at most once per animation frame while `live` (a streamed answer gets a
 * token per step; parsing it again for each is wasted work); at once otherwise.
 */
function useFrameThrottled(text: string, live: boolean): string {
  const [shown, setShown] = useState(text);
  const latest = useRef(text);
  latest.current = text;
  useEffect(() => {
    if (!live || typeof requestAnimationFrame === 'undefined') {
      setShown(text);
      return;
    }
    const id = requestAnimationFrame(() => setShown(latest.current));
    return () => cancelAnimationFrame(id);
  }, [text, live]);
  return live ? shown : text;
}

const heading = (level: number) =>
  function Heading({ children }: { children?: ReactNode }) {
    // Answers sit under the conversation's own headings: # renders as h3.
    const H = `h${Math.min(6, level + 2)}` as 'h3';
    return <H className={`md-h md-h${level}`}>{children}</H>;
  };

const components: Components = {
  h1: heading(1),
  h2: heading(2),
  h3: heading(3),
  h4: heading(4),
  h5: heading(5),
  h6: heading(6),
  a({ href, children }) {
    const safe = href ? safeHref(href) : undefined;
    if (!safe) return <>{children}</>;
    return (
      <a href={safe} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    );
  },
  img({ src, alt }) {
    const safe = typeof src === 'string' ? safeHref(src) : undefined;
    if (!safe) return <>{alt}</>;
    return (
      <a href={safe} target="_blank" rel="noopener noreferrer">
        {alt || safe}
      </a>
    );
  },
  table({ children }) {
    return (
      <div className="table-scroll">
        <table className="md-table">{children}</table>
      </div>
    );
  },
  code({ className, children }) {
    return <code className={className ?? 'md-code'}>{children}</code>;
  },
  pre({ children }) {
    const code = (Array.isArray(children) ? children[0] : children) as ReactElement<ComponentPropsWithoutRef<'code'>> | undefined;
    const lang = /language-([\w+#.-]+)/.exec(code?.props.className ?? '')?.[1] ?? '';
    return <CodeBlock lang={lang} code={String(code?.props.children ?? '').replace(/\n$/, '')} />;
  },
};

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
          {tokens.map((t, i) =>
            t.kind === 'plain' ? (
              t.text
            ) : (
              <span key={i} className={`tok-${t.kind}`}>
                {t.text}
              </span>
            ),
          )}
        </code>
      </pre>
    </figure>
  );
}
