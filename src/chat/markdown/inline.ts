// Inline markdown (code spans, emphasis, links, autolinks, line breaks) to a small tree. Raw
// HTML is not a construct here: `<b>` stays the text "<b>", and React renders text as text.

export type Inline =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'code'; readonly text: string }
  | { readonly type: 'strong' | 'em' | 'del'; readonly children: Inline[] }
  | { readonly type: 'link'; readonly href: string; readonly children: Inline[] }
  | { readonly type: 'br' };

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** `href` when it is an absolute http(s) or mailto URL; anything else (javascript:, data:, relative) is refused. */
export function safeHref(href: string): string | undefined {
  const trimmed = href.trim().replace(/^<|>$/g, '');
  // Control characters and spaces inside a scheme are how `java\tscript:` slips past naive checks.
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) return undefined;
  try {
    const url = new URL(trimmed);
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const PUNCT = /[!-/:-@[-`{-~]/;
const BARE_URL = /^https?:\/\/[^\s<>]*[^\s<>.,;:!?'")\]*_~]/;

export function parseInline(src: string): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const flush = (): void => {
    if (text) out.push({ type: 'text', text });
    text = '';
  };
  const push = (node: Inline): void => {
    flush();
    out.push(node);
  };

  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const rest = src.slice(i);

    if (c === '\\' && i + 1 < src.length && PUNCT.test(src[i + 1])) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    if (c === '\n') {
      push({ type: 'br' });
      i += 1;
      continue;
    }
    if (c === '`') {
      const run = /^`+/.exec(rest)![0];
      const close = findRun(src, '`', run.length, i + run.length);
      if (close >= 0) {
        const code = src.slice(i + run.length, close).replace(/\n/g, ' ');
        push({ type: 'code', text: code.length > 2 && code.startsWith(' ') && code.endsWith(' ') ? code.slice(1, -1) : code });
        i = close + run.length;
      } else {
        text += run;
        i += run.length;
      }
      continue;
    }
    if (c === '[' || (c === '!' && src[i + 1] === '[')) {
      const link = parseLink(src, c === '!' ? i + 1 : i);
      if (link) {
        const href = safeHref(link.href);
        const children = parseInline(link.label);
        // Images are shown as links: loading remote pictures would tell a server what you read.
        if (href) push({ type: 'link', href, children: children.length > 0 ? children : [{ type: 'text', text: href }] });
        else {
          flush();
          out.push(...children);
        }
        i = link.end;
        continue;
      }
    }
    if (c === '<') {
      const auto = /^<((?:https?|mailto):[^\s<>]+)>/.exec(rest);
      const href = auto && safeHref(auto[1]);
      if (auto && href) {
        push({ type: 'link', href, children: [{ type: 'text', text: auto[1] }] });
        i += auto[0].length;
        continue;
      }
    }
    if ((c === 'h' || c === 'H') && (i === 0 || !/[\w/]/.test(src[i - 1]))) {
      const bare = BARE_URL.exec(rest);
      const href = bare && safeHref(bare[0]);
      if (bare && href) {
        push({ type: 'link', href, children: [{ type: 'text', text: bare[0] }] });
        i += bare[0].length;
        continue;
      }
    }
    if (c === '*' || c === '_' || c === '~') {
      const span = parseEmphasis(src, i);
      if (span) {
        push(span.node);
        i = span.end;
        continue;
      }
    }
    text += c;
    i += 1;
  }
  flush();
  return out;
}

/** Index of the next run of exactly `n` `ch` characters at or after `from`, or -1. */
function findRun(src: string, ch: string, n: number, from: number): number {
  for (let j = from; j < src.length; ) {
    if (src[j] !== ch) {
      j++;
      continue;
    }
    let k = j;
    while (src[k] === ch) k++;
    if (k - j === n) return j;
    j = k;
  }
  return -1;
}

/** `[label](href "title")` starting at `start` (the `[`). */
function parseLink(src: string, start: number): { label: string; href: string; end: number } | undefined {
  let depth = 0;
  let j = start;
  for (; j < src.length; j++) {
    if (src[j] === '\\') j++;
    else if (src[j] === '[') depth++;
    else if (src[j] === ']' && --depth === 0) break;
  }
  if (j >= src.length || src[j + 1] !== '(') return undefined;
  const m = /^\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+("[^"]*"|'[^']*'))?\s*\)/.exec(src.slice(j + 1));
  if (!m) return undefined;
  return { label: src.slice(start + 1, j), href: m[1], end: j + 1 + m[0].length };
}

const EMPHASIS: readonly { delim: string; type: 'strong' | 'em' | 'del' }[] = [
  { delim: '***', type: 'strong' },
  { delim: '**', type: 'strong' },
  { delim: '__', type: 'strong' },
  { delim: '~~', type: 'del' },
  { delim: '*', type: 'em' },
  { delim: '_', type: 'em' },
];

/** `**strong**`, `*em*`, `~~del~~` (and `_` forms, never inside a word) starting at `i`. */
function parseEmphasis(src: string, i: number): { node: Inline; end: number } | undefined {
  for (const { delim, type } of EMPHASIS) {
    if (!src.startsWith(delim, i)) continue;
    const open = i + delim.length;
    if (open >= src.length || /\s/.test(src[open])) continue;
    if (delim[0] === '_' && i > 0 && /\w/.test(src[i - 1])) continue;
    let close = src.indexOf(delim, open + 1);
    while (close >= 0) {
      const before = src[close - 1];
      const after = src[close + delim.length];
      const rightFlanking = !/\s/.test(before) && src[close - 1] !== '\\';
      const wordAfter = delim[0] === '_' && after !== undefined && /\w/.test(after);
      // A single `*` must not end on the first star of a `**`.
      const longer = delim.length === 1 && (after === delim || before === delim);
      if (rightFlanking && !wordAfter && !longer) break;
      close = src.indexOf(delim, close + 1);
    }
    if (close < 0) continue;
    const inner = parseInline(src.slice(open, close));
    const node: Inline = delim === '***' ? { type: 'strong', children: [{ type: 'em', children: inner }] } : { type, children: inner };
    return { node, end: close + delim.length };
  }
  return undefined;
}
