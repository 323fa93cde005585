// The markdown renderer: what it parses, and that model output can never become live HTML.

import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { parseMarkdown } from '../../src/chat/markdown/blocks.ts';
import { parseInline, safeHref } from '../../src/chat/markdown/inline.ts';
import { Markdown } from '../../src/chat/markdown/Markdown.tsx';

const html = (text: string, cursor = false): string => renderToStaticMarkup(createElement(Markdown, { text, cursor }));

describe('markdown safety', () => {
  it.each([
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<div style="position:fixed">overlay</div>',
  ])('raw HTML stays text: %s', (src) => {
    const out = html(src);
    expect(out).not.toMatch(/<(script|img|iframe|div|style)/i);
    expect(out).toContain('&lt;');
    // The only elements are ours; a URL inside the text may become a safe link.
    for (const tag of out.match(/<[a-z]+[^>]*>/g) ?? []) expect(tag).toMatch(/^<p>$|^<a href="https:\/\/[^"]*" target="_blank" rel="noopener noreferrer">$/);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    ' javascript:alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'file:///etc/passwd',
    '/relative/path',
    '#anchor',
  ])('refuses link target %j', (href) => {
    expect(safeHref(href)).toBeUndefined();
    const out = html(`[click](${href})`);
    expect(out).not.toContain('href');
    expect(out).toContain('click');
  });

  it('links open in a new tab without an opener', () => {
    const out = html('See [the docs](https://example.com/a?b=1&c=2) or https://example.org/x.');
    expect(out).toContain('<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">the docs</a>');
    expect(out).toContain('<a href="https://example.org/x" target="_blank" rel="noopener noreferrer">https://example.org/x</a>.');
  });

  it('images become links: nothing is fetched from a server', () => {
    const out = html('![a cat](https://example.com/cat.png)');
    expect(out).not.toContain('<img');
    expect(out).toContain('<a href="https://example.com/cat.png"');
  });

  it('code keeps its text exactly, HTML included', () => {
    const out = html('```html\n<script>alert("x")</script>\n```');
    expect(out).not.toContain('<script>');
    expect(out.replace(/<[^>]+>/g, '')).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });
});

describe('markdown blocks', () => {
  it('headings, paragraphs, rules, quotes', () => {
    expect(parseMarkdown('# Title\n\nText\nmore\n\n---\n\n> quoted\n> lines').map((b) => b.type)).toEqual(['heading', 'paragraph', 'hr', 'quote']);
    expect(parseMarkdown('#hashtag')[0].type).toBe('paragraph');
  });

  it('lists: bullets, numbers with their start, nesting, lazy continuation', () => {
    const [list] = parseMarkdown('3. three\n4. four\n   - nested\n   - again\n5. five\ncontinued');
    expect(list).toMatchObject({ type: 'list', ordered: true, start: 3 });
    if (list.type !== 'list') throw new Error('not a list');
    expect(list.items).toHaveLength(3);
    expect(list.items[1][1]).toMatchObject({ type: 'list', ordered: false });
    expect(html('- a\n- b')).toBe('<ul><li><p>a</p></li><li><p>b</p></li></ul>');
  });

  it('fenced code: language, closing fence, and a fence still streaming', () => {
    expect(parseMarkdown('```py\nx = 1\n```\nafter')).toEqual([
      { type: 'code', lang: 'py', text: 'x = 1', closed: true },
      { type: 'paragraph', children: [{ type: 'text', text: 'after' }] },
    ]);
    expect(parseMarkdown('```js\nlet a')).toEqual([{ type: 'code', lang: 'js', text: 'let a', closed: false }]);
    expect(parseMarkdown('~~~\n```\n~~~')[0]).toMatchObject({ type: 'code', text: '```' });
  });

  it('pipe tables with alignment', () => {
    const [t] = parseMarkdown('| a | b |\n|:--|--:|\n| 1 | 2 \\| 3 |');
    expect(t).toMatchObject({ type: 'table', align: ['left', 'right'] });
    if (t.type !== 'table') throw new Error('not a table');
    expect(t.rows[0][1]).toEqual([{ type: 'text', text: '2 | 3' }]);
  });

  it('the streaming cursor follows the last word', () => {
    expect(html('Hello **there**', true)).toBe('<p>Hello <strong>there</strong><span class="cursor" data-testid="cursor" aria-hidden="true"></span></p>');
    expect(html('', true)).toContain('class="cursor"');
    expect(html('```\ncode', true)).toMatch(/<\/figure><span class="cursor"/);
  });
});

describe('markdown inline', () => {
  it('emphasis, strong, strike, code', () => {
    expect(parseInline('a *b* **c** ~~d~~ `e*f*`')).toEqual([
      { type: 'text', text: 'a ' },
      { type: 'em', children: [{ type: 'text', text: 'b' }] },
      { type: 'text', text: ' ' },
      { type: 'strong', children: [{ type: 'text', text: 'c' }] },
      { type: 'text', text: ' ' },
      { type: 'del', children: [{ type: 'text', text: 'd' }] },
      { type: 'text', text: ' ' },
      { type: 'code', text: 'e*f*' },
    ]);
  });

  it('leaves snake_case, lone stars and escapes alone', () => {
    expect(parseInline('snake_case_name')).toEqual([{ type: 'text', text: 'snake_case_name' }]);
    expect(parseInline('2 * 3 * 4')).toEqual([{ type: 'text', text: '2 * 3 * 4' }]);
    expect(parseInline('\\*not em\\*')).toEqual([{ type: 'text', text: '*not em*' }]);
    expect(parseInline('**unclosed')).toEqual([{ type: 'text', text: '**unclosed' }]);
  });

  it('line breaks inside a paragraph are kept', () => {
    expect(parseInline('one\ntwo')).toEqual([{ type: 'text', text: 'one' }, { type: 'br' }, { type: 'text', text: 'two' }]);
  });
});
