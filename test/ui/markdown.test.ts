// The markdown renderer: what it parses, and that model output can never become live HTML.

import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Markdown } from '../../src/chat/markdown/Markdown.tsx';
import { safeHref } from '../../src/chat/markdown/safeHref.ts';

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
  it("headings (under the page's own), paragraphs, rules, quotes", () => {
    expect(html('# Title\n\nText\nmore\n\n---\n\n> quoted\n> lines')).toBe('<h3 class="md-h md-h1">Title</h3>\n<p>Text\nmore</p>\n<hr/>\n<blockquote>\n<p>quoted\nlines</p>\n</blockquote>');
    expect(html('#hashtag')).toBe('<p>#hashtag</p>');
  });

  it('lists: bullets, numbers with their start, nesting, GFM task lists', () => {
    const out = html('3. three\n4. four\n   - nested\n   - again\n5. five');
    expect(out).toMatch(/^<ol start="3">/);
    expect(out).toContain('<ul>\n<li>nested</li>\n<li>again</li>\n</ul>');
    expect(html('- a\n- b')).toBe('<ul>\n<li>a</li>\n<li>b</li>\n</ul>');
    const tasks = html('- [x] done\n- [ ] todo');
    expect(tasks).toContain('<input type="checkbox" disabled="" checked=""/> done');
    expect(tasks).toContain('<input type="checkbox" disabled=""/> todo');
  });

  it('fenced code: language, highlighting, and a fence still streaming', () => {
    const out = html('```py\nx = 1 # one\n```\nafter');
    expect(out).toContain('<code data-lang="py">x = <span class="tok-number">1</span> <span class="tok-comment"># one</span></code>');
    expect(out).toContain('<p>after</p>');
    expect(html('```js\nlet a')).toContain('<code data-lang="js"><span class="tok-keyword">let</span> a</code>');
    expect(html('~~~\n```\n~~~').replace(/<[^>]+>/g, '')).toBe('codeCopy```');
  });

  it('GFM tables with alignment, strikethrough', () => {
    const out = html('| a | b |\n|:--|--:|\n| 1 | 2 \\| 3 |');
    expect(out).toContain('<div class="table-scroll"><table class="md-table">');
    expect(out).toContain('<td style="text-align:left">1</td>');
    expect(out).toContain('<td style="text-align:right">2 | 3</td>');
    expect(html('~~gone~~')).toBe('<p><del>gone</del></p>');
  });

  it('LaTeX math in $$…$$ renders with KaTeX; a single dollar stays a price', () => {
    const out = html('The area is $$\\pi r^2$$.');
    expect(out).toContain('class="katex"');
    expect(out).toContain('<annotation encoding="application/x-tex">\\pi r^2</annotation>');
    expect(html('It costs $5 and $10.')).toBe('<p>It costs $5 and $10.</p>');
  });

  it('the streaming cursor follows the last word, or the code block still streaming', () => {
    expect(html('Hello **there**', true)).toBe('<p>Hello <strong>there</strong><span class="cursor" data-testid="cursor" aria-hidden="true"></span></p>');
    expect(html('', true)).toContain('class="cursor"');
    expect(html('```\ncode', true)).toMatch(/<\/figure><span class="cursor"/);
    expect(html('```\ncode', true)).not.toContain('\uE000');
  });
});

describe('markdown inline', () => {
  it('emphasis, strong, strike, code', () => {
    expect(html('a *b* **c** ~~d~~ `e*f*`')).toBe('<p>a <em>b</em> <strong>c</strong> <del>d</del> <code class="md-code">e*f*</code></p>');
  });

  it('leaves snake_case, lone stars and escapes alone', () => {
    expect(html('snake_case_name')).toBe('<p>snake_case_name</p>');
    expect(html('2 * 3 * 4')).toBe('<p>2 * 3 * 4</p>');
    expect(html('\\*not em\\*')).toBe('<p>*not em*</p>');
    expect(html('**unclosed')).toBe('<p>**unclosed</p>');
  });

  it('a link label holding a URL is one link, never a link inside a link', () => {
    const out = html('[see https://a.example/x](https://b.example/y)');
    expect(out.match(/<a /g)).toHaveLength(1);
    expect(out).toContain('<a href="https://b.example/y" target="_blank" rel="noopener noreferrer">see https://a.example/x</a>');
  });
});

// The hand-written parser took 10–38 s on these (super-linear emphasis); micromark is linear.
// No time limit here (a timed test flakes on a shared machine): they must render, whole.
describe('pathological input', () => {
  it.each([
    ['nested emphasis openers', '**a *b '.repeat(2000)],
    ['underscore runs', '_a _'.repeat(8000)],
    ['unclosed brackets', '[a'.repeat(5000)],
  ])('%s render completely', (_name, src) => {
    const out = html(src);
    expect(out.replace(/<[^>]+>/g, '').replace(/\s+/g, '').length).toBeGreaterThanOrEqual(src.replace(/[*_\s]/g, '').length);
  });
});
